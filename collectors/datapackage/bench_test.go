package datapackage

import (
	"archive/zip"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/sheet"
	"github.com/localoffer/localoffer/schema"
)

// hostileZip writes the trust-boundary case: a small zip whose services table
// inflates to about 16 MB, declared three times. distinct stores it as three
// entries (each read); otherwise the three resources name one entry.
func hostileZip(tb testing.TB, path string, distinct bool) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := []string{"services.csv", "services.csv", "services.csv"}
	if distinct {
		names = []string{"services.csv", "services-2.csv", "services-3.csv"}
	}
	w, _ := zw.Create("datapackage.json")
	fmt.Fprintf(w, `{"resources":[{"name":"services","path":%q},{"name":"services","path":%q},{"name":"services","path":%q}]}`, names[0], names[1], names[2])
	written := map[string]bool{}
	for _, n := range names {
		if written[n] {
			continue
		}
		written[n] = true
		w, _ := zw.Create(n)
		fmt.Fprintln(w, "id,organization_id,name,description,status,email,url")
		size := 0
		for i := 0; size < 16<<20; i++ {
			k, _ := fmt.Fprintf(w, "svc-%07d,org-%04d,Short breaks for disabled children %d,\"Play and youth sessions for children and young people with SEND, term time and school holidays, with trained staff.\",active,send@example.org,https://example.org/services/%d\n", i, i%500, i, i)
			size += k
		}
	}
	zw.Close()
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

// BenchmarkHostilePackage collects the hostile zip and reports the process's
// peak RSS: memory follows the join keys (ids, offsets), not the 48 MB of cells.
func BenchmarkHostilePackage(b *testing.B) {
	for _, distinct := range []bool{false, true} {
		b.Run(map[bool]string{false: "same-entry", true: "three-entries"}[distinct], func(b *testing.B) {
			dir := b.TempDir()
			zipPath := filepath.Join(dir, "hostile.zip")
			size := hostileZip(b, zipPath, distinct)
			client := fetch.New(fetch.Options{PerHostRPS: -1, Timeout: time.Minute}, &fetch.Blobs{Dir: filepath.Join(dir, "blobs")}, nil)
			var n int
			for b.Loop() {
				n = 0
				run := &collect.Run{Pipeline: "p", RunID: "r", Now: time.Now(), Fetch: client.Session("p", "r", nil),
					Log: slog.New(slog.DiscardHandler), State: collecttest.NewState(),
					Emit: func(_ context.Context, r *schema.Record) error { n++; return nil },
					Warn: func(_, _, _ string) {}}
				if err := New(zipPath, configUK()).Collect(context.Background(), run); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/1024, "zip-KiB")
			b.ReportMetric(float64(n), "records")
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(sheet.PeakRSS())/(1<<20), "peak-RSS-MiB")
		})
	}
}

// TestHostilePackageBounded: three distinct 16 MB entries of one table load
// as one table with the copies reported, and the spill file is removed.
func TestHostilePackageBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 48 MB package")
	}
	zipPath := filepath.Join(t.TempDir(), "hostile.zip")
	if size := hostileZip(t, zipPath, true); size > 8<<20 {
		t.Fatalf("zip is %d bytes", size)
	}
	c := New(zipPath, configUK())
	c.TempDir = t.TempDir()
	res, err := collectWith(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(c.TempDir, ".datapackage-spill-*")); len(left) != 0 {
		t.Errorf("spill files left behind: %v", left)
	}
	if a := c.Accounts[0]; a.Loaded+a.Dropped != a.Rows || a.Dropped != 2*a.Loaded {
		t.Errorf("three copies of one table: %+v", a)
	}
	hasWarning(t, res.warns, "duplicate_id: services: ")
}

// A spill file left by a killed process is removed by the next run; a
// recent one (another pipeline's, in progress) is not.
func TestStaleSpillRemoved(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".datapackage-spill-111")
	fresh := filepath.Join(dir, ".datapackage-spill-222")
	os.WriteFile(stale, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	old := time.Now().Add(-13 * time.Hour)
	os.Chtimes(stale, old, old)
	sp, err := newSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale spill kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a live spill was removed")
	}
}
