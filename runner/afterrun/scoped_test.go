package afterrun

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The warehouse-level rules join the *_current views, which sort every
// version of every record in the warehouse; they now first check, on the
// pipeline's own rows, whether there can be anything to find. These are the
// rules' queries without that check: on the same rows both must give the same
// observations.
const statusConflictsByView = `SELECT 'service' AS entity_type, s.id AS entity_id, 'status_conflict' AS flag,
  concat('status is ', s.status, ' here but ', o.status, ' in ', o.pipeline) AS reason,
  concat(o.id, ' status ', o.status) AS evidence
FROM (SELECT id, status, canonical_id FROM services_current WHERE pipeline = %[1]s) AS s
INNER JOIN (SELECT id, pipeline, status, canonical_id FROM services_current WHERE pipeline != %[1]s) AS o
  ON o.canonical_id = s.canonical_id
WHERE (s.status = 'active' AND o.status IN ('inactive', 'defunct'))
   OR (s.status IN ('inactive', 'defunct') AND o.status = 'active')
ORDER BY entity_id, evidence
LIMIT 1 BY entity_id`

const brokenLinksByView = `SELECT e.entity_type AS entity_type, e.id AS entity_id, 'broken_link' AS flag,
  concat(e.field, ' answered HTTP ', toString(d.last_status)) AS reason,
  concat(d.url, ' ', toString(d.last_status), ' at ', formatDateTime(d.last_at, '%%Y-%%m-%%d %%H:%%i')) AS evidence
FROM (
  SELECT 'service' AS entity_type, id, 'service url' AS field, url AS u FROM services_current WHERE pipeline = %[1]s AND url != ''
  UNION ALL
  SELECT 'organization', id, 'website', website FROM organizations_current WHERE pipeline = %[1]s AND website != ''
  UNION ALL
  SELECT 'sen_report', id, 'report url', report_url FROM sen_reports_current WHERE pipeline = %[1]s AND report_url != ''
) AS e
INNER JOIN (
  SELECT url, argMax(status, fetched_at) AS last_status, max(fetched_at) AS last_at
  FROM documents WHERE pipeline = %[1]s AND run_id = %[2]s GROUP BY url
) AS d ON d.url = e.u
WHERE d.last_status IN (404, 410)`

// TestScopedRulesEqualViewRules builds clusters across pipelines (linked by
// matching either way, by a source canonical id, re-linked by a later pass),
// records whose latest version changed status, url or pipeline, and dead
// documents, and checks each pipeline's observations against the unchecked
// queries, before and after a source gives a canonical id of its own.
func TestScopedRulesEqualViewRules(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	svcCols := []string{"id", "pipeline", "run_id", "name", "status", "url", "canonical_id", "_version"}
	svc := [][]any{
		{"a/1", "a", "r1", "Club", "active", "https://a.example/1", "", uint64(1)},
		{"b/1", "b", "r1", "Club", "defunct", "", "", uint64(1)},
		{"c/1", "c", "r1", "Club", "inactive", "", "", uint64(2)},
		// b/1 becomes active again later: no conflict with a/1 any more, but with c/1.
		{"b/1", "b", "r2", "Club", "active", "https://b.example/gone", "", uint64(5)},
		{"a/2", "a", "r1", "Play", "active", "https://a.example/2", "", uint64(1)},
		// an older version of a/3 was in a cluster; the latest matching says it is alone.
		{"a/3", "a", "r1", "Swim", "active", "https://a.example/gone", "", uint64(1)},
		{"e/1", "e", "r1", "Swim", "inactive", "", "", uint64(1)},
		// an id another pipeline now owns (its latest version is there).
		{"a/4", "a", "r1", "Moved", "inactive", "https://a.example/moved", "", uint64(1)},
		{"a/4", "e", "r3", "Moved", "inactive", "https://a.example/moved", "", uint64(9)},
		{"f/1", "f", "r1", "Moved", "active", "", "", uint64(1)},
		// a record that matches nothing.
		{"a/5", "a", "r1", "Alone", "active", "", "", uint64(1)},
		{"g/1", "g", "r1", "Alone", "defunct", "", "", uint64(1)},
		// h/1 is the canonical record another pipeline's record links to.
		{"h/1", "h", "r1", "Hub", "active", "", "", uint64(1)},
		{"i/1", "i", "r1", "Hub", "defunct", "", "", uint64(1)},
	}
	if err := w.Insert(ctx, "services", svcCols, svc); err != nil {
		t.Fatal(err)
	}
	emCols := []string{"entity_type", "entity_id", "pipeline", "canonical_id", "_version"}
	em := [][]any{
		{"service", "b/1", "b", "a/1", uint64(1)},
		{"service", "c/1", "c", "a/1", uint64(1)},
		{"service", "a/3", "a", "a/3", uint64(1)},
		{"service", "e/1", "e", "a/3", uint64(1)},
		{"service", "e/1", "e", "e/1", uint64(2)}, // unlinked by a later pass
		{"service", "a/4", "e", "a/4", uint64(1)},
		{"service", "f/1", "f", "a/4", uint64(1)},
		{"service", "g/1", "g", "g/1", uint64(1)},
		{"service", "i/1", "i", "h/1", uint64(1)},
		{"organization", "a/1", "a", "zzz", uint64(1)}, // another kind never counts
	}
	if err := w.Insert(ctx, "entity_matches", emCols, em); err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(ctx, "organizations", []string{"id", "pipeline", "run_id", "name", "website", "_version"}, [][]any{
		{"a/org", "a", "r1", "Org", "https://a.example/gone", uint64(1)},
		{"b/org", "b", "r1", "Org", "https://b.example/gone", uint64(1)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(ctx, "sen_reports", []string{"id", "pipeline", "run_id", "report_url", "_version"}, [][]any{
		{"a/school", "a", "r1", "https://a.example/report", uint64(1)},
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	docCols := []string{"pipeline", "run_id", "url", "final_url", "fetched_at", "status"}
	if err := w.Insert(ctx, "documents", docCols, [][]any{
		{"a", "run-a", "https://a.example/gone", "", now, 404},
		{"a", "run-a", "https://a.example/report", "", now, 410},
		{"a", "run-a", "https://a.example/1", "", now.Add(-time.Minute), 404},
		{"a", "run-a", "https://a.example/1", "", now, 200}, // answered again: alive
		{"a", "run-a", "https://a.example/moved", "", now, 404},
		{"b", "run-b", "https://b.example/gone", "", now, 404},
		{"b", "run-b", "https://a.example/2", "", now, 404}, // a's URL in b's run: not b's entity
		{"c", "run-c", "https://c.example/fine", "", now, 200},
	}); err != nil {
		t.Fatal(err)
	}
	after := NewAfter(&config.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	compare := func(stage string) int {
		raised := 0
		for _, p := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "z"} {
			got, err := statusConflicts(ctx, w, p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := warehouse.QueryInto[observation](ctx, w, fmt.Sprintf(statusConflictsByView, warehouse.Quote(p)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: status_conflict for %s:\n got %+v\nwant %+v", stage, p, got, want)
			}
			raised += len(got)
			run := &warehouse.Run{Pipeline: p, RunID: "run-" + p}
			gotB, err := after.brokenLinks(ctx, w, run)
			if err != nil {
				t.Fatal(err)
			}
			wantB, err := warehouse.QueryInto[observation](ctx, w, fmt.Sprintf(brokenLinksByView, warehouse.Quote(p), warehouse.Quote(run.RunID)))
			if err != nil {
				t.Fatal(err)
			}
			sortObs(gotB)
			sortObs(wantB)
			if !slices.Equal(gotB, wantB) {
				t.Errorf("%s: broken_link for %s:\n got %+v\nwant %+v", stage, p, gotB, wantB)
			}
			raised += len(gotB)
		}
		return raised
	}
	// The scenario must raise something of each kind to prove anything.
	if n := compare("matching only"); n < 6 {
		t.Errorf("only %d observations in all: the scenario no longer exercises the rules", n)
	}
	// The check skips what cannot conflict.
	for p, want := range map[string]bool{"g": false, "z": false, "h": true, "i": true, "a": true} {
		if got, err := mayShareCluster(ctx, w, p); err != nil || got != want {
			t.Errorf("mayShareCluster(%s) = %v, %v; want %v", p, got, err, want)
		}
	}
	all := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "z"}
	checkAtOnce := func(stage string) {
		t.Helper()
		many, err := pipelinesMayShareCluster(ctx, w, all)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			one, err := mayShareCluster(ctx, w, p)
			if err != nil {
				t.Fatal(err)
			}
			if many[p] != one {
				t.Errorf("%s: pipeline %s may share a cluster: %v asked alone, %v asked with the others", stage, p, one, many[p])
			}
		}
	}
	checkAtOnce("matching only")
	// A source-given canonical id links d/1 to a/2 without matching.
	if err := w.Insert(ctx, "services", svcCols, [][]any{{"d/1", "d", "r1", "Play", "defunct", "", "a/2", uint64(1)}}); err != nil {
		t.Fatal(err)
	}
	compare("with a source canonical id")
	checkAtOnce("with a source canonical id")
	if ok, err := mayShareCluster(ctx, w, "g"); err != nil || !ok {
		t.Errorf("with a source canonical id anywhere, g must be looked at: %v, %v", ok, err)
	}
	if got, err := statusConflicts(ctx, w, "d"); err != nil || len(got) != 1 || got[0].EntityID != "d/1" {
		t.Errorf("status_conflict for d through its source canonical id: %+v, %v", got, err)
	}
}

func sortObs(xs []observation) {
	slices.SortFunc(xs, func(a, b observation) int {
		if a.EntityType+a.EntityID+a.Reason < b.EntityType+b.EntityID+b.Reason {
			return -1
		}
		if a.EntityType+a.EntityID+a.Reason > b.EntityType+b.EntityID+b.Reason {
			return 1
		}
		return 0
	})
}
