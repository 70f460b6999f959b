package spreadsheet

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/spreadsheet/internal/samples"
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.read(context.Background(), run, p, schema.Provenance{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
