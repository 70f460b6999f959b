package afterrun

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func canonicalIDs(t *testing.T, w *warehouse.Warehouse) map[string]string {
	t.Helper()
	type row struct {
		ID        string `json:"id"`
		Canonical string `json:"canonical_id"`
	}
	rows, err := warehouse.QueryInto[row](context.Background(), w, "SELECT id, canonical_id FROM services_current")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = r.Canonical
	}
	return out
}

// TestMatchesYAMLSurvivesResync: human decisions override the matcher in the
// warehouse, and keep doing so when both sources send changed records again,
// in the same process and in a new one.
func TestMatchesYAMLSurvivesResync(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	decisions := filepath.Join(dir, "matches.yaml")
	if err := os.WriteFile(decisions, []byte(`same:
  - [dir/tipner, prov/typ]
different:
  - [dir/harbour, gias/harbour]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Dir: dir, Transform: config.Transform{MatchThreshold: 0.85, Matches: "matches.yaml"}}
	snapshots := t.TempDir()
	newRunner := func(snapshotDir string) *runner.Runner {
		m := NewMatcher(cfg, log)
		m.SnapshotDir = snapshotDir
		return &runner.Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 100, Log: log,
			Settle: []runner.Settler{m}}
	}
	at := func(pc string) []schema.ServiceAtLocation {
		return []schema.ServiceAtLocation{{ID: "sal-" + pc, Location: &schema.Location{ID: "loc-" + pc, LocationType: "physical",
			Addresses: []schema.Address{{ID: "a", Address1: "1 Road", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: pc, Country: "GB", AddressType: "physical"}}}}}
	}
	sources := func(version string) []runner.Job {
		svc := func(id, name, pc string) schema.Service {
			return schema.Service{ID: id, Name: name, Status: "active", Description: "version " + version, ServiceAtLocations: at(pc)}
		}
		return []runner.Job{
			{Pipeline: "dir", Collector: "fake", Source: &listCollector{services: []schema.Service{
				svc("dir/harbour", "The Harbour School", "PO3 6RH"), svc("dir/tipner", "Tipner Youth Project", "PO2 8QR"),
				svc("dir/club", "Saturday Sensory Club", "PO4 9QS")}}},
			{Pipeline: "gias", Collector: "fake", Source: &listCollector{services: []schema.Service{svc("gias/harbour", "Harbour School", "PO3 6RH")}}},
			{Pipeline: "prov", Collector: "fake", Source: &listCollector{services: []schema.Service{
				svc("prov/typ", "TYP Portsmouth", "PO2 8QR"), svc("prov/club", "Saturday Sensory Club", "PO4 9QS")}}},
		}
	}
	check := func(when string) {
		t.Helper()
		c := canonicalIDs(t, w)
		if c["dir/harbour"] == c["gias/harbour"] {
			t.Errorf("%s: the different: pair was linked (%v)", when, c)
		}
		if c["dir/tipner"] != c["prov/typ"] {
			t.Errorf("%s: the same: pair was not linked (%v)", when, c)
		}
		if c["dir/club"] != c["prov/club"] {
			t.Errorf("%s: the matcher's own link is missing (%v)", when, c)
		}
	}
	r := newRunner(snapshots)
	for _, res := range r.RunAll(ctx, sources("1"), 2) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	check("first run")
	for _, res := range r.RunAll(ctx, sources("2"), 2) { // a re-sync: every record changed
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	check("re-sync, same process")
	r.Settle[0].(*Matcher).SaveSnapshot() // the process ends
	for _, res := range newRunner(snapshots).RunAll(ctx, sources("3"), 2) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	check("re-sync, new process with the index snapshot")
	for _, res := range newRunner("").RunAll(ctx, sources("4"), 2) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	check("re-sync, new process rebuilding the index from the warehouse")
	if files, _ := filepath.Glob(filepath.Join(snapshots, "*.idx")); len(files) != 3 {
		t.Errorf("snapshots written: %v", files)
	}
	reason, err := warehouse.QueryScalar[string](ctx, w,
		"SELECT reason FROM entity_links_current WHERE entity_type = 'service' AND id_a = 'dir/tipner' AND id_b = 'prov/typ'")
	if err != nil || reason != "matches.yaml: same" {
		t.Errorf("link reason %q, %v", reason, err)
	}
}

func TestBadDecisionsFileFailsAtStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "matches.yaml"), []byte("same:\n  - [only-one]\nsmae: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(&config.Config{Dir: dir, Transform: config.Transform{Matches: "matches.yaml"}}, nil)
	if err := m.CheckDecisions(); err == nil {
		t.Fatal("a malformed matches.yaml was accepted")
	}
}

// TestRebuildReleasesMemory: a pass that rebuilt the indexes from the
// warehouse hands its garbage back once; a pass on the indexes in memory
// (schedule's next group of runs) does not pay for a collection.
func TestRebuildReleasesMemory(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	released := 0
	newMatcher := func() *Matcher {
		m := NewMatcher(&config.Config{Transform: config.Transform{MatchThreshold: 0.85}}, log)
		m.release = func() { released++ }
		return m
	}
	r := &runner.Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 100, Log: log}
	job := runner.Job{Pipeline: "dir", Collector: "fake", Source: &listCollector{services: []schema.Service{
		{ID: "dir/a", Name: "Saturday Sensory Club", Status: "active"}}}}
	m := newMatcher()
	r.Settle = []runner.Settler{m}
	for _, res := range r.RunAll(ctx, []runner.Job{job}, 1) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	if released != 1 {
		t.Fatalf("after the first pass (indexes built from the warehouse): %d releases, want 1", released)
	}
	r.RunAll(ctx, []runner.Job{job}, 1)
	if released != 1 {
		t.Fatalf("after a pass on the indexes in memory: %d releases, want still 1", released)
	}
	// A new process without a snapshot rebuilds, and releases again.
	r.Settle = []runner.Settler{newMatcher()}
	r.RunAll(ctx, []runner.Job{job}, 1)
	if released != 2 {
		t.Fatalf("after a new matcher's rebuild: %d releases, want 2", released)
	}
}

// tightGC lowers GOGC for a rebuild and puts the caller's setting back; a
// lower setting or a disabled collector is left as it is.
func TestTightGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	for _, tc := range []struct{ before, during int }{{100, rebuildGCPercent}, {400, rebuildGCPercent}, {20, 20}, {-1, -1}} {
		debug.SetGCPercent(tc.before)
		restore := tightGC()
		if got := debug.SetGCPercent(tc.during); got != tc.during {
			t.Errorf("GOGC %d: %d during the rebuild, want %d", tc.before, got, tc.during)
		}
		restore()
		if got := debug.SetGCPercent(tc.before); got != tc.before {
			t.Errorf("GOGC %d: %d after the rebuild, want it back", tc.before, got)
		}
	}
}
