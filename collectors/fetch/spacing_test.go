package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// The per-host limit must hold where it matters: at the server. A request
// whose turn came while every concurrency slot was busy must not then leave
// right before the host's next turn.
func TestPerHostSpacingSeenByServer(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	defer fast.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(450 * time.Millisecond) // holds the only slot
		w.Write([]byte("ok"))
	}))
	defer slow.Close()

	// One slot in all; 2 requests/s per host, i.e. at least 500 ms apart.
	c := New(Options{PerHostRPS: 2, Concurrency: 1, IgnoreRobots: true, Timeout: 5 * time.Second}, &Blobs{Dir: t.TempDir()}, nil)
	s := c.Session("spacing", "run", nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	get := func(u string, after time.Duration) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(after)
			if _, err := s.Get(ctx, u, Unconditional()); err != nil {
				t.Error(err)
			}
		}()
	}
	get(slow.URL+"/a", 0)                   // takes the slot for 450 ms
	get(fast.URL+"/1", 10*time.Millisecond) // its turn now; waits for the slot until ~450 ms
	get(fast.URL+"/2", 20*time.Millisecond) // its turn at ~510 ms: without spacing it would leave ~60 ms after /1
	wg.Wait()
	if len(arrivals) != 2 {
		t.Fatalf("fast server saw %d requests, want 2", len(arrivals))
	}
	if gap := arrivals[1].Sub(arrivals[0]); gap < 450*time.Millisecond {
		t.Fatalf("two requests reached one host %v apart; the limit is 2/s (500 ms)", gap)
	}
}
