package gaps

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/fixtures"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.* from the current output")

var defaults = Options{ThinShare: 0.5, ProjectionYears: 3}

func find(t *testing.T, rows []Row, la, need, band, cat string) Row {
	t.Helper()
	for _, r := range rows {
		if r.LACode == la && r.NeedCode == need && r.AgeBand == band && r.Category == cat {
			return r
		}
	}
	t.Fatalf("no gap row %s %s %s %s", la, need, band, cat)
	return Row{}
}

func TestPlantedStatuses(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	rows, err := Rows(ctx, w, defaults)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, la, need, band, cat string
		status, reason            string
	}{
		{"demand and no supply", "E06000045", "ASD", "11-15", "all", StatusNone,
			"80 EHC plans (202425) and no current service or specialist place naming this need (1 services name no specific need)"},
		{"supply only stale", "E06000046", "ASD", "11-15", "all", StatusStaleOnly,
			"50 EHC plans (202425); the 2 service(s) listed are all flagged stale (review or assurance overdue, or missing from source)"},
		{"special school over capacity", "E10000014", "ASD", "11-15", "all", StatusOverCapacity,
			"132 on roll for 120 specialist places; 1 of 2 setting(s) over capacity"},
		{"over capacity shows in education too", "E10000014", "ASD", "11-15", "education", StatusOverCapacity,
			"132 on roll for 120 specialist places; 1 of 2 setting(s) over capacity"},
		{"no demand data", "E09000033", "ASD", "11-15", "all", StatusUnknown,
			"no EHC plan figures loaded for this LA, need and age band"},
		{"suppressed demand", "E06000044", "HI", "11-15", "all", StatusUnknown,
			"EHC plan figures for this need and age band are suppressed in the source (1 cells, 202425)"},
		{"thin against the England median", "E06000043", "SEMH", "5-10", "all", StatusThin,
			"2 services per 100 children with EHC plans, 20% of the England median (10); thin below 50%"},
		{"healthy; one service placed on ages from its description", "E06000044", "ASD", "11-15", "all", StatusOK,
			"11 services per 100 children with EHC plans (100 EHC plans, 202425); 1 of the services counted on ages read from their descriptions, not stated by the source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := find(t, rows, c.la, c.need, c.band, c.cat)
			if r.Status != c.status || r.Reason != c.reason {
				t.Errorf("status %q reason %q\nwant   %q reason %q", r.Status, r.Reason, c.status, c.reason)
			}
		})
	}
	// Severity order: the first row is a "none", the last ones "ok".
	if rows[0].Status != StatusNone || rows[len(rows)-1].Status != StatusOK {
		t.Errorf("rows not sorted by severity: first %s, last %s", rows[0].Status, rows[len(rows)-1].Status)
	}
	// Trend and projection: 70, 80, 90, 100 over four years → +10 a year, 130 in three.
	p := find(t, rows, "E06000044", "ASD", "11-15", "all")
	if p.TrendPerYear == nil || *p.TrendPerYear != 10 || p.ProjectedDemand == nil || *p.ProjectedDemand != 130 {
		t.Errorf("Portsmouth ASD 11-15 trend %v projected %v, want 10 and 130", p.TrendPerYear, p.ProjectedDemand)
	}
	if p.OutOfAreaShare == nil || *p.OutOfAreaShare != 0.1 {
		t.Errorf("Portsmouth out-of-area share %v, want 0.1 (40 of 400 placements)", p.OutOfAreaShare)
	}
	if p.ServicesDerivedAges != 1 {
		t.Errorf("Portsmouth ASD 11-15 services_derived_ages %d, want 1 (the PfA service's ages come from its description)", p.ServicesDerivedAges)
	}
	// Inactive services never count; duplicates across sources count once.
	if p.Services != 11 {
		t.Errorf("Portsmouth ASD 11-15 services %d, want 11 (10 groups + PfA; the inactive club excluded)", p.Services)
	}
	// Configured thresholds apply: at 0.1 Brighton's 20% of median is no longer thin.
	lax, err := Rows(ctx, w, Options{ThinShare: 0.1, ProjectionYears: 1, LACode: "E06000043"})
	if err != nil {
		t.Fatal(err)
	}
	if r := find(t, lax, "E06000043", "SEMH", "5-10", "all"); r.Status != StatusOK || *r.ProjectedDemand != 100 {
		t.Errorf("thin_share 0.1: %s projected %v, want ok and 100 (one period: flat)", r.Status, *r.ProjectedDemand)
	}
	for _, r := range lax {
		if r.LACode != "E06000043" {
			t.Fatalf("--la filter leaked %s", r.LACode)
		}
	}
	// The England median is national even when one LA is asked for.
	if r := find(t, lax, "E06000043", "SEMH", "5-10", "all"); r.MedianServicesPer100 == nil || *r.MedianServicesPer100 != 10 {
		t.Errorf("median with --la: %v, want 10", r.MedianServicesPer100)
	}
}

func TestDefaultGapsViewMatchesQuery(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	rows, err := Rows(ctx, w, defaults) // refreshes the snapshots the view reads
	if err != nil {
		t.Fatal(err)
	}
	n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM gaps WHERE status = 'none'")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range rows {
		if r.Status == StatusNone {
			want++
		}
	}
	if n != want || n == 0 {
		t.Errorf("gaps view: %d none rows, gap_analysis at defaults: %d", n, want)
	}
}

func TestCoverageAndCompliance(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	status, err := warehouse.QueryScalar[string](ctx, w, `SELECT status FROM coverage
		WHERE la_code = 'E06000044' AND category = 'preparing_for_adulthood' AND age_band = '19-25'`)
	if err != nil || status != "missing" {
		t.Errorf("Portsmouth PfA 19-25: %q %v, want missing", status, err)
	}
	status, _ = warehouse.QueryScalar[string](ctx, w, `SELECT status FROM coverage
		WHERE la_code = 'E06000044' AND category = 'preparing_for_adulthood' AND age_band = '16-18'`)
	if status != "covered" {
		t.Errorf("Portsmouth PfA 16-18: %q, want covered", status)
	}
	n, _ := warehouse.QueryScalar[int](ctx, w, `SELECT count() FROM coverage WHERE category = 'preparing_for_adulthood' AND age_band IN ('0-4', '5-10')`)
	if n != 0 {
		t.Errorf("preparing for adulthood judged for under-11s: %d rows", n)
	}
	c, err := warehouse.QueryInto[Compliance](ctx, w, "SELECT *, toString(last_checked) AS last_checked FROM sen_report_compliance WHERE la_code = 'E06000044'")
	if err != nil || len(c) != 1 {
		t.Fatalf("compliance: %v %v", c, err)
	}
	got := c[0]
	if got.Schools != 3 || got.ReportsFound != 2 || got.ReportsNotFound != 1 || got.ReportsStale != 1 || got.ReportsMissingItems != 1 {
		t.Errorf("compliance %+v, want 3 schools, 2 found, 1 not found, 1 stale, 1 missing items", got)
	}
}

// The SQL vocabularies must match schema/vocab.go.
func TestViewVocabulariesMatchSchema(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	type band struct {
		Name string  `json:"age_band"`
		Min  float64 `json:"band_min"`
		Max  float64 `json:"band_max"`
	}
	bands, err := warehouse.QueryInto[band](ctx, w, "SELECT * FROM gap_age_bands")
	if err != nil {
		t.Fatal(err)
	}
	if len(bands) != len(schema.AgeBands) {
		t.Fatalf("gap_age_bands has %d bands, schema.AgeBands %d", len(bands), len(schema.AgeBands))
	}
	for i, b := range schema.AgeBands {
		if bands[i].Name != b.Name || bands[i].Min != float64(b.Min) || bands[i].Max != float64(b.Max) {
			t.Errorf("band %d: view %+v, schema %+v", i, bands[i], b)
		}
	}
	cats, err := warehouse.QueryInto[struct {
		Category string `json:"category"`
	}](ctx, w, "SELECT category FROM gap_categories")
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) != len(schema.Categories) {
		t.Fatalf("gap_categories has %d, schema.Categories %d", len(cats), len(schema.Categories))
	}
	for i, c := range schema.Categories {
		if cats[i].Category != c {
			t.Errorf("category %d: view %q, schema %q", i, cats[i].Category, c)
		}
	}
}

// Golden: the whole JSON output of the planted scenario.
func TestPlantedGolden(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	rows, err := Rows(ctx, w, defaults)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteJSON(&got, rows); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "planted", "expected.json"), got.Bytes())
	var back []map[string]any
	if err := json.Unmarshal(got.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"la_code", "need_code", "age_band", "category", "services", "places", "demand", "status", "reason"} {
		if _, ok := back[0][k]; !ok {
			t.Errorf("JSON rows lack %q", k)
		}
	}
}

func TestFormats(t *testing.T) {
	demand := 80.0
	rows := []Row{{LACode: "E06000045", LAName: "=HYPERLINK(\"x\")", NeedCode: "ASD", AgeBand: "11-15", Category: "all",
		Demand: &demand, Status: StatusNone, Severity: 5, Reason: "80 EHC plans\nand none"}}
	var csvOut, table bytes.Buffer
	if err := WriteCSV(&csvOut, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), `'=HYPERLINK`) {
		t.Errorf("CSV did not defuse a formula: %s", csvOut.String())
	}
	if err := WriteTable(&table, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "80 EHC plans and none") || !strings.Contains(table.String(), "1 rows: 1 none") {
		t.Errorf("table:\n%s", table.String())
	}
	two := append(rows, rows[0])
	if got := limited(two, Options{Limit: 1}); len(got) != 1 {
		t.Errorf("--limit 1 kept %d rows", len(got))
	}
	if got := limited(two, Options{}); len(got) != 2 {
		t.Errorf("no limit kept %d rows", len(got))
	}
	var empty bytes.Buffer
	if err := WriteJSON(&empty, nil); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("empty JSON %q %v", empty.String(), err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{ThinShare: 0, ProjectionYears: 3}, {ThinShare: 0.5, ProjectionYears: 4},
		{ThinShare: 0.5, ProjectionYears: 3, LACode: "851'; DROP TABLE services"}} {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := defaults.Validate(); err != nil {
		t.Error(err)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update after checking):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\nwant " + al[i] + "\ngot  " + bl[i]
		}
	}
	return "lengths differ"
}

// The verb computes in Go; the gap_analysis view states the same rules in SQL.
func TestGoMatchesSQLView(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	for _, o := range []Options{defaults, {ThinShare: 0.25, ProjectionYears: 1}, {ThinShare: 0.9, ProjectionYears: 2, LACode: "E06000043"}} {
		got, err := Rows(ctx, w, o)
		if err != nil {
			t.Fatal(err)
		}
		want, err := warehouse.QueryInto[Row](ctx, w, ViewQuery(o))
		if err != nil {
			t.Fatal(err)
		}
		sortRows(want)
		g, _ := json.MarshalIndent(got, "", " ")
		v, _ := json.MarshalIndent(want, "", " ")
		if !bytes.Equal(g, v) {
			t.Errorf("%+v: Go rows differ from the SQL view:\n%s", o, firstDiff(string(v), string(g)))
		}
	}
}

func TestResolveLA(t *testing.T) {
	ctx := context.Background()
	w := fixtures.Planted(t)
	// 998 stands for an LA newer than schema/lacodes' table: only the demand figures know it.
	if err := w.Exec(ctx, "INSERT INTO demand (id, pipeline, period, geographic_level, la_code, la_code_old, measure, _version) VALUES ('x', 'p', '202425', 'Local authority', 'E06000044', '851', 'all_plans', 1), ('y', 'p', '202425', 'Local authority', 'E06000998', '998', 'all_plans', 1)"); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"851": "E06000044", "908": "E06000052", "998": "E06000998", "E06000045": "E06000045", "": ""} {
		if got, err := ResolveLA(ctx, w, in); err != nil || got != want {
			t.Errorf("ResolveLA(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ResolveLA(ctx, w, "999"); err == nil {
		t.Error("unknown DfE code 999 resolved")
	}
}
