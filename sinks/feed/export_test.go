package feed

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/localoffer/localoffer/internal/sharedtest"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func f64(v float64) *float64 { return &v }

// portsmouth returns realistic records: services refer to their organisation
// and location by id (as the hsds_api collector stores them), one nests them.
func portsmouth() []*schema.Record {
	prov := &schema.Provenance{Pipeline: "portsmouth-lo", SourceURL: "https://api.example.org/services", FetchedAt: time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)}
	org := &schema.Organization{ID: "portsmouth-lo/org-1", Name: "Portsmouth City Council", Website: "https://www.portsmouth.gov.uk/",
		OrganizationType: "local_authority", LACode: "E06000044",
		OrganizationIdentifiers: []schema.OrganizationIdentifier{{ID: "gb-la", IdentifierScheme: "GB-LAE", IdentifierType: "local_authority", Identifier: "PTE"}}, Provenance: prov}
	school := &schema.Organization{ID: "gias/116642", Name: "Mary Rose Academy", Description: "Special school for pupils aged 2 to 19 with severe and complex needs.",
		Website:          "www.maryrose.portsmouth.sch.uk", // as GIAS writes it: no scheme
		OrganizationType: "school", Provenance: prov}
	loc := &schema.Location{ID: "portsmouth-lo/loc-1", LocationType: "physical", Name: "Civic Offices", Latitude: f64(50.7989), Longitude: f64(-1.0912),
		Addresses: []schema.Address{{Address1: "Guildhall Square", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO1 2AL", Country: "GB", AddressType: "physical"}},
		LACode:    "E06000044", WardCode: "E05002453", Provenance: prov}
	svc1 := &schema.Service{ID: "portsmouth-lo/svc-1", OrganizationID: org.ID, Name: "SEND Information, Advice and Support Service (SENDIASS)",
		Status: "active", Description: "Free, impartial advice for parents of children with SEND aged 0 to 25.",
		URL: "https://www.portsmouthsendiass.co.uk/", Email: "sendiass@portsmouthcc.gov.uk", MinimumAge: f64(0), MaximumAge: f64(25), AgeText: "0 to 25",
		AssuredDate: "2026-02-10", Phones: []schema.Phone{{Number: "023 9284 1651"}},
		Schedules:          []schema.Schedule{{Freq: "WEEKLY", Byday: "MO,TU,WE,TH", OpensAt: "09:30", ClosesAt: "16:30"}},
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-1", LocationID: loc.ID}},
		Contacts:           []schema.Contact{{Name: "Duty adviser", Email: "sendiass@portsmouthcc.gov.uk", Phones: []schema.Phone{{Number: "023 9284 1651", Type: "voice"}}}},
		NeedCodes:          []string{"ASD", "SEMH", "SLCN"}, BroadAreas: []string{schema.AreaCommunication, schema.AreaSEMH},
		Categories: []string{"information_and_advice"}, LACode: "E06000044", Provenance: prov}
	svc2 := &schema.Service{ID: "gias/116642/sixth-form", Name: "Mary Rose Academy post-16", Status: "active", OrganizationID: school.ID,
		MinimumAge: f64(16), MaximumAge: f64(19), NeedCodes: []string{"SLD", "PMLD"}, Categories: []string{"education", "preparing_for_adulthood"},
		Capacity:   &schema.ServiceCapacity{Available: f64(2), Maximum: f64(48), Unit: "places"},
		Attributes: []schema.Attribute{{ID: "a1", TaxonomyTermID: "t-1", TaxonomyTerm: &schema.TaxonomyTerm{ID: "t-1", Name: "Special school", Description: "Special school"}}},
		Provenance: prov}
	svc3 := &schema.Service{ID: "ac148810-d857-441c-9679-408f346de14b", Name: "Short breaks: Saturday club", Status: "temporarily closed",
		Organization: org, CostOptions: []schema.CostOption{{Option: "Per session", Currency: "GBP", Amount: f64(5)}},
		ServiceAtLocations: []schema.ServiceAtLocation{{Location: loc}}, Categories: []string{"short_breaks", "leisure"}, Provenance: prov}
	return []*schema.Record{
		{Kind: schema.KindOrganization, Organization: org}, {Kind: schema.KindOrganization, Organization: school},
		{Kind: schema.KindLocation, Location: loc},
		{Kind: schema.KindService, Service: svc1}, {Kind: schema.KindService, Service: svc2}, {Kind: schema.KindService, Service: svc3},
	}
}

func loaded(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	w := whtest.New(t)
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l := w.NewLoader("portsmouth-lo", "run-1", 100)
	for _, r := range portsmouth() {
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
	return w
}

func officialService(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := sharedtest.Path(t, "conformance", "hsds-3.0", "schema", "compiled", "service.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("file:///official/service.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///official/service.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestExportHSDSJSONIsValidHSDS(t *testing.T) {
	w := loaded(t)
	official := officialService(t)
	out := filepath.Join(t.TempDir(), "feed")
	st, err := Export(context.Background(), w, Options{Format: FormatHSDSJSON, Out: out}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if st.Services != 3 || st.Organizations != 2 {
		t.Fatalf("stats %+v", st)
	}
	files, _ := filepath.Glob(filepath.Join(out, "services", "*.json"))
	if len(files) != 3 {
		t.Fatalf("%d service files", len(files))
	}
	needs := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		if err := official.Validate(doc); err != nil {
			t.Errorf("%s is not valid HSDS 3.0: %v", filepath.Base(f), err)
		}
		for _, k := range []string{"need_codes", "categories", "provenance", "la_code", "capacity", "age_text"} {
			if strings.Contains(string(b), `"`+k+`":`) {
				t.Errorf("%s carries our key %q", filepath.Base(f), k)
			}
		}
		needs += strings.Count(string(b), `"link_type": "need"`)
	}
	if needs != 5 {
		t.Errorf("%d need attributes, want 5 (ASD, SEMH, SLCN, SLD, PMLD)", needs)
	}
	svc1, _ := os.ReadFile(filepath.Join(out, "services", UUID("portsmouth-lo/svc-1")+".json"))
	var s schema.Service
	json.Unmarshal(svc1, &s)
	if s.Organization == nil || s.Organization.Name != "Portsmouth City Council" || s.Organization.Description == "" {
		t.Errorf("organization not nested: %+v", s.Organization)
	}
	if len(s.ServiceAtLocations) != 1 || s.ServiceAtLocations[0].Location == nil || s.ServiceAtLocations[0].Location.Addresses[0].PostalCode != "PO1 2AL" {
		t.Errorf("location not nested: %+v", s.ServiceAtLocations)
	}
	org, _ := os.ReadFile(filepath.Join(out, "organizations", UUID("gias/116642")+".json"))
	if !strings.Contains(string(org), `"website": "http://www.maryrose.portsmouth.sch.uk"`) {
		t.Errorf("scheme-less website not made absolute:\n%s", org)
	}
	if _, err := os.Stat(filepath.Join(out, "services", "ac148810-d857-441c-9679-408f346de14b.json")); err != nil {
		t.Errorf("a UUID id must be kept: %v", err)
	}
	var idx Index
	b, _ := os.ReadFile(filepath.Join(out, "index.json"))
	if err := json.Unmarshal(b, &idx); err != nil || idx.Version != "3.0" || idx.Profile != ProfileURL {
		t.Errorf("index.json: %s", b)
	}
}

func TestExportNDJSONAndDatapackage(t *testing.T) {
	w := loaded(t)
	official := officialService(t)
	dir := t.TempDir()
	nd := filepath.Join(dir, "nd")
	if _, err := Export(context.Background(), w, Options{Format: FormatNDJSON, Out: nd}, quiet); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(nd, "services.ndjson"))
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	lines := 0
	for sc.Scan() {
		lines++
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(sc.Text()))
		if err != nil {
			t.Fatal(err)
		}
		if err := official.Validate(doc); err != nil {
			t.Errorf("line %d: %v", lines, err)
		}
	}
	f.Close()
	if lines != 3 {
		t.Fatalf("%d lines", lines)
	}

	dp := filepath.Join(dir, "dp")
	if _, err := Export(context.Background(), w, Options{Format: FormatDatapackage, Out: dp}, quiet); err != nil {
		t.Fatal(err)
	}
	count := func(file string) int {
		f, err := os.Open(filepath.Join(dp, file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) - 1
	}
	for file, want := range map[string]int{"services.csv": 3, "organizations.csv": 2, "locations.csv": 1, "addresses.csv": 1,
		"service_at_location.csv": 2, "taxonomies.csv": 4, "attributes.csv": 17} {
		if got := count(file); got != want {
			t.Errorf("%s: %d rows, want %d", file, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dp, "datapackage.json")); err != nil {
		t.Error(err)
	}
}

func TestExportFailureLeavesPreviousExport(t *testing.T) {
	w := loaded(t)
	out := filepath.Join(t.TempDir(), "feed")
	if _, err := Export(context.Background(), w, Options{Format: FormatNDJSON, Out: out}, quiet); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, "services.ndjson"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Export(ctx, w, Options{Format: FormatHSDSJSON, Out: out}, quiet); err == nil {
		t.Fatal("cancelled export succeeded")
	}
	after, err := os.ReadFile(filepath.Join(out, "services.ndjson"))
	if err != nil || string(after) != string(before) {
		t.Fatalf("previous export damaged: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".feed.tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
	if _, err := Export(context.Background(), w, Options{Format: "xml", Out: out}, quiet); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestUUIDIsDeterministic(t *testing.T) {
	a, b := UUID("portsmouth-lo/svc-1"), UUID("portsmouth-lo/svc-1")
	if a != b || a == UUID("portsmouth-lo/svc-2") || len(a) != 36 || a[14] != '5' {
		t.Fatalf("UUID: %s %s", a, b)
	}
	if UUID("AC148810-D857-441C-9679-408F346DE14B") != "ac148810-d857-441c-9679-408f346de14b" {
		t.Fatal("UUID ids must be kept")
	}
}

// Only records that pass the official HSDS 3.0 schema are published; the
// others are listed with the reason in the export's index file.
func TestExportWithholdsNonConformantRecords(t *testing.T) {
	w := loaded(t)
	ctx := context.Background()
	prov := &schema.Provenance{Pipeline: "portsmouth-lo", FetchedAt: time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)}
	l := w.NewLoader("portsmouth-lo", "run-2", 100)
	// As the repair step loads them: the source gave no status, and a
	// location with nothing to tell its type by.
	for _, r := range []*schema.Record{
		{Kind: schema.KindService, Service: &schema.Service{ID: "portsmouth-lo/no-status", Name: "Food pantry", Provenance: prov}},
		{Kind: schema.KindService, Service: &schema.Service{ID: "portsmouth-lo/unknown-place", Name: "Outreach", Status: "active", Provenance: prov,
			ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-9", Location: &schema.Location{ID: "portsmouth-lo/loc-9", Name: "Somewhere"}}}}},
	} {
		if err := l.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{FormatHSDSJSON, FormatNDJSON, FormatDatapackage} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "feed")
			st, err := Export(ctx, w, Options{Format: format, Out: out}, quiet)
			if err != nil {
				t.Fatal(err)
			}
			if st.Services != 3 || len(st.Withheld) != 2 {
				t.Fatalf("exported %d services, withheld %+v; want the 3 conformant ones and 2 withheld", st.Services, st.Withheld)
			}
			indexFile := "index.json"
			if format == FormatDatapackage {
				indexFile = "datapackage.json"
			}
			b, err := os.ReadFile(filepath.Join(out, indexFile))
			if err != nil {
				t.Fatal(err)
			}
			var idx struct {
				Withheld []Withheld `json:"withheld"`
			}
			if err := json.Unmarshal(b, &idx); err != nil {
				t.Fatal(err)
			}
			reasons := map[string]string{}
			for _, wh := range idx.Withheld {
				reasons[wh.ID] = strings.Join(wh.Reasons, "; ")
			}
			if r := reasons["portsmouth-lo/no-status"]; !strings.Contains(r, "status") {
				t.Errorf("%s: service without status withheld for %q", indexFile, r)
			}
			if r := reasons["portsmouth-lo/unknown-place"]; !strings.Contains(r, "location_type") {
				t.Errorf("%s: service with an untyped location withheld for %q", indexFile, r)
			}
			if format == FormatHSDSJSON {
				files, _ := filepath.Glob(filepath.Join(out, "services", "*.json"))
				if len(files) != 3 {
					t.Errorf("%d service files, want 3", len(files))
				}
			}
		})
	}
}
