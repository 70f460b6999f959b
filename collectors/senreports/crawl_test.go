package senreports

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
)

// hitLog records the paths a test server was asked for.
type hitLog struct {
	mu    sync.Mutex
	paths []string
}

func (h *hitLog) add(p string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paths = append(h.paths, p)
}

func (h *hitLog) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.paths...)
}

func (h *hitLog) count(prefix string) int {
	n := 0
	for _, p := range h.all() {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

const reportBody = `<html><head><title>Our SEN report</title></head><body><nav><a href="/">Home</a></nav><main>
<h1>SEN Information Report</h1><p>Reviewed: 1 October 2025.</p>
<p>We provide for pupils with autism and dyslexia. Our SENCO is Mrs Amy Clarke (senco@school.example.sch.uk, 023 9200 1234).</p>
<p>We identify needs early and review progress each term with parents.</p></main></body></html>`

// schoolSite serves a school website with the traps real sites have: a
// robots.txt rule, a link off the site, a redirect loop and a report link
// that 404s before the live report.
func schoolSite(t *testing.T, offsite string) (*httptest.Server, *hitLog) {
	t.Helper()
	hits := &hitLog{}
	mux := http.NewServeMux()
	page := func(title, body string) string {
		return "<html><head><title>" + title + "</title></head><body>" + body + "</body></html>"
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, page("Welcome to Cottage Lane Primary", `<nav>
<a href="/about-us/">About us</a> <a href="/loop">SEND</a>
<a href="/private/sen-information-report.html">SEN Information Report (staff copy)</a>
<a href="`+offsite+`/trust/sen-information-report.pdf">Trust SEN Information Report</a>
<a href="`+offsite+`/local-offer">Portsmouth Local Offer</a></nav><main><p>Welcome!</p></main>`))
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/about-us/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page("About us", `<main><ul>
<li><a href="/docs/sen-information-report-2024-25.pdf">SEN Information Report 2024-25</a></li>
<li><a href="/send/">Special Educational Needs</a></li></ul></main>`))
	})
	mux.HandleFunc("/send/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/send/sen-report.html" {
			fmt.Fprint(w, reportBody)
			return
		}
		fmt.Fprint(w, page("SEND", `<main><p>Read <a href="/send/sen-report.html">our SEN report</a>.</p></main>`))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func TestCrawlSimulatedSite(t *testing.T) {
	off := &hitLog{}
	offsite := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off.add(r.URL.Path)
		fmt.Fprint(w, reportBody)
	}))
	defer offsite.Close()
	srv, hits := schoolSite(t, offsite.URL)

	c := New(Options{SiteTimeout: 20 * time.Second})
	// GIAS writes websites without a scheme.
	site := strings.TrimPrefix(srv.URL, "http://")
	s := School{URN: "116001", Name: "Cottage Lane Primary", URL: site}
	res := c.School(context.Background(), testSession(t, fetch.Options{PerHostRPS: -1}), s, collecttest.NewState(), goldenNow)
	rep := res.Report

	if !rep.Found || rep.ReportURL != srv.URL+"/send/sen-report.html" {
		t.Fatalf("report: found=%v url=%q problem=%q; want %s/send/sen-report.html", rep.Found, rep.ReportURL, rep.Problem, srv.URL)
	}
	if rep.SENCOName != "Mrs Amy Clarke" || rep.SENCOEmail != "senco@school.example.sch.uk" || rep.ReportDate != "2025-10-01" {
		t.Errorf("extraction: senco=%q email=%q date=%q", rep.SENCOName, rep.SENCOEmail, rep.ReportDate)
	}
	if got := off.all(); len(got) != 0 {
		t.Errorf("off-site server was asked for %v; off-site links must never be followed", got)
	}
	if n := hits.count("/private/"); n != 0 {
		t.Errorf("robots.txt-disallowed /private/ fetched %d times", n)
	}
	if hits.count("/robots.txt") == 0 {
		t.Error("robots.txt was never read")
	}
	var broken []string
	for _, f := range res.Flags {
		if f.Flag == "broken_link" {
			broken = append(broken, f.Evidence)
		}
	}
	if want := srv.URL + "/docs/sen-information-report-2024-25.pdf"; len(broken) != 1 || broken[0] != want {
		t.Errorf("broken_link flags %v, want exactly %s", broken, want)
	}
	// The redirect loop was tried and abandoned (bounded), not followed forever.
	if n := hits.count("/loop"); n == 0 || n > 12 {
		t.Errorf("redirect loop requested %d times; want 1..12", n)
	}
}

func TestCrawlDeadAndLoopingSites(t *testing.T) {
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusMovedPermanently)
	}))
	defer loop.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/"
	ln.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()

	c := New(Options{SiteTimeout: 20 * time.Second})
	sess := testSession(t, fetch.Options{PerHostRPS: -1})
	// A site that does not answer is unreachable (it may answer next time);
	// one that answers "no" has no report.
	for _, tc := range []struct{ name, url, want, flag string }{
		{"dead", dead, "site unreachable", "site_unreachable"},
		{"redirect loop", loop.URL + "/", "redirect refused", "report_not_found"},
		{"404 home", gone.URL + "/", "HTTP 404", "report_not_found"},
		{"no website", "", "no website address", "report_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.School(context.Background(), sess, School{URN: "1", Name: tc.name, URL: tc.url}, collecttest.NewState(), goldenNow)
			if res.Report.Found || !strings.Contains(res.Report.Problem, tc.want) {
				t.Errorf("found=%v problem=%q, want a problem containing %q", res.Report.Found, res.Report.Problem, tc.want)
			}
			if len(res.Flags) == 0 || res.Flags[len(res.Flags)-1].Flag != tc.flag {
				t.Errorf("flags %v, want %s", res.Flags, tc.flag)
			}
		})
	}
}

// TestRedirectToWWW: a website written without a scheme whose home
// page redirects to its www. name is still one site.
func TestRedirectToWWW(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.Host == "craneswater.test":
			http.Redirect(w, r, "http://www.craneswater.test"+r.URL.Path, http.StatusMovedPermanently)
		case r.URL.Path == "/":
			fmt.Fprint(w, `<html><body><a href="/our-school/sen-information-report/">SEN Information Report</a></body></html>`)
		case r.URL.Path == "/our-school/sen-information-report/":
			fmt.Fprint(w, reportBody)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := New(Options{SiteTimeout: 20 * time.Second})
	sess := testSession(t, fetch.Options{PerHostRPS: -1, Transport: routeTestHosts(srv.Listener.Addr().String())})
	res := c.School(context.Background(), sess, School{URN: "2", Name: "Craneswater", URL: "craneswater.test"}, collecttest.NewState(), goldenNow)
	if want := "http://www.craneswater.test/our-school/sen-information-report/"; res.Report.ReportURL != want {
		t.Errorf("report %q (problem %q), want %s", res.Report.ReportURL, res.Report.Problem, want)
	}
}

// TestSiteMovedToAnotherDomain: the address GIAS lists redirects to another
// domain. A redirect off the school's site is refused (the trust boundary:
// the address came from source data), recorded as the site's problem.
func TestSiteMovedToAnotherDomain(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.Host == "oldschool.test":
			http.Redirect(w, r, "https://www.newtrust.test/schools/old-school/", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var trustHits atomic.Int32
	trust := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trustHits.Add(1)
		switch r.URL.Path {
		case "/schools/old-school/":
			fmt.Fprint(w, `<html><body><a href="/schools/old-school/send/sen-information-report.html">SEN Information Report</a></body></html>`)
		case "/schools/old-school/send/sen-information-report.html":
			fmt.Fprint(w, reportBody)
		default:
			http.NotFound(w, r)
		}
	}))
	defer trust.Close()
	// https://www.newtrust.test is answered by the plain-HTTP trust server through this transport.
	plain := routeTestHosts(trust.Listener.Addr().String())
	old := routeTestHosts(srv.Listener.Addr().String())
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == "www.newtrust.test" {
			r2 := r.Clone(r.Context())
			r2.URL.Scheme = "http"
			resp, err := plain.RoundTrip(r2)
			if resp != nil {
				resp.Request = r
			}
			return resp, err
		}
		return old.RoundTrip(r)
	})
	c := New(Options{SiteTimeout: 20 * time.Second})
	sess := testSession(t, fetch.Options{PerHostRPS: -1, Transport: tr})
	res := c.School(context.Background(), sess, School{URN: "3", Name: "Old School", URL: "oldschool.test"}, collecttest.NewState(), goldenNow)
	if res.Report.ReportURL != "" || !strings.HasPrefix(res.Report.Problem, "home page:") {
		t.Errorf("report %q (problem %q), want the off-site redirect refused", res.Report.ReportURL, res.Report.Problem)
	}
	if n := trustHits.Load(); n != 0 {
		t.Errorf("the other domain was fetched %d times", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
