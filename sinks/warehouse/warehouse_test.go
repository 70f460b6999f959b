package warehouse_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	n1, err := w.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	migs, _ := warehouse.Migrations()
	if n1 != len(migs) {
		t.Fatalf("first migrate applied %d, want %d", n1, len(migs))
	}
	n2, err := w.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n2 != 0 {
		t.Fatalf("second migrate applied %d, want 0", n2)
	}
	for _, table := range []string{"runs", "documents", "organizations", "services", "locations", "service_at_locations",
		"sen_reports", "demand", "capacity", "flags", "quarantine", "services_current", "flags_current"} {
		n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = "+warehouse.Quote(table))
		if err != nil || n != 1 {
			t.Errorf("table %s: exists=%d err=%v", table, n, err)
		}
	}
	// Every column of every table carries a COMMENT.
	type col struct {
		Table  string `json:"table"`
		Column string `json:"name"`
	}
	missing, err := warehouse.QueryInto[col](ctx, w, `SELECT table, name FROM system.columns
		WHERE database = currentDatabase() AND comment = '' AND table NOT IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'View')`)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("column %s.%s has no COMMENT", m.Table, m.Column)
	}
}

func TestLoaderIdempotentAndVersioned(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	mk := func(desc string) *schema.Record {
		return &schema.Record{Kind: schema.KindService, Service: &schema.Service{
			ID: "p/1", Name: "Speech and language therapy", Status: "active", Description: desc,
			NeedCodes:  []string{"SLCN"},
			Provenance: &schema.Provenance{Pipeline: "p", SourceURL: "file://x", FetchedAt: time.Now()},
		}}
	}
	load := func(desc string) warehouse.LoadStats {
		l := w.NewLoader("p", "run-"+desc+time.Now().String(), 10)
		if err := l.Add(ctx, mk(desc)); err != nil {
			t.Fatal(err)
		}
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		return l.Stats
	}
	if s := load("one"); s.Loaded != 1 {
		t.Fatalf("first load: %+v", s)
	}
	if s := load("one"); s.Loaded != 0 || s.Unchanged != 1 {
		t.Fatalf("same content again: %+v", s)
	}
	if s := load("two"); s.Loaded != 1 {
		t.Fatalf("changed content: %+v", s)
	}
	versions, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services FINAL")
	current, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current")
	desc, _ := warehouse.QueryScalar[string](ctx, w, "SELECT description FROM services_current")
	if versions != 2 || current != 1 || desc != "two" {
		t.Fatalf("versions=%d current=%d desc=%q, want 2, 1, two", versions, current, desc)
	}
}

// Provenance nested inside a record (a location under a service) changes with
// every fetch; it must not make an unchanged record look changed.
func TestNestedProvenanceIsNotContent(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	mk := func(at time.Time) *schema.Record {
		return &schema.Record{Kind: schema.KindService, Service: &schema.Service{
			ID: "p/1", Name: "Autism outreach", Status: "active",
			Organization: &schema.Organization{ID: "p/o", Name: "Portsmouth City Council", Provenance: &schema.Provenance{FetchedAt: at}},
			ServiceAtLocations: []schema.ServiceAtLocation{{ID: "p/sal", Location: &schema.Location{ID: "p/l", LocationType: "physical",
				Provenance: &schema.Provenance{Pipeline: "p", FetchedAt: at}}}},
			Provenance: &schema.Provenance{Pipeline: "p", FetchedAt: at},
		}}
	}
	for i, at := range []time.Time{time.Now(), time.Now().Add(time.Hour)} {
		l := w.NewLoader("p", fmt.Sprintf("run%d", i), 10)
		if err := l.Add(ctx, mk(at)); err != nil {
			t.Fatal(err)
		}
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 1 && (l.Stats.Loaded != 0 || l.Stats.Unchanged != 1) {
			t.Fatalf("second load with only fetch times changed: %+v", l.Stats)
		}
	}
}
