package health

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

const planted = `<script>document.title='pwned'</script>Sensory play`

// plantedWarehouse holds two sources with known figures:
//
//   - "city-api" (hsds_api), three runs. Its latest run saw 10 records and
//     quarantined 2 (one with a bad email, one without a name); 4 current
//     services, 3 assured within 90 days, 1 modified within a year, 2 stale
//     (one assurance_overdue, one missing_from_source, both on different
//     services), response times 100, 200, 300, 400 ms, one pagination warning,
//     and a level 2 conformance failure (pagination_totals).
//   - "county-sheet" (spreadsheet), one failed run with its reason, 2 current
//     services in another LA, none stale, nothing quarantined.
func plantedWarehouse(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	w := whtest.New(t)
	ctx := context.Background()
	// Each measurement is a second later than the one before, as in life: the
	// views take a source's latest measurement by measured_at, and a tie
	// between runs measured at the same instant would pick one at random.
	tick := now.Add(-time.Minute)
	r := &Recorder{AssuranceAfterDays: 90, ReviewAfterDays: 365, Now: func() time.Time { tick = tick.Add(time.Second); return tick }}

	day := func(n int) string { return now.AddDate(0, 0, -n).Format("2006-01-02") }
	lm := func(n int) *time.Time { t := now.AddDate(0, 0, -n); return &t }
	svc := func(p, id, name, la, assured string, modified *time.Time) *schema.Record {
		return &schema.Record{Kind: schema.KindService, Service: &schema.Service{ID: p + "/" + id, Name: name, Status: "active",
			LACode: la, AssuredDate: assured, LastModified: modified,
			Provenance: &schema.Provenance{Pipeline: p, SourceURL: "https://" + p + ".example/api/services/" + id, SourceID: id, FetchedAt: now}}}
	}
	load := func(p, run string, recs ...*schema.Record) {
		l := w.NewLoader(p, run, 100)
		for _, rec := range recs {
			if err := l.Add(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	record := func(run *warehouse.Run) {
		if err := w.RecordRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	at := func(h int) time.Time { return now.Add(time.Duration(-h) * time.Hour) }
	fin := func(h int) *time.Time { x := at(h).Add(time.Minute); return &x }

	// city-api: two earlier runs, then the latest.
	for i, h := range []int{48, 24} {
		run := &warehouse.Run{RunID: fmt.Sprintf("city-%d", i), Pipeline: "city-api", Collector: "hsds_api", StartedAt: at(h),
			FinishedAt: fin(h), Status: "ok", RecordsLoaded: 4, RecordsQuarantined: i}
		record(run)
		if i == 0 {
			load("city-api", run.RunID,
				svc("city-api", "s1", "Speech and language therapy", "E06000044", day(10), lm(30)),
				svc("city-api", "s2", planted, "E06000044", day(20), lm(400)),
				svc("city-api", "s3", "Autism outreach", "E06000044", day(200), lm(500)),
				svc("city-api", "s4", "Short breaks club", "E06000044", day(5), lm(700)))
		}
		if err := r.RunFinished(ctx, w, run); err != nil {
			t.Fatal(err)
		}
	}
	latest := &warehouse.Run{RunID: "city-2", Pipeline: "city-api", Collector: "hsds_api", StartedAt: at(1), FinishedAt: fin(1),
		Status: "ok", RecordsLoaded: 0, RecordsUnchanged: 8, RecordsQuarantined: 2, DocumentsFetched: 4, Warnings: 2}
	record(latest)
	insert := func(table string, cols []string, rows ...[]any) {
		if err := w.Insert(ctx, table, cols, rows); err != nil {
			t.Fatalf("insert %s: %v", table, err)
		}
	}
	flagCols := []string{"entity_type", "entity_id", "pipeline", "flag", "reason", "evidence", "first_detected", "last_detected", "active", "closed_at", "run_id", "_version"}
	insert("flags", flagCols,
		[]any{"service", "city-api/s3", "city-api", "assurance_overdue", "assured 200 days ago", "assured_date " + day(200), now, now, uint8(1), nil, "city-2", uint64(1)},
		[]any{"service", "city-api/s2", "city-api", "missing_from_source", "not seen in 3 full sweeps", "", now, now, uint8(1), nil, "city-2", uint64(1)},
		[]any{"service", "city-api/s1", "city-api", "no_contact", "closed long ago", "", now, now, uint8(0), now, "city-2", uint64(1)})
	qCols := []string{"pipeline", "entity_type", "record_id", "fingerprint", "source_url", "errors", "payload", "first_seen_run", "last_seen_run", "quarantined_at", "last_seen_at", "_version"}
	insert("quarantine", qCols,
		[]any{"city-api", "service", "city-api/s9", "f9", "https://city-api.example/api/services?page=2",
			`[{"pointer":"/contacts/0/email","message":"not a valid email address"}]`,
			`{"id":"city-api/s9","name":"Parent carer forum","contacts":[{"email":"forum(at)example.org"}]}`, "city-1", "city-2", now, now, uint64(1)},
		[]any{"city-api", "service", "city-api/s10", "f10", "https://city-api.example/api/services?page=2",
			`[{"pointer":"/name","message":"missing property 'name'"}]`, `{"id":"city-api/s10"}`, "city-2", "city-2", now, now, uint64(1)},
		// Quarantined in an old run only: already fixed, not on the list.
		[]any{"city-api", "service", "city-api/s8", "f8", "", `[{"pointer":"/url","message":"bad"}]`, `{"id":"city-api/s8","name":"Old"}`, "city-0", "city-0", now, now, uint64(1)})
	fiCols := []string{"pipeline", "entity_type", "record_id", "pointer", "original_value", "action", "repaired_value", "rule", "reason", "source_url", "first_seen_run", "run_id", "first_seen_at", "last_seen_at", "_version"}
	insert("field_issues", fiCols,
		[]any{"city-api", "service", "city-api/s1", "/url", "http:www.slt.example", "repaired", "http://www.slt.example", "url_scheme", "", "https://city-api.example/api/services?page=1", "city-0", "city-2", now, now, uint64(1)},
		[]any{"city-api", "service", "city-api/s4", "/email", "club at example", "dropped", "", "invalid_field", "not a valid email address", "https://city-api.example/api/services?page=1", "city-2", "city-2", now, now, uint64(1)},
		// Met in an earlier run only: not this run's figures.
		[]any{"city-api", "service", "city-api/s3", "/url", "www.x", "repaired", "https://www.x", "url_scheme", "", "", "city-0", "city-0", now, now, uint64(1)})
	docCols := []string{"pipeline", "run_id", "url", "final_url", "fetched_at", "status", "content_type", "etag", "last_modified", "sha256", "size", "not_modified", "blob_path", "elapsed_ms"}
	for i, ms := range []uint32{100, 200, 300, 400} {
		u := fmt.Sprintf("https://city-api.example/api/services?page=%d", i+1)
		insert("documents", docCols, []any{"city-api", "city-2", u, u, now, 200, "application/json", "", "", "x", uint64(10), uint8(0), "", ms})
	}
	insert("run_warnings", []string{"run_id", "pipeline", "at", "source_url", "record_id", "message"},
		[]any{"city-2", "city-api", now, "https://city-api.example/api/services?page=4", "", "total_items says 12 but the pages held 10 items"},
		[]any{"city-2", "city-api", now, "https://city-api.example/api/services/s4", "s4", "service detail: timeout; using the list item"})
	confCols := []string{"run_id", "pipeline", "checked_at", "check", "level", "passed", "detail", "url"}
	insert("conformance", confCols,
		[]any{"city-2", "city-api", now, "root_endpoint", uint8(1), uint8(1), "", "https://city-api.example/api/"},
		[]any{"city-2", "city-api", now, "page_envelope", uint8(1), uint8(1), "", "https://city-api.example/api/services?page=1"},
		[]any{"city-2", "city-api", now, "pagination_totals", uint8(2), uint8(0), "total_items says 12 but the pages held 10 items", "https://city-api.example/api/services?page=4"})
	if err := r.RunFinished(ctx, w, latest); err != nil {
		t.Fatal(err)
	}

	// county-sheet: one run that failed after loading two services.
	county := &warehouse.Run{RunID: "county-0", Pipeline: "county-sheet", Collector: "spreadsheet", StartedAt: at(2), FinishedAt: fin(2),
		Status: "failed", Error: `collect: mapping names column "Needs", which the file lacks`, RecordsLoaded: 2}
	record(county)
	load("county-sheet", "county-0",
		svc("county-sheet", "c1", "Portage home visiting", "E10000014", day(3), lm(3)),
		svc("county-sheet", "c2", "Sensory support team", "E10000014", "", nil))
	if err := r.RunFinished(ctx, w, county); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestMeasure(t *testing.T) {
	w := plantedWarehouse(t)
	s, err := (&Recorder{AssuranceAfterDays: 90, ReviewAfterDays: 365, Now: func() time.Time { return now }}).Measure(context.Background(), w, "city-api", "city-2")
	if err != nil {
		t.Fatal(err)
	}
	if s.Services != 4 || s.ServicesActive != 4 || s.AssuredRecent != 3 || s.ModifiedRecent != 1 || s.Stale != 2 || s.MissingFromSource != 1 {
		t.Errorf("services %d active %d assured %d modified %d stale %d missing %d; want 4 4 3 1 2 1",
			s.Services, s.ServicesActive, s.AssuredRecent, s.ModifiedRecent, s.Stale, s.MissingFromSource)
	}
	if s.OpenFlags["assurance_overdue"] != 1 || s.OpenFlags["missing_from_source"] != 1 || len(s.OpenFlags) != 2 {
		t.Errorf("open flags %v: the closed no_contact must not count", s.OpenFlags)
	}
	if s.FieldsRepaired["url_scheme"] != 1 || len(s.FieldsRepaired) != 1 || s.FieldsDropped["invalid_field"] != 1 || len(s.FieldsDropped) != 1 {
		t.Errorf("field issues repaired %v dropped %v; want this run's only", s.FieldsRepaired, s.FieldsDropped)
	}
	if s.P50ms != 250 || s.P95ms != 385 || s.PaginationAnomalie != 1 {
		t.Errorf("p50 %v p95 %v pagination %d; want 250 385 1 (interpolated)", s.P50ms, s.P95ms, s.PaginationAnomalie)
	}
}

func TestBuild(t *testing.T) {
	w := plantedWarehouse(t)
	r, err := Build(context.Background(), w, Options{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sources) != 2 || r.Sources[0].Pipeline != "city-api" || r.Sources[0].StaleRank != 1 {
		t.Fatalf("sources %+v: city-api (50%% stale) must rank first", r.Sources)
	}
	city, county := r.Sources[0], r.Sources[1]
	if sum(city.FieldsRepaired) != 1 || sum(city.FieldsDropped) != 1 {
		t.Errorf("city fields repaired %v dropped %v", city.FieldsRepaired, city.FieldsDropped)
	}
	if city.RecordsSeen != 10 || city.QuarantineRate != 0.2 || city.QuarantineRank != 1 {
		t.Errorf("city seen %d rate %v rank %d; want 10 0.2 1", city.RecordsSeen, city.QuarantineRate, city.QuarantineRank)
	}
	if *city.StaleShare != 0.5 || *city.AssuredShare != 0.75 || *city.ModifiedShare != 0.25 {
		t.Errorf("city shares stale %v assured %v modified %v", *city.StaleShare, *city.AssuredShare, *city.ModifiedShare)
	}
	if city.ConformanceLevel != 1 || strings.Join(city.ConformanceFailing, ",") != "pagination_totals" || len(city.Checks) != 3 {
		t.Errorf("conformance level %d failing %v checks %d; want level 1, pagination_totals, 3 checks", city.ConformanceLevel, city.ConformanceFailing, len(city.Checks))
	}
	if len(city.History) != 3 || city.History[0].RunID != "city-0" || city.History[2].RunID != "city-2" {
		t.Errorf("history %d runs, oldest first wanted", len(city.History))
	}
	if county.Status != "failed" || !strings.Contains(county.Reason, `"Needs"`) || county.ConformanceChecks != 0 || *county.StaleShare != 0 {
		t.Errorf("county %+v", county.Run)
	}
	if len(r.LAs) != 2 || r.LAs[0].LACode != "E06000044" || r.LAs[0].StaleShare != 0.5 || r.LAs[1].StaleShare != 0 {
		t.Errorf("LA ranking %+v", r.LAs)
	}
	// Fix list: 2 quarantine problems of the latest run first, then its
	// repair and drop, then the 2 open flags.
	if r.FixesTotal != 6 || len(r.Fixes) != 6 {
		t.Fatalf("fix list %d: %+v", r.FixesTotal, r.Fixes)
	}
	q := r.Fixes[0]
	if q.Kind != "quarantined" || q.RecordID != "s10" && q.RecordID != "s9" {
		t.Errorf("first fix %+v", q)
	}
	var email Fix
	for _, f := range r.Fixes {
		if f.Field == "/contacts/0/email" {
			email = f
		}
	}
	if email.Original != "forum(at)example.org" || email.Name != "Parent carer forum" || !strings.Contains(email.Suggestion, "email address") {
		t.Errorf("email fix %+v", email)
	}
	if f := r.Fixes[2]; f.Kind != "repaired" || f.Original != "http:www.slt.example" || !strings.Contains(f.Suggestion, `"http://www.slt.example"`) {
		t.Errorf("repair on the fix list: %+v", f)
	}
	if f := r.Fixes[3]; f.Kind != "dropped" || f.Field != "/email" || !strings.Contains(f.Suggestion, "email address") {
		t.Errorf("drop on the fix list: %+v", f)
	}
	if kinds := r.Fixes[4].Kind + "," + r.Fixes[5].Kind; kinds != "flag:missing_from_source,flag:assurance_overdue" {
		t.Errorf("flags on the fix list: %s, want missing_from_source (s2) then assurance_overdue (s3)", kinds)
	}

	// Scoped to one LA, the other source disappears.
	r, err = Build(context.Background(), w, Options{LACode: "E10000014"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sources) != 1 || r.Sources[0].Pipeline != "county-sheet" || len(r.LAs) != 1 || r.FixesTotal != 0 {
		t.Errorf("LA scope: %d sources, %d LAs, %d fixes", len(r.Sources), len(r.LAs), r.FixesTotal)
	}
}

func TestFixListCSV(t *testing.T) {
	w := plantedWarehouse(t)
	var b bytes.Buffer
	if err := Write(context.Background(), w, Options{Pipelines: []string{"city-api"}}, "csv", &b, now); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != strings.Join(FixColumns, ",") {
		t.Fatalf("csv %d rows, header %v", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		if row[0] != "city-api" || row[8] == "" {
			t.Errorf("row %v: every row names its source and a suggested repair", row)
		}
	}
}

func TestHTMLIsEscapedAndSelfContained(t *testing.T) {
	w := plantedWarehouse(t)
	var b bytes.Buffer
	if err := Write(context.Background(), w, Options{}, "html", &b, now); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, planted) || !strings.Contains(page, "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;Sensory play") {
		t.Error("the planted name is not escaped")
	}
	for _, want := range []string{`lang="en-GB"`, `role="img"`, `<desc>`, `<caption>`, `@media print`, `pagination_totals`, `<polyline points="`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<link", "https://cdn"} {
		if strings.Contains(page, banned) {
			t.Errorf("page is not self-contained: %q", banned)
		}
	}
}
