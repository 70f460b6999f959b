package senreports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
)

// TestChoosesMostRecentReport: a SEND page listing last year's and this
// year's reports, the SEND policy and the accessibility plan. The newest
// report is read; the rest are kept as runners-up.
func TestChoosesMostRecentReport(t *testing.T) {
	site := t.TempDir()
	files := map[string]string{
		"index.html": `<html><head><title>Elm Road Primary</title></head><body><nav><a href="/send/">SEND</a></nav><main><p>Welcome to Elm Road, a very happy school.</p></main></body></html>`,
		"send/index.html": `<html><head><title>SEND</title></head><body><main><h1>Special educational needs</h1><ul>
<li><a href="/send/sen-information-report-2020-21/">SEN Information Report 2020-21</a></li>
<li><a href="/send/sen-information-report-2021-22/">SEN Information Report 2021-22</a></li>
<li><a href="/docs/send-policy-2021.pdf">SEND Policy</a></li>
<li><a href="/docs/accessibility-plan-2021-24.pdf">Accessibility Plan</a></li></ul></main></body></html>`,
		"send/sen-information-report-2020-21/index.html": `<html><head><title>SEN Information Report 2020-21</title></head><body><main>
<h1>SEN Information Report 2020-21</h1><p>Our SENCO is Mrs Old (old@elm.example.sch.uk).</p></main></body></html>`,
		"send/sen-information-report-2021-22/index.html": `<html><head><title>SEN Information Report 2021-22</title></head><body><main>
<h1>SEN Information Report 2021-22</h1><p>Our SENCO is Mrs New (new@elm.example.sch.uk).</p></main></body></html>`,
	}
	for name, body := range files {
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := New(Options{SiteTimeout: 20 * time.Second}).School(context.Background(), testSession(t, fetch.Options{}),
		School{URN: "2", Name: "Elm Road", URL: "file://" + site}, collecttest.NewState(), goldenNow)
	rep := res.Report
	if !strings.HasSuffix(rep.ReportURL, "/send/sen-information-report-2021-22/") || rep.SENCOEmail != "new@elm.example.sch.uk" {
		t.Fatalf("chose %q (senco %q); want the 2021-22 report", rep.ReportURL, rep.SENCOEmail)
	}
	got := strings.Join(rep.RunnersUp, " ")
	for _, want := range []string{"/send/sen-information-report-2020-21/", "/docs/send-policy-2021.pdf", "/docs/accessibility-plan-2021-24.pdf"} {
		if !strings.Contains(got, want) {
			t.Errorf("runners-up %v lack %s", rep.RunnersUp, want)
		}
	}
	if strings.Index(got, "2020-21") > strings.Index(got, "send-policy") {
		t.Errorf("runners-up %v: the older report should come before the policy and plan", rep.RunnersUp)
	}
}

func TestCandidateYear(t *testing.T) {
	for _, tc := range []struct {
		text, url string
		want      int
	}{
		{"SEN Information Report 2021-22", "https://s.example/send/report", 2021},
		{"SEN report", "https://s.example/wp-content/uploads/2023/09/SEN-Information-Report-2023-2024.pdf", 2023},
		{"SEND Information Report September 2024", "https://s.example/send", 2024},
		{"SEN Information Report", "https://s.example/send", 0},
	} {
		if got := candidateYear(tc.text, tc.url); got != tc.want {
			t.Errorf("%q %q: year %d, want %d", tc.text, tc.url, got, tc.want)
		}
	}
}
