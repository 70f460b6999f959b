package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The summary gives each run's pipeline its open flags and, below, the open
// flags of the whole warehouse by kind (every pipeline's, most first, ties by
// name); closed flags count nowhere.
func TestSummaryCountsOpenFlags(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	at := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	var rows [][]any
	flag := func(pipeline, id, kind string, active uint8, version uint64) {
		rows = append(rows, []any{"service", id, pipeline, kind, "r", "e", at, at, active, nil, "run", version})
	}
	flag("city", "city/1", "review_overdue", 1, 1)
	flag("city", "city/2", "review_overdue", 1, 1)
	flag("city", "city/2", "no_contact", 1, 1)
	flag("city", "city/3", "no_contact", 1, 1)
	flag("city", "city/3", "no_contact", 0, 2) // closed later: not open
	flag("county", "county/1", "assurance_overdue", 1, 1)
	flag("county", "county/2", "broken_link", 1, 1)
	flag("other", "other/1", "no_contact", 1, 1) // not run this time: in the totals only
	if err := w.Insert(ctx, "flags", []string{"entity_type", "entity_id", "pipeline", "flag", "reason", "evidence",
		"first_detected", "last_detected", "active", "closed_at", "run_id", "_version"}, rows); err != nil {
		t.Fatal(err)
	}
	results := []runner.Result{
		{Run: warehouse.Run{Pipeline: "city", Status: "ok", RecordsLoaded: 3}},
		{Run: warehouse.Run{Pipeline: "county", Status: "ok", RecordsLoaded: 2}},
		{Run: warehouse.Run{Pipeline: "empty", Status: "failed", StatusReason: "no data"}},
	}
	var out bytes.Buffer
	printSummary(ctx, &out, w, results)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("summary:\n%s", out.String())
	}
	flagsColumn := func(line string) string { return strings.Fields(line)[8] }
	for i, want := range []string{"3", "2", "0"} {
		if got := flagsColumn(lines[i+1]); got != want {
			t.Errorf("%s: FLAGS %s, want %s", strings.Fields(lines[i+1])[0], got, want)
		}
	}
	if want := "Open flags: no_contact 2, review_overdue 2, assurance_overdue 1, broken_link 1"; lines[5] != want {
		t.Errorf("totals line %q, want %q", lines[5], want)
	}
}
