package hsdsapi

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/orukgen"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// benchTotal and benchPerPage are the real-shaped feed: 20,000
// services, 100 a page (the ORUK maximum).
const benchTotal, benchPerPage = 20_000, 100

// realShapedServer serves a feed of nested 2–3 KB ORUK 3.0 services built
// from a real council's records (internal/orukgen) from a keep-alive
// loopback server; pages are built before the timer starts.
func realShapedServer(b *testing.B, total, perPage int) *httptest.Server {
	b.Helper()
	g, err := orukgen.Load("../../cmd/localoffer/testdata/realworld/north-lincolnshire/services.json")
	if err != nil {
		b.Skip(err)
	}
	pages := make([][]byte, (total+perPage-1)/perPage)
	size := 0
	for p := range pages {
		pages[p] = g.Page(p+1, perPage, total)
		size += len(pages[p])
	}
	b.ReportMetric(float64(size)/float64(total), "bytes/service")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/services" {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "application/json")
		if n < 1 || n > len(pages) {
			w.Write([]byte(`{"contents":[]}`))
			return
		}
		w.Write(pages[n-1])
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkHSDSAPICollect is the collection side alone: fetch (through the
// fetch layer and its blob store) → decode → map of the real-shaped feed,
// records discarded. CPU-s per 1,000 services is the figure to compare.
//
//	go test -run '^$' -bench HSDSAPICollect -benchmem ./collectors/hsdsapi/
func BenchmarkHSDSAPICollect(b *testing.B) {
	srv := realShapedServer(b, benchTotal, benchPerPage)
	client := fetch.New(fetch.Options{PerHostRPS: -1, IgnoreRobots: true}, &fetch.Blobs{Dir: b.TempDir()}, nil)
	o := apiOpts(benchPerPage)
	o.MaxPages = 1000
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		h := newHarness(b, client, time.Now())
		n := 0
		h.run.Emit = func(_ context.Context, r *schema.Record) error {
			if r.Kind == schema.KindService {
				n++
			}
			return nil
		}
		if err := New(srv.URL+"/api", o).Collect(context.Background(), h.run); err != nil {
			b.Fatal(err)
		}
		if n != benchTotal {
			b.Fatalf("%d services emitted, want %d", n, benchTotal)
		}
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(benchTotal*b.N)/b.Elapsed().Seconds(), "services/s")
	b.ReportMetric(cpu.Seconds()*1000/float64(benchTotal*b.N), "cpu-s/1000svc")
}

// BenchmarkHSDSAPIEndToEnd loads the real-shaped feed (20,000 nested
// services, 100 a page) from a keep-alive loopback server through fetch →
// map → validate → embedded warehouse (no transform chain: see the
// transform package's BenchmarkChain) with the runner, as
// `localoffer run` does. Each iteration is a fresh pipeline, so every service
// is written. Run with:
//
//	go test -run '^$' -bench HSDSAPIEndToEnd -benchtime 1x ./collectors/hsdsapi/
func BenchmarkHSDSAPIEndToEnd(b *testing.B) {
	const total, perPage = benchTotal, benchPerPage
	srv := realShapedServer(b, total, perPage)

	ctx := context.Background()
	w := whtest.New(b)
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	client := fetch.New(fetch.Options{PerHostRPS: -1, MaxBodyBytes: 256 << 20}, &fetch.Blobs{Dir: b.TempDir()}, nil)
	o := apiOpts(perPage)
	o.MaxPages = 1000
	r := runner.Runner{W: w, Fetch: client, Validator: v, ChunkRows: 10000, Log: slog.New(slog.DiscardHandler)}
	runtime.GC()
	baseHWM := vmHWM()

	var goPeak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				goPeak = max(goPeak, ms.Sys-ms.HeapReleased)
			}
		}
	}()

	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		res := r.Run(ctx, runner.Job{Pipeline: fmt.Sprintf("bench-%d", i), Collector: "hsds_api", Source: New(srv.URL+"/api", o)})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		if res.RecordsQuarantined > 0 {
			why, _ := warehouse.QueryScalar[string](ctx, w, "SELECT arrayStringConcat(groupUniqArray(5)(concat(entity_type, ': ', errors)), ' | ') FROM quarantine")
			b.Fatalf("%d records quarantined: %s", res.RecordsQuarantined, why)
		}
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	close(stop)
	wg.Wait()
	n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services WHERE pipeline = 'bench-0'")
	if err != nil || n != total {
		b.Fatalf("bench-0 has %d services (%v)", n, err)
	}
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "services/s")
	// CPU time of the whole process (Go and libchdb threads): on a shared,
	// loaded machine wall time overstates the cost; services per CPU-second does not.
	b.ReportMetric(float64(total*b.N)/cpu.Seconds(), "services/cpu-s")
	b.ReportMetric(cpu.Seconds()*1000/float64(total*b.N), "cpu-s/1000svc")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peakRSS_MB")
	b.ReportMetric(float64(baseHWM)/(1<<20), "RSS_before_MB")
	b.ReportMetric(float64(goPeak)/(1<<20), "go_peak_MB")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident set (bytes) from /proc/self/status.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
