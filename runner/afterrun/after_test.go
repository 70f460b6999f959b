package afterrun

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform"
)

// listCollector emits the given services, fresh copies each run, as a full sweep.
type listCollector struct{ services []schema.Service }

func (c *listCollector) Collect(ctx context.Context, run *collect.Run) error {
	for _, s := range c.services {
		s := s
		s.Provenance = &schema.Provenance{SourceURL: "file://fixture", FetchedAt: run.Now}
		if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: &s}); err != nil {
			return err
		}
	}
	run.FullSweep = true
	return nil
}

type flagRow struct {
	EntityID string  `json:"entity_id"`
	Flag     string  `json:"flag"`
	Evidence string  `json:"evidence"`
	Active   uint8   `json:"active"`
	Closed   *string `json:"closed_at"`
}

func flagsOf(t *testing.T, w *warehouse.Warehouse) map[string]flagRow {
	t.Helper()
	rows, err := warehouse.QueryInto[flagRow](context.Background(), w,
		"SELECT entity_id, flag, evidence, active, closed_at FROM flags FINAL ORDER BY entity_id, flag")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]flagRow{}
	for _, r := range rows {
		out[r.EntityID+" "+r.Flag] = r
	}
	return out
}

func currentFlags(t *testing.T, w *warehouse.Warehouse) []string {
	t.Helper()
	type row struct {
		EntityID string `json:"entity_id"`
		Flag     string `json:"flag"`
	}
	rows, err := warehouse.QueryInto[row](context.Background(), w, "SELECT entity_id, flag FROM flags_current ORDER BY entity_id, flag")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.EntityID+" "+r.Flag)
	}
	return out
}

// TestFlagsEndToEnd runs the chain and the after-run step through the real
// runner over several runs of two pipelines and checks that flags open, hold,
// and close (closed, not deleted) as the data changes.
func TestFlagsEndToEnd(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &config.Config{Staleness: config.Staleness{ReviewAfterDays: 365, AssuranceAfterDays: 90, MissingAfterRuns: 1},
		Transform: config.Transform{MatchThreshold: 0.85, Postcodes: "../../examples/postcodes/portsmouth_onspd_sample.csv"}}
	shared, err := transform.LoadShared(cfg)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	after := NewAfter(cfg, log)
	r := &runner.Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 100, Log: log,
		After: []runner.AfterRun{after}, Settle: []runner.Settler{NewMatcher(cfg, log)}}
	job := func(name string, svcs []schema.Service) runner.Job {
		chain, err := transform.NewChain(shared, config.Pipeline{Name: name, Area: "E06000044"}, cfg.Staleness, now)
		if err != nil {
			t.Fatal(err)
		}
		return runner.Job{Pipeline: name, Collector: "fake", Source: &listCollector{services: svcs}, Transform: chain}
	}
	at := func(pc string) []schema.ServiceAtLocation {
		return []schema.ServiceAtLocation{{ID: "sal-" + pc, Location: &schema.Location{ID: "loc-" + pc, LocationType: "physical",
			Addresses: []schema.Address{{ID: "a", Address1: "1 Road", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: pc, Country: "GB", AddressType: "physical"}}}}}
	}
	gias := []schema.Service{{ID: "gias/116614", Name: "Redwood Park Academy", Status: "defunct", URL: "https://redwoodpark.example.org/", ServiceAtLocations: at("PO6 2PS")}}
	redwood := schema.Service{ID: "dir/1", Name: "Redwood Park Academy", Status: "active", Email: "office@redwoodpark.example.org",
		AssuredDate: "2026-01-10", ServiceAtLocations: at("po62ps")}
	club := schema.Service{ID: "dir/2", Name: "Saturday Club for autistic children 8-14", Status: "active"}
	play := schema.Service{ID: "dir/3", Name: "Stay and Play", Status: "active", Email: "play@example.org"}

	run := func(j runner.Job) {
		t.Helper()
		// RunAll: the run, then one matching pass
		if res := r.RunAll(ctx, []runner.Job{j}, 1); res[0].Err != nil {
			t.Fatalf("run %s: %v", j.Pipeline, res[0].Err)
		}
	}
	run(job("gias", gias))
	run(job("dir", []schema.Service{redwood, club, play}))
	want := []string{"dir/1 assurance_overdue", "dir/1 status_conflict", "dir/2 no_contact"}
	if got := currentFlags(t, w); !slices.Equal(got, want) {
		t.Fatalf("after run 1: flags_current = %v, want %v", got, want)
	}
	// The two Redwood Park records are one service; the chain derived the rest.
	type svc struct {
		ID          string   `json:"id"`
		CanonicalID string   `json:"canonical_id"`
		LACode      string   `json:"la_code"`
		NeedCodes   []string `json:"need_codes"`
		MinAge      *float64 `json:"min_age"`
	}
	svcs, err := warehouse.QueryInto[svc](ctx, w, "SELECT id, canonical_id, la_code, need_codes, min_age FROM services_current ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	canon := map[string]svc{}
	for _, s := range svcs {
		canon[s.ID] = s
	}
	if canon["dir/1"].CanonicalID != "dir/1" || canon["gias/116614"].CanonicalID != "dir/1" || canon["dir/3"].CanonicalID != "dir/3" {
		t.Errorf("canonical ids: %+v", svcs)
	}
	if c := canon["dir/2"]; c.LACode != "E06000044" || !slices.Equal(c.NeedCodes, []string{"ASD"}) || c.MinAge == nil || *c.MinAge != 8 {
		t.Errorf("chain output for dir/2: %+v", c)
	}
	links, err := warehouse.QueryScalar[string](ctx, w, "SELECT reason FROM entity_links_current WHERE entity_type = 'service' AND id_a = 'dir/1' AND id_b = 'gias/116614'")
	if err != nil || !strings.Contains(links, "same postcode") {
		t.Errorf("entity_links_current reason = %q, %v", links, err)
	}

	// Run 2: Stay and Play drops out of the source, the club gains an email,
	// Redwood Park is re-assured.
	redwood.AssuredDate = "2026-11-01"
	club.Email = "club@example.org"
	run(job("dir", []schema.Service{redwood, club}))
	want = []string{"dir/1 status_conflict", "dir/3 missing_from_source"}
	if got := currentFlags(t, w); !slices.Equal(got, want) {
		t.Fatalf("after run 2: flags_current = %v, want %v", got, want)
	}
	all := flagsOf(t, w)
	for _, k := range []string{"dir/1 assurance_overdue", "dir/2 no_contact"} {
		if f, ok := all[k]; !ok || f.Active != 0 || f.Closed == nil {
			t.Errorf("%s should be kept closed, got %+v (present %v)", k, f, ok)
		}
	}
	if f := all["dir/3 missing_from_source"]; !strings.Contains(f.Evidence, "last seen") {
		t.Errorf("missing_from_source evidence %q", f.Evidence)
	}

	// Run 3: it is back; the GIAS record is active again after its own run.
	run(job("dir", []schema.Service{redwood, club, play}))
	gias[0].Status = "active"
	run(job("gias", gias))
	run(job("dir", []schema.Service{redwood, club, play}))
	if got := currentFlags(t, w); len(got) != 0 {
		t.Fatalf("after run 3: flags_current = %v, want none", got)
	}
	if f := flagsOf(t, w)["dir/3 missing_from_source"]; f.Active != 0 {
		t.Errorf("missing_from_source not closed: %+v", f)
	}
}

func TestBrokenLinkFromDocuments(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &config.Config{Staleness: config.Staleness{MissingAfterRuns: 3}, Transform: config.Transform{MatchThreshold: 0.85}}
	r := &runner.Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 100, Log: log}
	svcs := []schema.Service{
		{ID: "dir/1", Name: "Gone", Status: "active", URL: "https://example.org/gone"},
		{ID: "dir/2", Name: "Fine", Status: "active", URL: "https://example.org/fine"},
	}
	res := r.Run(ctx, runner.Job{Pipeline: "dir", Collector: "fake", Source: &listCollector{services: svcs}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	cols := []string{"pipeline", "run_id", "url", "final_url", "fetched_at", "status", "content_type", "etag", "last_modified", "sha256", "size", "not_modified", "blob_path"}
	now := time.Now().UTC()
	if err := w.Insert(ctx, "documents", cols, [][]any{
		{"dir", res.RunID, "https://example.org/gone", "https://example.org/gone", now, 410, "", "", "", "", uint64(0), uint8(0), ""},
		{"dir", res.RunID, "https://example.org/fine", "https://example.org/fine", now, 200, "text/html", "", "", "abc", uint64(10), uint8(0), ""},
		{"dir", "an-older-run", "https://example.org/fine", "https://example.org/fine", now.Add(-time.Hour), 404, "", "", "", "", uint64(0), uint8(0), ""},
	}); err != nil {
		t.Fatal(err)
	}
	obs, err := NewAfter(cfg, log).brokenLinks(ctx, w, &res.Run)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 1 || obs[0].EntityID != "dir/1" || obs[0].Flag != "broken_link" || !strings.Contains(obs[0].Evidence, "410") {
		t.Errorf("broken_link observations = %+v", obs)
	}
}
