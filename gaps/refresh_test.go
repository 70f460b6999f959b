package gaps

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/fixtures"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// EnsureFresh rebuilds only the snapshot whose inputs moved: supply after
// services, flags or matches change, demand after demand changes, neither
// after capacity (read live). A marker row in each snapshot shows which was
// rebuilt (a rebuild truncates it).
func TestEnsureFreshRebuildsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	ensure := func(want bool) {
		t.Helper()
		rebuilt, err := EnsureFresh(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if rebuilt != want {
			t.Fatalf("EnsureFresh rebuilt=%v, want %v", rebuilt, want)
		}
	}
	exec := func(q string) {
		t.Helper()
		if err := w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	mark := func() {
		t.Helper()
		exec("INSERT INTO gap_supply_snapshot (la_code, need_code, age_band, category) VALUES ('MARK', '', '', '')")
		exec("INSERT INTO gap_demand_snapshot (la_code, need_code, age_band) VALUES ('MARK', '', '')")
	}
	marked := func(table string) bool {
		t.Helper()
		n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM "+table+" WHERE la_code = 'MARK'")
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	check := func(step string, supplyRebuilt, demandRebuilt bool) {
		t.Helper()
		if got := !marked("gap_supply_snapshot"); got != supplyRebuilt {
			t.Errorf("%s: supply snapshot rebuilt=%v, want %v", step, got, supplyRebuilt)
		}
		if got := !marked("gap_demand_snapshot"); got != demandRebuilt {
			t.Errorf("%s: demand snapshot rebuilt=%v, want %v", step, got, demandRebuilt)
		}
	}
	// A newer copy of one row of table: max(_version) and count() move.
	touch := func(table string) {
		t.Helper()
		exec("INSERT INTO " + table + " SELECT * REPLACE ((SELECT max(_version) FROM " + table + ") + 1 AS _version) FROM " + table + " LIMIT 1")
	}

	ensure(true)
	ensure(false)
	supplyBefore, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM gap_supply_snapshot")
	if err != nil || supplyBefore == 0 {
		t.Fatalf("supply snapshot has %d rows (%v) after the first rebuild", supplyBefore, err)
	}

	mark()
	touch("capacity")
	ensure(false)
	check("capacity changed", false, false)

	touch("demand")
	ensure(true)
	check("demand changed", false, true)

	mark()
	touch("services")
	ensure(true)
	check("services changed", true, false)

	mark()
	touch("flags")
	ensure(true)
	check("flags changed", true, false)

	mark()
	exec("INSERT INTO entity_matches (entity_type, entity_id, pipeline, canonical_id, pass_id, _version) VALUES ('service', 'x/1', 'x', 'x/1', 'p1', 1)")
	ensure(true)
	check("matches changed", true, false)

	// A watermark of another shape (before this format) rebuilds both.
	mark()
	exec("INSERT INTO gap_refreshes (refreshed_at, watermark, duration_ms) VALUES (now64(3) + INTERVAL 1 DAY, 'old-format', 0)")
	ensure(true)
	check("old watermark", true, true)
	supplyAfter, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM gap_supply_snapshot")
	if err != nil || supplyAfter != supplyBefore {
		t.Errorf("supply snapshot has %d rows after the rebuilds, want %d (%v)", supplyAfter, supplyBefore, err)
	}
}

// A warehouse never refreshed: a snapshot whose inputs and table are both
// empty is current (a fresh warehouse's first run loading services only
// rebuilds supply alone); one holding rows with empty inputs is rebuilt.
func TestEnsureFreshFirstRefresh(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	count := func(table string) int {
		t.Helper()
		n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if rebuilt, err := EnsureFresh(ctx, w); err != nil || rebuilt {
		t.Fatalf("empty warehouse: rebuilt=%v, %v", rebuilt, err)
	}
	l := w.NewLoader("p", "run-1", 10)
	if err := l.Add(ctx, &schema.Record{Kind: schema.KindService, Service: &schema.Service{
		ID: "p/1", Name: "Speech and language therapy", Status: "active", LACode: "E06000044", NeedCodes: []string{"SLCN"},
		Provenance: &schema.Provenance{Pipeline: "p", SourceURL: "file://x", FetchedAt: time.Now()},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// A stray row in the demand snapshot while demand is empty: not current.
	if err := w.Exec(ctx, "INSERT INTO gap_demand_snapshot (la_code, need_code, age_band) VALUES ('STRAY', '', '')"); err != nil {
		t.Fatal(err)
	}
	if rebuilt, err := EnsureFresh(ctx, w); err != nil || !rebuilt {
		t.Fatalf("after a service: rebuilt=%v, %v", rebuilt, err)
	}
	if count("gap_supply_snapshot") == 0 || count("gap_demand_snapshot") != 0 || count("gap_refreshes") != 1 {
		t.Errorf("supply %d rows (want some), demand %d (want 0), refreshes %d (want 1)",
			count("gap_supply_snapshot"), count("gap_demand_snapshot"), count("gap_refreshes"))
	}
	if rebuilt, err := EnsureFresh(ctx, w); err != nil || rebuilt {
		t.Fatalf("nothing changed: rebuilt=%v, %v", rebuilt, err)
	}
}
