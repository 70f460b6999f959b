package senreports

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
)

// folderSite is a saved school site written the way CMS exports are: root-
// relative links and directory-style pages (x/index.html).
var folderSite = map[string]string{
	"index.html": `<html><head><title>Oakfield Primary School</title></head><body>
<nav><a href="/">Home</a> <a href="/about-us/">About us</a> <a href="/parents/">Parents</a></nav>
<main><h1>Welcome to Oakfield</h1><p>We are a happy school.</p></main></body></html>`,
	"about-us/index.html": `<html><head><title>About us</title></head><body>
<nav><a href="/">Home</a></nav><main><h1>About us</h1><p>See our <a href="/about-us/send/">SEND</a> pages and <a href="../parents/">parents</a>.</p></main></body></html>`,
	"parents/index.html": `<html><head><title>Parents</title></head><body><main><h1>Parents</h1>
<p><a href="/parents/term-dates/">Term dates</a></p>
<p><a href="../../../../outside/report.html">SEN Information Report 2025-26 (archive)</a></p>
<p><a href="/../../outside/report.html">SEND information report (old)</a></p></main></body></html>`,
	"parents/term-dates/index.html": `<html><head><title>Term dates</title></head><body><main><p>Autumn term starts 3 September.</p></main></body></html>`,
	"about-us/send/index.html": `<html><head><title>SEND | Oakfield Primary School</title></head><body><main>
<h1>Special educational needs</h1>
<ul><li><a href="/about-us/send/sen-information-report/">SEN Information Report 2025-26</a></li>
<li><a href="/about-us/send/send-policy/">SEND Policy</a></li>
<li><a href="/about-us/accessibility-plan/">Accessibility plan</a></li></ul></main></body></html>`,
	"about-us/send/sen-information-report/index.html": `<html><head><title>SEN Information Report 2025-26 | Oakfield Primary School</title></head><body><main>
<h1>SEN Information Report 2025-26</h1>
<p>Our SENCO is Mrs. A.Jones (senco@oakfield.example.sch.uk, 01234 567890).</p>
<p>We provide for pupils with autism, dyslexia and speech and language needs.</p>
<p>We identify needs early and review progress termly with parents.</p></main></body></html>`,
	"about-us/send/send-policy/index.html":   `<html><head><title>SEND Policy</title></head><body><main><h1>SEND Policy</h1><p>Approved July 2025.</p></main></body></html>`,
	"about-us/accessibility-plan/index.html": `<html><head><title>Accessibility plan</title></head><body><main><p>Ramps and a lift.</p></main></body></html>`,
}

// outsideReport sits next to the site's folder: a link or symbolic link to it
// must never be read.
const outsideReport = `<html><head><title>SEN Information Report 2025-26</title></head><body><main>
<h1>SEN Information Report</h1><p>Our SENCO is Mr Outside (outside@leak.example).</p></main></body></html>`

func writeFolderSite(t *testing.T) (root, site string) {
	t.Helper()
	root = t.TempDir()
	site = filepath.Join(root, "site")
	for name, body := range folderSite {
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "outside", "report.html"), []byte(outsideReport), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, site
}

// recGetter records every address asked for.
type recGetter struct {
	g    Getter
	mu   sync.Mutex
	urls []string
}

func (r *recGetter) Get(ctx context.Context, u string, opts ...fetch.GetOption) (*fetch.Document, error) {
	r.mu.Lock()
	r.urls = append(r.urls, u)
	r.mu.Unlock()
	return r.g.Get(ctx, u, opts...)
}

// TestFolderSiteBehavesLikeHTTP crawls one saved site twice, from its folder
// and served over HTTP, and expects the same report, runners-up and findings.
func TestFolderSiteBehavesLikeHTTP(t *testing.T) {
	_, site := writeFolderSite(t)
	c := New(Options{SiteTimeout: 20 * time.Second})

	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	overHTTP := c.School(context.Background(), testSession(t, fetch.Options{PerHostRPS: -1}),
		School{URN: "1", Name: "Oakfield", URL: srv.URL + "/"}, collecttest.NewState(), goldenNow)

	rec := &recGetter{g: testSession(t, fetch.Options{})}
	fromFolder := c.School(context.Background(), rec, School{URN: "1", Name: "Oakfield", URL: "file://" + site + "/"}, collecttest.NewState(), goldenNow)

	rel := func(u, prefix string) string { return strings.TrimSuffix(strings.TrimPrefix(u, prefix), "index.html") }
	h, f := overHTTP.Report, fromFolder.Report
	if !h.Found || !f.Found {
		t.Fatalf("found over HTTP %v (%s), from the folder %v (%s)", h.Found, h.Problem, f.Found, f.Problem)
	}
	if got, want := rel(f.ReportURL, "file://"+site), rel(h.ReportURL, srv.URL); got != want || want != "/about-us/send/sen-information-report/" {
		t.Errorf("report from the folder %q, over HTTP %q; want /about-us/send/sen-information-report/ for both", got, want)
	}
	var hr, fr []string
	for _, u := range h.RunnersUp {
		hr = append(hr, rel(u, srv.URL))
	}
	for _, u := range f.RunnersUp {
		fr = append(fr, rel(u, "file://"+site))
	}
	if strings.Join(hr, " ") != strings.Join(fr, " ") {
		t.Errorf("runners-up from the folder %v, over HTTP %v", fr, hr)
	}
	if f.SENCOName != "Mrs. A.Jones" || f.SENCOEmail != h.SENCOEmail || f.SENCOPhone != h.SENCOPhone || f.ReportDate != h.ReportDate || f.ReportDate != "2025-09-01" {
		t.Errorf("findings from the folder %q %q %q %q, over HTTP %q %q %q %q", f.SENCOName, f.SENCOEmail, f.SENCOPhone, f.ReportDate,
			h.SENCOName, h.SENCOEmail, h.SENCOPhone, h.ReportDate)
	}
	for _, u := range rec.urls {
		if !strings.HasPrefix(u, "file://"+site+"/") {
			t.Errorf("read %s, outside the site's folder", u)
		}
	}
}

func TestFolderSiteRefusesSymlinksOut(t *testing.T) {
	root, site := writeFolderSite(t)
	if err := os.Symlink(filepath.Join(root, "outside", "report.html"), filepath.Join(site, "about-us", "send", "sen-information-report-2026-27.html")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	p := filepath.Join(site, "about-us", "send", "index.html")
	b, _ := os.ReadFile(p)
	b = []byte(strings.Replace(string(b), "<ul>", `<ul><li><a href="sen-information-report-2026-27.html">SEN Information Report 2026-27</a></li>`, 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recGetter{g: testSession(t, fetch.Options{})}
	res := New(Options{SiteTimeout: 20 * time.Second}).School(context.Background(), rec,
		School{URN: "1", Name: "Oakfield", URL: "file://" + site}, collecttest.NewState(), goldenNow)
	if rep := res.Report; !rep.Found || !strings.HasSuffix(rep.ReportURL, "/about-us/send/sen-information-report/") || rep.SENCOEmail == "outside@leak.example" {
		t.Errorf("report %q (senco %q): the symbolic link out of the folder must be refused", rep.ReportURL, rep.SENCOEmail)
	}
	for _, u := range rec.urls {
		if strings.Contains(u, "sen-information-report-2026-27") || strings.Contains(u, "/outside/") {
			t.Errorf("asked for %s", u)
		}
	}
}

// TestFolderScoring: a folder site's URLs are scored by their path inside the
// folder; the folder's own place on disk (here with digits that look like a
// school year) says nothing about the report.
func TestFolderScoring(t *testing.T) {
	s := newScope("file:///tmp/run2021-22/site/index.html")
	if got := s.scoreURL("file:///tmp/run2021-22/site/send/policy/"); got != "http://"+folderHost+"/send/policy" {
		t.Errorf("scored as %q", got)
	}
	if urlScore(s.scoreURL("file:///tmp/run2021-22/site/send/policy/")) != urlScore("https://school.example/send/policy/") {
		t.Error("a folder page scores differently from the same page over HTTP")
	}
}
