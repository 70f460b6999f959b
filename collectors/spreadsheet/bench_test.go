package spreadsheet

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/spreadsheet/internal/samples"
	"github.com/localoffer/localoffer/internal/gias"
	"github.com/localoffer/localoffer/internal/sheet"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// BenchmarkGIASCSV: a GIAS-shaped file (50,000 schools × 140 columns)
// end to end — fetch, read, map, validate, load — into the embedded warehouse.
func BenchmarkGIASCSV(b *testing.B) {
	const rows = 50000
	p := filepath.Join(b.TempDir(), "edubasealldata_synthetic.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := samples.SyntheticGIAS(f, rows); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ResetTimer()
	records := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := whtest.New(b)
		b.StartTimer()
		res := runPipeline(b, w, "gias", p, Options{Preset: "gias"})
		if res.Err != nil || res.RecordsQuarantined != 0 {
			b.Fatalf("err %v, quarantined %d", res.Err, res.RecordsQuarantined)
		}
		records += res.RecordsLoaded
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(sheet.PeakRSS())/(1<<20), "peak_RSS_MB")
}

// BenchmarkProvidersXLSX: a 100,000-row provider list (XLSX, 18 columns)
// through the declared mapping into the embedded warehouse. Peak RSS is the
// whole process's (Go heap + embedded engine); run it alone
// (-bench '^BenchmarkProvidersXLSX$') so VmHWM is its own.
func BenchmarkProvidersXLSX(b *testing.B) {
	p := bigProviders(b, 100000)
	pc, _ := providerCollector(b)
	o := pc.Options
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := whtest.New(b)
		b.StartTimer()
		res := runPipeline(b, w, "providers", p, o)
		if res.Err != nil || res.RecordsQuarantined != 0 {
			b.Fatalf("err %v, quarantined %d", res.Err, res.RecordsQuarantined)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(sheet.PeakRSS())/(1<<20), "peak_RSS_MB")
}

// BenchmarkProvidersXLSXReadMap is the collector's own share: the same
// 100,000 rows read and mapped, no warehouse.
func BenchmarkProvidersXLSXReadMap(b *testing.B) {
	p := bigProviders(b, 100000)
	pc, _ := providerCollector(b)
	c := &Collector{Source: p, Options: pc.Options}
	records := 0
	run := &collect.Run{Pipeline: "providers", Emit: func(ctx context.Context, rec *schema.Record) error { records++; return nil }}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.read(context.Background(), run, p, schema.Provenance{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(sheet.PeakRSS())/(1<<20), "peak_RSS_MB")
}

// bigProviders streams an n-row provider list to a temp file.
func bigProviders(b *testing.B, n int) string {
	p := filepath.Join(b.TempDir(), "providers_big.xlsx")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := samples.SyntheticProviders(f, n); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkGIASReadMap is the collector's own share of BenchmarkGIASCSV:
// read, decode and map 50,000 GIAS-shaped rows into records, no warehouse.
func BenchmarkGIASReadMap(b *testing.B) {
	const rows = 50000
	p := filepath.Join(b.TempDir(), "edubasealldata_synthetic.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := samples.SyntheticGIAS(f, rows); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	c := &Collector{Source: p, Options: Options{Preset: "gias"}}
	records := 0
	run := &collect.Run{Pipeline: "gias", Emit: func(ctx context.Context, rec *schema.Record) error { records++; return nil }}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := c.read(context.Background(), run, p, schema.Provenance{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(rows*b.N), "cpu-ns/row")
}

// giasRecords reads and maps rows GIAS-shaped rows into memory, with the
// provenance the collector stamps on them.
func giasRecords(b *testing.B, rows int) []*schema.Record {
	p := filepath.Join(b.TempDir(), "edubasealldata_synthetic.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := samples.SyntheticGIAS(f, rows); err != nil {
		b.Fatal(err)
	}
	f.Close()
	c := &Collector{Source: p, Options: Options{Preset: "gias"}}
	var recs []*schema.Record
	run := &collect.Run{Pipeline: "gias", Emit: func(ctx context.Context, rec *schema.Record) error { recs = append(recs, rec); return nil }}
	if err := c.read(context.Background(), run, p, schema.Provenance{SourceURL: p, FetchedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), DocumentSHA256: strings.Repeat("ab", 32)}); err != nil {
		b.Fatal(err)
	}
	return recs
}

// BenchmarkGIASValidate is the schema's share of a GIAS row on the runner's
// workers: validate each record's encoding and derive its content (payload
// and hash) from the same bytes. ns/op is per row (2.55 records).
func BenchmarkGIASValidate(b *testing.B) {
	const rows = 5000
	recs := giasRecords(b, rows)
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	byKind := map[schema.Kind][]*schema.Record{}
	for _, r := range recs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	bench := func(b *testing.B, recs []*schema.Record, perOp int) {
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			for _, r := range recs {
				problems, enc := v.ValidateJSON(r)
				if len(problems) > 0 {
					b.Fatalf("%s: %v", r.ID(), problems)
				}
				if _, err := schema.ContentFromJSON(enc); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perOp), "ns/row")
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*perOp), "cpu-ns/row")
	}
	b.Run("all", func(b *testing.B) { bench(b, recs, rows) })
	for _, k := range []schema.Kind{schema.KindOrganization, schema.KindLocation, schema.KindService, schema.KindCapacity} {
		b.Run(string(k), func(b *testing.B) { bench(b, byKind[k], len(byKind[k])) })
	}
}

// BenchmarkGIASRead is the reader's share of BenchmarkGIASReadMap: the
// 50,000 rows read and their mapped columns decoded, nothing mapped.
func BenchmarkGIASRead(b *testing.B) {
	const rows = 50000
	p := filepath.Join(b.TempDir(), "edubasealldata_synthetic.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := samples.SyntheticGIAS(f, rows); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		g, err := gias.Open(p, sheet.Options{Name: p}, giasRequired...)
		if err != nil {
			b.Fatal(err)
		}
		newGIASMapper(g, env{}) // asks for the preset's columns
		n := 0
		for {
			if _, err := g.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			n++
		}
		g.Close()
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows*b.N), "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(rows*b.N), "cpu-ns/row")
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine CPU per row is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
