package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform/repair"
)

// genCollector emits n realistic directory services (~1.5 KB of JSON each),
// generated on the fly so the input itself takes no memory.
type genCollector struct{ n int }

func (g genCollector) Collect(ctx context.Context, run *collect.Run) error {
	for i := 0; i < g.n; i++ {
		min, max := float64(i%12), float64(11+i%15)
		id := strconv.Itoa(i)
		s := &schema.Service{
			ID: run.Pipeline + "/svc-" + id, OrganizationID: run.Pipeline + "/org-" + strconv.Itoa(i%500),
			Name:        "Speech and language therapy drop-in " + id,
			Description: "Weekly drop-in sessions run by NHS speech and language therapists for children and young people with communication needs, including autism. Parents and carers welcome; no referral needed.",
			Status:      "active", Email: "slt.dropin@example.nhs.uk", URL: "https://www.example.nhs.uk/slt",
			MinimumAge: &min, MaximumAge: &max, AssuredDate: "2026-06-01",
			NeedCodes: []string{"SLCN", "ASD"}, BroadAreas: []string{"communication_and_interaction"}, Categories: []string{"health"},
			LACode: "E06000044",
			Phones: []schema.Phone{{ID: run.Pipeline + "/ph-" + id, Number: "023 9268 0000"}},
			ServiceAtLocations: []schema.ServiceAtLocation{{ID: run.Pipeline + "/sal-" + id, LocationID: run.Pipeline + "/loc-" + strconv.Itoa(i%2000),
				Location: &schema.Location{ID: run.Pipeline + "/loc-" + strconv.Itoa(i%2000), LocationType: "physical",
					Addresses: []schema.Address{{ID: "a", Address1: "St Mary's Community Health Campus", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO3 6AD", Country: "GB", AddressType: "physical"}}}}},
			Provenance: &schema.Provenance{SourceURL: "https://directory.example.gov.uk/api/services?page=" + strconv.Itoa(i/1000), FetchedAt: run.Now},
		}
		if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkRunLoad is the whole run path without fetching: emit → validate
// (when a validator is set by the caller) → encode on all cores → embedded
// warehouse in 100k-row chunks. It reports rows/s and the process's peak RSS,
// to show memory stays flat as the input grows.
func BenchmarkRunLoad(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			w := whtest.New(b)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			r := &Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: b.TempDir()}, log), ChunkRows: 100_000, Log: log}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				res := r.Run(context.Background(), Job{Pipeline: fmt.Sprintf("bench%d", i), Collector: "generated", Source: genCollector{n: rows}})
				if res.Err != nil || res.RecordsLoaded != rows {
					b.Fatalf("run: %v, loaded %d", res.Err, res.RecordsLoaded)
				}
			}
			b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		})
	}
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
