package warehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// BenchmarkLoadServices loads real-shaped services (whtest.RealService, about
// 3.4 KB of content each, nested organisation and location) into the embedded
// warehouse in 10k-row chunks, the default chunk size, with each insert
// format. Beside rows/s it reports the CPU seconds per 1,000 rows (the machine
// is shared, so CPU is the steadier figure), the peak RSS, and the engine
// floor: the time the engine itself takes to insert the same rows from files
// of the same format into the same tables (floor-real-s) and into Null tables
// (floor-null-s), per run.
func BenchmarkLoadServices(b *testing.B) {
	for _, rows := range []int{20_000, 100_000} {
		for _, format := range []string{"RowBinaryWithDefaults", "TabSeparated"} {
			b.Run(fmt.Sprintf("rows=%d/format=%s", rows, format), func(b *testing.B) {
				if rows > 20_000 && testing.Short() {
					b.Skip("100k rows skipped in -short mode")
				}
				ctx := context.Background()
				w := whtest.New(b)
				if format == "TabSeparated" {
					w.Conn.(*embedded.Conn).InsertFormat = format
				}
				now := time.Now().UTC()
				b.ReportAllocs()
				cpu0 := cpuTime()
				start := time.Now()
				for it := 0; b.Loop(); it++ {
					pipeline := fmt.Sprintf("bench%d", it)
					l := w.NewLoader(pipeline, "run", 10_000)
					for i := 0; i < rows; i++ {
						if err := l.Add(ctx, whtest.RealService(pipeline, i, now)); err != nil {
							b.Fatal(err)
						}
					}
					if err := l.Flush(ctx); err != nil {
						b.Fatal(err)
					}
				}
				elapsed, cpu := time.Since(start), cpuTime()-cpu0
				b.StopTimer()
				b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
				b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(rows)*1000, "CPU-s/1k")
				b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapSys)/(1<<20), "goHeapSys-MB")
				real, null := engineFloor(b, w, rows, now, format)
				b.ReportMetric(real.Seconds(), "floor-real-s")
				b.ReportMetric(null.Seconds(), "floor-null-s")
				b.ReportMetric(elapsed.Seconds()/float64(b.N)/real.Seconds(), "x-floor")
			})
		}
	}
}

// engineFloor writes one run's rows to files in the format (through a Loader
// whose connection only writes files), then times the engine loading those
// files into the warehouse's tables and into Null copies of them.
func engineFloor(b *testing.B, w *warehouse.Warehouse, rows int, now time.Time, format string) (real, null time.Duration) {
	ctx := context.Background()
	dir := filepath.Join(whtest.Path(b), "floor-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fc := &fileConn{dir: dir, format: format, w: w}
	l := warehouse.New(fc, w.Layout).NewLoader("floor", "run", 10_000)
	for i := 0; i < rows; i++ {
		if err := l.Add(ctx, whtest.RealService("floor", i, now)); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	nulls := map[string]bool{}
	for _, f := range fc.files {
		if !nulls[f.table] {
			nulls[f.table] = true
			if err := w.Exec(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS floor_null_%s AS %s ENGINE = Null", f.table, f.table)); err != nil {
				b.Fatal(err)
			}
		}
	}
	load := func(prefix string) time.Duration {
		start := time.Now()
		for _, f := range fc.files {
			q := fmt.Sprintf("INSERT INTO %s%s (%s) FROM INFILE %s FORMAT %s", prefix, f.table, strings.Join(f.columns, ", "), warehouse.Quote(f.path), format)
			if err := w.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	null = load("floor_null_")
	real = load("")
	return real, null
}

// fileConn is a warehouse connection that only writes each insert to a file
// in the format (RowBinaryWithDefaults with the column types of w's tables,
// or TabSeparated), as the embedded driver does before loading it.
type fileConn struct {
	dir    string
	format string
	w      *warehouse.Warehouse
	files  []floorFile
}

type floorFile struct {
	table, path string
	columns     []string
}

func (c *fileConn) Exec(context.Context, string) error { return nil }
func (c *fileConn) Query(context.Context, string, func([]string, []json.RawMessage) error) error {
	return nil
}
func (c *fileConn) Close(context.Context) error { return nil }
func (c *fileConn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	appendRow := warehouse.AppendTSVRow
	if c.format != "TabSeparated" {
		types := make([]string, len(columns))
		for i, col := range columns {
			t, err := warehouse.QueryScalar[string](ctx, c.w, fmt.Sprintf("SELECT type FROM system.columns WHERE database = currentDatabase() AND table = %s AND name = %s", warehouse.Quote(table), warehouse.Quote(col)))
			if err != nil {
				return err
			}
			types[i] = t
		}
		enc, err := warehouse.NewRowBinaryEncoder(types)
		if err != nil {
			return err
		}
		appendRow = enc.AppendRow
	}
	var buf []byte
	var err error
	for _, r := range rows {
		if buf, err = appendRow(buf, r); err != nil {
			return err
		}
	}
	path := filepath.Join(c.dir, fmt.Sprintf("%03d-%s", len(c.files), table))
	c.files = append(c.files, floorFile{table: table, path: path, columns: columns})
	return os.WriteFile(path, buf, 0o644)
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
