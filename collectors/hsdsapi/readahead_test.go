package hsdsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// gatedFeed wraps a feed: it counts list requests and how many are in
// flight at once, and can hold two pages until both have been asked for.
type gatedFeed struct {
	*feed
	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	requested   map[int]bool
	arrived     map[int]chan struct{} // closed when that page is asked for
	// Pages meetA and meetB are each answered only once the other has been
	// asked for (or after 10 s); met reports for each whether it was in time.
	meetA, meetB int
	met          chan bool
}

func newGatedFeed(f *feed) *gatedFeed {
	return &gatedFeed{feed: f, requested: map[int]bool{}, arrived: map[int]chan struct{}{}, met: make(chan bool, 2)}
}

func (g *gatedFeed) arrival(n int) chan struct{} {
	c := g.arrived[n]
	if c == nil {
		c = make(chan struct{})
		g.arrived[n] = c
	}
	return c
}

func (g *gatedFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/services" {
		g.feed.ServeHTTP(w, r)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	g.mu.Lock()
	g.inFlight++
	g.maxInFlight = max(g.maxInFlight, g.inFlight)
	g.requested[n] = true
	close(g.arrival(n))
	var wait chan struct{}
	switch n {
	case g.meetA:
		wait = g.arrival(g.meetB)
	case g.meetB:
		wait = g.arrival(g.meetA)
	}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
	}()
	if wait != nil {
		select {
		case <-wait:
			g.met <- true
		case <-time.After(10 * time.Second):
			g.met <- false
		}
	}
	g.feed.ServeHTTP(w, r)
}

func (g *gatedFeed) pages() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.requested)
}

// Pages that total_pages vouches for are asked for while an earlier one is
// still being served, never more than the read-ahead at once, and the walk
// still reads every service once, in order, and asks for no page past the end.
func TestReadAheadOverlapsPageRequests(t *testing.T) {
	f := newFeed(40) // 8 pages of 5
	g := newGatedFeed(f)
	g.meetA, g.meetB = 2, 3 // pages 2 and 3 are answered only when both are in flight
	srv := httptest.NewServer(g)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL+"/api", apiOpts(5)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	if !<-g.met || !<-g.met {
		t.Fatal("pages 2 and 3 were not in flight together: no read-ahead")
	}
	svcs := h.services()
	if len(svcs) != 40 {
		t.Fatalf("%d services, want 40", len(svcs))
	}
	for i, s := range svcs {
		if want := "pcc-directory/svc-" + strconv.Itoa(i+1); s.ID != want {
			t.Fatalf("service %d is %s, want %s: pages handled out of order", i, s.ID, want)
		}
	}
	if g.pages() != 8 {
		t.Errorf("%d list pages requested, want 8 (none past last_page)", g.pages())
	}
	if g.maxInFlight > pagesAhead || g.maxInFlight < 2 {
		t.Errorf("at most %d list requests in flight at once, want 2..%d", g.maxInFlight, pagesAhead)
	}
}

// A walk that stops early (here the run's emit fails on page 2 of 20) has
// asked for at most ReadAhead pages beyond the one it stopped on; with a
// read-ahead of 1 that is exactly one.
func TestReadAheadBoundOnEarlyStop(t *testing.T) {
	for _, ahead := range []int{1, 2, pagesAhead} {
		t.Run("ahead="+strconv.Itoa(ahead), func(t *testing.T) {
			f := newFeed(100) // 20 pages of 5
			g := newGatedFeed(f)
			srv := httptest.NewServer(g)
			defer srv.Close()
			h := newHarness(t, testClient(t), time.Now())
			stop := errors.New("warehouse gone")
			n := 0
			h.run.Emit = func(_ context.Context, r *schema.Record) error {
				if r.Kind == schema.KindService {
					n++
				}
				if n == 6 { // the first service of page 2
					return stop
				}
				return nil
			}
			c := New(srv.URL+"/api", apiOpts(5))
			c.ReadAhead = ahead
			err := c.Collect(context.Background(), h.run)
			if !errors.Is(err, stop) {
				t.Fatalf("err %v, want the emit error", err)
			}
			// (A request cancelled in flight may land after this count; it
			// can only lower it.)
			if got := g.pages(); got > 2+ahead || got < 2 {
				t.Errorf("%d list pages requested, want 2..%d", got, 2+ahead)
			}
			if strings.Contains(strings.Join(h.warns, "\n"), "page 3") {
				t.Errorf("a page read ahead and not handled produced warnings: %v", h.warns)
			}
		})
	}
}

// Read-ahead goes through the fetch layer's per-host rate limit, never
// around it: ten pages at 20 requests a second take at least 9 intervals
// however many are asked for at once.
func TestReadAheadKeepsPerHostRate(t *testing.T) {
	f := newFeed(50) // 10 pages of 5
	g := newGatedFeed(f)
	srv := httptest.NewServer(g)
	defer srv.Close()
	client := fetch.New(fetch.Options{PerHostRPS: 20, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Timeout: 5 * time.Second}, &fetch.Blobs{Dir: t.TempDir()}, nil)
	h := newHarness(t, client, time.Now())
	o := apiOpts(5)
	o.FetchDetails = "never"
	c := New(srv.URL+"/api", o)
	c.Dialect.Conformance = false // only the list pages: robots.txt and 10 pages
	start := time.Now()
	if err := c.Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	if el, min := time.Since(start), 9*50*time.Millisecond; el < min {
		t.Errorf("10 pages took %v at 20 requests/s; the rate limit allows no less than %v", el, min)
	}
	if len(h.services()) != 50 || g.pages() != 10 {
		t.Errorf("%d services from %d pages, want 50 from 10", len(h.services()), g.pages())
	}
}

// A walk cancelled from outside (a run's max_duration, shutdown) while
// pages are still being read ends with the context's error and does not
// count as a full sweep, whichever page it was waiting for.
func TestWalkCancelledIsNotFullSweep(t *testing.T) {
	for _, ahead := range []int{1, pagesAhead} {
		t.Run("ahead="+strconv.Itoa(ahead), func(t *testing.T) {
			f := newFeed(100) // 20 pages of 5
			srv := httptest.NewServer(f)
			defer srv.Close()
			h := newHarness(t, testClient(t), time.Now())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			h.run.Emit = func(_ context.Context, r *schema.Record) error {
				if r.Kind == schema.KindService {
					if n++; n == 7 { // on page 2
						cancel()
					}
				}
				return nil
			}
			c := New(srv.URL+"/api", apiOpts(5))
			c.ReadAhead = ahead
			err := c.Collect(ctx, h.run)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if h.run.FullSweep {
				t.Error("a cancelled walk counted as a full sweep")
			}
			if _, ok := h.state.Get(StateLastFullSweep); ok {
				t.Error("a cancelled walk recorded a full sweep")
			}
		})
	}
}
