package embedded_test

import (
	"context"
	"io"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// countWriter counts what the engine hands out.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// One million rows passed through untouched: streamed (TSV) and buffered
// (CSVWithNames, whose blocks cannot be concatenated).
func BenchmarkQueryRaw(b *testing.B) {
	w := whtest.NewUnmigrated(b)
	c := w.Conn.(*embedded.Conn)
	ctx := context.Background()
	for _, f := range []string{"TSV", "CSVWithNames", "Parquet"} {
		b.Run(f, func(b *testing.B) {
			var out countWriter
			for i := 0; i < b.N; i++ {
				out.n = 0
				if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT number, toString(number) AS s FROM numbers(1000000) FORMAT " + f}, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(out.n)
			b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
