package health

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

// The page rendered by a real browser: the planted script shows as text and
// never runs; trends and the fix list render. HEALTH_SCREENSHOT=path also
// saves a screenshot (docs/health-report.png is made this way).
func TestHTMLInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("headless Chromium check skipped: chromium is not installed (make test installs it: scripts/setup.sh --test)")
	}
	w := plantedWarehouse(t)
	var b bytes.Buffer
	if err := Write(context.Background(), w, Options{}, "html", &b, now); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "health.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(chromium(t, bin, "--dump-dom", "file://"+path))
	if !strings.Contains(dom, "<title>Feed health report</title>") || strings.Contains(dom, "pwned</title>") {
		t.Error("document title changed: the planted script ran")
	}
	if !strings.Contains(dom, "&lt;script&gt;document.title='pwned'&lt;/script&gt;Sensory play") {
		t.Error("the planted name is not shown as text")
	}
	if n := strings.Count(dom, "<polyline"); n < 2 {
		t.Errorf("%d trend lines rendered, want one per measure of city-api at least", n)
	}
	if !strings.Contains(dom, "forum(at)example.org") || !strings.Contains(dom, `id="fixes-h"`) {
		t.Error("the fix list did not render")
	}
	if out := os.Getenv("HEALTH_SCREENSHOT"); out != "" {
		abs, _ := filepath.Abs(out)
		chromium(t, bin, "--screenshot="+abs, "--window-size=1280,1500", "--hide-scrollbars", "file://"+path)
		t.Logf("screenshot written to %s", abs)
	}
}

func chromium(t *testing.T, bin string, args ...string) []byte {
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
