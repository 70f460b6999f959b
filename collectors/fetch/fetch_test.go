package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memStore is a fetch.Store in memory, like the documents table.
type memStore struct {
	mu   sync.Mutex
	last map[string]Validators
	docs []*Document
}

func (m *memStore) LastFetch(_ context.Context, u string) (Validators, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.last[u]
	return v, ok, nil
}

func (m *memStore) RecordFetch(_ context.Context, d *Document) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs = append(m.docs, d)
	if d.SHA256 != "" {
		if m.last == nil {
			m.last = map[string]Validators{}
		}
		m.last[d.URL] = Validators{ETag: d.ETag, LastModified: d.LastModified, SHA256: d.SHA256, ContentType: d.ContentType}
	}
	return nil
}

// testClient has fast retries and records the waits it was asked for.
func testClient(t *testing.T, opts Options) (*Client, *[]time.Duration) {
	t.Helper()
	if opts.PerHostRPS == 0 {
		opts.PerHostRPS = -1
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = time.Minute
	}
	c := New(opts, &Blobs{Dir: t.TempDir()}, nil)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return c, waits
}

func TestRetryAfterThenSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	c, waits := testClient(t, Options{})
	s := c.Session("p", "r", &memStore{})
	doc, err := s.Get(context.Background(), srv.URL+"/services")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := doc.Bytes(); string(b) != `{"ok":true}` {
		t.Fatalf("body %q", b)
	}
	if calls.Load() != 3 || len(*waits) != 2 {
		t.Fatalf("calls %d waits %v", calls.Load(), *waits)
	}
	if (*waits)[0] < 7*time.Second || (*waits)[1] < 18*time.Second {
		t.Errorf("Retry-After not honoured: %v", *waits)
	}
	if st := s.Stats(); st.Retries != 2 || st.Fetched != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRetryCapsAndGivesUp(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, waits := testClient(t, Options{Retries: 2, MaxBackoff: 5 * time.Second})
	_, err := c.Session("p", "r", nil).Get(context.Background(), srv.URL+"/x")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 429 {
		t.Fatalf("want 429 StatusError, got %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 1 + 2 retries", calls.Load())
	}
	for _, w := range *waits {
		if w > 5*time.Second {
			t.Errorf("wait %v exceeds max_backoff", w)
		}
	}
}

func TestNoRetryOn404(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			calls.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{})
	_, err := c.Session("p", "r", nil).Get(context.Background(), srv.URL+"/gone")
	if !IsNotFound(err) || calls.Load() != 1 {
		t.Fatalf("err %v calls %d", err, calls.Load())
	}
}

func TestConditionalGet(t *testing.T) {
	var got304 atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			got304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"page":1}`)
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{IgnoreRobots: true})
	store := &memStore{}
	first, err := c.Session("p", "r1", store).Get(context.Background(), srv.URL+"/services")
	if err != nil || first.NotModified {
		t.Fatalf("first: %v %+v", err, first)
	}
	s2 := c.Session("p", "r2", store)
	second, err := s2.Get(context.Background(), srv.URL+"/services")
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || got304.Load() != 1 || second.SHA256 != first.SHA256 {
		t.Fatalf("second fetch not a 304 reuse: %+v", second)
	}
	if b, _ := second.Bytes(); string(b) != `{"page":1}` {
		t.Errorf("stored body %q", b)
	}
	if st := s2.Stats(); st.Unchanged != 1 || st.Fetched != 0 {
		t.Errorf("stats %+v", st)
	}
	// Unconditional skips the validators.
	third, err := s2.Get(context.Background(), srv.URL+"/services", Unconditional())
	if err != nil || got304.Load() != 1 || third.NotModified || third.Status != 200 {
		t.Errorf("unconditional: %v 304s=%d %+v", err, got304.Load(), third)
	}
}

func TestGzipAndLatin1(t *testing.T) {
	latin1 := []byte("{\"name\":\"Caf\xe9 for y\xf6ung carers \x96 Southsea\"}")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gz":
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				t.Errorf("no gzip asked for")
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			zw := gzip.NewWriter(w)
			fmt.Fprint(zw, `{"name":"Speech and language therapy – Portsmouth"}`)
			zw.Close()
		case "/latin1":
			w.Header().Set("Content-Type", "application/json")
			w.Write(latin1)
		case "/declared":
			w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
			w.Write([]byte("<p>Caf\xe9</p>"))
		case "/meta":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html><head><meta charset="windows-1252"></head><body>` + "\x93quoted\x94</body></html>"))
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{IgnoreRobots: true})
	s := c.Session("p", "r", nil)
	cases := []struct {
		path, want, charset string
	}{
		{"/gz", `{"name":"Speech and language therapy – Portsmouth"}`, "utf-8"},
		{"/latin1", `{"name":"Café for yöung carers – Southsea"}`, "windows-1252"},
		{"/declared", "<p>Café</p>", "windows-1252"},
		{"/meta", "\u201cquoted\u201d", "windows-1252"},
	}
	for _, tc := range cases {
		doc, err := s.Get(context.Background(), srv.URL+tc.path)
		if err != nil {
			t.Fatal(err)
		}
		text, err := doc.Text()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: text %q, want %q", tc.path, text, tc.want)
		}
		if cs, _ := doc.Charset(); cs != tc.charset {
			t.Errorf("%s: charset %s, want %s", tc.path, cs, tc.charset)
		}
	}
	// Raw bytes are kept as fetched.
	doc, _ := s.Get(context.Background(), srv.URL+"/latin1")
	if raw, _ := doc.Bytes(); !bytes.Equal(raw, latin1) {
		t.Errorf("raw body changed: %q", raw)
	}
}

func TestUTF8AfterLongASCIIPrefix(t *testing.T) {
	body := `{"pad":"` + strings.Repeat("a", 5000) + `","name":"Ysgol Gymraeg – Bro Dêr"}`
	dir := t.TempDir()
	p := filepath.Join(dir, "feed.json")
	os.WriteFile(p, []byte(body), 0o644)
	c, _ := testClient(t, Options{})
	doc, err := c.Session("p", "r", nil).Get(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := doc.Text()
	if text != body {
		t.Errorf("UTF-8 body was re-decoded")
	}
}

func TestRobotsDisallow(t *testing.T) {
	var hits atomic.Int32
	var robotsHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			fmt.Fprint(w, "User-agent: *\nDisallow: /admin\n\nUser-agent: localoffer\nDisallow: /private/\n")
			return
		}
		hits.Add(1)
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{UserAgent: "localoffer/0.1 (+https://example.org)"})
	s := c.Session("p", "r", nil)
	_, err := s.Get(context.Background(), srv.URL+"/private/services?page=1")
	var re *RobotsError
	if !errors.As(err, &re) {
		t.Fatalf("want RobotsError, got %v", err)
	}
	if _, err := s.Get(context.Background(), srv.URL+"/admin"); err != nil {
		t.Errorf("/admin is only disallowed for other agents: %v", err)
	}
	if _, err := s.Get(context.Background(), srv.URL+"/services"); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 || robotsHits.Load() != 1 {
		t.Errorf("hits %d robots fetched %d times (want cached once)", hits.Load(), robotsHits.Load())
	}
}

func TestTimeoutOnSlowPage(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		fmt.Fprint(w, "late")
	}))
	defer srv.Close()
	defer close(release)
	c, _ := testClient(t, Options{Timeout: 100 * time.Millisecond, Retries: 1, IgnoreRobots: true})
	start := time.Now()
	_, err := c.Session("p", "r", nil).Get(context.Background(), srv.URL+"/slow")
	if err == nil || !strings.Contains(err.Error(), "Timeout") && !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("want timeout, got %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("timeout not enforced: %v", time.Since(start))
	}
}

func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			// No Content-Length: the limit must bite while streaming.
			for i := 0; i < 64; i++ {
				w.Write(bytes.Repeat([]byte("x"), 1024))
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Content-Length", "524288000")
		w.Write([]byte("x"))
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{MaxBodyBytes: 16 << 10, IgnoreRobots: true})
	s := c.Session("p", "r", nil)
	for _, p := range []string{"/declared", "/chunked"} {
		_, err := s.Get(context.Background(), srv.URL+p)
		var tl *ErrTooLarge
		if !errors.As(err, &tl) {
			t.Errorf("%s: want ErrTooLarge, got %v", p, err)
		}
	}
	entries, _ := os.ReadDir(c.blobs.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incoming") {
			t.Errorf("partial body left behind: %s", e.Name())
		}
	}
}

func TestRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "elsewhere")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/login", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/api/services", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			fmt.Fprint(w, "here")
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{IgnoreRobots: true, MaxRedirects: 3})
	s := c.Session("p", "r", nil)
	doc, err := s.Get(context.Background(), srv.URL+"/moved")
	if err != nil || doc.FinalURL != srv.URL+"/api/services" {
		t.Fatalf("same-host redirect: %v %+v", err, doc)
	}
	var rd *RedirectError
	if _, err := s.Get(context.Background(), srv.URL+"/away"); !errors.As(err, &rd) || !strings.Contains(err.Error(), "another host") {
		t.Errorf("cross-host redirect: %v", err)
	}
	if _, err := s.Get(context.Background(), srv.URL+"/loop"); !errors.As(err, &rd) || !strings.Contains(err.Error(), "more than 3") {
		t.Errorf("redirect loop: %v", err)
	}
	allowed, _ := testClient(t, Options{IgnoreRobots: true, AllowedHosts: []string{strings.TrimPrefix(other.URL, "http://")}})
	if _, err := allowed.Session("p", "r", nil).Get(context.Background(), srv.URL+"/away"); err != nil {
		t.Errorf("allowed host: %v", err)
	}
}

func TestSameSite(t *testing.T) {
	c, _ := testClient(t, Options{})
	cases := []struct {
		a, b string
		want bool
	}{
		{"council.gov.uk", "www.council.gov.uk", true},
		{"www.council.gov.uk", "council.gov.uk", true},
		{"council.gov.uk", "login.microsoftonline.com", false},
		{"127.0.0.1:8080", "127.0.0.1:9090", false},
	}
	for _, tc := range cases {
		if got := c.sameSite(tc.a, tc.b); got != tc.want {
			t.Errorf("sameSite(%s,%s)=%v", tc.a, tc.b, got)
		}
	}
}

func TestPerHostRateLimit(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{PerHostRPS: 20, IgnoreRobots: true})
	s := c.Session("p", "r", nil)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Get(context.Background(), fmt.Sprintf("%s/%d", srv.URL, i))
		}()
	}
	wg.Wait()
	if len(times) != 5 {
		t.Fatalf("%d requests", len(times))
	}
	span := times[4].Sub(times[0])
	if span < 150*time.Millisecond {
		t.Errorf("5 requests at 20 rps took %v, want ≥ 200ms less jitter", span)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{Concurrency: 2, IgnoreRobots: true})
	s := c.Session("p", "r", nil)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Get(context.Background(), fmt.Sprintf("%s/%d", srv.URL, i))
		}()
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Errorf("peak concurrency %d > 2", peak.Load())
	}
}

func TestFilesLikeHTTP(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "services.json")
	os.WriteFile(p, []byte(`[]`), 0o644)
	c, _ := testClient(t, Options{})
	store := &memStore{}
	for _, u := range []string{p, "file://" + p} {
		doc, err := c.Session("p", "r", store).Get(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		if doc.ContentType != "application/json" || doc.Size != 2 {
			t.Errorf("%s: %+v", u, doc)
		}
	}
	again, _ := c.Session("p", "r2", store).Get(context.Background(), p)
	if !again.NotModified {
		t.Errorf("unchanged file not marked NotModified")
	}
	if _, err := c.Session("p", "r", nil).Get(context.Background(), filepath.Join(dir, "missing.json")); !IsNotFound(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"120":                           2 * time.Minute,
		"Thu, 01 Jan 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 01 Jan 2026 11:00:00 GMT": 0,
		"soon":                          0,
		"":                              0,
		"-5":                            0,
	}
	for in, want := range cases {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
