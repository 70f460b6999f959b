package embedded_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// A captured insert is the file the engine loaded, listed with its table,
// columns and format, and loads again into the same rows.
func TestCaptureInsertsReplays(t *testing.T) {
	w, c := rawFixture(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "capture")
	if err := c.CaptureInserts(dir); err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(ctx, "t", []string{"a", "s"}, [][]any{{uint32(3), "tab\there"}, {uint32(4), "z"}}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, embedded.CaptureManifest))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []embedded.CapturedInsert
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ci embedded.CapturedInsert
		if err := json.Unmarshal(sc.Bytes(), &ci); err != nil {
			t.Fatal(err)
		}
		got = append(got, ci)
	}
	if len(got) != 1 || got[0].Table != "t" || got[0].Rows != 2 || got[0].Format == "" || got[0].Bytes == 0 || len(got[0].Columns) != 2 {
		t.Fatalf("manifest %+v, want one insert of 2 rows into t", got)
	}
	if err := w.Exec(ctx, "CREATE TABLE t2 AS t"); err != nil {
		t.Fatal(err)
	}
	q := "INSERT INTO t2 (a, s) FROM INFILE " + warehouse.Quote(filepath.Join(dir, got[0].File)) + " FORMAT " + got[0].Format
	if err := w.Exec(ctx, q); err != nil {
		t.Fatal(err)
	}
	rows := collect(t, w, "SELECT a, s FROM t2 ORDER BY a")
	if len(rows) != 3 || rows[1][1] != `"tab\there"` || rows[2][0] != "4" {
		t.Fatalf("replayed rows %v", rows)
	}
}

// MeasureEngineCall reports the CPU a costly query takes. The query must cost
// far more than the bound: a cheap one (a vectorised hash of numbers) can
// finish in less CPU than any bound worth asserting.
func TestMeasureEngineCallReportsCPU(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	wall, cpu, err := embedded.MeasureEngineCall(func() error {
		_, err := warehouse.QueryScalar[uint64](ctx, w, "SELECT sum(cityHash64(toString(number))) FROM numbers(20000000) SETTINGS max_threads = 2")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if cpu < 20*time.Millisecond || wall <= 0 {
		t.Fatalf("hashing 20M strings took %v wall and %v CPU", wall, cpu)
	}
	t.Logf("hashing 20M strings: %v wall, %v CPU", wall, cpu)
}
