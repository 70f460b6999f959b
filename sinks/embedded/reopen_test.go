package embedded_test

import (
	"context"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// libchdb can be closed and opened again in one process: the CLI closes the
// warehouse at the end of every verb, and tests run many verbs in one process.
func TestReopenAfterClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		c, err := embedded.Open(ctx, dir, "reopen")
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if err := c.Exec(ctx, "CREATE TABLE IF NOT EXISTS t (n UInt64) ENGINE = MergeTree ORDER BY n"); err != nil {
			t.Fatal(err)
		}
		if err := c.Insert(ctx, "t", []string{"n"}, [][]any{{uint64(i)}}); err != nil {
			t.Fatal(err)
		}
		n, err := warehouse.QueryScalar[int](ctx, c, "SELECT count() FROM t")
		if err != nil || n != i+1 {
			t.Fatalf("open #%d: count=%d err=%v (data must persist across reopen)", i+1, n, err)
		}
		if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
