package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform/repair"
)

// genCollector emits n real-shaped services (whtest.RealRecords: nested
// organisation and location, about 3.4 KB of content each, with the
// organisation and location records beside them), generated on the fly so the
// input itself takes no memory.
type genCollector struct{ n int }

func (g genCollector) Collect(ctx context.Context, run *collect.Run) error {
	for i := 0; i < g.n; i++ {
		for _, rec := range whtest.RealRecords(run.Pipeline, i, run.Now) {
			if err := run.Emit(ctx, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkRunLoad is the whole run path without fetching: emit → repair →
// validate → encode on all cores → embedded warehouse in 10k-row chunks (the
// default). It reports services/s, CPU seconds per 1,000 services (the
// steadier figure on a shared machine) and the process's peak RSS, to show
// memory stays flat as the input grows.
func BenchmarkRunLoad(b *testing.B) {
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{20_000, 100_000} {
		b.Run(fmt.Sprintf("services=%d", rows), func(b *testing.B) {
			if rows > 20_000 && testing.Short() {
				b.Skip("100k services skipped in -short mode")
			}
			w := whtest.New(b)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			r := &Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: b.TempDir()}, log), ChunkRows: 10_000, Log: log, Validator: v}
			b.ReportAllocs()
			cpu0 := cpuTime()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				job := Job{Pipeline: fmt.Sprintf("bench%d", i), Collector: "generated", Source: genCollector{n: rows}, Repair: repair.New(v, repair.Options{})}
				res := r.Run(context.Background(), job)
				if res.Err != nil || res.RecordsLoaded < rows || res.RecordsQuarantined > 0 {
					b.Fatalf("run: %v, loaded %d, quarantined %d", res.Err, res.RecordsLoaded, res.RecordsQuarantined)
				}
			}
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "services/s")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(rows)*1000, "CPU-s/1k")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkPrepare is the per-record work on the workers (repair, validate,
// encode) without a warehouse: what the repair step adds to a valid record.
func BenchmarkPrepare(b *testing.B) {
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	var recs []*schema.Record
	g := genCollector{n: 1000}
	run := &collect.Run{Pipeline: "bench", Now: time.Now(), Emit: func(_ context.Context, r *schema.Record) error { recs = append(recs, r); return nil }}
	if err := g.Collect(context.Background(), run); err != nil {
		b.Fatal(err)
	}
	w := &warehouse.Warehouse{} // no connection: Prepare reads only the loader's run constants
	for _, withRepair := range []bool{false, true} {
		b.Run(fmt.Sprintf("repair=%v", withRepair), func(b *testing.B) {
			r := &Runner{Validator: v}
			job := Job{Pipeline: "bench"}
			if withRepair {
				job.Repair = repair.New(v, repair.Options{})
			}
			loader := w.NewLoader("bench", "run", 1000)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := r.prepare(job, loader, recs[i%len(recs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
