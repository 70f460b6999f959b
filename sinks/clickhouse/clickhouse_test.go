package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

func TestConvert(t *testing.T) {
	age := 11
	f := 2.5
	ts := time.Date(2025, 9, 1, 8, 30, 0, 0, time.UTC)
	u8, u64, f64 := uint8(11), uint64(7), 2.5
	day := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		v    any
		typ  string
		want any
	}{
		{"x", "String", "x"},
		{"x", "LowCardinality(String)", "x"},
		{[]string{"ASD"}, "Array(LowCardinality(String))", []string{"ASD"}},
		{&age, "Nullable(UInt8)", &u8},
		{(*int)(nil), "Nullable(UInt8)", nil},
		{&f, "Nullable(Float64)", &f64},
		{warehouse.Date("2025-09-01"), "Nullable(Date)", &day},
		{warehouse.Date(""), "Nullable(Date)", nil},
		{ts, "DateTime64(3, 'UTC')", ts},
		{uint64(7), "UInt64", u64},
		{7, "UInt64", u64},
		{true, "UInt8", uint8(1)},
		{false, "UInt8", uint8(0)},
		// Strings and arrays.
		{[]byte("raw"), "String", "raw"},
		{nil, "String", ""},
		{nil, "Array(String)", []string{}},
		{[]float64{1.5, 2}, "Array(Float64)", []float64{1.5, 2}},
		{"x", "LowCardinality(Nullable(String))", ptr("x")},
		{ptr("x"), "Nullable(String)", ptr("x")},
		{(*string)(nil), "Nullable(String)", nil},
		{nil, "Nullable(String)", nil},
		// Dates and times.
		{day, "Date", day},
		{day, "Date32", day},
		{warehouse.Date(""), "Date", time.Time{}},
		{&ts, "Nullable(DateTime64(3, 'UTC'))", &ts},
		{(*time.Time)(nil), "Nullable(DateTime64(3, 'UTC'))", nil},
		{time.Time{}, "Nullable(DateTime)", nil},
		{ts.In(time.FixedZone("BST", 3600)), "DateTime", ts},
		// Every integer width, from every integer the loader passes.
		{true, "Bool", true},
		{true, "Nullable(Bool)", ptr(true)},
		{7, "UInt16", uint16(7)},
		{int32(7), "UInt32", uint32(7)},
		{uint32(7), "Nullable(UInt32)", ptr(uint32(7))},
		{uint8(7), "Nullable(UInt16)", ptr(uint16(7))},
		{int64(-3), "Int8", int8(-3)},
		{-3, "Nullable(Int8)", ptr(int8(-3))},
		{int64(-300), "Int16", int16(-300)},
		{-300, "Nullable(Int16)", ptr(int16(-300))},
		{uint64(70000), "Int32", int32(70000)},
		{70000, "Nullable(Int32)", ptr(int32(70000))},
		{5, "Int64", int64(5)},
		{5, "Nullable(Int64)", ptr(int64(5))},
		{uint64(1) << 40, "Nullable(UInt64)", ptr(uint64(1) << 40)},
		// Floats.
		{2.5, "Float32", float32(2.5)},
		{2.5, "Nullable(Float32)", ptr(float32(2.5))},
		{3, "Float64", float64(3)},
		{(*float64)(nil), "Nullable(Float64)", nil},
	}
	for _, c := range cases {
		got, err := Convert(c.v, c.typ)
		if err != nil {
			t.Errorf("Convert(%v, %s): %v", c.v, c.typ, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Convert(%#v, %s) = %#v, want %#v", c.v, c.typ, got, c.want)
		}
	}
	for _, c := range []struct {
		v    any
		typ  string
		want string
	}{
		{struct{}{}, "String", "value struct {} does not fit String"},
		{struct{}{}, "Nullable(String)", "value struct {} does not fit String"},
		{[]float64{1}, "Array(String)", "value []float64 does not fit Array(String)"},
		{[]string{"a"}, "Array(UInt8)", "value []string does not fit Array(UInt8)"},
		{"7", "UInt8", "value string does not fit UInt8"},
		{7, "UInt128", "value int does not fit UInt128"},
		{"yes", "Bool", "value string does not fit Bool"},
		{"2025-09-01", "DateTime64(3)", "value string does not fit DateTime64(3)"},
		{"2025-09-01", "Date", "value string does not fit Date"},
		{"1.5", "Float64", "value string does not fit Float64"},
		{1.5, "Decimal(9, 2)", "value float64 does not fit Decimal(9, 2)"},
		{warehouse.Date("2025-13-01"), "Date", `parsing time "2025-13-01": month out of range`},
	} {
		_, err := Convert(c.v, c.typ)
		if err == nil || err.Error() != c.want {
			t.Errorf("Convert(%#v, %s): error %v, want %s", c.v, c.typ, err, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// jsonValue writes times as the embedded engine's JSON does: UTC, milliseconds.
func TestJSONValue(t *testing.T) {
	at := time.Date(2025, 9, 1, 9, 30, 0, 123456789, time.FixedZone("BST", 3600))
	for _, c := range []struct {
		v, want any
	}{
		{at, "2025-09-01 08:30:00.123"},
		{&at, "2025-09-01 08:30:00.123"},
		{(*time.Time)(nil), nil},
		{uint64(3), uint64(3)},
		{"x", "x"},
	} {
		if got := jsonValue(c.v); !reflect.DeepEqual(got, c.want) {
			t.Errorf("jsonValue(%#v) = %#v, want %#v", c.v, got, c.want)
		}
	}
}

func TestBadDSNHidesPassword(t *testing.T) {
	_, err := Open(context.Background(), Options{DSN: "clickhouse://user:hunter2@[bad"})
	if err == nil {
		t.Fatal("expected an error")
	}
	if s := err.Error(); strings.Contains(s, "hunter2") {
		t.Fatalf("error leaks the password: %s", s)
	}
}

// TestServerIntegration runs the shared migrations and a load against a real
// ClickHouse server when LOCALOFFER_TEST_CLICKHOUSE_DSN is set.
func TestServerIntegration(t *testing.T) {
	dsn := os.Getenv("LOCALOFFER_TEST_CLICKHOUSE_DSN")
	if dsn == "" {
		t.Skip("skipping the ClickHouse server integration test: set LOCALOFFER_TEST_CLICKHOUSE_DSN=clickhouse://user:pass@host:9000/ to run it (no modern ClickHouse server can be installed on this machine; the same DDL and queries run on the embedded engine in every other test)")
	}
	ctx := context.Background()
	db := fmt.Sprintf("localoffer_it_%d", time.Now().UnixNano())
	c, err := Open(ctx, Options{DSN: dsn, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		c.Close(ctx)
	}()
	w := warehouse.New(c, warehouse.Layout{Database: db})
	if _, err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second migrate: %d, %v", n, err)
	}
	l := w.NewLoader("it", "run1", 100)
	for i := 0; i < 250; i++ {
		min := float64(i % 19)
		rec := &schema.Record{Kind: schema.KindService, Service: &schema.Service{ID: fmt.Sprintf("it/%d", i), Name: "Service", Status: "active",
			MinimumAge: &min, NeedCodes: []string{"ASD"}, AssuredDate: "2026-01-01",
			Provenance: &schema.Provenance{Pipeline: "it", FetchedAt: time.Now()}}}
		if err := l.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current")
	if err != nil || n != 250 {
		t.Fatalf("services_current = %d, %v", n, err)
	}
}

// Parameters and the server-enforced readonly setting, against a real server
// when LOCALOFFER_TEST_CLICKHOUSE_DSN is set.
func TestServerQueryWith(t *testing.T) {
	dsn := os.Getenv("LOCALOFFER_TEST_CLICKHOUSE_DSN")
	if dsn == "" {
		t.Skip("skipping: set LOCALOFFER_TEST_CLICKHOUSE_DSN=clickhouse://user:pass@host:9000/ to run it against a ClickHouse server")
	}
	ctx := context.Background()
	db := fmt.Sprintf("localoffer_qw_%d", time.Now().UnixNano())
	c, err := Open(ctx, Options{DSN: dsn, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		c.Close(ctx)
	}()
	if err := c.Exec(ctx, "CREATE TABLE t (a UInt32, s String) ENGINE = MergeTree ORDER BY a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO t VALUES (1, 'x'), (2, 'y')"); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = c.QueryWith(ctx, "SELECT s FROM t WHERE a = {a:UInt32}", warehouse.QueryOptions{Params: map[string]string{"a": "2"}, ReadOnly: true},
		func(_ []string, row []json.RawMessage) error { got = append(got, string(row[0])); return nil })
	if err != nil || len(got) != 1 || got[0] != `"y"` {
		t.Fatalf("params: %v %v", got, err)
	}
	for _, q := range []string{"INSERT INTO t VALUES (3, 'z')", "DROP TABLE t", "SELECT 1 SETTINGS readonly = 0", "SET readonly = 0"} {
		if err := c.QueryWith(ctx, q, warehouse.QueryOptions{ReadOnly: true}, func([]string, []json.RawMessage) error { return nil }); err == nil {
			t.Errorf("%s: accepted in read-only mode", q)
		}
	}
}
