package warehouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// Awkward values must survive the trip through the embedded engine unchanged.
func TestInsertRoundTrip(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	if err := w.Exec(ctx, `CREATE TABLE rt (s String, a Array(String), n Nullable(Float64), d Nullable(Date), ts DateTime64(3, 'UTC'), u UInt8, i Nullable(UInt8)) ENGINE = MergeTree ORDER BY tuple()`); err != nil {
		t.Fatal(err)
	}
	weird := "tab\there, newline\nthere, back\\slash, quote ' and \" , NUL \x00 end, ünïcode £, <script>"
	ts := time.Date(2025, 9, 1, 8, 30, 0, 123e6, time.UTC)
	f := 2.5
	age := 11
	rows := [][]any{
		{weird, []string{weird, "ASD", ""}, &f, warehouse.Date("2025-09-01"), ts, true, &age},
		{"", []string{}, (*float64)(nil), warehouse.Date(""), ts, false, (*int)(nil)},
	}
	if err := w.Insert(ctx, "rt", []string{"s", "a", "n", "d", "ts", "u", "i"}, rows); err != nil {
		t.Fatal(err)
	}
	type row struct {
		S  string   `json:"s"`
		A  []string `json:"a"`
		N  *float64 `json:"n"`
		D  *string  `json:"d"`
		TS string   `json:"ts"`
		U  int      `json:"u"`
		I  *int     `json:"i"`
	}
	got, err := warehouse.QueryInto[row](ctx, w, "SELECT * FROM rt ORDER BY u DESC")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows", len(got))
	}
	g := got[0]
	if g.S != weird || len(g.A) != 3 || g.A[0] != weird || g.A[1] != "ASD" || g.N == nil || *g.N != 2.5 ||
		g.D == nil || *g.D != "2025-09-01" || g.TS != "2025-09-01 08:30:00.123" || g.U != 1 || g.I == nil || *g.I != 11 {
		t.Fatalf("row 1 = %+v", g)
	}
	if n := got[1]; n.N != nil || n.D != nil || n.I != nil || len(n.A) != 0 {
		t.Fatalf("NULLs not kept: %+v", n)
	}
}
