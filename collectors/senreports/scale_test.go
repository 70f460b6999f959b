package senreports

import (
	"context"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
)

// virtualSchools is one loopback server playing many school websites, told
// apart by Host header (school0001.test, …). Every answer waits 50–200 ms, and
// the server records when each host was asked, to check politeness from its side.
type virtualSchools struct {
	srv *httptest.Server
	mu  sync.Mutex
	at  map[string][]time.Time
	log map[string][]string // host → "path@offset" in arrival order, for failure reports
	t0  time.Time
}

func newVirtualSchools(tb testing.TB) *virtualSchools {
	v := &virtualSchools{at: map[string][]time.Time{}, log: map[string][]string{}, t0: time.Now()}
	v.srv = httptest.NewServer(http.HandlerFunc(v.serve))
	tb.Cleanup(v.srv.Close)
	return v
}

func latency(host, path string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(host + path))
	return 50*time.Millisecond + time.Duration(h.Sum32()%151)*time.Millisecond
}

func (v *virtualSchools) serve(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	v.mu.Lock()
	v.at[host] = append(v.at[host], time.Now())
	v.log[host] = append(v.log[host], fmt.Sprintf("%s@%v", r.URL.Path, time.Since(v.t0).Round(time.Millisecond)))
	v.mu.Unlock()
	select {
	case <-time.After(latency(host, r.URL.Path)):
	case <-r.Context().Done():
		return
	}
	page := func(title, body string) {
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/news/\">News</a></nav><main>%s</main></body></html>", title, body)
	}
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
	case "/":
		page(host, `<p>Welcome.</p><a href="/send/">SEND</a> <a href="/admin/">Staff</a>`)
	case "/send/":
		page("SEND", `<p>Read our <a href="/send/sen-information-report/">SEN Information Report</a>.</p>`)
	case "/send/sen-information-report/":
		page("SEN Information Report", `<h1>SEN Information Report 2025-26</h1><p>Reviewed: 1 October 2025.</p>
<p>Our SENCO is Mrs Jo Bell (senco@`+host+`). We support pupils with autism and dyslexia.</p>`)
	default:
		http.NotFound(w, r)
	}
}

// transport sends every *.test host to the loopback server.
func (v *virtualSchools) transport() http.RoundTripper {
	return routeTestHosts(v.srv.Listener.Addr().String())
}

// routeTestHosts dials addr for every *.test host and refuses all others.
func routeTestHosts(addr string) http.RoundTripper {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			if !strings.HasSuffix(strings.Split(a, ":")[0], ".test") {
				return nil, &net.DNSError{Err: "not resolved in tests", Name: a, IsNotFound: true}
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 2, IdleConnTimeout: 5 * time.Second,
	}
}

// politeness checks, from the server's side, that no host was asked faster
// than rps allows with a burst of one: any k+1 consecutive requests to a host
// span at least k-1 intervals (less half an interval of slack), and over the
// whole visit the rate is at most rps. The fetch layer spaces the moments it
// lets requests go; a starved CPU can delay one on its way to the server, so
// two arrivals can be closer than the interval, but never three in a burst and
// never faster on average. It returns the shortest gap seen.
func (v *virtualSchools) politeness(rps float64) (time.Duration, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	interval := time.Duration(float64(time.Second) / rps)
	best := time.Duration(1 << 62)
	for h, ts := range v.at {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := range ts {
			if i > 0 {
				best = min(best, ts[i].Sub(ts[i-1]))
			}
			for j := i + 2; j < len(ts); j++ {
				if need := time.Duration(j-i-1)*interval - interval/2; ts[j].Sub(ts[i]) < need {
					return best, fmt.Errorf("host %s: %d requests in %v (limit %v rps): %v", h, j-i+1, ts[j].Sub(ts[i]), rps, v.log[h])
				}
			}
		}
		if n := len(ts); n > 1 {
			// Half an interval of slack, as above: the server stamps a request
			// when its goroutine runs, which a loaded machine can delay after
			// the limiter let it go; a limiter at twice the rate still fails.
			if span := ts[n-1].Sub(ts[0]); span < time.Duration(n-1)*interval-interval/2 {
				return best, fmt.Errorf("host %s asked %d times in %v (limit %v rps): %v", h, n, span, rps, v.log[h])
			}
		}
	}
	return best, nil
}

type crawlRun struct {
	elapsed time.Duration
	found   int
}

func crawlVirtual(tb testing.TB, v *virtualSchools, sites, conc int, rps float64) crawlRun {
	sess := testSession(tb, fetch.Options{PerHostRPS: rps, Concurrency: conc, Transport: v.transport(), Timeout: 10 * time.Second})
	c := New(Options{SiteConcurrency: conc, SiteTimeout: time.Minute})
	var found int
	var mu sync.Mutex
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < sites; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := School{URN: fmt.Sprint(100000 + i), Name: "School", URL: fmt.Sprintf("school%04d.test", i)}
			res := c.School(context.Background(), sess, s, collecttest.NewState(), goldenNow)
			if res.Report.Found {
				mu.Lock()
				found++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return crawlRun{elapsed: time.Since(start), found: found}
}

// TestCrawlManySitesPolitely crawls 48 simulated sites 16 at a time: every
// report is found, no host is asked faster than its limit, and the time is
// set by concurrency (⌈48/16⌉ rounds of one site's crawl), not the site count.
func TestCrawlManySitesPolitely(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the simulated multi-site crawl in -short mode")
	}
	const sites, conc, rps = 48, 16, 5.0
	v := newVirtualSchools(t)
	r := crawlVirtual(t, v, sites, conc, rps)
	if r.found != sites {
		t.Errorf("found %d of %d reports", r.found, sites)
	}
	// robots.txt, home, /send/, report: 4 requests per site, each ≤ 200 ms + one rate interval.
	perSite := 4 * (200*time.Millisecond + time.Duration(float64(time.Second)/rps))
	if bound := time.Duration((sites+conc-1)/conc) * perSite * 3 / 2; r.elapsed > bound {
		t.Errorf("took %v for %d sites at concurrency %d; bound %v", r.elapsed, sites, conc, bound)
	}
	if _, err := v.politeness(rps); err != nil {
		t.Error(err)
	}
}

// BenchmarkCrawl2000Sites: 2,000 simulated school sites (50–200 ms latency,
// 1 rps per host as in production) at concurrency 16 and 64. Run with
// go test -run XXX -bench Crawl2000 -benchtime 1x ./collectors/senreports/
func BenchmarkCrawl2000Sites(b *testing.B) {
	for _, conc := range []int{16, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v := newVirtualSchools(b)
				r := crawlVirtual(b, v, 2000, conc, 1)
				if r.found != 2000 {
					b.Fatalf("found %d of 2000 reports", r.found)
				}
				gap, err := v.politeness(1)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(2000/r.elapsed.Minutes(), "sites/min")
				b.ReportMetric(r.elapsed.Seconds(), "s/crawl")
				b.ReportMetric(gap.Seconds(), "min-gap-s")
			}
		})
	}
}

// TestPolitenessCheck: the server-side check fails on an unlimited or
// too-fast client and passes a correctly spaced one with send jitter.
func TestPolitenessCheck(t *testing.T) {
	t0 := time.Now()
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, tc := range []struct {
		name string
		ts   []time.Time
		ok   bool
	}{
		{"spaced", at(0, 1000, 2000, 3000), true},
		{"one send delayed", at(0, 1870, 2010, 3000), true},
		{"unlimited", at(0, 120, 250, 400), false},
		{"twice the rate", at(0, 500, 1000, 1500, 2000), false},
	} {
		v := &virtualSchools{at: map[string][]time.Time{"s.test": tc.ts}, log: map[string][]string{}}
		if _, err := v.politeness(1); (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
