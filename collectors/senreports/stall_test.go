package senreports

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
)

// TestHostileSitesCannotStallTheCrawl: a 20 MB page, an endlessly linking
// site and a tarpit each end with a recorded reason, within their caps.
func TestHostileSitesCannotStallTheCrawl(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat(`<p><a href="/send/">SEND</a> lorem ipsum dolor sit amet</p>`, 1000))
		for n := 0; n < 20<<20; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer big.Close()

	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		b.WriteString("<html><head><title>Information</title></head><body>")
		for i := 0; i < 8; i++ {
			fmt.Fprintf(&b, `<a href="%s/%d">Information for parents</a> `, strings.TrimSuffix(r.URL.Path, "/"), i)
		}
		b.WriteString("</body></html>")
		fmt.Fprint(w, b.String())
	}))
	defer endless.Close()

	tarpit := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(30 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer tarpit.Close()

	malformed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><a href=\"/send\x00/\">SE\xffND</a><table><tr><td><a href='http://[::1'>x</a><<<<>>>&&&;</body")
	}))
	defer malformed.Close()

	c := New(Options{SiteTimeout: 2 * time.Second, MaxPagesPerSite: 40, MaxDepth: 6})
	sess := testSession(t, fetch.Options{PerHostRPS: -1, Timeout: 5 * time.Second})
	for _, tc := range []struct{ name, url, want string }{
		{"20 MB page", big.URL + "/", "larger than"},
		{"endless links", endless.URL + "/", "page cap reached (40 pages)"},
		{"tarpit", tarpit.URL + "/", "timed out"},
		{"malformed", malformed.URL + "/", "no SEN information report found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := c.School(context.Background(), sess, School{URN: "9", Name: tc.name, URL: tc.url}, collecttest.NewState(), goldenNow)
			if took := time.Since(start); took > 8*time.Second {
				t.Errorf("took %v; caps and timeouts should end it sooner", took)
			}
			if res.Report.Found || !strings.Contains(res.Report.Problem, tc.want) {
				t.Errorf("found=%v problem=%q, want one containing %q", res.Report.Found, res.Report.Problem, tc.want)
			}
		})
	}
}
