package warehouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/redact"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// State is committed per pipeline; the latest value of a key wins.
func TestPipelineState(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	const p = "it's-a-pipeline" // quoted into SQL
	if got, err := w.LoadState(ctx, p); err != nil || len(got) != 0 {
		t.Fatalf("before any save: %v, %v", got, err)
	}
	if err := w.SaveState(ctx, p, map[string]string{"modified_after": "2026-11-01T00:00:00Z", "last_full_sweep": "run-1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveState(ctx, "other", map[string]string{"modified_after": "1999"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveState(ctx, p, map[string]string{"modified_after": "2026-11-30T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveState(ctx, p, nil); err != nil {
		t.Fatalf("saving nothing: %v", err)
	}
	got, err := w.LoadState(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["modified_after"] != "2026-11-30T00:00:00Z" || got["last_full_sweep"] != "run-1" {
		t.Errorf("state %v", got)
	}
}

// Warnings are kept in one insert, URLs and messages masked.
func TestRecordWarnings(t *testing.T) {
	w := whtest.New(t)
	w.Redactor = redact.New("s3cr3t-token")
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	ws := []warehouse.Warning{
		{At: at, Kind: "http_retry", SourceURL: "https://user:pass@api.example.org/services?api_key=abc123&page=2", Message: "HTTP 503, retrying"},
		{At: at, Kind: "record_skipped", RecordID: "svc-9", Message: "sent with header s3cr3t-token"},
	}
	if err := w.RecordWarnings(ctx, "city", "run-1", ws); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordWarnings(ctx, "city", "run-1", nil); err != nil {
		t.Fatalf("no warnings: %v", err)
	}
	type row struct {
		Kind      string `json:"kind"`
		SourceURL string `json:"source_url"`
		RecordID  string `json:"record_id"`
		Message   string `json:"message"`
		At        string `json:"at"`
	}
	rows, err := warehouse.QueryInto[row](ctx, w, "SELECT kind, source_url, record_id, message, toString(at) AS at FROM run_warnings WHERE run_id = 'run-1' ORDER BY kind")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	u := rows[0].SourceURL
	if rows[0].Kind != "http_retry" || strings.Contains(u, "pass") || strings.Contains(u, "abc123") || !strings.Contains(u, "api.example.org/services") {
		t.Errorf("URL not masked: %+v", rows[0])
	}
	if rows[1].RecordID != "svc-9" || strings.Contains(rows[1].Message, "s3cr3t") || !strings.Contains(rows[1].Message, redact.Mask) {
		t.Errorf("secret not masked: %+v", rows[1])
	}
	if rows[0].At != "2026-11-30 06:00:00.000" {
		t.Errorf("at %q", rows[0].At)
	}
}

type flagState struct {
	EntityID      string  `json:"entity_id"`
	Flag          string  `json:"flag"`
	Active        int     `json:"active"`
	FirstDetected string  `json:"first_detected"`
	ClosedAt      *string `json:"closed_at"`
	RunID         string  `json:"run_id"`
}

func flagStates(t *testing.T, w *warehouse.Warehouse) map[string]flagState {
	t.Helper()
	rows, err := warehouse.QueryInto[flagState](context.Background(), w,
		"SELECT entity_id, flag, active, toString(first_detected) AS first_detected, toString(closed_at) AS closed_at, run_id FROM flags FINAL WHERE pipeline = 'city'")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]flagState{}
	for _, r := range rows {
		out[r.EntityID+" "+r.Flag] = r
	}
	return out
}

// A run's observations open flags; an open flag the run looked at and did not
// observe is closed; one it did not look at stays open unless its rule is
// evaluated for the whole pipeline.
func TestReconcileFlags(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	observe := func(run string, at time.Time, obs [][2]string, seen []string) {
		t.Helper()
		var rows [][]any
		for _, o := range obs {
			rows = append(rows, []any{run, "city", "service", o[0], o[1], "reason " + o[1], "evidence", at})
		}
		if len(rows) > 0 {
			if err := w.Insert(ctx, "flag_observations", []string{"run_id", "pipeline", "entity_type", "entity_id", "flag", "reason", "evidence", "observed_at"}, rows); err != nil {
				t.Fatal(err)
			}
		}
		rows = nil
		for _, id := range seen {
			rows = append(rows, []any{"city", run, "service", id, at})
		}
		if err := w.Insert(ctx, "entity_seen", []string{"pipeline", "run_id", "entity_type", "entity_id", "seen_at"}, rows); err != nil {
			t.Fatal(err)
		}
	}
	t1 := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	observe("run-1", t1, [][2]string{{"s1", "no_contact"}, {"s2", "no_contact"}, {"s3", "missing_from_source"}, {"s4", "review_overdue"}},
		[]string{"s1", "s2", "s4"})
	if err := w.ReconcileFlags(ctx, "city", "run-1", nil); err != nil {
		t.Fatal(err)
	}
	st := flagStates(t, w)
	if len(st) != 4 {
		t.Fatalf("after run 1: %+v", st)
	}
	for k, s := range st {
		if s.Active != 1 || s.FirstDetected != "2026-11-01 06:00:00.000" || s.RunID != "run-1" {
			t.Errorf("%s after run 1: %+v", k, s)
		}
	}
	// Run 2: s1 still has no contact; s2 was fixed; s3 is back in the source
	// (missing_from_source is a whole-pipeline rule); s4 was not looked at.
	t2 := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	observe("run-2", t2, [][2]string{{"s1", "no_contact"}}, []string{"s1", "s2"})
	if err := w.ReconcileFlags(ctx, "city", "run-2", []string{"missing_from_source", "it's quoted"}); err != nil {
		t.Fatal(err)
	}
	st = flagStates(t, w)
	want := map[string]struct {
		active int
		closed bool
	}{
		"s1 no_contact":          {1, false},
		"s2 no_contact":          {0, true},
		"s3 missing_from_source": {0, true},
		"s4 review_overdue":      {1, false},
	}
	for k, w := range want {
		s, ok := st[k]
		if !ok || s.Active != w.active || (s.ClosedAt != nil) != w.closed || s.RunID != "run-2" && k != "s4 review_overdue" {
			t.Errorf("%s after run 2: %+v, want active %d closed %v", k, s, w.active, w.closed)
		}
	}
	if s := st["s1 no_contact"]; s.FirstDetected != "2026-11-01 06:00:00.000" {
		t.Errorf("a flag that still holds keeps its first detection: %+v", s)
	}
}

// The query helpers: a scalar that finds no row says which query; a row
// that does not decode names the query's first line.
func TestQueryHelpersErrors(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	long := "SELECT 1 AS n\nWHERE 0 -- " + strings.Repeat("x", 100)
	if _, err := warehouse.QueryScalar[int](ctx, w, long); err == nil || err.Error() != `query "SELECT 1 AS n" returned no rows` {
		t.Errorf("no rows: %v", err)
	}
	if n, err := warehouse.QueryScalar[int](ctx, w, "SELECT 41 + 1"); err != nil || n != 42 {
		t.Errorf("scalar: %d, %v", n, err)
	}
	type row struct {
		N int `json:"n"`
	}
	wide := "SELECT 'not a number' AS n, " + strings.Repeat("1 + ", 30) + "1 AS m"
	_, err := warehouse.QueryInto[row](ctx, w, wide)
	if err == nil || !strings.HasPrefix(err.Error(), `decode row of "SELECT 'not a number' AS n, 1 + 1`) || !strings.Contains(err.Error(), "…") {
		t.Errorf("undecodable row: %v", err)
	}
	stop := errors.New("stop")
	calls := 0
	err = warehouse.QueryEach(ctx, w, "SELECT number AS n FROM numbers(5)", func(r row) error {
		calls++
		if r.N == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("QueryEach stops at the callback's error: %v after %d rows", err, calls)
	}
}

// Quote makes any string a literal the engine reads back unchanged.
func TestQuoteRoundTrip(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	for _, s := range []string{"", "plain", "it's", `back\slash`, "new\nline", "nul\x00byte", `'); DROP TABLE runs; --`, "tab\tand ünïcode"} {
		got, err := warehouse.QueryScalar[string](ctx, w, "SELECT "+warehouse.Quote(s))
		if err != nil || got != s {
			t.Errorf("Quote(%q) read back as %q, %v", s, got, err)
		}
	}
}

// Every record kind lands in its table with the columns the views and
// reports read, through the Loader as a run writes them.
func TestLoaderStoresEveryKind(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	prov := &schema.Provenance{Pipeline: "p", SourceURL: "https://example.org/feed", FetchedAt: time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)}
	places, roll, count := 120.0, 98.0, 42.0
	lat, lon := 50.84, -1.07
	ageMin, ageMax := 4, 11
	recs := []*schema.Record{
		{Kind: schema.KindOrganization, Organization: &schema.Organization{ID: "p/org-1", Name: "Mary Rose Academy", OrganizationType: "school",
			Website: "www.maryrose.sch.uk", LACode: "E06000044", Provenance: prov,
			OrganizationIdentifiers: []schema.OrganizationIdentifier{{IdentifierScheme: "GB-URN", Identifier: "116642"}, {IdentifierType: "ukprn", Identifier: "10012345"}}}},
		{Kind: schema.KindLocation, Location: &schema.Location{ID: "p/loc-1", Name: "Main site", LocationType: "physical", OrganizationID: "p/org-1",
			Latitude: &lat, Longitude: &lon, LACode: "E06000044", Provenance: prov,
			Addresses: []schema.Address{{Address1: "Gauntlet Road", City: "Portsmouth", PostalCode: "PO4 8DD", Country: "GB"}}}},
		{Kind: schema.KindSENReport, SENReport: &schema.SENReport{ID: "p/sen-1", URN: "116642", SchoolName: "Mary Rose Academy", Found: true,
			ReportURL: "https://www.maryrose.sch.uk/sen.pdf", ReportFormat: "pdf", ReportDate: "2025-09-01T10:00:00Z", Provenance: prov}},
		{Kind: schema.KindDemand, Demand: &schema.Demand{ID: "p/dem-1", Period: "202425", GeographicLevel: "Local authority", LACode: "E06000044",
			NeedCode: "ASD", AgeMin: &ageMin, AgeMax: &ageMax, Measure: "all_plans", Count: &count, Source: "DfE", Provenance: prov}},
		{Kind: schema.KindCapacity, Capacity: &schema.Capacity{ID: "p/cap-1", URN: "116642", Name: "Mary Rose Academy", ProvisionType: "special_school",
			LACode: "E06000044", Places: &places, NumberOnRoll: &roll, AsOf: "2025-01-16", Provenance: prov}},
		{Kind: schema.KindFeedback, Feedback: &schema.Feedback{ID: "p/fb-1", LACode: "E06000044", ReceivedDate: "2025-02-11", Comment: "Out of date page",
			Status: "open", Redactions: 2, Provenance: prov}},
	}
	l := w.NewLoader("p", "run-1", 100)
	for _, r := range recs {
		if err := l.Add(ctx, r); err != nil {
			t.Fatalf("%s: %v", r.ID(), err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if l.Stats.Loaded != len(recs) {
		t.Errorf("stats %+v", l.Stats)
	}
	for _, c := range []struct{ q, want string }{
		{"SELECT concat(name, '|', website, '|', arrayStringConcat(identifiers, ',')) FROM organizations_current WHERE id = 'p/org-1'",
			"Mary Rose Academy|www.maryrose.sch.uk|GB-URN:116642,ukprn:10012345"},
		{"SELECT concat(address, '|', organization_id, '|', toString(latitude)) FROM locations_current WHERE id = 'p/loc-1'",
			"Gauntlet Road, Portsmouth, PO4 8DD|p/org-1|50.84"},
		{"SELECT concat(toString(found), '|', toString(report_date), '|', report_format, '|', toString(length(items_missing))) FROM sen_reports_current WHERE id = 'p/sen-1'",
			"1|2025-09-01|pdf|0"},
		{"SELECT concat(need_code, '|', toString(age_min), '-', toString(age_max), '|', toString(count)) FROM demand FINAL WHERE id = 'p/dem-1'",
			"ASD|4-11|42"},
		{"SELECT concat(provision_type, '|', toString(places), '|', toString(number_on_roll), '|', toString(as_of)) FROM capacity FINAL WHERE id = 'p/cap-1'",
			"special_school|120|98|2025-01-16"},
		{"SELECT concat(toString(received_date), '|', ifNull(toString(response_date), 'null'), '|', toString(redactions)) FROM feedback_current WHERE id = 'p/fb-1'",
			"2025-02-11|null|2"},
	} {
		got, err := warehouse.QueryScalar[string](ctx, w, c.q)
		if err != nil || got != c.want {
			t.Errorf("%s\n got %q, %v\nwant %q", c.q, got, err, c.want)
		}
	}
}
