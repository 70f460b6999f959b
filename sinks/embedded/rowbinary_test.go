package embedded_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// allTypes has a column of every type the warehouse schema uses, with a
// DEFAULT where a NULL in a non-Nullable column must take it.
const allTypes = `(
	id UInt32, s String DEFAULT 'dflt', lc LowCardinality(String), u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64, i32 Int32,
	f Float64 DEFAULT 7.5, nf Nullable(Float64), nu8 Nullable(UInt8), d Nullable(Date), d2 Date, ts DateTime64(3, 'UTC'),
	nts Nullable(DateTime64(3, 'UTC')), arr Array(String), larr Array(LowCardinality(String)), m Map(String, UInt64) DEFAULT map()
) ENGINE = MergeTree ORDER BY id`

// TestInsertRowBinaryEqualsTSV inserts the same Go values through both
// formats and reads back the same rows: the binary form means what TSV means.
func TestInsertRowBinaryEqualsTSV(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	conn := w.Conn.(*embedded.Conn)
	for _, tbl := range []string{"via_tsv", "via_rb"} {
		if err := w.Exec(ctx, "CREATE TABLE "+tbl+" "+allTypes); err != nil {
			t.Fatal(err)
		}
	}
	ts := time.Date(2026, 11, 30, 13, 4, 5, 678_900_000, time.FixedZone("x", 3600))
	age, f := 4, 2.25
	weird := "tab\there, newline\nback\\slash 'quote' \"dq\" NUL\x00 and bad utf8 \xff end"
	cols := []string{"id", "s", "lc", "u8", "u16", "u32", "u64", "i32", "f", "nf", "nu8", "d", "d2", "ts", "nts", "arr", "larr"}
	rows := [][]any{
		{1, weird, "lc", uint8(200), 65535, uint32(7), uint64(math.MaxUint64), int32(-5), 1.5, &f, uint8(1), warehouse.Date("2025-09-01"), warehouse.Date("1999-12-31"), ts, &ts, []string{weird, ""}, []string{"ASD"}},
		{2, nil, "", true, 0, &age, 12.0, -3, math.NaN(), (*float64)(nil), nil, warehouse.Date(""), warehouse.Date(""), time.Time{}, (*time.Time)(nil), []string{}, []string{}},
		{3, (*string)(nil), &weird, false, uint8(3), 0, 0, 0, &age, 3, nil, nil, nil, ts.Add(-time.Hour * 24 * 365 * 40), nil, []string{"a'b"}, []string{}},
	}
	conn.InsertFormat = "TabSeparated"
	if err := w.Insert(ctx, "via_tsv", cols, rows); err != nil {
		t.Fatal(err)
	}
	conn.InsertFormat = ""
	dir := t.TempDir()
	if err := conn.CaptureInserts(dir); err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(ctx, "via_rb", cols, rows); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(dir + "/" + embedded.CaptureManifest)
	if err != nil || !strings.Contains(string(manifest), `"format":"RowBinaryWithDefaults"`) {
		t.Fatalf("the insert did not use RowBinary: %s %v", manifest, err)
	}
	dump := func(tbl string) string {
		var out []string
		err := w.Query(ctx, "SELECT * FROM "+tbl+" ORDER BY id", func(_ []string, row []json.RawMessage) error {
			out = append(out, fmt.Sprint(rawStrings(row)))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, "\n")
	}
	tsv, rb := dump("via_tsv"), dump("via_rb")
	if tsv != rb {
		t.Fatalf("RowBinary rows differ from TSV rows:\nTSV:\n%s\nRowBinary:\n%s", tsv, rb)
	}
	if !strings.Contains(rb, `"dflt"`) || !strings.Contains(rb, "7.5") {
		t.Fatalf("NULL into a non-Nullable column did not take its DEFAULT:\n%s", rb)
	}
}

// TestInsertFallsBackToTSV: a value with no exact binary form (a fractional
// number for an integer column) goes through TSV, and the engine's verdict is
// what it always was.
func TestInsertFallsBackToTSV(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	if err := w.Exec(ctx, "CREATE TABLE t (id UInt32, n UInt8, s String) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	err := w.Insert(ctx, "t", []string{"id", "n", "s"}, [][]any{{1, 2.0, "ok"}, {2, 2.5, "fraction"}})
	if err == nil || !strings.Contains(err.Error(), "insert 2 rows into t") {
		t.Fatalf("a fractional UInt8 was accepted or failed elsewhere: %v", err)
	}
	// A string for a number column: TSV lets the engine parse it.
	if err := w.Insert(ctx, "t", []string{"id", "n", "s"}, [][]any{{3, "4", 5}}); err != nil {
		t.Fatal(err)
	}
	got, err := warehouse.QueryScalar[string](ctx, w, "SELECT concat(toString(n), '/', s) FROM t WHERE id = 3")
	if err != nil || got != "4/5" {
		t.Fatalf("got %q, %v", got, err)
	}
	// A column type changed after the types were read: the next insert reads them again.
	if err := w.Exec(ctx, "ALTER TABLE t MODIFY COLUMN n UInt64"); err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(ctx, "t", []string{"id", "n", "s"}, [][]any{{4, uint64(1) << 40, "wide"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := warehouse.QueryScalar[uint64](ctx, w, "SELECT n FROM t WHERE id = 4"); err != nil || n != 1<<40 {
		t.Fatalf("n = %d, %v", n, err)
	}
}

func rawStrings(row []json.RawMessage) []string {
	out := make([]string, len(row))
	for i, r := range row {
		out[i] = string(r)
	}
	return out
}
