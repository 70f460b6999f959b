package warehouse_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

func TestRowBinaryEncoderBytes(t *testing.T) {
	ts := time.Date(1970, 1, 1, 0, 0, 1, 500_000_000, time.UTC)
	n := 7
	for _, c := range []struct {
		typ  string
		v    any
		want string
	}{
		{"String", "ab", "00 02 61 62"},
		{"LowCardinality(String)", []byte("é"), "00 02 c3 a9"},
		{"String", nil, "01"},
		{"Nullable(String)", nil, "00 01"},
		{"Nullable(String)", "x", "00 00 01 78"},
		{"UInt8", true, "00 01"},
		{"UInt16", 258, "00 02 01"},
		{"UInt32", &n, "00 07 00 00 00"},
		{"Int32", -2, "00 fe ff ff ff"},
		{"UInt64", 3.0, "00 03 00 00 00 00 00 00 00"},
		{"Float64", 1, "00 00 00 00 00 00 00 f0 3f"},
		{"Float64", math.NaN(), "01"},
		{"Nullable(Float64)", math.Inf(1), "00 01"},
		{"Date", warehouse.Date("1970-01-03"), "00 02 00"},
		{"Nullable(Date)", warehouse.Date(""), "00 01"},
		{"DateTime64(3, 'UTC')", ts, "00 dc 05 00 00 00 00 00 00"},
		{"Nullable(DateTime64(3, 'UTC'))", time.Time{}, "00 01"},
		{"Array(LowCardinality(String))", []string{"a", ""}, "00 02 01 61 00"},
		{"Array(Float64)", []float64{}, "00 00"},
	} {
		enc, err := warehouse.NewRowBinaryEncoder([]string{c.typ})
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		got, err := enc.AppendRow(nil, []any{c.v})
		if err != nil {
			t.Fatalf("%s %#v: %v", c.typ, c.v, err)
		}
		if s := fmt.Sprintf("% x", got); s != c.want {
			t.Errorf("%s %#v: % x, want %s", c.typ, c.v, got, c.want)
		}
	}
}

func TestRowBinaryEncoderRefuses(t *testing.T) {
	for _, typ := range []string{"Map(String, UInt64)", "Decimal(9, 2)", "Array(UInt8)", "LowCardinality(Nullable(String))", ""} {
		if _, err := warehouse.NewRowBinaryEncoder([]string{typ}); !errors.Is(err, warehouse.ErrRowBinary) {
			t.Errorf("type %q: %v", typ, err)
		}
	}
	for _, c := range []struct {
		typ string
		v   any
	}{
		{"UInt8", 256}, {"UInt8", -1}, {"UInt8", 2.5}, {"Int32", uint64(math.MaxUint64)}, {"String", 5},
		{"Date", warehouse.Date("2025-13-01")}, {"Date", "2025-01-01"}, {"DateTime64(3, 'UTC')", "2025-01-01 00:00:00"},
		{"DateTime64(3, 'UTC')", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)}, {"Array(String)", []float64{1}},
	} {
		enc, err := warehouse.NewRowBinaryEncoder([]string{c.typ})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := enc.AppendRow(nil, []any{c.v}); !errors.Is(err, warehouse.ErrRowBinary) {
			t.Errorf("%s %#v: %v", c.typ, c.v, err)
		}
	}
	enc, _ := warehouse.NewRowBinaryEncoder([]string{"String"})
	if _, err := enc.AppendRow(nil, []any{"a", "b"}); err == nil {
		t.Error("two values for one column accepted")
	}
}
