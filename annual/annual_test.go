package annual

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The gap report's planted scenario (gaps/testdata/planted) is reused, so the
// annual report is tested over the same gaps the gap report is; feedback is
// added here.
var fixtureTime = time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC)

const planted = `<script>document.title='pwned'</script>`

type fixture struct {
	Services   []schema.Service   `json:"services"`
	Demand     []demandCell       `json:"demand"`
	Capacity   []schema.Capacity  `json:"capacity"`
	SENReports []schema.SENReport `json:"sen_reports"`
	Flags      []struct {
		EntityType string `json:"entity_type"`
		EntityID   string `json:"entity_id"`
		Flag       string `json:"flag"`
	} `json:"flags"`
}

type demandCell struct {
	LACode    string   `json:"la_code"`
	LAName    string   `json:"la_name"`
	NeedCode  string   `json:"need_code"`
	AgeMin    *int     `json:"age_min"`
	AgeMax    *int     `json:"age_max"`
	Period    string   `json:"period"`
	Count     *float64 `json:"count"`
	Measure   string   `json:"measure"`
	Placement string   `json:"placement"`
}

// Southampton has no provision for autism at 11-15 in the planted scenario.
const southampton = "E06000045"

func feedbackRecords() []*schema.Feedback {
	return []*schema.Feedback{
		{ID: "fb/1", LACode: southampton, ReceivedDate: "2024-10-03", Comment: "My son [name] is 13 and autistic; there is nothing for him after school.",
			Respondent: "parent_carer", Status: "open", NeedCodes: []string{"ASD"}, AgeBands: []string{"11-15"}, Categories: []string{"leisure"}},
		{ID: "fb/2", LACode: southampton, ReceivedDate: "2025-02-11", Comment: "The short breaks page is out of date " + planted,
			Respondent: "young_person", Response: "We updated the short breaks page and checked every entry.", ResponseDate: "2025-03-01",
			Status: "answered", Categories: []string{"short_breaks"}},
		{ID: "fb/3", LACode: southampton, ReceivedDate: "2025-06-30", Comment: "Transport forms ask the same thing three times.",
			Respondent: "professional", Response: "The form is now one page.", ResponseDate: "2025-07-10", Status: "closed", Categories: []string{"transport"}},
		// Outside 2024/25: before September and after August.
		{ID: "fb/4", LACode: southampton, ReceivedDate: "2024-08-31", Comment: "Last year's comment.", Status: "open"},
		{ID: "fb/5", LACode: southampton, ReceivedDate: "2025-09-01", Comment: "Next year's comment.", Status: "open"},
		// Another LA.
		{ID: "fb/6", LACode: "E06000044", ReceivedDate: "2025-01-01", Comment: "Portsmouth comment.", Status: "open"},
	}
}

func loadPlanted(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "gaps", "testdata", "planted", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	w := whtest.New(t)
	ctx := context.Background()
	l := w.NewLoader("fixture", "run-1", 1000)
	prov := func(src string) *schema.Provenance {
		return &schema.Provenance{Pipeline: "fixture", SourceURL: src, FetchedAt: fixtureTime}
	}
	add := func(r *schema.Record) {
		if err := l.Add(ctx, r); err != nil {
			t.Fatalf("load %s: %v", r.ID(), err)
		}
	}
	for i := range f.Services {
		s := &f.Services[i]
		s.Provenance = prov("file://testdata/planted/services")
		add(&schema.Record{Kind: schema.KindService, Service: s})
	}
	for i, d := range f.Demand {
		measure := d.Measure
		if measure == "" {
			measure = "all_plans"
		}
		add(&schema.Record{Kind: schema.KindDemand, Demand: &schema.Demand{
			ID: fmt.Sprintf("demand/%d", i), Period: d.Period, GeographicLevel: "Local authority", LACode: d.LACode, LAName: d.LAName,
			NeedCode: d.NeedCode, AgeMin: d.AgeMin, AgeMax: d.AgeMax, Measure: measure, Placement: d.Placement, Count: d.Count,
			Source: "DfE Education, health and care plans (planted)", Provenance: prov("file://testdata/planted/demand.csv"),
		}})
	}
	for i := range f.Capacity {
		c := &f.Capacity[i]
		c.Provenance = prov("file://testdata/planted/gias.csv")
		add(&schema.Record{Kind: schema.KindCapacity, Capacity: c})
	}
	for i := range f.SENReports {
		r := &f.SENReports[i]
		r.Provenance = prov("https://school.example/sen")
		add(&schema.Record{Kind: schema.KindSENReport, SENReport: r})
	}
	for _, fb := range feedbackRecords() {
		fb.Provenance = prov("file://testdata/feedback.csv")
		add(&schema.Record{Kind: schema.KindFeedback, Feedback: fb})
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, fl := range f.Flags {
		rows = append(rows, []any{fl.EntityType, fl.EntityID, "fixture", fl.Flag, "planted", "", fixtureTime, fixtureTime, uint8(1), nil, "run-1", uint64(1)})
	}
	if len(rows) > 0 {
		if err := w.Insert(ctx, "flags", []string{"entity_type", "entity_id", "pipeline", "flag", "reason", "evidence",
			"first_detected", "last_detected", "active", "closed_at", "run_id", "_version"}, rows); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

var defaults = gaps.Options{ThinShare: 0.5, ProjectionYears: 3}

func build(t *testing.T) *Report {
	t.Helper()
	w := loadPlanted(t)
	r, err := Build(context.Background(), w, southampton, 2025, defaults, fixtureTime)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestYear(t *testing.T) {
	y, err := ParseYear("2025")
	if err != nil {
		t.Fatal(err)
	}
	if y.Label() != "2024/25" || y.Period() != "202425" || y.Start().Format(time.DateOnly) != "2024-09-01" || y.End().Format(time.DateOnly) != "2025-08-31" {
		t.Errorf("2025 = %s %s %s %s", y.Label(), y.Period(), y.Start(), y.End())
	}
	if y, _ := ParseYear("2100"); y.Label() != "2099/00" {
		t.Errorf("2100 = %s", y.Label())
	}
	for _, bad := range []string{"", "25", "2024/25", "1999", "abcd"} {
		if _, err := ParseYear(bad); err == nil {
			t.Errorf("ParseYear(%q) accepted", bad)
		}
	}
}

func TestBuild(t *testing.T) {
	r := build(t)
	f := r.Feedback
	if f.Comments != 3 || f.Answered != 2 || f.ParentCarers != 1 || f.YoungPeople != 1 || f.Professionals != 1 {
		t.Errorf("feedback = %+v, want the 3 Southampton comments of 2024/25, 2 answered", f)
	}
	// 18 and 10 days to a response; quantileExact takes the upper middle of an even count.
	if f.MedianDays == nil || *f.MedianDays != 18 {
		t.Errorf("median days = %v, want 18", f.MedianDays)
	}
	if len(f.YouSaid) != 2 || f.YouSaid[0].Response != "We updated the short breaks page and checked every entry." || f.YouSaid[1].ResponseDate != "2025-07-10" {
		t.Errorf("you said, we did = %+v", f.YouSaid)
	}
	if len(f.FamiliesSay) == 0 || f.FamiliesSay[0].NeedCode != "ASD" || f.FamiliesSay[0].AgeBand != "11-15" || f.FamiliesSay[0].GapStatus != "none" ||
		len(f.FamiliesSay[0].Comments) != 1 || !strings.Contains(f.FamiliesSay[0].Comments[0].Comment, "13 and autistic") {
		t.Errorf("families say = %+v", f.FamiliesSay)
	}
	if len(f.Months) != 3 || f.Months[0].Month != "2024-10-01" {
		t.Errorf("months = %+v", f.Months)
	}
	if r.Gaps == nil || len(r.Gaps.Rows) == 0 || r.LAName == "" {
		t.Errorf("gap rows missing for %s", southampton)
	}
	if r.Coverage.Services == 0 || len(r.Coverage.ByCategory) == 0 {
		t.Errorf("coverage = %+v", r.Coverage)
	}
	for _, c := range r.Coverage.ByCategory {
		if c.AssuredFresh+c.Stale > c.Services || c.AssuredFresh > c.AssuredRecent {
			t.Errorf("category %s does not add up: %+v", c.Category, c)
		}
	}
	if r.AsOf != "2025-08-31" {
		t.Errorf("as of = %s, want the year's end", r.AsOf)
	}
	// The year in progress is judged today, not at its end.
	w := loadPlanted(t)
	r2, err := Build(context.Background(), w, southampton, 2026, defaults, fixtureTime)
	if err != nil {
		t.Fatal(err)
	}
	if r2.AsOf != "2025-11-01" || r2.Feedback.Comments != 1 {
		t.Errorf("2025/26: as of %s, comments %d", r2.AsOf, r2.Feedback.Comments)
	}
}

func render(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHTMLStatic(t *testing.T) {
	page := string(render(t, build(t)))
	for _, want := range []string{
		"Local Offer annual report 2024/25", "DfE period 202425", `lang="en-GB"`, `@media print`, `role="img"`, `<desc>`, `<caption>`,
		`id="you-said"`, "We updated the short breaks page", "Families say, the data shows", "13 and autistic",
		"&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", "SEN information reports",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, planted) {
		t.Error("planted script appears unescaped")
	}
	for _, banned := range []string{"http://", "https://cdn", "<script", "<link"} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("report is not self-contained: contains %q", banned)
		}
	}
}

// TestHTMLInChromium renders the report in headless Chromium: the sections
// are there and the planted script is text, never run. ANNUAL_SCREENSHOT=path
// writes a screenshot (docs/annual-report.png was made so).
func TestHTMLInChromium(t *testing.T) {
	const bin = "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("headless Chromium check skipped: /usr/bin/chromium is missing (apt-get install -y chromium)")
	}
	path := filepath.Join(t.TempDir(), "annual.html")
	if err := os.WriteFile(path, render(t, build(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runChromium(t, bin, "--dump-dom", "file://"+path))
	if strings.Contains(dom, "pwned</title>") || !strings.Contains(dom, "<title>") {
		t.Error("document title changed: the planted script ran")
	}
	for _, want := range []string{`id="summary-h">Summary</h2>`, `id="ys-h">You said, we did</h2>`, `id="fs-h">Families say, the data shows</h2>`,
		"&lt;script&gt;document.title='pwned'&lt;/script&gt;"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if out := os.Getenv("ANNUAL_SCREENSHOT"); out != "" {
		abs, _ := filepath.Abs(out)
		runChromium(t, bin, "--screenshot="+abs, "--window-size=1200,2400", "--hide-scrollbars", "file://"+path)
		t.Logf("screenshot written to %s", abs)
	}
}

func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}
