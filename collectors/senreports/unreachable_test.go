package senreports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// flakySite is a school site whose answer can be switched: up, down with a
// given status (503, 429), or up without its report.
type flakySite struct {
	mu       sync.Mutex
	status   int  // 0: up
	noReport bool // up, but the report and its link are gone
	// reportStatus: the home page answers, the report does not.
	reportStatus int
}

func (f *flakySite) set(status int, noReport bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.noReport = status, noReport
}

func (f *flakySite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	status, noReport := f.status, f.noReport
	f.mu.Unlock()
	if status != 0 {
		http.Error(w, "unavailable", status)
		return
	}
	switch r.URL.Path {
	case "/":
		link := `<a href="/send/sen-information-report/">SEN Information Report 2025-26</a>`
		if noReport {
			link = `<a href="/about/">About us</a>`
		}
		fmt.Fprintf(w, `<html><head><title>Beech Hill Primary</title></head><body><nav>%s</nav><main><p>Welcome.</p></main></body></html>`, link)
	case "/send/sen-information-report/":
		if noReport {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		rs := f.reportStatus
		f.mu.Unlock()
		if rs != 0 {
			http.Error(w, "busy", rs)
			return
		}
		fmt.Fprint(w, `<html><head><title>SEN Information Report 2025-26</title></head><body><main><h1>SEN Information Report 2025-26</h1>
<p>Our SENCO is Mrs Rose Hill (senco@beech.example.sch.uk, 023 9200 3000).</p>
<p>We provide for pupils with autism and dyslexia, identify needs early and review progress termly with parents.</p></main></body></html>`)
	default:
		http.NotFound(w, r)
	}
}

func flagNames(fs []schema.Flag) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Flag)
	}
	return strings.Join(out, ",")
}

// TestUnreachableSiteKeepsLastReading: a site that fails (503, 429, no
// answer) keeps its last good reading with site_unreachable; the report is
// "not found" only after missing_after_runs failures in a row, or at once
// when the site answers without one.
func TestUnreachableSiteKeepsLastReading(t *testing.T) {
	site := &flakySite{}
	srv := httptest.NewServer(site)
	defer srv.Close()
	c := New(Options{SiteTimeout: 20 * time.Second, MissingAfterRuns: 3})
	st := collecttest.NewState()
	s := School{URN: "3", Name: "Beech Hill Primary", URL: srv.URL + "/"}
	run := func(t *testing.T) Result {
		t.Helper()
		return c.School(context.Background(), testSession(t, fetch.Options{PerHostRPS: -1}), s, st, goldenNow)
	}

	good := run(t)
	if !good.Report.Found || good.Report.SENCOEmail != "senco@beech.example.sch.uk" {
		t.Fatalf("first run: found %v, %q", good.Report.Found, good.Report.Problem)
	}
	want := *good.Report

	for i, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		site.set(status, false)
		res := run(t)
		got := *res.Report
		if !got.Found || got.SENCOEmail != want.SENCOEmail || strings.Join(got.NeedCodes, ",") != strings.Join(want.NeedCodes, ",") ||
			got.ReportURL != want.ReportURL || got.Problem != "" || !res.Kept || !res.fetchedAt.Equal(good.fetchedAt) {
			t.Errorf("HTTP %d, failure %d: report %+v kept=%v; want the last good reading, unchanged", status, i+1, got, res.Kept)
		}
		if f := flagNames(res.Flags); !strings.Contains(f, "site_unreachable") || strings.Contains(f, "report_not_found") {
			t.Errorf("HTTP %d: flags %s, want site_unreachable and no report_not_found", status, f)
		}
	}
	// The third failure in a row (missing_after_runs: 3): now it is missing.
	site.set(http.StatusBadGateway, false)
	res := run(t)
	if res.Report.Found || !strings.Contains(res.Report.Problem, "3 consecutive runs") || !strings.Contains(flagNames(res.Flags), "report_not_found") {
		t.Errorf("third failure: found %v problem %q flags %s; want report_not_found", res.Report.Found, res.Report.Problem, flagNames(res.Flags))
	}

	// Back up: read again, the failure count starts over.
	site.set(0, false)
	if res := run(t); !res.Report.Found || flagNames(res.Flags) != flagNames(good.Flags) {
		t.Fatalf("site back: found %v flags %s", res.Report.Found, flagNames(res.Flags))
	}
	// One failure after recovery, and of the report only: the home page
	// answers, the report answers 500. The last reading is kept.
	site.mu.Lock()
	site.reportStatus = http.StatusInternalServerError
	site.mu.Unlock()
	if res := run(t); !res.Kept || res.Report.SENCOEmail != want.SENCOEmail || strings.Contains(flagNames(res.Flags), "report_not_found") {
		t.Errorf("report answering 500 after recovery: kept %v flags %s", res.Kept, flagNames(res.Flags))
	}
	site.mu.Lock()
	site.reportStatus = 0
	site.mu.Unlock()

	// The site answers but the report is gone: not found at once, and what
	// was known is not brought back by a later failure.
	site.set(0, true)
	if res := run(t); res.Report.Found || !strings.Contains(flagNames(res.Flags), "report_not_found") || strings.Contains(flagNames(res.Flags), "site_unreachable") {
		t.Errorf("report gone: found %v flags %s; want report_not_found only", res.Report.Found, flagNames(res.Flags))
	}
	site.set(http.StatusServiceUnavailable, false)
	if res := run(t); res.Report.Found || res.Kept {
		t.Errorf("failure after the report went: found %v kept %v; the old reading must not come back", res.Report.Found, res.Kept)
	}
}

// TestUnreachableRunLeavesRecordsUnchanged runs the collector through the
// runner and warehouse: a run in which the site is down writes no new version
// of any record, so gap analysis still sees the school's SEN provision.
func TestUnreachableRunLeavesRecordsUnchanged(t *testing.T) {
	site := &flakySite{}
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
	c := New(Options{Sites: []Site{{URN: "116600", Name: "Beech Hill Primary", URL: srv.URL + "/", LACode: "E06000044"}}, MissingAfterRuns: 3})
	job := runner.Job{Pipeline: "schools-sen", Collector: "sen_reports", Source: c}

	if first := r.Run(ctx, job); first.Err != nil || first.RecordsLoaded != 4 {
		t.Fatalf("first run: err %v, loaded %d; want 4", first.Err, first.RecordsLoaded)
	}
	site.set(http.StatusServiceUnavailable, false)
	down := r.Run(ctx, job)
	if down.Err != nil || down.RecordsLoaded != 0 || down.RecordsUnchanged != 4 {
		t.Errorf("site down: err %v, loaded %d, unchanged %d; want 0 and 4", down.Err, down.RecordsLoaded, down.RecordsUnchanged)
	}
	type svc struct {
		Needs []string `json:"need_codes"`
		Email string   `json:"email"`
	}
	rows, err := warehouse.QueryInto[svc](ctx, w, `SELECT need_codes, email FROM services_current WHERE id = 'schools-sen/svc/116600'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || strings.Join(rows[0].Needs, ",") != "SPLD,ASD" || rows[0].Email != "senco@beech.example.sch.uk" {
		t.Errorf("service after the failed run %+v; want its needs and SENCO kept", rows)
	}
	type flag struct {
		Flag string `json:"flag"`
	}
	flags, err := warehouse.QueryInto[flag](ctx, w, `SELECT flag FROM flag_observations WHERE entity_id = 'schools-sen/116600' AND run_id = '`+down.RunID+`' ORDER BY flag`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Flag)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "site_unreachable") || strings.Contains(got, "report_not_found") {
		t.Errorf("flags observed in the failed run: %s; want site_unreachable, no report_not_found", got)
	}
}

func TestUnreachableErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"503", fmt.Errorf("fetch x: %w", &fetch.StatusError{URL: "x", Status: 503}), true},
		{"429", &fetch.StatusError{URL: "x", Status: 429}, true},
		{"404", &fetch.StatusError{URL: "x", Status: 404}, false},
		{"403", &fetch.StatusError{URL: "x", Status: 403}, false},
		{"connection refused", fmt.Errorf("fetch x: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), true},
		{"timeout", fmt.Errorf("fetch x: %w", context.DeadlineExceeded), true},
		{"cut short", fmt.Errorf("fetch x: %w", io.ErrUnexpectedEOF), true},
		{"robots.txt", &fetch.RobotsError{URL: "x"}, false},
		{"redirect refused", &fetch.RedirectError{From: "x", To: "y", Reason: "another host"}, false},
		{"too large", &fetch.ErrTooLarge{Limit: 1}, false},
		{"URL policy", &fetch.PolicyError{URL: "x", Rule: "address", Reason: "private address"}, false},
		{"outside the folder", refusedf("x: outside the site's folder"), false},
		{"run cancelled", context.Canceled, false},
	} {
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("%s: unreachable %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestUnreadableReportKeepsLastReading: a report PDF that cannot be read this
// time (its reader fails) does not erase what was read from it before.
func TestUnreadableReportKeepsLastReading(t *testing.T) {
	if err := (extract.PDF{}).Available(); err != nil {
		t.Skip(err)
	}
	site := &pdfSite{}
	site.set(reportPDF("12 September 2025"), time.Date(2025, 9, 12, 8, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(site)
	defer srv.Close()
	st := collecttest.NewState()
	s := School{URN: "116522", Name: "Craneswater Park Junior School", URL: srv.URL + "/"}
	first := New(Options{SiteTimeout: 20 * time.Second}).School(context.Background(), testSession(t, fetch.Options{PerHostRPS: -1}), s, st, goldenNow)
	if !first.Report.Found || first.Report.SENCOEmail == "" {
		t.Fatalf("first run: %+v", first.Report)
	}
	// The report changes (so it must be read again) and its reader fails.
	site.set(reportPDF("3 October 2025"), time.Date(2025, 10, 3, 8, 0, 0, 0, time.UTC))
	broken := New(Options{SiteTimeout: 20 * time.Second, PDF: extract.PDF{ToText: "false"}})
	res := broken.School(context.Background(), testSession(t, fetch.Options{PerHostRPS: -1}), s, st, goldenNow)
	if res.extractErr == nil || !res.Kept || res.Report.SENCOEmail != first.Report.SENCOEmail || res.Report.ReportDate != first.Report.ReportDate || res.Report.Problem != "" {
		t.Errorf("unreadable report: err %v kept %v report %+v; want the last reading kept", res.extractErr, res.Kept, res.Report)
	}
}
