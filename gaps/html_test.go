package gaps

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const planted = `<script>document.title='pwned'</script>Autism outreach`

func plantedReport(t *testing.T) []byte {
	t.Helper()
	w := loadFixture(t, "planted")
	r, err := Build(context.Background(), w, defaults, fixtureTime)
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

// chromium finds Debian's chromium. Tests install nothing: `make test` (via
// scripts/setup.sh --test) installs it, and without it the test skips.
func chromium(t *testing.T) string {
	t.Helper()
	const bin = "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("headless Chromium check skipped: /usr/bin/chromium is missing (`make setup-test` installs Debian's chromium)")
	}
	return bin
}

func lastLines(b []byte, n int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, lastLines(stderr.Bytes(), 10))
	}
	return stdout.Bytes()
}

// The report rendered by a real browser: heatmap and findings present, and
// the script planted in a service name shown as text, never run.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	page := plantedReport(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runChromium(t, bin, "--dump-dom", "file://"+path))
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
	if out := os.Getenv("GAPS_SCREENSHOT"); out != "" {
		abs, _ := filepath.Abs(out)
		runChromium(t, bin, "--screenshot="+abs, "--window-size=1200,1800", "--hide-scrollbars", "file://"+path)
		t.Logf("screenshot written to %s", abs)
	}
}
