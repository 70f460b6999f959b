package health

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/chromiumtest"
)

// The page rendered by a real browser: the planted script shows as text and
// never runs; trends and the fix list render. HEALTH_SCREENSHOT=path also
// saves a screenshot (docs/health-report.png is made this way).
func TestHTMLInChromium(t *testing.T) {
	w := plantedWarehouse(t)
	var b bytes.Buffer
	if err := Write(context.Background(), w, Options{}, "html", &b, now); err != nil {
		t.Fatal(err)
	}
	page := chromiumtest.Open(t, b.Bytes())
	dom := page.DOM()
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
	page.ScreenshotTo("HEALTH_SCREENSHOT", "1280,1500")
}
