package annual

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/internal/chromiumtest"
	"github.com/localoffer/localoffer/internal/fixtures"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// The gap report's planted scenario (internal/fixtures) is reused, so the
// annual report is tested over the same gaps the gap report is; feedback is
// added here.
var fixtureTime = fixtures.PlantedTime

const planted = `<script>document.title='pwned'</script>`

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
	var extra []*schema.Record
	for _, fb := range feedbackRecords() {
		fb.Provenance = fixtures.Provenance("file://testdata/feedback.csv")
		extra = append(extra, &schema.Record{Kind: schema.KindFeedback, Feedback: fb})
	}
	return fixtures.Planted(t, extra...)
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
	page := chromiumtest.Open(t, render(t, build(t)))
	dom := page.DOM()
	if strings.Contains(dom, "pwned</title>") || !strings.Contains(dom, "<title>") {
		t.Error("document title changed: the planted script ran")
	}
	for _, want := range []string{`id="summary-h">Summary</h2>`, `id="ys-h">You said, we did</h2>`, `id="fs-h">Families say, the data shows</h2>`,
		"&lt;script&gt;document.title='pwned'&lt;/script&gt;"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	page.ScreenshotTo("ANNUAL_SCREENSHOT", "1200,2400")
}
