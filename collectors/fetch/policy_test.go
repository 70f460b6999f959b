package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// capture is a loopback server that remembers what reached it.
type capture struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	paths   []string
}

func (c *capture) seen() ([]string, []http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.paths...), append([]http.Header(nil), c.headers...)
}

// serveOn starts a server on a given loopback address (127.0.0.2 is a second
// host on Linux's whole-127/8 loopback).
func serveOn(t *testing.T, ip string, h http.HandlerFunc) *capture {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	c := &capture{}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		c.mu.Lock()
		c.paths = append(c.paths, r.URL.Path)
		c.headers = append(c.headers, r.Header.Clone())
		c.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Write([]byte("body of " + r.URL.Path))
	}))
	c.Listener.Close()
	c.Listener = ln
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func policyErr(t *testing.T, err error) (rule string) {
	t.Helper()
	var pe *PolicyError
	var rd *RedirectError
	switch {
	case errors.As(err, &pe):
		return pe.Rule
	case errors.As(err, &rd):
		return rd.Rule
	}
	return ""
}

func TestPolicySchemesAndHosts(t *testing.T) {
	one := serveOn(t, "127.0.0.1", nil)
	two := serveOn(t, "127.0.0.2", nil)
	other := serveOn(t, "127.0.0.1", nil) // another service on the source's machine
	secret := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(secret, []byte("root:x:0:0"), 0o600)

	cases := []struct {
		name    string
		allowed []string
		url     string
		scope   *Scope
		rule    string // "" = fetched
	}{
		{"configured source", nil, one.URL + "/feed", nil, ""},
		{"page on the source host", nil, one.URL + "/feed?page=2", nil, ""},
		{"file URL from a remote source", nil, "file://" + secret, nil, "scheme"},
		{"bare path from a remote source", nil, secret, nil, "scheme"},
		{"ftp", nil, "ftp://" + two.Listener.Addr().String() + "/x", nil, "scheme"},
		{"javascript link", nil, "javascript:alert(1)", nil, "scheme"},
		{"another host", nil, two.URL + "/resource.csv", nil, "host"},
		{"another host, allowed", []string{"127.0.0.2"}, two.URL + "/resource.csv", nil, ""},
		{"allowed with a port", []string{" 127.0.0.2:1 "}, two.URL + "/resource.csv", nil, ""},
		{"a school site on loopback", nil, two.URL + "/", ptr(SameSite(two.URL + "/")), "address"},
		{"allowed host may be loopback", []string{"127.0.0.2"}, two.URL + "/", ptr(SameSite(two.URL + "/")), ""},
		{"site rule", nil, two.URL + "/", ptr(SameSite(one.URL + "/")), "host"},
		{"another port of the source's loopback host", nil, other.URL + "/", ptr(SameSite(other.URL + "/")), "address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, _ := testClient(t, Options{AllowedHosts: c.allowed})
			var refusals []string
			s := cl.Session("p", "r", nil).WithOrigins(one.URL + "/feed").OnRefusal(func(u, msg string) { refusals = append(refusals, msg) })
			var opts []GetOption
			if c.scope != nil {
				opts = append(opts, Within(*c.scope))
			}
			doc, err := s.Get(context.Background(), c.url, opts...)
			if c.rule == "" {
				if err != nil {
					t.Fatalf("Get(%s): %v", c.url, err)
				}
				if b, _ := doc.Bytes(); !strings.HasPrefix(string(b), "body of") {
					t.Errorf("body %q", b)
				}
				return
			}
			if got := policyErr(t, err); got != c.rule {
				t.Fatalf("Get(%s) = %v, want a refusal by the %s rule", c.url, err, c.rule)
			}
			if !IsPermanent(err) {
				t.Error("a refusal should be permanent (never retried)")
			}
			if len(refusals) != 1 || !strings.Contains(refusals[0], c.rule+" rule") {
				t.Errorf("refusal hook got %q", refusals)
			}
			if s.Stats().Failed != 1 {
				t.Errorf("failed = %d, want 1", s.Stats().Failed)
			}
		})
	}
	if paths, _ := two.seen(); len(paths) != 3 {
		t.Errorf("second host saw %v; want only the three allowed fetches", paths)
	}
	if paths, _ := other.seen(); len(paths) != 0 {
		t.Errorf("another service on the source's machine saw %v", paths)
	}
}

func ptr[T any](v T) *T { return &v }

func TestPolicyLocalFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pkg", "data"), 0o755)
	desc := filepath.Join(dir, "pkg", "datapackage.json")
	os.WriteFile(desc, []byte("{}"), 0o600)
	os.WriteFile(filepath.Join(dir, "pkg", "data", "services.csv"), []byte("id\n1\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "outside.txt"), []byte("secret"), 0o600)
	cl, _ := testClient(t, Options{})
	s := cl.Session("p", "r", nil).WithOrigins(desc)
	ctx := context.Background()
	if _, err := s.Get(ctx, filepath.Join(dir, "pkg", "data", "services.csv")); err != nil {
		t.Errorf("resource inside the folder: %v", err)
	}
	if _, err := s.Get(ctx, "file://"+filepath.Join(dir, "pkg", "data", "services.csv")); err != nil {
		t.Errorf("file URL inside the folder: %v", err)
	}
	for _, p := range []string{
		filepath.Join(dir, "pkg", "..", "outside.txt"),
		"file://" + filepath.Join(dir, "outside.txt"),
		"/etc/passwd",
	} {
		if _, err := s.Get(ctx, p); policyErr(t, err) != "folder" {
			t.Errorf("Get(%s) = %v, want the folder rule", p, err)
		}
	}
}

// A redirect to another host is refused; when allowed, neither the
// configured header nor the URL's userinfo follows it.
func TestRedirectCredentials(t *testing.T) {
	two := serveOn(t, "127.0.0.2", nil)
	one := serveOn(t, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, two.URL+"/landing", http.StatusFound)
			return
		}
		w.Write([]byte("body of " + r.URL.Path))
	})
	u, _ := url.Parse(one.URL)
	u.User = url.UserPassword("feeduser", "pa55word")
	source := u.String() + "/feed"
	ctx := context.Background()

	cl, _ := testClient(t, Options{})
	s := cl.Session("p", "r", nil).WithOrigins(source)
	_, err := s.Get(ctx, u.String()+"/away", WithHeader("X-Api-Key", "k-123456"))
	if policyErr(t, err) != "host" {
		t.Fatalf("redirect to another host: %v, want a host-rule refusal", err)
	}
	if strings.Contains(err.Error(), "pa55word") {
		t.Errorf("error shows the password: %v", err)
	}
	if paths, _ := two.seen(); len(paths) != 0 {
		t.Fatalf("second host was reached: %v", paths)
	}

	cl, _ = testClient(t, Options{AllowedHosts: []string{"127.0.0.2"}})
	s = cl.Session("p", "r", nil).WithOrigins(source)
	if _, err := s.Get(ctx, u.String()+"/away", WithHeader("X-Api-Key", "k-123456")); err != nil {
		t.Fatal(err)
	}
	// A resource on the other host, asked for directly.
	if _, err := s.Get(ctx, two.URL+"/resource.csv", WithHeader("X-Api-Key", "k-123456")); err != nil {
		t.Fatal(err)
	}
	paths, hs := two.seen()
	if len(paths) != 2 {
		t.Fatalf("second host saw %v", paths)
	}
	for i, h := range hs {
		if h.Get("X-Api-Key") != "" || h.Get("Authorization") != "" {
			t.Errorf("%s received credentials: %v", paths[i], h)
		}
	}
	_, hs = one.seen()
	if hs[len(hs)-1].Get("X-Api-Key") != "k-123456" || !strings.HasPrefix(hs[len(hs)-1].Get("Authorization"), "Basic ") {
		t.Errorf("the configured origin did not get its credentials: %v", hs[len(hs)-1])
	}
}

// The address is checked again at dial time: a name that resolves to a
// public address for the check and to loopback for the connection is
// refused without a connection.
func TestDNSRebinding(t *testing.T) {
	srv := serveOn(t, "127.0.0.1", nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cl, _ := testClient(t, Options{})
	var calls atomic.Int32
	cl.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	s := cl.Session("p", "r", nil).WithOrigins("https://directory.example/api")
	_, err := s.Get(context.Background(), "http://rebind.example:"+port+"/", Within(SameSite("http://rebind.example/")))
	if policyErr(t, err) != "address" || !strings.Contains(err.Error(), "connection time") {
		t.Fatalf("err = %v, want the dial-time address refusal", err)
	}
	if paths, _ := srv.seen(); len(paths) != 0 {
		t.Fatalf("loopback server was reached: %v", paths)
	}

	// Cloud metadata by name is refused before any connection.
	cl.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
	}
	_, err = s.Get(context.Background(), "http://metadata.example/latest/meta-data/", Within(SameSite("http://metadata.example/")))
	if policyErr(t, err) != "address" || !strings.Contains(err.Error(), "link-local") {
		t.Fatalf("err = %v, want a link-local refusal", err)
	}
}

func TestSameSiteRedirects(t *testing.T) {
	srv := serveOn(t, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		switch r.Host {
		case "oldschool.sch.uk", "oldschool.sch.uk:" + portOf(r):
			http.Redirect(w, r, "http://www.newtrust.org.uk:"+portOf(r)+"/", http.StatusMovedPermanently)
		case "school.sch.uk:" + portOf(r):
			http.Redirect(w, r, "http://www.school.sch.uk:"+portOf(r)+"/home", http.StatusMovedPermanently)
		default:
			w.Write([]byte("body of " + r.Host + r.URL.Path))
		}
	})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	hosts := []string{"oldschool.sch.uk", "www.newtrust.org.uk", "school.sch.uk", "www.school.sch.uk"}
	cl, _ := testClient(t, Options{AllowedHosts: hosts})
	cl.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	s := cl.Session("p", "r", nil).WithOrigins("https://example.org/gias.csv")
	ctx := context.Background()
	home := "http://school.sch.uk:" + port + "/"
	doc, err := s.Get(ctx, home, Within(SameSite(home)))
	if err != nil || !strings.HasPrefix(doc.FinalURL, "http://www.school.sch.uk") {
		t.Fatalf("www. redirect on the same site: %v (final %v)", err, doc)
	}
	// allowed_hosts would widen the rule, so test the site rule without it.
	cl2, _ := testClient(t, Options{AllowedHosts: []string{"oldschool.sch.uk"}})
	cl2.resolve = cl.resolve
	s = cl2.Session("p", "r", nil).WithOrigins("https://example.org/gias.csv")
	old := "http://oldschool.sch.uk:" + port + "/"
	_, err = s.Get(ctx, old, Within(SameSite(old)))
	var rd *RedirectError
	if !errors.As(err, &rd) || rd.Rule != "host" || !strings.Contains(rd.To, "newtrust") {
		t.Fatalf("redirect off the school's site: %v, want a host-rule refusal", err)
	}
}

func portOf(r *http.Request) string {
	_, p, _ := net.SplitHostPort(r.Host)
	return p
}

func TestBlockedAddresses(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"::1", "fe80::1", "fc00::1", "fd00:ec2::254", "0.0.0.0", "::", "100.100.100.200", "::ffff:127.0.0.1", "0.1.2.3"} {
		if blockedAddr(netip.MustParseAddr(a)) == "" {
			t.Errorf("%s not blocked", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8"} {
		if why := blockedAddr(netip.MustParseAddr(a)); why != "" {
			t.Errorf("%s blocked as %s", a, why)
		}
	}
}

func TestSiteKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.stmarys.sch.uk/send":  "stmarys.sch.uk",
		"http://stmarys.sch.uk":            "stmarys.sch.uk",
		"https://schools.trust.org.uk/a":   "trust.org.uk",
		"http://127.0.0.1:8080/":           "127.0.0.1:8080",
		"http://intranet:81/":              "intranet:81",
		"https://WWW.Example.COM:443/path": "example.com",
	} {
		u, _ := url.Parse(in)
		if got := SiteKey(u); got != want {
			t.Errorf("SiteKey(%s) = %q, want %q", in, got, want)
		}
	}
}

// Without origins (tests, one-off tools) the old behaviour holds: loopback
// is reachable and only the site rule applies.
func TestNoOriginsIsPermissive(t *testing.T) {
	srv := serveOn(t, "127.0.0.1", nil)
	cl, _ := testClient(t, Options{})
	s := cl.Session("p", "r", nil)
	if _, err := s.Get(context.Background(), srv.URL+"/x", Within(SameSite(srv.URL+"/"))); err != nil {
		t.Fatal(err)
	}
}

func TestIsRefused(t *testing.T) {
	cl, _ := testClient(t, Options{})
	s := cl.Session("p", "r", nil).WithOrigins("https://directory.example.org/api")
	_, err := s.Get(context.Background(), "file:///etc/passwd")
	if !IsRefused(err) {
		t.Errorf("file URL from a remote source: %v", err)
	}
	if IsRefused(&StatusError{URL: "x", Status: 404}) || IsRefused(&RedirectError{From: "a", To: "b", Reason: "more than 10 redirects"}) {
		t.Error("ordinary failures reported as refusals")
	}
	if !IsRefused(&RedirectError{From: "a", To: "b", Reason: "leaves the site", Rule: "host"}) {
		t.Error("a refused redirect hop is a refusal")
	}
}

func BenchmarkCheckURL(b *testing.B) {
	o := newOrigins([]string{"https://directory.example.org/api?api_key=k", "/data/gias.csv"}, []string{"cdn.example.net"})
	urls := []string{"https://directory.example.org/api/services?page=12&per_page=100", "https://www.stmarys.sch.uk/send/sen-report.pdf",
		"file:///data/sites/a/index.html", "https://cdn.example.net/x.csv"}
	site := SameSite("https://stmarys.sch.uk/")
	b.ReportAllocs()
	for b.Loop() {
		for i, u := range urls {
			sc := SameHost()
			if i == 1 {
				sc = site
			}
			o.checkURL(u, sc)
		}
	}
}

// A configured folder is the boundary itself, not its parent: a sibling
// folder's files are refused.
func TestConfiguredFolderIsTheBoundary(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "package")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	o := newOrigins([]string{pkg, filepath.Join(root, "gias", "gias.csv")}, nil)
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(pkg, "services.csv"), true},
		{filepath.Join(pkg, "data", "phones.csv"), true},
		{filepath.Join(root, "secrets.txt"), false},
		{filepath.Join(root, "package-other", "x.csv"), false},
		{filepath.Join(root, "gias", "other.csv"), true},
		{"file://" + filepath.Join(pkg, "..", "secrets.txt"), false},
	} {
		err := o.checkFile(c.path)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want allowed=%v", c.path, err, c.ok)
		}
	}
}
