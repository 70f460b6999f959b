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
	if _, err := Convert(struct{}{}, "String"); err == nil {
		t.Error("a struct must not fit a String column")
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
