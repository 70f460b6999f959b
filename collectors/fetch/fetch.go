// Package fetch is the one HTTP (and file) layer every collector uses: it
// identifies itself, honours robots.txt, limits its rate per host and its
// concurrency overall, limits size and time, retries politely, makes
// conditional GETs from the validators of the last fetch, and keeps every body
// content-addressed on disk so records can be rebuilt without fetching again.
package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Client. Zero values take the defaults noted.
type Options struct {
	UserAgent    string        // default "localoffer/0.1"
	Timeout      time.Duration // whole request including the body; default 30s
	MaxBodyBytes int64         // default 64 MiB; bodies are counted after gzip decoding
	// PerHostRPS is requests per second to one host (default 1). Negative means
	// unlimited (fixtures and benchmarks only).
	PerHostRPS float64
	// Concurrency is the most requests in flight over all hosts (default 16).
	Concurrency int
	// Retries is how many times a network error, 429 or 5xx is retried
	// (default 4; negative means none).
	Retries int
	// MinBackoff is the first retry's base delay (default 500ms); it doubles
	// each retry, with full jitter, up to MaxBackoff.
	MinBackoff time.Duration
	// MaxBackoff caps every wait, Retry-After included (default 2m).
	MaxBackoff time.Duration
	// MaxRedirects is how many redirects one fetch may follow (default 10).
	MaxRedirects int
	// AllowedHosts widen every URL policy rule: source-given URLs and
	// redirects may go there, and they may be on private addresses.
	AllowedHosts []string
	// IgnoreRobots skips robots.txt (private feeds and fixtures only).
	IgnoreRobots bool
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 20
	}
	if o.UserAgent == "" {
		o.UserAgent = "localoffer/0.1"
	}
	if o.PerHostRPS == 0 {
		o.PerHostRPS = 1
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.Retries == 0 {
		o.Retries = 4
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Minute
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 10
	}
}

// Validators are what a previous fetch of a URL left for a conditional GET.
type Validators struct {
	ETag         string
	LastModified string
	SHA256       string
	FetchedAt    time.Time
	Status       int
	ContentType  string
}

// Store records fetched documents and answers for their last validators.
// The warehouse implements it (the documents table).
type Store interface {
	LastFetch(ctx context.Context, url string) (Validators, bool, error)
	RecordFetch(ctx context.Context, d *Document) error
}

// Document is one fetched resource with its provenance. Its body lives in the
// blob store; open it with Open (raw bytes) or OpenUTF8 (decoded text).
type Document struct {
	Pipeline     string
	RunID        string
	URL          string // as requested
	FinalURL     string // after redirects
	Status       int
	ContentType  string
	ETag         string
	LastModified string
	FetchedAt    time.Time
	SHA256       string
	Size         int64
	// NotModified: the server answered 304 (or a file was unchanged); the body is
	// the stored copy from the last fetch.
	NotModified bool
	// Elapsed is how long the request took, body included (zero for files).
	Elapsed time.Duration

	blobPath  string
	transient bool   // blobPath is a temporary file, not a stored blob
	body      []byte // the body as fetched, when the request asked to keep it (KeepBody)
}

// Discard removes a transient body; for a stored body it does nothing.
func (d *Document) Discard() error {
	if !d.transient || d.blobPath == "" {
		return nil
	}
	err := os.Remove(d.blobPath)
	d.blobPath = ""
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Open returns the document's raw body.
func (d *Document) Open() (io.ReadCloser, error) {
	if d.body != nil {
		return io.NopCloser(bytes.NewReader(d.body)), nil
	}
	if d.blobPath == "" {
		return io.NopCloser(strings.NewReader("")), nil
	}
	f, err := os.Open(d.blobPath)
	if err != nil {
		return nil, fmt.Errorf("open stored body of %s: %w", d.URL, err)
	}
	return f, nil
}

// Bytes reads the whole raw body; use Open to stream large documents.
func (d *Document) Bytes() ([]byte, error) {
	rc, err := d.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// BlobPath is where the body is stored (content-addressed by SHA256).
func (d *Document) BlobPath() string { return d.blobPath }

// Blobs is a content-addressed directory of document bodies: <dir>/ab/abcdef….
type Blobs struct{ Dir string }

// Path returns where the blob with this hash lives.
func (b *Blobs) Path(sum string) string {
	if len(sum) < 2 {
		return ""
	}
	return filepath.Join(b.Dir, sum[:2], sum)
}

// Has reports whether the blob is stored.
func (b *Blobs) Has(sum string) bool {
	p := b.Path(sum)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// Put streams r into the store, at most limit bytes, and returns its hash and size.
// A body over the limit is an ErrTooLarge and leaves nothing behind.
func (b *Blobs) Put(r io.Reader, limit int64) (sum string, size int64, err error) {
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(b.Dir, ".incoming-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	if n > limit {
		return "", 0, &ErrTooLarge{Limit: limit}
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := b.Path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	return sum, n, nil
}

// putBytes stores a body held in memory, as Put does but hashing it once and
// writing nothing when the blob is stored already (an unchanged page).
func (b *Blobs) putBytes(body []byte) (sum string, err error) {
	h := sha256.Sum256(body)
	sum = hex.EncodeToString(h[:])
	dst := b.Path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(b.Dir, ".incoming-*")
	if err != nil {
		return "", fmt.Errorf("blob store: %w", err)
	}
	_, err = tmp.Write(body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("blob store: %w", err)
	}
	return sum, nil
}

// maxBodyHint caps the buffer a size hint may ask for before any byte is
// read, so one large document does not make every later read allocate as
// much.
const maxBodyHint = 8 << 20

// readBody reads a whole body of at most limit bytes; length is its
// Content-Length (-1 when unknown) and hint the size of a similar body read
// before (0: none), used only to size the buffer.
func readBody(r io.Reader, length, hint, limit int64) ([]byte, error) {
	size := int64(64 << 10)
	switch {
	case length >= 0 && length <= limit:
		// Room for the body and the read that finds its end.
		size = length + bytes.MinRead
	case hint > 0:
		// A little over the last body, so one a bit larger still fits.
		size = min(hint+hint/8, limit, maxBodyHint) + bytes.MinRead
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &ErrTooLarge{Limit: limit}
	}
	return buf.Bytes(), nil
}

// store puts a body in the store, or with transient into a private temporary
// file beside it that is not content-addressed (so nothing finds or keeps it),
// and returns where it is.
func (b *Blobs) store(r io.Reader, limit int64, transient bool) (sum string, size int64, at string, err error) {
	if !transient {
		sum, size, err = b.Put(r, limit)
		return sum, size, b.Path(sum), err
	}
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return "", 0, "", fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(b.Dir, ".transient-*")
	if err != nil {
		return "", 0, "", fmt.Errorf("blob store: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", 0, "", fmt.Errorf("blob store: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, "", err
	}
	if n > limit {
		return "", 0, "", &ErrTooLarge{Limit: limit}
	}
	keep = true
	return hex.EncodeToString(h.Sum(nil)), n, tmp.Name(), nil
}

// ErrTooLarge is returned when a body exceeds the size limit.
type ErrTooLarge struct{ Limit int64 }

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("body larger than the %d byte limit", e.Limit)
}

// StatusError is a final non-2xx/304 answer.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// RobotsError: the site's robots.txt disallows the URL for our User-Agent.
type RobotsError struct {
	URL       string
	UserAgent string
}

func (e *RobotsError) Error() string {
	return fmt.Sprintf("GET %s: disallowed by robots.txt for %q", e.URL, e.UserAgent)
}

// RedirectError: a redirect went to a host we may not follow it to, or there
// were too many.
type RedirectError struct {
	From, To string // redacted
	Reason   string
	Rule     string // the URL policy rule that refused the hop, or "" (too many redirects)
}

func (e *RedirectError) Error() string {
	if e.Rule != "" {
		return fmt.Sprintf("redirect from %s to %s refused by the URL policy (%s rule): %s", e.From, e.To, e.Rule, e.Reason)
	}
	return fmt.Sprintf("redirect from %s to %s refused: %s", e.From, e.To, e.Reason)
}

// Client is shared by every pipeline of a process.
type Client struct {
	opts   Options
	http   *http.Client
	blobs  *Blobs
	log    *slog.Logger
	sem    chan struct{}
	hosts  *hostLimiter
	robots *robotsCache
	dialer *net.Dialer
	// resolve resolves a host for the address rule; tests replace it.
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// sleep waits between retries; tests may shorten it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Client shared by every pipeline of the process.
func New(opts Options, blobs *Blobs, log *slog.Logger) *Client {
	opts.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		opts:  opts,
		blobs: blobs,
		log:   log,
		sem:   make(chan struct{}, opts.Concurrency),
		hosts: newHostLimiter(opts.PerHostRPS),
		sleep: sleepCtx,
	}
	c.robots = newRobotsCache(c)
	c.dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	c.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	tr := opts.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency
		t.DialContext = c.dialContext
		// A proxy would dial for us and defeat the address rule.
		t.Proxy = nil
		tr = t
	}
	c.http = &http.Client{Timeout: opts.Timeout, Transport: tr, CheckRedirect: c.checkRedirect}
	return c
}

// Session is a Client bound to one pipeline run, so documents carry their provenance.
type Session struct {
	c        *Client
	store    Store
	pipeline string
	runID    string
	origins  *origins // nil: no URL policy beyond schemes (tests, one-off tools)
	refused  func(url, message string)
	mu       sync.Mutex
	stats    Stats
	// bodyHint is the size of the last body kept in memory (KeepBody): a
	// feed's pages are much alike, and a body sent without Content-Length
	// (chunked, as most APIs send pages) is then read into one buffer of
	// about its size instead of doubling one from 64 KB.
	bodyHint atomic.Int64
}

// WithOrigins applies the URL policy: configured are the URLs and paths
// pipelines.yaml gave this pipeline; every other URL must satisfy its Scope
// (SameHost unless Within says otherwise). Call before the first Get.
func (s *Session) WithOrigins(configured ...string) *Session {
	s.origins = newOrigins(configured, s.c.opts.AllowedHosts)
	return s
}

// OnRefusal reports every URL the policy refuses (a redacted URL and a
// message naming the rule), for the run's warnings.
func (s *Session) OnRefusal(fn func(url, message string)) *Session {
	s.refused = fn
	return s
}

// Stats counts what a session fetched.
type Stats struct {
	Fetched   int
	Unchanged int
	Failed    int
	Retries   int
}

// Session binds the client to a pipeline run. store records the run's fetches
// and answers for their last validators; nil means no conditional GETs.
func (c *Client) Session(pipeline, runID string, store Store) *Session {
	return &Session{c: c, store: store, pipeline: pipeline, runID: runID}
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// GetOption adjusts one request.
type GetOption func(*request)

type request struct {
	header      http.Header
	conditional bool
	maxBytes    int64
	scope       *Scope
	optional    bool
	transient   bool
	keepBody    bool
}

// WithHeader adds a request header (e.g. an API key). Headers are
// credentials: they are sent only to a configured source's origin (scheme,
// host, port), never after a redirect to another origin.
func WithHeader(k, v string) GetOption {
	return func(r *request) { r.header.Set(k, v) }
}

// Unconditional skips If-None-Match/If-Modified-Since.
func Unconditional() GetOption { return func(r *request) { r.conditional = false } }

// Optional marks a probe of something the source may lack (an optional API
// endpoint): a 404, 410 or 501 answer is recorded but not counted as a failed
// fetch of the source.
func Optional() GetOption { return func(r *request) { r.optional = true } }

// Transient keeps the body out of the blob store: it is written to a private
// temporary file that the caller removes with Document.Discard once read
// (files with personal data, such as feedback exports). The fetch is still
// recorded with its hash; it is never answered from a stored copy.
func Transient() GetOption {
	return func(r *request) { r.transient, r.conditional = true, false }
}

// KeepBody keeps a fetched body in memory on the Document as well as in the
// blob store, for a caller that reads it whole straight away (an API list
// page): Document.UTF8 then hands over those bytes instead of reading the
// stored copy back. Size limits are the same. Use it only for documents the
// caller lets go of soon; everything else is streamed through the store. A
// transient body, a 304 answer and a file are read from the store as before.
func KeepBody() GetOption { return func(r *request) { r.keepBody = true } }

// MaxBytes lowers (or raises) the body size limit for one request.
func MaxBytes(n int64) GetOption { return func(r *request) { r.maxBytes = n } }

// Get fetches a URL, a file:// URL or a plain file path. A failed fetch is
// recorded too (status and URL, no body) so the documents table tells the
// whole story of a run.
func (s *Session) Get(ctx context.Context, rawURL string, opts ...GetOption) (*Document, error) {
	req := &request{header: http.Header{}, conditional: true, maxBytes: s.c.opts.MaxBodyBytes}
	for _, o := range opts {
		o(req)
	}
	var doc *Document
	var err error
	start := time.Now()
	scope := SameHost()
	if req.scope != nil {
		scope = *req.scope
	}
	if s.origins != nil {
		err = s.origins.checkURL(rawURL, scope)
	} else if scope.kind == scopeSite && !isFile(rawURL) {
		// Without origins only the rules that need none apply.
		if u, perr := url.Parse(rawURL); perr == nil {
			err = (&origins{}).checkHop(u, scope)
		}
	}
	if err == nil {
		if isFile(rawURL) {
			doc, err = s.getFile(ctx, rawURL, req)
		} else {
			doc, err = s.getHTTP(ctx, rawURL, req, scope)
			if doc != nil {
				doc.Elapsed = time.Since(start)
			}
		}
	}
	if err != nil {
		err = &redactedError{err}
		s.reportRefusal(err)
		if ctx.Err() != nil {
			// Cancelled by the caller (e.g. a prefetch no longer needed): not a failure of the source.
			return nil, err
		}
		var se *StatusError
		absent := req.optional && errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone || se.Status == http.StatusNotImplemented)
		if !absent {
			s.mu.Lock()
			s.stats.Failed++
			s.mu.Unlock()
		}
		if s.store != nil {
			failed := s.newDoc(rawURL)
			if !isFile(rawURL) {
				failed.Elapsed = time.Since(start)
			}
			var se *StatusError
			if errors.As(err, &se) {
				failed.Status = se.Status
			}
			if rerr := s.store.RecordFetch(ctx, failed); rerr != nil {
				s.c.log.Error("record failed fetch", "url", rawURL, "err", rerr)
			}
		}
		return nil, err
	}
	s.mu.Lock()
	if doc.NotModified {
		s.stats.Unchanged++
	} else {
		s.stats.Fetched++
	}
	s.mu.Unlock()
	if s.store != nil {
		if err := s.store.RecordFetch(ctx, doc); err != nil {
			return nil, fmt.Errorf("record fetch of %s: %w", rawURL, err)
		}
	}
	return doc, nil
}

func isFile(u string) bool {
	return strings.HasPrefix(u, "file://") || !strings.Contains(u, "://")
}

// FilePath returns the local path of a file:// URL or plain path.
func FilePath(u string) string {
	if strings.HasPrefix(u, "file://") {
		if p, err := url.Parse(u); err == nil {
			return p.Path
		}
		return strings.TrimPrefix(u, "file://")
	}
	return u
}

func (s *Session) newDoc(u string) *Document {
	return &Document{Pipeline: s.pipeline, RunID: s.runID, URL: u, FinalURL: u, FetchedAt: time.Now().UTC()}
}

func (s *Session) getFile(ctx context.Context, u string, r *request) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := FilePath(u)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", path, &StatusError{URL: u, Status: http.StatusNotFound})
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("open %s: is a directory", path)
	}
	if st.Size() > r.maxBytes {
		return nil, fmt.Errorf("read %s: %w", path, &ErrTooLarge{Limit: r.maxBytes})
	}
	doc := s.newDoc(u)
	doc.Status = http.StatusOK
	doc.LastModified = st.ModTime().UTC().Format(http.TimeFormat)
	sum, n, at, err := s.c.blobs.store(f, r.maxBytes, r.transient)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	doc.SHA256, doc.Size, doc.blobPath, doc.transient = sum, n, at, r.transient
	doc.ContentType = contentTypeByExt(path)
	if s.store != nil {
		if last, ok, err := s.store.LastFetch(ctx, u); err == nil && ok && last.SHA256 == sum {
			doc.NotModified = true
		}
	}
	return doc, nil
}

func contentTypeByExt(p string) string {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json":
		return "application/json"
	case ".ndjson", ".jsonl":
		return "application/x-ndjson"
	case ".csv":
		return "text/csv"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".html", ".htm":
		return "text/html"
	case ".pdf":
		return "application/pdf"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".zip":
		return "application/zip"
	}
	return "application/octet-stream"
}

func (s *Session) getHTTP(ctx context.Context, u string, r *request, scope Scope) (*Document, error) {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, fmt.Errorf("fetch %s: not an http(s) URL", u)
	}
	p := s.policyFor(parsed, scope, r)
	ctx = context.WithValue(ctx, policyKey{}, p)
	if err := s.c.checkAddress(ctx, p, parsed); err != nil {
		return nil, err
	}
	if !p.credOrigins[originOf(parsed)] {
		// Credentials stay with the configured origin.
		for _, k := range p.creds {
			r.header.Del(k)
		}
		if parsed.User != nil {
			c := *parsed
			c.User = nil
			parsed = &c
		}
	}
	if err := s.c.robots.check(ctx, parsed); err != nil {
		return nil, err
	}
	var last Validators
	var haveLast bool
	if r.conditional && s.store != nil {
		last, haveLast, err = s.store.LastFetch(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: look up last fetch: %w", u, err)
		}
		// Only ask for a 304 when the body it stands for is still stored.
		haveLast = haveLast && s.c.blobs.Has(last.SHA256)
	}
	header := r.header.Clone()
	header.Set("User-Agent", s.c.opts.UserAgent)
	if haveLast {
		if last.ETag != "" {
			header.Set("If-None-Match", last.ETag)
		}
		if last.LastModified != "" {
			header.Set("If-Modified-Since", last.LastModified)
		}
	}
	for attempt := 0; ; attempt++ {
		doc, retryAfter, err := s.attempt(ctx, parsed, header, r, last, haveLast)
		if err == nil {
			return doc, nil
		}
		if !retryable(err) || attempt >= s.c.opts.Retries || ctx.Err() != nil {
			if attempt > 0 {
				return nil, fmt.Errorf("%w (after %d retries)", err, attempt)
			}
			return nil, err
		}
		wait := s.c.backoff(attempt, retryAfter)
		s.c.log.Warn("fetch failed, retrying", "url", u, "attempt", attempt+1, "wait", wait, "err", err)
		s.mu.Lock()
		s.stats.Retries++
		s.mu.Unlock()
		if err := s.c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
	}
}

// attempt makes one request. retryAfter is the server's Retry-After, if any.
func (s *Session) attempt(ctx context.Context, u *url.URL, header http.Header, r *request, last Validators, haveLast bool) (*Document, time.Duration, error) {
	raw := u.String()
	if err := s.c.acquire(ctx, u.Host); err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
	}
	defer s.c.release()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
	}
	hreq.Header = header.Clone()
	resp, err := s.c.http.Do(hreq)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
	}
	defer resp.Body.Close()
	doc := s.newDoc(raw)
	doc.FinalURL = resp.Request.URL.String()
	doc.Status = resp.StatusCode
	doc.ContentType = resp.Header.Get("Content-Type")
	doc.ETag = resp.Header.Get("ETag")
	doc.LastModified = resp.Header.Get("Last-Modified")
	switch {
	case resp.StatusCode == http.StatusNotModified && haveLast:
		doc.NotModified = true
		doc.SHA256, doc.blobPath = last.SHA256, s.c.blobs.Path(last.SHA256)
		if doc.ETag == "" {
			doc.ETag = last.ETag
		}
		if doc.LastModified == "" {
			doc.LastModified = last.LastModified
		}
		if doc.ContentType == "" {
			doc.ContentType = last.ContentType
		}
		if st, err := os.Stat(doc.blobPath); err == nil {
			doc.Size = st.Size()
		}
		return doc, 0, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, retryAfter(resp.Header.Get("Retry-After"), time.Now()), &StatusError{URL: raw, Status: resp.StatusCode}
	}
	if resp.ContentLength > r.maxBytes {
		return nil, 0, fmt.Errorf("fetch %s: %w", raw, &ErrTooLarge{Limit: r.maxBytes})
	}
	if r.keepBody && !r.transient {
		body, err := readBody(resp.Body, resp.ContentLength, s.bodyHint.Load(), r.maxBytes)
		if err != nil {
			return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
		}
		s.bodyHint.Store(int64(len(body)))
		sum, err := s.c.blobs.putBytes(body)
		if err != nil {
			return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
		}
		doc.SHA256, doc.Size, doc.blobPath, doc.body = sum, int64(len(body)), s.c.blobs.Path(sum), body
	} else {
		sum, n, at, err := s.c.blobs.store(resp.Body, r.maxBytes, r.transient)
		if err != nil {
			return nil, 0, fmt.Errorf("fetch %s: %w", raw, err)
		}
		doc.SHA256, doc.Size, doc.blobPath, doc.transient = sum, n, at, r.transient
	}
	sum := doc.SHA256
	if haveLast && last.SHA256 == sum {
		// The server ignored our validators but sent the same bytes.
		doc.NotModified = true
	}
	return doc, 0, nil
}

// redactedError shows its cause with URL userinfo and credential parameters
// masked; errors.As still finds the cause.
type redactedError struct{ err error }

func (e *redactedError) Error() string { return redactURL(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// policyFor is the policy one request carries to redirects and the dialer.
func (s *Session) policyFor(u *url.URL, scope Scope, r *request) *policy {
	p := &policy{o: s.origins, scope: scope}
	for k := range r.header {
		p.creds = append(p.creds, k)
	}
	if s.origins != nil {
		p.credOrigins = s.origins.creds
	} else {
		p.credOrigins = map[string]bool{originOf(u): true}
	}
	return p
}

// reportRefusal passes a policy refusal to the session's hook.
func (s *Session) reportRefusal(err error) {
	if s.refused == nil {
		return
	}
	var pe *PolicyError
	var rd *RedirectError
	switch {
	case errors.As(err, &pe):
		s.refused(pe.URL, pe.Error())
	case errors.As(err, &rd) && rd.Rule != "":
		s.refused(redactURL(rd.From), rd.Error())
	}
}

// IsRefused reports whether err is the URL policy refusing an address (the
// URL itself or a redirect hop). The session has already counted it as a
// failed document and reported it as a warning; a collector skips the URL.
func IsRefused(err error) bool {
	var pe *PolicyError
	var rd *RedirectError
	return errors.As(err, &pe) || errors.As(err, &rd) && rd.Rule != ""
}

// IsNotFound reports whether err is a 404 or 410 answer (or a missing file).
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone)
}

// IsPermanent reports whether retrying err later in the same run cannot help:
// robots, redirects, size, 4xx other than 429.
func IsPermanent(err error) bool {
	var re *RobotsError
	var rd *RedirectError
	var tl *ErrTooLarge
	var pe *PolicyError
	if errors.As(err, &re) || errors.As(err, &rd) || errors.As(err, &tl) || errors.As(err, &pe) {
		return true
	}
	var se *StatusError
	return errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests
}
