package serve

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/feedcheck"
	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform/areas"
)

func f64(v float64) *float64 { return &v }

// Two pipelines, two organisations, five services; C is stale. Expected sets
// in the filter tests are worked out by hand from these.
func fixture() map[string][]*schema.Record {
	prov := func(p string) *schema.Provenance {
		return &schema.Provenance{Pipeline: p, SourceURL: "https://example.org/" + p, FetchedAt: time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)}
	}
	o1 := &schema.Organization{ID: "p1/org-1", Name: "Portsmouth City Council", Description: "Unitary authority", LACode: "E06000044", Provenance: prov("p1")}
	o2 := &schema.Organization{ID: "p2/org-2", Name: "Hampshire County Council", Description: "County council", LACode: "E10000014", Provenance: prov("p2")}
	near := &schema.Location{ID: "p1/loc-civic", LocationType: "physical", Name: "Civic Offices", Latitude: f64(50.7990), Longitude: f64(-1.0915),
		Addresses: []schema.Address{{Address1: "Guildhall Square", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO1 2AL", Country: "GB", AddressType: "physical"}},
		LACode:    "E06000044", Provenance: prov("p1")}
	far := &schema.Location{ID: "p1/loc-soton", LocationType: "physical", Name: "Southampton clinic", Latitude: f64(50.9097), Longitude: f64(-1.4044),
		LACode: "E06000045", Provenance: prov("p1")}
	term := &schema.TaxonomyTerm{ID: "p1/term-outreach", Code: "outreach", Name: "Outreach", Description: "Outreach services", TaxonomyID: "p1/tax-local",
		TaxonomyDetail: &schema.Taxonomy{ID: "p1/tax-local", Name: "Portsmouth service types", Description: "Local types", URI: "https://example.org/tax", Version: "1"}}
	a := &schema.Service{ID: "p1/a", OrganizationID: o1.ID, Name: "Autism outreach team", Status: "active", Description: "Support in school for autistic pupils.",
		MinimumAge: f64(5), MaximumAge: f64(11), NeedCodes: []string{"ASD"}, Categories: []string{"education"}, LACode: "E06000044",
		Contacts:           []schema.Contact{{Name: "Team lead", Email: "outreach@example.org"}},
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-a", LocationID: near.ID}},
		Attributes:         []schema.Attribute{{ID: "attr-1", TaxonomyTermID: term.ID, TaxonomyTerm: term}}, Provenance: prov("p1")}
	b := &schema.Service{ID: "p1/b", OrganizationID: o1.ID, Name: "Speech and language therapy", Status: "active", Description: "Therapy for children.",
		MinimumAge: f64(0), MaximumAge: f64(18), NeedCodes: []string{"SLCN"}, Categories: []string{"health"}, LACode: "E06000044",
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-b", LocationID: far.ID}}, Provenance: prov("p1")}
	c := &schema.Service{ID: "p2/c", OrganizationID: o2.ID, Name: "Saturday short breaks club", Status: "active", Description: "Play sessions.",
		MinimumAge: f64(8), MaximumAge: f64(19), NeedCodes: []string{"PMLD"}, Categories: []string{"short_breaks"}, LACode: "E10000014", Provenance: prov("p2")}
	d := &schema.Service{ID: "p2/d", OrganizationID: o2.ID, Name: "Youth club", Status: "active", Description: "An AUTISM friendly evening club.",
		Categories: []string{"leisure"}, LACode: "E06000044", Provenance: prov("p2")}
	e := &schema.Service{ID: "p2/e", OrganizationID: o2.ID, Name: "Post-16 college course", Status: "active", Description: "Independent living skills.",
		MinimumAge: f64(16), MaximumAge: f64(25), NeedCodes: []string{"ASD", "SLD"}, Categories: []string{"preparing_for_adulthood"}, LACode: "E10000014", Provenance: prov("p2")}
	return map[string][]*schema.Record{
		"p1": {{Kind: schema.KindOrganization, Organization: o1}, {Kind: schema.KindLocation, Location: near}, {Kind: schema.KindLocation, Location: far},
			{Kind: schema.KindService, Service: a}, {Kind: schema.KindService, Service: b}},
		"p2": {{Kind: schema.KindOrganization, Organization: o2},
			{Kind: schema.KindService, Service: c, Flags: []schema.Flag{{Flag: "assurance_overdue", Reason: "not assured", Evidence: "2020-01-01"}}},
			{Kind: schema.KindService, Service: d}, {Kind: schema.KindService, Service: e}},
	}
}

func load(t *testing.T, w *warehouse.Warehouse, pipeline, runID string, recs []*schema.Record) {
	t.Helper()
	ctx := context.Background()
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	l := w.NewLoader(pipeline, runID, 100)
	for _, r := range recs {
		if p := v.Validate(r); len(p) > 0 {
			t.Fatalf("fixture %s invalid: %v", r.ID(), p)
		}
		if err := l.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.ReconcileFlags(ctx, pipeline, runID, nil); err != nil {
		t.Fatal(err)
	}
}

const postcodeCSV = `pcds,lad25cd,wd25cd,lsoa21cd,lat,long
PO1 2AL,E06000044,E05012447,E01017103,50.799000,-1.091500
SO14 7LY,E06000045,E05002462,E01017141,50.909700,-1.404400
`

type harness struct {
	t   *testing.T
	w   *warehouse.Warehouse
	srv *Server
	ts  *httptest.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	w := whtest.New(t)
	for p, recs := range fixture() {
		load(t, w, p, "run-1", recs)
	}
	pc, err := areas.Load(strings.NewReader(postcodeCSV))
	if err != nil {
		t.Fatal(err)
	}
	checker, err := feedcheck.New(feedcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(context.Background(), Options{Warehouse: w, SnapshotDir: t.TempDir(), Validator: checker, Postcodes: pc,
		Gaps: gaps.Options{ThinShare: 0.5, ProjectionYears: 3}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return &harness{t: t, w: w, srv: srv, ts: ts}
}

func (h *harness) get(path string, hdr ...string) (*http.Response, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type page struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

func (h *harness) page(path string) page {
	h.t.Helper()
	resp, b := h.get(path)
	if resp.StatusCode != 200 {
		h.t.Fatalf("%s: HTTP %d %s", path, resp.StatusCode, b)
	}
	var p page
	if err := json.Unmarshal(b, &p); err != nil {
		h.t.Fatalf("%s: %v", path, err)
	}
	return p
}

// names lists the names of a page's services, sorted.
func (h *harness) names(path string) []string {
	h.t.Helper()
	p := h.page(path)
	var out []string
	for _, c := range p.Contents {
		var s struct {
			Name    string `json:"name"`
			Service *struct {
				Name string `json:"name"`
			} `json:"service"`
		}
		json.Unmarshal(c, &s)
		if s.Service != nil {
			s.Name = s.Service.Name
		}
		out = append(out, s.Name)
	}
	if p.TotalItems != len(out) {
		h.t.Errorf("%s: total_items %d, contents %d", path, p.TotalItems, len(out))
	}
	sort.Strings(out)
	return out
}

const (
	nA = "Autism outreach team"
	nB = "Speech and language therapy"
	nC = "Saturday short breaks club"
	nD = "Youth club"
	nE = "Post-16 college course"
)

func TestFilters(t *testing.T) {
	h := newHarness(t)
	org1 := feed.UUID("p1/org-1")
	term := feed.UUID("p1/term-outreach")
	tax := feed.UUID("p1/tax-local")
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{nA, nB, nD, nE}}, // C is stale
		{"include_stale=true", []string{nA, nB, nC, nD, nE}},
		{"search=autism", []string{nA, nD}},    // name, and description in capitals
		{"search=HAMPSHIRE", []string{nD, nE}}, // organisation name
		{"search=hampshire&include_stale=1", []string{nC, nD, nE}},
		{"need_code=asd", []string{nA, nE}},
		{"la_code=E06000044", []string{nA, nB, nD}},
		{"la_code=851", []string{nA, nB, nD}}, // DfE code of Portsmouth
		{"age=17", []string{nB, nD, nE}},      // D has no ages: open bounds
		{"age=5", []string{nA, nB, nD}},
		{"category=health", []string{nB}},
		{"pipeline=p2", []string{nD, nE}},
		{"pipeline=p2&include_stale=true", []string{nC, nD, nE}},
		{"organization_id=" + org1, []string{nA, nB}},
		{"taxonomy_term_id=" + term, []string{nA}},
		{"taxonomy_id=" + tax, []string{nA}},
		{"minimum_age=5", []string{nA, nE}},
		{"maximum_age=18", []string{nA, nB}},
		{"postcode=po12al&proximity=1000", []string{nA}},                   // the Civic Offices are ~40 m away
		{"postcode=PO1%202AL&proximity=40000", []string{nA, nB}},           // Southampton is ~23 km away
		{"postcode=PO1%202AL", []string{nA, nB, nD}},                       // alone: services of its LA
		{"need_code=ASD&la_code=E10000014", []string{nE}},                  // cumulative
		{"need_code=ASD&la_code=E10000014&category=health", []string(nil)}, // nothing
	}
	for _, c := range cases {
		got := h.names("/services?" + c.query)
		want := slices.Clone(c.want)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("/services?%s = %q, want %q", c.query, got, want)
		}
	}
	// service_at_locations: the same service filters, and proximity per location.
	if got := h.names("/service_at_locations?postcode=PO1+2AL&proximity=1000"); !slices.Equal(got, []string{nA}) {
		t.Errorf("service_at_locations near PO1 2AL = %q", got)
	}
	if got := h.names("/service_at_locations?need_code=SLCN"); !slices.Equal(got, []string{nB}) {
		t.Errorf("service_at_locations need SLCN = %q", got)
	}
}

func TestEnvelopeAndPaging(t *testing.T) {
	h := newHarness(t)
	resp, b := h.get("/")
	var root map[string]string
	json.Unmarshal(b, &root)
	if resp.StatusCode != 200 || root["version"] != APIVersion || root["openapi_url"] != h.ts.URL+"/openapi.json" || root["profile"] == "" {
		t.Fatalf("GET / = %d %s", resp.StatusCode, b)
	}
	p := h.page("/services?per_page=3&page=2")
	if p.TotalItems != 4 || p.TotalPages != 2 || p.PageNumber != 2 || p.Size != 1 || p.FirstPage || !p.LastPage || p.Empty || len(p.Contents) != 1 {
		t.Errorf("page 2 of 3 per page: %+v", p)
	}
	p = h.page("/services?per_page=3")
	if p.PageNumber != 1 || !p.FirstPage || p.LastPage || p.Size != 3 {
		t.Errorf("page 1: %+v", p)
	}
	p = h.page("/services?page=9")
	if !p.Empty || p.Size != 0 || len(p.Contents) != 0 || !p.LastPage || p.TotalItems != 4 {
		t.Errorf("page beyond the end: %+v", p)
	}
	// Every page together: each service once, in id order.
	var ids []string
	for n := 1; n <= 4; n++ {
		for _, c := range h.page("/services?per_page=1&page=" + string(rune('0'+n))).Contents {
			var s struct{ ID string }
			json.Unmarshal(c, &s)
			ids = append(ids, s.ID)
		}
	}
	if len(ids) != 4 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 4 {
		t.Errorf("walking the pages gave %v", ids)
	}
	// minimal and full.
	var min struct{ Contents []map[string]any }
	_, b = h.get("/services?minimal=true")
	json.Unmarshal(b, &min)
	for _, c := range min.Contents {
		if len(c) > 2 || c["id"] == nil {
			t.Errorf("minimal item %v", c)
		}
	}
	_, b = h.get("/services?full=true&search=autism+outreach")
	if !bytes.Contains(b, []byte(`"contacts"`)) || !bytes.Contains(b, []byte(`"service_at_locations"`)) {
		t.Errorf("full=true lacks nested arrays: %s", b)
	}
	_, b = h.get("/services?search=autism+outreach")
	if bytes.Contains(b, []byte(`"contacts"`)) {
		t.Errorf("list item carries arrays: %s", b)
	}
}

func TestErrors(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		path   string
		status int
		names  string
	}{
		{"/services?per_page=0", 400, "per_page"},
		{"/services?per_page=1001", 400, "per_page"},
		{"/services?page=abc", 400, "page"},
		{"/services?page=1&page=2", 400, "page"},
		{"/services?colour=red", 400, "colour"},
		{"/services?need_code=XYZ", 400, "need_code"},
		{"/services?la_code=Portsmouth", 400, "la_code"},
		{"/services?proximity=100", 400, "proximity"},
		{"/services?postcode=ZZ9+9ZZ&proximity=100", 400, "postcode"},
		{"/services?modified_after=yesterday", 400, "modified_after"},
		{"/services?age=-1", 400, "age"},
		{"/services?category=sport", 400, "category"},
		{"/services?format=xml", 400, "format"},
		{"/services?search=" + strings.Repeat("x", 201), 400, "search"},
		{"/services?pipeline=a'b", 400, "pipeline"},
		{"/services/00000000-0000-0000-0000-000000000000", 404, "00000000-0000-0000-0000-000000000000"},
		{"/organizations/nope", 404, "nope"},
		{"/taxonomy_terms/nope", 404, "nope"},
		{"/no/such/endpoint", 404, "/no/such/endpoint"},
		{"/reports/gaps?la=xx", 400, "la"},
	} {
		resp, b := h.get(c.path)
		var e struct{ Error, Message string }
		if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != c.status || e.Error == "" || !strings.Contains(e.Message, c.names) {
			t.Errorf("%s: HTTP %d %s (want %d naming %q)", c.path, resp.StatusCode, b, c.status, c.names)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", c.path)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/services", strings.NewReader("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /services: %v %v", resp.StatusCode, err)
	}
	req, _ = http.NewRequest(http.MethodOptions, h.ts.URL+"/services", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("OPTIONS /services: %v %v", resp.StatusCode, err)
	}
}

// modified_after and ETags across a second run that changes one record.
func TestModifiedAfterAndETagsAcrossARun(t *testing.T) {
	h := newHarness(t)
	idA, idB := feed.UUID("p1/a"), feed.UUID("p1/b")
	respA, _ := h.get("/services/" + idA)
	respB, bodyB := h.get("/services/" + idB)
	respList, _ := h.get("/services")
	tagA, tagB, tagList := respA.Header.Get("ETag"), respB.Header.Get("ETag"), respList.Header.Get("ETag")
	if tagA == "" || tagB == "" || tagList == "" {
		t.Fatal("no ETag")
	}
	if r, b := h.get("/services/"+idA, "If-None-Match", tagA); r.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Fatalf("If-None-Match with the current tag: HTTP %d", r.StatusCode)
	}
	between := time.Now().UTC()
	time.Sleep(10 * time.Millisecond)

	// Run 2 of p1: B's description changes, A is sent again unchanged.
	recs := fixture()["p1"]
	for _, r := range recs {
		if r.Service != nil && r.Service.ID == "p1/b" {
			r.Service.Description = "Therapy for children and young people, now also at weekends."
		}
	}
	load(t, h.w, "p1", "run-2", recs)
	if changed, err := h.srv.Refresh(context.Background()); err != nil || !changed {
		t.Fatalf("refresh after the run: changed=%v err=%v", changed, err)
	}
	if r, _ := h.get("/services/"+idA, "If-None-Match", tagA); r.StatusCode != http.StatusNotModified {
		t.Errorf("unchanged service A: HTTP %d, want 304", r.StatusCode)
	}
	r, b := h.get("/services/"+idB, "If-None-Match", tagB)
	if r.StatusCode != http.StatusOK || bytes.Equal(b, bodyB) || !bytes.Contains(b, []byte("weekends")) || r.Header.Get("ETag") == tagB {
		t.Errorf("changed service B: HTTP %d, ETag %s (was %s)", r.StatusCode, r.Header.Get("ETag"), tagB)
	}
	if r, _ := h.get("/services", "If-None-Match", tagList); r.StatusCode != http.StatusOK {
		t.Errorf("list with a changed member: HTTP %d, want 200", r.StatusCode)
	}
	if got := h.names("/services?modified_after=" + between.Format(time.RFC3339Nano)); !slices.Equal(got, []string{nB}) {
		t.Errorf("modified_after the first run = %q, want only %q", got, nB)
	}
	if got := h.names("/services?modified_after=2000-01-01"); len(got) != 4 {
		t.Errorf("modified_after 2000 = %q", got)
	}
	// A second refresh with nothing changed keeps the snapshot.
	if changed, err := h.srv.Refresh(context.Background()); err != nil || changed {
		t.Errorf("refresh without changes: changed=%v err=%v", changed, err)
	}
}

func TestGzipAndNDJSON(t *testing.T) {
	h := newHarness(t)
	_, plain := h.get("/services?include_stale=true")
	resp, zipped := h.get("/services?include_stale=true", "Accept-Encoding", "gzip, deflate")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) {
		t.Error("gzip body differs from the plain one")
	}
	resp, b := h.get("/services?format=ndjson&include_stale=true")
	if resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("ndjson content type %q", resp.Header.Get("Content-Type"))
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 5 {
		t.Fatalf("ndjson: %d lines, want 5", len(lines))
	}
	for _, l := range lines {
		var s struct {
			ID         string `json:"id"`
			Localoffer struct {
				Pipeline string `json:"pipeline"`
			} `json:"localoffer"`
		}
		if err := json.Unmarshal(l, &s); err != nil || s.ID == "" || s.Localoffer.Pipeline == "" {
			t.Errorf("ndjson line %s: %v", l, err)
		}
	}
}

func TestNoInternalColumns(t *testing.T) {
	h := newHarness(t)
	_, b := h.get("/services?format=ndjson&include_stale=true&full=true")
	for _, bad := range []string{"content_hash", "payload", "blob_path", "document_sha256", "provenance", "p1/", "p2/", "_version", "source_url"} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("served services contain %q", bad)
		}
	}
}

func TestSnapshotOutlivesRefreshForItsReaders(t *testing.T) {
	h := newHarness(t)
	old := h.srv.acquire()
	blobA := old.services[0].full
	recs := fixture()["p1"]
	recs[3].Service.Name = "Autism outreach team (renamed)"
	load(t, h.w, "p1", "run-2", recs)
	if _, err := h.srv.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.srv.Snapshot() == old {
		t.Fatal("snapshot not swapped")
	}
	if _, err := old.read(blobA, nil); err != nil {
		t.Fatalf("a reader of the old snapshot lost it: %v", err)
	}
	path := old.path
	old.release()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("old snapshot file %s not removed after its last reader: %v", path, err)
	}
}

func TestHealthzMetricsReports(t *testing.T) {
	h := newHarness(t)
	resp, b := h.get("/healthz")
	var hz Health
	if err := json.Unmarshal(b, &hz); err != nil || resp.StatusCode != 200 || !hz.Warehouse.Reachable || hz.Snapshot.Services != 5 {
		t.Errorf("healthz: %d %s", resp.StatusCode, b)
	}
	h.get("/services")
	h.srv.Metrics().ObserveRun("p1", "degraded", time.Now().Add(-time.Minute), ptrTime(time.Now()), 3, 1)
	_, b = h.get("/metrics")
	for _, want := range []string{
		`localoffer_http_requests_total{code="200",route="GET /services"} 1`,
		`localoffer_runs_total{pipeline="p1",status="degraded"} 1`,
		`localoffer_records_quarantined_total{pipeline="p1"} 1`,
		`localoffer_last_run_status{pipeline="p1",status="degraded"} 1`,
		`localoffer_api_records{kind="service"} 5`,
		"localoffer_last_success_timestamp_seconds{pipeline=\"p1\"}",
		"go_goroutines",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	resp, b = h.get("/reports/gaps.json?la=E06000044")
	if resp.StatusCode != 200 || !json.Valid(b) {
		t.Errorf("gaps.json: %d %s", resp.StatusCode, b)
	}
	resp, b = h.get("/reports/gaps")
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte("<html")) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("gaps html: %d %.200s", resp.StatusCode, b)
	}
	resp, b = h.get("/reports/health.json?pipeline=p1&runs=3")
	if resp.StatusCode != 200 || !json.Valid(b) {
		t.Errorf("health.json: %d %.300s", resp.StatusCode, b)
	}
	if resp, _ = h.get("/reports/health?runs=0"); resp.StatusCode != 400 {
		t.Errorf("health with runs=0: %d", resp.StatusCode)
	}
	resp, b = h.get("/openapi.json")
	var doc map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(b, &doc) != nil || doc["paths"] == nil || !bytes.Contains(b, []byte(h.ts.URL)) {
		t.Errorf("openapi.json: %d", resp.StatusCode)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// A change made without telling the server (no Refresh call) is picked up by
// Watch once the watermark has settled.
func TestWatchPicksUpChanges(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.srv.Watch(ctx, 50*time.Millisecond)
	before := h.srv.Snapshot()
	recs := fixture()["p2"]
	recs[2].Service.Name = "Youth club (Fridays)"
	load(t, h.w, "p2", "run-2", recs)
	deadline := time.Now().Add(30 * time.Second)
	for h.srv.Snapshot() == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := h.names("/services?pipeline=p2"); !slices.Equal(got, []string{nE, "Youth club (Fridays)"}) {
		t.Errorf("after the watched change: %q", got)
	}
}
