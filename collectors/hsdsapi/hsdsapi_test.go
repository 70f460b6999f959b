package hsdsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/sharedtest"
	"github.com/localoffer/localoffer/schema"
)

// harness is a collect.Run without a warehouse: it keeps what was emitted.
type harness struct {
	mu    sync.Mutex
	recs  []*schema.Record
	warns []string
	kinds map[string]int
	state *collecttest.State
	run   *collect.Run
}

func newHarness(t testing.TB, client *fetch.Client, now time.Time) *harness {
	h := &harness{state: collecttest.NewState(), kinds: map[string]int{}}
	h.run = &collect.Run{
		Pipeline: "pcc-directory", RunID: "run-1", Now: now,
		Fetch: client.Session("pcc-directory", "run-1", nil),
		Log:   slog.New(slog.DiscardHandler), State: h.state,
		Emit: func(_ context.Context, r *schema.Record) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.recs = append(h.recs, r)
			return nil
		},
		Warn: func(src, id, msg string) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.warns = append(h.warns, msg)
		},
		WarnKind: func(kind, src, id, msg string) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.warns = append(h.warns, msg)
			h.kinds[kind]++
		},
	}
	return h
}

func (h *harness) services() []*schema.Service {
	var out []*schema.Service
	for _, r := range h.recs {
		if r.Kind == schema.KindService {
			out = append(out, r.Service)
		}
	}
	return out
}

func (h *harness) warned(sub string) bool {
	for _, w := range h.warns {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func testClient(t testing.TB) *fetch.Client {
	return fetch.New(fetch.Options{PerHostRPS: -1, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Timeout: 5 * time.Second}, &fetch.Blobs{Dir: t.TempDir()}, nil)
}

func apiOpts(perPage int) Options {
	f := false
	return Options{PerPage: perPage, MaxPages: 100, FetchDetails: "auto", FullSweepEvery: 7 * 24 * time.Hour, Incremental: &f, Profile: "uk"}
}

func TestWalkSurvivesRealFeedQuirks(t *testing.T) {
	f := newFeed(23)
	f.wrongTotal = 7
	f.fail503[2] = 2
	f.fail429[3] = 1
	f.gzip = true
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL+"/api", apiOpts(5)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	if n := len(h.services()); n != 23 {
		t.Fatalf("%d services, want 23", n)
	}
	if !h.warned("total_items says 30 but the pages held 23") {
		t.Errorf("no warning for wrong total_items: %v", h.warns)
	}
	// 5 pages, the root and one detail (conformance); absent optional endpoints are not failures.
	if st := h.run.Fetch.Stats(); st.Retries != 3 || st.Fetched != 7 || st.Failed != 0 {
		t.Errorf("fetch stats %+v, want 3 retries, 5 pages + root + detail, no failure", st)
	}
	if !h.run.FullSweep || h.state.Value(StateLastFullSweep) == "" {
		t.Errorf("full sweep not recorded: %v %v", h.run.FullSweep, h.state)
	}
	kinds := map[schema.Kind]int{}
	for _, r := range h.recs {
		kinds[r.Kind]++
	}
	if kinds[schema.KindOrganization] != 23 || kinds[schema.KindLocation] != 23 {
		t.Errorf("records %v", kinds)
	}
}

func TestDetailsFetchedWhenListIsSummary(t *testing.T) {
	f := newFeed(4)
	f.summaryList = true
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, mode := range []string{"auto", "never"} {
		h := newHarness(t, testClient(t), time.Now())
		o := apiOpts(10)
		o.FetchDetails = mode
		if err := New(srv.URL+"/api/services", o).Collect(context.Background(), h.run); err != nil {
			t.Fatal(err)
		}
		ss := h.services()
		if len(ss) != 4 {
			t.Fatalf("%s: %d services", mode, len(ss))
		}
		withLoc := len(ss[0].ServiceAtLocations) > 0
		if withLoc != (mode == "auto") {
			t.Errorf("%s: locations present = %v", mode, withLoc)
		}
		if mode == "auto" && !strings.Contains(ss[0].Provenance.SourceURL, "/api/services/svc-") {
			t.Errorf("provenance should name the detail document: %s", ss[0].Provenance.SourceURL)
		}
	}
}

func TestPaginationEnds(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(*feed)
		maxPages  int
		services  int
		errSub    string
		warnSub   string
		wantPages int
		prefetch  bool // the walk may have asked for one page ahead before stopping
	}{
		{name: "exact multiple with last_page", services: 10, wantPages: 2},
		// total_pages is authoritative (internal/hsdspage): no extra page after a full last one.
		{name: "total_pages only, last page full", setup: func(f *feed) { f.noLastFlag = true }, services: 10, wantPages: 2},
		{name: "server caps per_page", setup: func(f *feed) { f.maxPerPage = 3; f.noLastFlag = true }, services: 10, wantPages: 4},
		{name: "page parameter ignored", setup: func(f *feed) { f.ignorePage = true; f.noLastFlag = true }, services: 5, warnSub: "only repeats items", wantPages: 2, prefetch: true},
		{name: "endless", setup: func(f *feed) { f.endless = true }, maxPages: 4, services: 20, errSub: "did not end after 4 pages", wantPages: 4},
		{name: "html login page", setup: func(f *feed) { f.htmlPage = 2 }, services: 5, errSub: "HTML login page", wantPages: 2},
		{name: "truncated json", setup: func(f *feed) { f.badJSONPage = 2 }, services: 5, errSub: "invalid JSON", wantPages: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFeed(10)
			if tc.setup != nil {
				tc.setup(f)
			}
			srv := httptest.NewServer(f)
			defer srv.Close()
			h := newHarness(t, testClient(t), time.Now())
			o := apiOpts(5)
			if tc.maxPages > 0 {
				o.MaxPages = tc.maxPages
			}
			err := New(srv.URL+"/api", o).Collect(context.Background(), h.run)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err %v, want %q", err, tc.errSub)
				}
				if h.run.FullSweep {
					t.Error("a failed walk must not count as a full sweep")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := len(h.services()); got != tc.services {
				t.Errorf("%d services emitted, want %d (what was read before a failure is kept)", got, tc.services)
			}
			if tc.warnSub != "" && !h.warned(tc.warnSub) {
				t.Errorf("warnings %v, want %q", h.warns, tc.warnSub)
			}
			pages := 0
			for k := range f.hits {
				if strings.HasPrefix(k, "/api/services?") {
					pages++
				}
			}
			if pages != tc.wantPages && !(tc.prefetch && pages == tc.wantPages+1) {
				t.Errorf("%d list pages requested, want %d", pages, tc.wantPages)
			}
		})
	}
}

func TestDuplicateIDsAcrossPages(t *testing.T) {
	f := newFeed(6)
	f.services[4] = f.services[1] // svc-2 again on page 2
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL+"/api", apiOpts(3)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	if len(h.services()) != 5 || !h.warned("svc-2 on page 2 was already on page 1") {
		t.Errorf("%d services, warnings %v", len(h.services()), h.warns)
	}
}

func TestRobotsDisallowsAPI(t *testing.T) {
	f := newFeed(3)
	f.robots = "User-agent: *\nDisallow: /api/\n"
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	err := New(srv.URL+"/api", apiOpts(3)).Collect(context.Background(), h.run)
	var re *fetch.RobotsError
	if !errors.As(err, &re) {
		t.Fatalf("want RobotsError, got %v", err)
	}
}

func TestIncrementalAndFullSweepCadence(t *testing.T) {
	f := newFeed(3)
	srv := httptest.NewServer(f)
	defer srv.Close()
	now := time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)
	o := apiOpts(10)
	tr := true
	o.Incremental = &tr
	o.FullSweepEvery = 72 * time.Hour

	h := newHarness(t, testClient(t), now)
	h.state.Set(StateLastFullSweep, now.Add(-24*time.Hour).Format(time.RFC3339))
	h.state.Set(StateLastModifiedAfter, now.Add(-24*time.Hour).Format(time.RFC3339))
	if err := New(srv.URL+"/api", o).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	if h.run.FullSweep || len(f.modAfterSeen) != 1 || f.modAfterSeen[0] != "2026-03-09T05:00:00Z" {
		t.Errorf("incremental run: full=%v modified_after=%v", h.run.FullSweep, f.modAfterSeen)
	}
	if h.state.Value(StateLastModifiedAfter) != now.Format(time.RFC3339) || h.state.Value(StateLastFullSweep) != now.Add(-24*time.Hour).Format(time.RFC3339) {
		t.Errorf("state after incremental run: %v", h.state)
	}

	h2 := newHarness(t, testClient(t), now)
	h2.state.Set(StateLastFullSweep, now.Add(-73*time.Hour).Format(time.RFC3339))
	h2.state.Set(StateLastModifiedAfter, now.Add(-24*time.Hour).Format(time.RFC3339))
	if err := New(srv.URL+"/api", o).Collect(context.Background(), h2.run); err != nil {
		t.Fatal(err)
	}
	if !h2.run.FullSweep || len(f.modAfterSeen) != 1 || h2.state.Value(StateLastFullSweep) != now.Format(time.RFC3339) {
		t.Errorf("cadence: full=%v modified_after=%v state=%v", h2.run.FullSweep, f.modAfterSeen, h2.state)
	}
}

func TestTaxonomyTermsCompleteAttributes(t *testing.T) {
	f := newFeed(1)
	f.services[0]["attributes"] = []any{map[string]any{"id": "a1", "taxonomy_term_id": "asd"}}
	f.taxonomy = []map[string]any{{"id": "asd", "name": "Autism", "description": "Autistic spectrum disorder", "taxonomy": "SEND needs"}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL+"/api", apiOpts(10)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	a := h.services()[0].Attributes
	if len(a) != 1 || a[0].TaxonomyTerm == nil || a[0].TaxonomyTerm.Name != "Autism" || a[0].TaxonomyTermID != "pcc-directory/asd" {
		t.Errorf("attributes %+v", a)
	}
}

// The ORUK validator's mock feeds, served as an API.
func TestORUKValidatorMocks(t *testing.T) {
	dir := sharedtest.Path(t, "conformance", "oruk-validator-mocks")
	cases := []struct {
		mock     string
		services int
		warn     string
	}{
		{"V3.0-UK-Default", 1, ""},
		{"V3.0-UK-Fail", 3, "already on page 1"},
	}
	for _, tc := range cases {
		t.Run(tc.mock, func(t *testing.T) {
			list, err := os.ReadFile(filepath.Join(dir, tc.mock, "service_list.json"))
			if err != nil {
				t.Fatal(err)
			}
			full, _ := os.ReadFile(filepath.Join(dir, tc.mock, "service_full.json"))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/services":
					w.Write(list)
				case strings.HasPrefix(r.URL.Path, "/services/"):
					w.Write(full)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			h := newHarness(t, testClient(t), time.Now())
			if err := New(srv.URL, apiOpts(50)).Collect(context.Background(), h.run); err != nil {
				t.Fatal(err)
			}
			if got := len(h.services()); got != tc.services {
				t.Errorf("%d services, want %d", got, tc.services)
			}
			if tc.warn != "" && !h.warned(tc.warn) {
				t.Errorf("warnings %v", h.warns)
			}
			s := h.services()[0]
			if s.ID != "pcc-directory/ac148810-d857-441c-9679-408f346de14b" || s.Organization == nil {
				t.Errorf("service %+v", s)
			}
		})
	}
}

// A latin-1 page (no charset declared) and a value of the wrong JSON type:
// names come out as correct UTF-8, and the odd value is a warning, not a lost page.
func TestLatin1PageAndWrongTypes(t *testing.T) {
	body := []byte("{\"total_items\":2,\"total_pages\":1,\"page_number\":1,\"size\":2,\"last_page\":true,\"contents\":[" +
		"{\"id\":\"1\",\"name\":\"Caf\xe9 for young carers \x96 Southsea\",\"status\":\"active\",\"phones\":\"023 9268 1000\"," +
		"\"service_at_locations\":[{\"id\":\"s\",\"location\":{\"id\":\"l\",\"location_type\":\"physical\"}}]}," +
		"{\"id\":\"2\",\"name\":\"M\xfcller family support\",\"status\":\"active\",\"contacts\":[{\"id\":\"c\",\"name\":\"Jos\xe9\"}]}]}")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL, apiOpts(10)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	ss := h.services()
	if len(ss) != 2 || ss[0].Name != "Café for young carers – Southsea" || ss[1].Name != "Müller family support" {
		t.Fatalf("services %d: %q", len(ss), ss[0].Name)
	}
	if !h.warned("phones") {
		t.Errorf("no warning for phones given as a string: %v", h.warns)
	}
}

// Every duplicate is reported with its kind: capping is the runner's job.
func TestWarningsCarryTheirKind(t *testing.T) {
	f := newFeed(120)
	copy(f.services[60:], f.services[:60]) // the second half repeats the first
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	if err := New(srv.URL+"/api", apiOpts(30)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	dups := 0
	for _, w := range h.warns {
		if strings.Contains(w, "duplicate ignored") {
			dups++
		}
	}
	if len(h.services()) != 60 || dups != 60 || h.kinds["duplicate"] != 60 {
		t.Errorf("%d services, %d duplicate warnings (%d of kind duplicate)", len(h.services()), dups, h.kinds["duplicate"])
	}
	if h.run.Declared() != 120 {
		t.Errorf("declared %d records, want total_items 120", h.run.Declared())
	}
}

func TestTrimServicesKeepsQuery(t *testing.T) {
	cases := map[string]string{
		"https://directory.example/api/services?api_key=abc": "https://directory.example/api?api_key=abc",
		"https://directory.example/api/":                     "https://directory.example/api",
		"https://directory.example/openreferral/v1/services": "https://directory.example/openreferral/v1",
	}
	for in, want := range cases {
		if got := TrimServices(in); got != want {
			t.Errorf("TrimServices(%s) = %s, want %s", in, got, want)
		}
	}
	w := &walk{c: &Collector{Base: TrimServices("https://directory.example/api/services?api_key=abc")}}
	u, _ := w.url(url.Values{"page": {"2"}}, "services", "../a b")
	if u != "https://directory.example/api/services/..%2Fa%20b?api_key=abc&page=2" {
		t.Errorf("url %s", u)
	}
}
