package hsdsmap

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/sharedtest"
	"github.com/localoffer/localoffer/schema"
)

var update = flag.Bool("update", false, "rewrite expected.json golden files")

type golden struct {
	Records  []*schema.Record `json:"records"`
	Warnings []string         `json:"warnings"`
}

// TestGolden maps testdata/<case>/input.json and compares with expected.json.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	src := Source{URL: "https://directory.example/api/services/x", SHA256: "abc", FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var raw Service
			if err := DecodeService(in, &raw); err != nil {
				t.Fatalf("decode: %v", err)
			}
			m := New("pcc", true)
			m.Terms = map[string]*schema.TaxonomyTerm{"slcn": {ID: "pcc/slcn", Name: "Speech, language and communication needs", Description: "SLCN"}}
			recs, warns := m.Records(&raw, src)
			got, _ := json.MarshalIndent(golden{Records: recs, Warnings: warns}, "", "  ")
			got = append(got, '\n')
			exp := filepath.Join(dir, "expected.json")
			if *update {
				os.WriteFile(exp, got, 0o644)
			}
			want, err := os.ReadFile(exp)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("mapping differs from %s (run with -update and review the diff):\n%s", exp, got)
			}
		})
	}
}

func TestMappingRules(t *testing.T) {
	read := func(c string) *Service {
		b, _ := os.ReadFile(filepath.Join("testdata", c, "input.json"))
		var s Service
		if err := DecodeService(b, &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	src := Source{URL: "u", SHA256: "h", FetchedAt: time.Now()}

	recs, _ := New("pcc", true).Records(read("hsds3_full"), src)
	s := recs[0].Service
	if s.ID != "pcc/svc-0412" || s.OrganizationID != "pcc/77" || s.Status != "active" {
		t.Errorf("ids/status: %s %s %s", s.ID, s.OrganizationID, s.Status)
	}
	if s.MaximumAge == nil || *s.MaximumAge != 19 || s.AssuredDate != "2025-03-04" || s.LastModified == nil {
		t.Errorf("numbers/dates: %+v %q %v", s.MaximumAge, s.AssuredDate, s.LastModified)
	}
	if len(s.Phones) != 1 || len(s.Contacts) != 0 || s.Fees != "" || s.Languages != nil {
		t.Errorf("empty values kept: phones %d contacts %d", len(s.Phones), len(s.Contacts))
	}
	kinds := map[schema.Kind]int{}
	for _, r := range recs {
		kinds[r.Kind]++
		if r.Prov() == nil || r.Prov().Pipeline != "pcc" || r.Prov().DocumentSHA256 != "h" || r.Prov().SourceID == "" {
			t.Errorf("%s %s: provenance %+v", r.Kind, r.ID(), r.Prov())
		}
	}
	if kinds[schema.KindService] != 1 || kinds[schema.KindOrganization] != 1 || kinds[schema.KindLocation] != 1 {
		t.Errorf("records %v", kinds)
	}
	if s.Organization.Provenance != nil || s.ServiceAtLocations[0].Location.Provenance != nil {
		t.Error("nested copies carry provenance (would change the content hash every fetch)")
	}
	if pc := s.ServiceAtLocations[0].Location.Addresses[0].PostalCode; pc != "PO3 6AD" {
		t.Errorf("postcode %q", pc)
	}

	// Two pipelines' "1" never collide, nested ids included.
	a, _ := New("north", false).Records(read("oruk_v1_pc_extensions"), src)
	b, _ := New("south", false).Records(read("oruk_v1_pc_extensions"), src)
	if a[0].ID() == b[0].ID() || a[0].Service.Contacts[0].ID == b[0].Service.Contacts[0].ID {
		t.Error("ids not namespaced")
	}

	v1 := a[0].Service
	if v1.MinimumAge == nil || *v1.MinimumAge != 8 || *v1.MaximumAge != 17 {
		t.Errorf("eligibilitys ages: %v %v", v1.MinimumAge, v1.MaximumAge)
	}
	if v1.AssuredDate != "2024-05-02" || v1.LastModified == nil || v1.LastModified.Format("2006-01-02") != "2024-11-02" {
		t.Errorf("pc_metadata: %q %v", v1.AssuredDate, v1.LastModified)
	}
	if !strings.Contains(v1.EligibilityDescription, "Children and young people with SEND, Parents and carers") {
		t.Errorf("pc_targetAudience lost: %q", v1.EligibilityDescription)
	}
	if len(v1.Attributes) != 2 || v1.Attributes[0].TaxonomyTerm.Taxonomy != "Portsmouth Local Offer" || v1.Attributes[0].TaxonomyTerm.ParentID != "north/40" {
		t.Errorf("service_taxonomys: %+v", v1.Attributes)
	}
	if len(v1.Schedules) != 1 || v1.Schedules[0].Byday != "SA" || v1.ServiceAtLocations[0].Schedules[0].Byday != "SU" {
		t.Errorf("regular_schedules: %+v", v1.Schedules)
	}

	// The same organization is emitted once per run.
	m := New("pcc", true)
	first, _ := m.Records(read("oruk_v1_pc_extensions"), src)
	again := read("oruk_v1_pc_extensions")
	again.ID = "1503"
	second, _ := m.Records(again, src)
	if len(first) != 3 || len(second) != 1 {
		t.Errorf("org/location not deduplicated: %d then %d records", len(first), len(second))
	}

	e, warns := New("pcc", true).Records(read("empty_optional_fields"), src)
	es := e[0].Service
	if es.Email != "" || es.URL != "" || es.MinimumAge != nil || es.ServiceAreas != nil || es.Languages != nil || es.OrganizationID != "pcc/org-5" {
		t.Errorf("empty optional fields not absent: %+v", es)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "assured_date") {
		t.Errorf("warnings %v", warns)
	}
}

func TestDecodePageShapes(t *testing.T) {
	cases := []struct {
		name, body string
		items      int
		last       bool
		pages      int
		err        string
	}{
		{"hsds3", `{"total_items":3,"total_pages":2,"page_number":1,"size":2,"first_page":true,"last_page":false,"contents":[{"id":"1"},{"id":"2"}]}`, 2, false, 2, ""},
		{"oruk1", `{"totalElements":3,"totalPages":"2","number":0,"size":2,"first":true,"last":"true","content":[{"id":1}]}`, 1, true, 2, ""},
		{"bare", "\xEF\xBB\xBF [{\"id\":\"1\"}]", 1, false, 0, ""},
		{"login", "<!DOCTYPE html><html><title>Sign in</title><form>password</form>", 0, false, 0, "an HTML login page"},
		{"truncated", `{"contents":[{"id":"1"},`, 0, false, 0, "invalid JSON"},
		{"empty", ``, 0, false, 0, "empty body"},
		{"other shape", `{"data":[{"id":"1"}],"meta":{"total":1}}`, 0, false, 0, "without a contents"},
		{"empty list", `{"total_items":0,"contents":[]}`, 0, false, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := DecodePage[Service](strings.NewReader(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != tc.items || p.Last.V != tc.last || int(p.TotalPages.V) != tc.pages {
				t.Errorf("page %+v", p)
			}
		})
	}
}

func TestDateFormats(t *testing.T) {
	for in, want := range map[string]string{"2024-05-02": "2024-05-02", "02/05/2024": "2024-05-02", "2024-05-02T23:00:00+01:00": "2024-05-02",
		"2 May 2024": "2024-05-02", "2024-05-02 10:00:00.123": "2024-05-02"} {
		if got, ok := Date(in); !ok || got != want {
			t.Errorf("Date(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := Date("soon"); ok {
		t.Error("accepted a non-date")
	}
}

// The ORUK validator's fail mock has numbers and booleans where strings
// belong: they decode as text instead of losing the record.
func TestORUKFailMock(t *testing.T) {
	b, err := os.ReadFile(sharedtest.Path(t, "conformance", "oruk-validator-mocks", "V3.0-UK-Fail", "service_list.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := DecodePage[Service](bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	emails := []string{}
	for _, s := range p.Items {
		emails = append(emails, s.Email.String())
	}
	if strings.Join(emails, ",") != "email-example_com,email-example_com,false,12345" {
		t.Errorf("emails %v", emails)
	}
}
