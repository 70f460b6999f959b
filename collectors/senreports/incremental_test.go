package senreports

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
	"github.com/localoffer/localoffer/collectors/senreports/internal/pdfgen"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// pdfSite serves a home page linking a PDF report; the report can be replaced.
type pdfSite struct {
	mu      sync.Mutex
	pdf     []byte
	mod     time.Time
	reports int // GETs of the report
	full    int // of those, answered with a body (not 304)
}

func (s *pdfSite) set(pdf []byte, mod time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pdf, s.mod = pdf, mod
}

func (s *pdfSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		fmt.Fprint(w, `<html><head><title>Craneswater Park Junior School</title></head><body><nav>
<a href="/docs/SEN-Information-Report.pdf">SEN Information Report</a></nav><main><p>Welcome</p></main></body></html>`)
	case "/docs/SEN-Information-Report.pdf":
		s.mu.Lock()
		pdf, mod := s.pdf, s.mod
		s.reports++
		if r.Header.Get("If-Modified-Since") == "" || !mod.Truncate(time.Second).Equal(mustTime(r.Header.Get("If-Modified-Since"))) {
			s.full++
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/pdf")
		http.ServeContent(w, r, "report.pdf", mod, bytes.NewReader(pdf))
	default:
		http.NotFound(w, r)
	}
}

func mustTime(s string) time.Time {
	t, _ := http.ParseTime(s)
	return t
}

func reportPDF(reviewed string) []byte {
	return pdfgen.Doc{Title: "SEN Information Report", Lines: []string{
		"Craneswater Park Junior School SEN Information Report",
		"Reviewed: " + reviewed,
		"Our SENCO is Mrs Helen Ward (senco@craneswater.example.sch.uk).",
		"We provide for children with autism, dyslexia and hearing impairment.",
		"We identify needs early and review progress termly with parents.",
	}}.Bytes()
}

// countingPDFTool wraps pdftotext in a script that counts its runs.
func countingPDFTool(t *testing.T) (tool string, runs func() int) {
	t.Helper()
	real, err := (extract.PDF{}).Available(), error(nil)
	if real != nil {
		t.Skipf("skipping: %v", real)
	}
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	tool = filepath.Join(dir, "pdftotext-counting")
	script := "#!/bin/sh\necho run >> '" + count + "'\nexec pdftotext \"$@\"\n"
	if err = os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return tool, func() int {
		b, _ := os.ReadFile(count)
		return strings.Count(string(b), "run")
	}
}

// TestIncrementalRuns runs the collector through the real runner and
// warehouse: an unchanged report (304) is not re-extracted and writes no row;
// a changed one is re-read and writes one.
func TestIncrementalRuns(t *testing.T) {
	tool, pdfRuns := countingPDFTool(t)
	site := &pdfSite{}
	site.set(reportPDF("12 September 2025"), time.Date(2025, 9, 12, 8, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(site)
	defer srv.Close()

	w := whtest.New(t)
	ctx := context.Background()
	r := &runner.Runner{
		W:         w,
		Fetch:     fetch.New(fetch.Options{PerHostRPS: -1, Retries: -1, Transport: loopbackOnly()}, &fetch.Blobs{Dir: t.TempDir()}, nil),
		Log:       slog.New(slog.DiscardHandler),
		ChunkRows: 100,
	}
	age := func(n int) *int { return &n }
	c := New(Options{
		Sites: []Site{{URN: "116522", Name: "Craneswater Park Junior School", URL: srv.URL + "/", LACode: "E06000044",
			MinAge: age(7), MaxAge: age(11), Postcode: "PO4 0NX"}},
		PDF: extract.PDF{ToText: tool}, ReviewAfterDays: 365,
	})
	job := runner.Job{Pipeline: "schools-sen", Collector: "sen_reports", Source: c}

	first := r.Run(ctx, job)
	if first.Err != nil {
		t.Fatalf("first run: %v", first.Err)
	}
	if first.RecordsLoaded != 4 || pdfRuns() != 1 {
		t.Fatalf("first run loaded %d records with %d PDF extractions; want 4 and 1", first.RecordsLoaded, pdfRuns())
	}

	second := r.Run(ctx, job)
	if second.Err != nil {
		t.Fatalf("second run: %v", second.Err)
	}
	if second.RecordsLoaded != 0 || second.RecordsUnchanged != 4 {
		t.Errorf("unchanged report: loaded %d, unchanged %d; want 0 and 4", second.RecordsLoaded, second.RecordsUnchanged)
	}
	if pdfRuns() != 1 {
		t.Errorf("unchanged report was extracted again (%d PDF extractions)", pdfRuns())
	}
	if site.full != 1 || site.reports != 2 {
		t.Errorf("report fetched %d times with %d full answers; want 2 fetches, the second a 304", site.reports, site.full)
	}

	site.set(reportPDF("3 October 2025"), time.Date(2025, 10, 3, 8, 0, 0, 0, time.UTC))
	third := r.Run(ctx, job)
	if third.Err != nil {
		t.Fatalf("third run: %v", third.Err)
	}
	if third.RecordsLoaded == 0 || pdfRuns() != 2 {
		t.Errorf("changed report: loaded %d records after %d PDF extractions; want ≥1 and 2", third.RecordsLoaded, pdfRuns())
	}

	type row struct {
		N     uint64 `json:"n"`
		Dates string `json:"dates"`
	}
	rows, err := warehouse.QueryInto[row](ctx, w, `SELECT count() AS n, arrayStringConcat(arraySort(groupArray(toString(report_date))), ',') AS dates
		FROM sen_reports WHERE id = 'schools-sen/116522'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].N != 2 || rows[0].Dates != "2025-09-12,2025-10-03" {
		t.Errorf("sen_reports rows %+v; want 2 versions dated 2025-09-12 and 2025-10-03", rows)
	}
	svc, err := warehouse.QueryInto[struct {
		Needs    []string `json:"need_codes"`
		Postcode string   `json:"postcode"`
		LA       string   `json:"la_code"`
	}](ctx, w, `SELECT need_codes, postcode, la_code FROM services_current WHERE id = 'schools-sen/svc/116522'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(svc) != 1 || strings.Join(svc[0].Needs, ",") != "SPLD,HI,ASD" || svc[0].Postcode != "PO4 0NX" || svc[0].LA != "E06000044" {
		t.Errorf("service row %+v; want needs SPLD,HI,ASD at PO4 0NX in E06000044", svc)
	}
}
