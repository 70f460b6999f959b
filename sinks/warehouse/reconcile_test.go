package warehouse_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// A pipeline without open flags is reconciled by a shorter statement: its
// flags must come out exactly as the full statement writes them — on a first
// run, with the same flag observed twice in a run, with only closed flags
// from earlier runs, and beside another pipeline's open flags.
func TestReconcileWithoutOpenFlagsEqualsFull(t *testing.T) {
	ctx := context.Background()
	t1 := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	type obs struct {
		pipeline, run, id, flag string
		at                      time.Time
	}
	// Each step: observations and entities seen, then a reconcile of one run.
	type step struct {
		obs      []obs
		seen     []string
		pipeline string
		run      string
		rules    []string
	}
	steps := []step{
		// Another pipeline's flags stay open throughout.
		{obs: []obs{{"other", "o-1", "s1", "no_contact", t1}}, seen: []string{"s1"}, pipeline: "other", run: "o-1"},
		// First run: s1 observed twice (first and last detection differ), s2 once.
		{obs: []obs{{"city", "run-1", "s1", "no_contact", t1}, {"city", "run-1", "s1", "no_contact", t1.Add(time.Minute)},
			{"city", "run-1", "s2", "review_overdue", t1}}, seen: []string{"s1", "s2"}, pipeline: "city", run: "run-1"},
		// Second run sees both and observes nothing: both close.
		{seen: []string{"s1", "s2"}, pipeline: "city", run: "run-2"},
		// Third run: only closed flags on record; s1 is flagged again.
		{obs: []obs{{"city", "run-3", "s1", "no_contact", t1.Add(48 * time.Hour)}}, seen: []string{"s1", "s2"}, pipeline: "city", run: "run-3",
			rules: []string{"missing_from_source"}},
	}
	type flagRow struct {
		EntityID string `json:"entity_id"`
		Pipeline string `json:"pipeline"`
		Flag     string `json:"flag"`
		Reason   string `json:"reason"`
		Evidence string `json:"evidence"`
		First    string `json:"first"`
		Last     string `json:"last"`
		Active   int    `json:"active"`
		Closed   string `json:"closed"`
		RunID    string `json:"run_id"`
	}
	results := map[bool][][]flagRow{}
	for _, full := range []bool{false, true} {
		w := whtest.New(t)
		for _, s := range steps {
			var rows [][]any
			for _, o := range s.obs {
				rows = append(rows, []any{o.run, o.pipeline, "service", o.id, o.flag, "reason " + o.flag, "evidence " + o.id, o.at})
			}
			if len(rows) > 0 {
				if err := w.Insert(ctx, "flag_observations", []string{"run_id", "pipeline", "entity_type", "entity_id", "flag", "reason", "evidence", "observed_at"}, rows); err != nil {
					t.Fatal(err)
				}
			}
			rows = nil
			for _, id := range s.seen {
				rows = append(rows, []any{s.pipeline, s.run, "service", id, t1})
			}
			if err := w.Insert(ctx, "entity_seen", []string{"pipeline", "run_id", "entity_type", "entity_id", "seen_at"}, rows); err != nil {
				t.Fatal(err)
			}
			reconcile := w.ReconcileFlags
			if full {
				reconcile = w.ReconcileFlagsFull
			}
			if err := reconcile(ctx, s.pipeline, s.run, s.rules); err != nil {
				t.Fatal(err)
			}
			// closed_at is the time of the reconcile: only whether it is set is compared.
			got, err := warehouse.QueryInto[flagRow](ctx, w, `SELECT entity_id, CAST(pipeline AS String) AS pipeline, CAST(flag AS String) AS flag, reason, evidence,
				toString(first_detected) AS first, toString(last_detected) AS last, active, if(closed_at IS NULL, 'null', 'set') AS closed, run_id
				FROM flags FINAL ORDER BY pipeline, entity_id, flag`)
			if err != nil {
				t.Fatal(err)
			}
			results[full] = append(results[full], got)
		}
	}
	for i := range steps {
		short, full := results[false][i], results[true][i]
		if !slices.Equal(short, full) {
			t.Errorf("after step %d:\nshortcut %+v\nfull     %+v", i+1, short, full)
		}
	}
	// The shortcut was exercised with something to get right.
	first := results[false][1]
	if len(first) != 3 || first[0].EntityID != "s1" || first[0].First != "2026-11-01 06:00:00.000" || first[0].Last != "2026-11-01 06:01:00.000" {
		t.Errorf("after the first run: %+v", first)
	}
	third := results[false][3]
	if len(third) != 3 || third[0].Active != 1 || third[0].First != "2026-11-03 06:00:00.000" || third[1].Active != 0 {
		t.Errorf("after the third run: %+v", third)
	}
}
