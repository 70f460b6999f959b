package runner

import (
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/internal/orukgen"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/transform"
	"github.com/localoffer/localoffer/transform/repair"
)

// BenchmarkFeedPerService is the Go side of the real-shaped feed's
// collection phase, per service, without fetching or the warehouse: decode a
// 100-service page of the nested 2–3 KB services (internal/orukgen),
// map it to records, then for every record what the workers do in `run`
// (repair, the transform chain, validation with its one encoding, the
// content hash and rows). serial is one goroutine; parallel spreads the
// pages over GOMAXPROCS, as `run` keeps both cores busy.
//
//	go test ./runner -run '^$' -bench FeedPerService -benchmem
func BenchmarkFeedPerService(b *testing.B) {
	g, err := orukgen.Load(filepath.Join("..", "cmd", "localoffer", "testdata", "realworld", "north-lincolnshire", "services.json"))
	if err != nil {
		b.Skip(err)
	}
	const perPage, pages = 100, 8
	var raw [][]byte
	for p := range pages {
		raw = append(raw, g.Page(p+1, perPage, perPage*pages))
	}
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	sh, err := transform.LoadShared(&config.Config{})
	if err != nil {
		b.Fatal(err)
	}
	p := config.Pipeline{Name: "bench", Area: "E06000013"}
	chain, err := transform.NewChain(sh, p, config.Staleness{ReviewAfterDays: 365, AssuranceAfterDays: 90}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{Validator: v}
	job := Job{Pipeline: "bench", Transform: chain, Repair: repair.New(v, repair.Options{})}
	loader := (&warehouse.Warehouse{}).NewLoader("bench", "run", 10000)
	src := hsdsmap.Source{URL: "https://example.org/api/services?page=1", FetchedAt: time.Now()}
	onePage := func(b *testing.B, page []byte) {
		pg, err := hsdsmap.DecodePageBytes[hsdsmap.Service](page)
		if err != nil {
			b.Fatal(err)
		}
		m := hsdsmap.New("bench", true)
		for i := range pg.Items {
			recs, _ := m.Records(&pg.Items[i], src)
			for _, rec := range recs {
				if _, err := r.prepare(job, loader, rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		pg.Release() // as the walk does once a page is mapped
	}
	// The records must be valid, or the benchmark measures quarantine.
	for _, page := range raw {
		pg, err := hsdsmap.DecodePageBytes[hsdsmap.Service](page)
		if err != nil {
			b.Fatal(err)
		}
		m := hsdsmap.New("bench", true)
		for i := range pg.Items {
			recs, _ := m.Records(&pg.Items[i], src)
			for _, rec := range recs {
				job.Repair.Repair(rec)
				chain.Apply(rec)
				if probs := v.Validate(rec); len(probs) > 0 {
					b.Fatalf("%s %s invalid: %v", rec.Kind, rec.ID(), probs)
				}
			}
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		c0 := cpuTime()
		for b.Loop() {
			onePage(b, raw[i%len(raw)])
			i++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perPage), "ns/service")
		b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*perPage), "cpu-ns/service")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		c0 := cpuTime()
		var next sync.Mutex
		i := 0
		b.SetParallelism(1)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				next.Lock()
				page := raw[i%len(raw)]
				i++
				next.Unlock()
				onePage(b, page)
			}
		})
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perPage), "ns/service")
		b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*perPage), "cpu-ns/service")
		b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
	})
}
