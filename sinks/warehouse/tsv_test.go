package warehouse_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Every Go type the loader passes, written as the engine's TabSeparated reads it.
func TestAppendTSVRow(t *testing.T) {
	s, i, f := "a\tb", 7, 2.5
	at := time.Date(2026, 11, 30, 7, 30, 0, 5e6, time.FixedZone("BST", 3600))
	cases := []struct {
		v    any
		want string
	}{
		{nil, `\N`},
		{"plain", "plain"},
		{"tab\tnew\nline\rcr\\slash\x00nul 'quote'", `tab\tnew\nline\rcr\\slash\0nul 'quote'`},
		{[]byte("by\tte"), `by\tte`},
		{true, "1"},
		{false, "0"},
		{1.5, "1.5"},
		{1e21, "1e+21"},
		{math.NaN(), `\N`},
		{math.Inf(-1), `\N`},
		{warehouse.Date("2026-11-30"), "2026-11-30"},
		{warehouse.Date(""), `\N`},
		{at, "2026-11-30 06:30:00.005"},
		{time.Time{}, `\N`},
		{[]string{"ASD", "it's", "a\tb\nc"}, `['ASD','it\'s','a\tb\nc']`},
		{[]string{}, "[]"},
		{[]float64{1, 2.5}, "[1,2.5]"},
		{&s, `a\tb`},
		{(*string)(nil), `\N`},
		{&i, "7"},
		{(*int)(nil), `\N`},
		{&f, "2.5"},
		{(*float64)(nil), `\N`},
		{&at, "2026-11-30 06:30:00.005"},
		{(*time.Time)(nil), `\N`},
		{-3, "-3"},
		{int32(-4), "-4"},
		{int64(-5), "-5"},
		{uint8(6), "6"},
		{uint32(7), "7"},
		{uint64(1 << 63), "9223372036854775808"},
	}
	for _, c := range cases {
		got, err := warehouse.AppendTSVRow(nil, []any{c.v})
		if err != nil || string(got) != c.want+"\n" {
			t.Errorf("%#v: %q, %v; want %q", c.v, got, err, c.want+"\n")
		}
	}
	row, err := warehouse.AppendTSVRow([]byte("prev\n"), []any{"a", 1, nil})
	if err != nil || string(row) != "prev\na\t1\t\\N\n" {
		t.Errorf("a row appended: %q, %v", row, err)
	}
	_, err = warehouse.AppendTSVRow(nil, []any{"ok", struct{}{}})
	if err == nil || !strings.Contains(err.Error(), "column 1: unsupported value type struct {}") {
		t.Errorf("unsupported type: %v", err)
	}
}
