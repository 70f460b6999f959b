package hsdsapi

import (
	"bufio"
	"context"
	"encoding/json"
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
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// BenchmarkHSDSAPIEndToEnd loads a feed of 100,000 services (per_page 1000)
// from httptest through fetch → map → validate → embedded warehouse with the
// runner, as `localoffer run` does. Each iteration is a fresh pipeline, so
// every service is written. Run with:
//
//	go test -run '^$' -bench HSDSAPIEndToEnd -benchtime 1x ./collectors/hsdsapi/
func BenchmarkHSDSAPIEndToEnd(b *testing.B) {
	const total, perPage = 100_000, 1000
	pages := make([][]byte, total/perPage)
	for p := range pages {
		items := make([]map[string]any, 0, perPage)
		for i := p*perPage + 1; i <= (p+1)*perPage; i++ {
			items = append(items, genService(i))
		}
		pages[p], _ = json.Marshal(map[string]any{"total_items": total, "total_pages": len(pages), "page_number": p + 1,
			"size": perPage, "first_page": p == 0, "last_page": p == len(pages)-1, "contents": items})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/services" {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if n < 1 || n > len(pages) {
			w.Write([]byte(`{"contents":[]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(pages[n-1])
	}))
	defer srv.Close()

	ctx := context.Background()
	w := whtest.New(b)
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	client := fetch.New(fetch.Options{PerHostRPS: -1, MaxBodyBytes: 256 << 20}, &fetch.Blobs{Dir: b.TempDir()}, nil)
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
		res := r.Run(ctx, runner.Job{Pipeline: fmt.Sprintf("bench-%d", i), Collector: "hsds_api", Source: New(srv.URL+"/api", apiOpts(perPage))})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		if res.RecordsQuarantined > 0 {
			b.Fatalf("%d records quarantined", res.RecordsQuarantined)
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
