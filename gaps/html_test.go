package gaps

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/chromiumtest"
	"github.com/localoffer/localoffer/internal/fixtures"
)

const planted = `<script>document.title='pwned'</script>Autism outreach`

func plantedReport(t *testing.T) []byte {
	t.Helper()
	w := fixtures.Planted(t)
	r, err := Build(context.Background(), w, defaults, fixtures.PlantedTime)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Static checks that need no browser.
func TestHTMLReportStatic(t *testing.T) {
	page := string(plantedReport(t))
	for _, want := range []string{
		`&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;Autism outreach`, // escaped service name
		`Harbour View &lt;b&gt;Special&lt;/b&gt; School`,                             // escaped setting name
		`Southampton: no current service or specialist place for children and young people with autistic spectrum disorder (ASD) aged 11–15, where 80 have EHC plans (2024/25).`,
		`@media print`, `role="img"`, `<desc>`, `<caption>`, `lang="en-GB"`,
		`Out-of-area placement share`, `preparing-for-adulthood service for young people aged 19–25`,
		`projected to rise from 130 (2024/25) to 160 by 2027/28`,
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

// The report rendered by a real browser: heatmap and findings present, and
// the script planted in a service name shown as text, never run.
func TestHTMLReportInChromium(t *testing.T) {
	page := chromiumtest.Open(t, plantedReport(t))
	dom := page.DOM()
	if !strings.Contains(dom, "<title>SEND provision gap report</title>") || strings.Contains(dom, "pwned</title>") {
		t.Errorf("document title changed: the planted script ran")
	}
	if !strings.Contains(dom, `&lt;script&gt;document.title='pwned'&lt;/script&gt;Autism outreach`) {
		t.Errorf("planted script is not shown as text in the rendered DOM")
	}
	if n := strings.Count(dom, `<g class="cell">`); n < 25 {
		t.Errorf("heatmap has %d cells, want at least 25 (5 LAs × needs × 5 bands)", n)
	}
	if !strings.Contains(dom, `id="findings-h">Headline findings</h2>`) || !strings.Contains(dom, "Southampton: no current service") {
		t.Errorf("headline findings did not render")
	}
	page.ScreenshotTo("GAPS_SCREENSHOT", "1200,1800")
}
