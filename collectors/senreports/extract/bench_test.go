package extract

import (
	"bytes"
	"net/url"
	"os"
	"strings"
	"testing"
)

// page100KB is a realistic report page (the Q&A golden fixture) padded with
// more of its own sections to 100 KB, the size of a large school CMS page.
func page100KB(tb testing.TB) []byte {
	b, err := os.ReadFile("../testdata/golden/qa-headings/input.html")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	start, end := strings.Index(s, "<h3>"), strings.Index(s, "</article>")
	body := s[start:end]
	var pad strings.Builder
	for len(s)+pad.Len() < 100<<10 {
		pad.WriteString(body)
	}
	return []byte(s[:end] + pad.String()[:100<<10-len(s)] + s[end:])
}

// BenchmarkExtractHTML parses one 100 KB page and analyses it, as the
// collector does for an HTML report. pages/s is per core (run with -cpu 1).
func BenchmarkExtractHTML(b *testing.B) {
	page := page100KB(b)
	base, _ := url.Parse("https://www.miltonpark.example.sch.uk/send/sen-information-report/")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := ParseHTML(bytes.NewReader(page), base, 5<<20)
		if err != nil {
			b.Fatal(err)
		}
		r := Analyze(p.Document(base.String()), Options{Now: now})
		if r.SENCOEmail == "" {
			b.Fatal("extraction lost the SENCO")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
