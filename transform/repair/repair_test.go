package repair

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.json")

func TestFixURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http:www.yateandsodburydc.co.uk", "http://www.yateandsodburydc.co.uk"},
		{"https:/holisun.org.uk/contact", "https://holisun.org.uk/contact"},
		{"https:///example.org", "https://example.org"},
		{"http//example.org/a?b=c", "http://example.org/a?b=c"},
		{"www.example.org", "https://www.example.org"},
		{"example.org/services/send", "https://example.org/services/send"},
		{"  https://example.org/x \u200b", "https://example.org/x"},
		{"HTTPS://Example.org", "https://Example.org"},
		{"https://example.org", "https://example.org"},
		{"http://localhost:8080/api", "http://localhost:8080/api"}, // not a public host name: left to the validator
		{"Motor Neurone Disease Association", "Motor Neurone Disease Association"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"mailto:someone@example.org", "mailto:someone@example.org"},
		{"   ", ""},
	}
	for _, c := range cases {
		if got, _ := fixURL(c.in); got != c.want {
			t.Errorf("fixURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFixEmail(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mailto:info@example.org", "info@example.org"},
		{"MAILTO: info@example.org", "info@example.org"},
		{" info@example.org\u200b ", "info@example.org"},
		{"\ufeffinfo@example.org", "info@example.org"},
		{"<info@example.org>", "info@example.org"},
		{"mailto:info@example.org?subject=Hello", "info@example.org"},
		{"info@example.org", "info@example.org"},
		{"info at example dot org", "info at example dot org"},
	}
	for _, c := range cases {
		if got := fixEmail(c.in); got != c.want {
			t.Errorf("fixEmail(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFixTime(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"9:00am", "09:00", true},
		{"9:00 AM", "09:00", true},
		{"5 pm", "17:00", true},
		{"5pm", "17:00", true},
		{"12pm", "12:00", true},
		{"12:30am", "00:30", true},
		{"17.30", "17:30", true},
		{"9.15", "09:15", true},
		{"0900", "09:00", true},
		{"9:00", "09:00", true},
		{"17:30:15", "17:30:15", true},
		{"17:30", "17:30", true},
		{"noon", "12:00", true},
		{"5.30 p.m.", "17:30", true},
		{"9", "9", false},       // a bare hour: morning or evening?
		{"13pm", "13pm", false}, // no such time
		{"25:00", "25:00", false},
		{"after school", "after school", false},
	}
	for _, c := range cases {
		got, ok := fixTime(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("fixTime(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestPhoneNumber(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Tel: 0117  922 2000", "0117 922 2000"},
		{"tel.01179222000", "01179222000"},
		{"\u200b023 9268 8888 ", "023 9268 8888"},
		{"0800 111 4444", "0800 111 4444"},
	}
	for _, c := range cases {
		if got := phoneNumber(c.in); got != c.want {
			t.Errorf("phoneNumber(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func validator(t testing.TB) *schema.Validator {
	t.Helper()
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func service() *schema.Service {
	return &schema.Service{ID: "p/s1", Name: "Autism outreach", Status: "active",
		Provenance: &schema.Provenance{Pipeline: "p", FetchedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}
}

// fix runs both steps as the runner does.
func fix(t *testing.T, r *Repairer, v *schema.Validator, rec *schema.Record) ([]schema.FieldIssue, []schema.Problem) {
	t.Helper()
	issues := r.Repair(rec)
	dropped, problems := r.Drop(rec, v.Validate(rec))
	return append(issues, dropped...), problems
}

func TestDropKeepsTheRecord(t *testing.T) {
	v := validator(t)
	r := New(v, Options{})
	cases := []struct {
		name    string
		mutate  func(*schema.Service)
		pointer string
		rule    string
		check   func(*schema.Service) bool
	}{
		{"a name for a website", func(s *schema.Service) {
			s.Organization = &schema.Organization{ID: "p/o1", Name: "Org", Website: "Motor Neurone Disease Association"}
		}, "/organization/website", RuleInvalidField, func(s *schema.Service) bool { return s.Organization != nil && s.Organization.Website == "" }},
		{"unknown status", func(s *schema.Service) { s.Status = "open" }, "/status", RuleInvalidField,
			func(s *schema.Service) bool { return s.Status == "" }},
		{"bad email", func(s *schema.Service) { s.Email = "send team at portsmouth" }, "/email", RuleInvalidField,
			func(s *schema.Service) bool { return s.Email == "" && s.Name == "Autism outreach" }},
		{"location without an id", func(s *schema.Service) {
			s.ServiceAtLocations = []schema.ServiceAtLocation{{ID: "p/sal1", LocationID: "p/l1", Location: &schema.Location{Name: "Hall"}}}
		}, "/service_at_locations/0/location", RuleInvalidObject,
			func(s *schema.Service) bool {
				return len(s.ServiceAtLocations) == 1 && s.ServiceAtLocations[0].Location == nil
			}},
		{"phone without a number among good ones", func(s *schema.Service) {
			s.Contacts = []schema.Contact{{ID: "c1", Phones: []schema.Phone{{ID: "ph1", Number: "023"}, {ID: "ph2"}, {ID: "ph3", Number: "024"}}}}
		}, "/contacts/0/phones/1", RulePhoneNoDigits,
			func(s *schema.Service) bool {
				ps := s.Contacts[0].Phones
				return len(ps) == 2 && ps[0].ID == "ph1" && ps[1].ID == "ph3"
			}},
		{"address with a bad country", func(s *schema.Service) {
			s.ServiceAtLocations = []schema.ServiceAtLocation{{ID: "p/sal1", Location: &schema.Location{ID: "p/l1", LocationType: "physical",
				Addresses: []schema.Address{{ID: "a1", Address1: "1 High St", City: "Bristol", PostalCode: "BS1 1AA", Country: "Avon", AddressType: "physical"}}}}}
		}, "/service_at_locations/0/location/addresses/0/country", RuleInvalidField,
			func(s *schema.Service) bool {
				as := s.ServiceAtLocations[0].Location.Addresses // the address stays, its country unknown
				return len(as) == 1 && as[0].Country == "" && as[0].PostalCode == "BS1 1AA"
			}},
		{"address with an unknown type", func(s *schema.Service) {
			s.ServiceAtLocations = []schema.ServiceAtLocation{{ID: "p/sal1", Location: &schema.Location{ID: "p/l1", LocationType: "physical",
				Addresses: []schema.Address{{ID: "a1", Address1: "1 High St", City: "Bristol", PostalCode: "BS1 1AA", Country: "GB", AddressType: "building"}}}}}
		}, "/service_at_locations/0/location/addresses/0", RuleInvalidObject,
			func(s *schema.Service) bool { return len(s.ServiceAtLocations[0].Location.Addresses) == 0 }},
		{"organisation identifier without a value", func(s *schema.Service) {
			s.Organization = &schema.Organization{ID: "p/o1", Name: "Org", OrganizationIdentifiers: []schema.OrganizationIdentifier{
				{ID: "i1", IdentifierType: "charity", Identifier: "1234"}, {ID: "i2", IdentifierType: "company"}}}
		}, "/organization/organization_identifiers/1", RuleInvalidObject,
			func(s *schema.Service) bool { return len(s.Organization.OrganizationIdentifiers) == 1 }},
		{"ages reversed", func(s *schema.Service) { s.MinimumAge, s.MaximumAge = f64(19), f64(4) }, "/minimum_age", RuleInvalidRange,
			func(s *schema.Service) bool { return s.MinimumAge == nil && s.MaximumAge == nil }},
		{"unknown need code", func(s *schema.Service) { s.NeedCodes = []string{"ASD", "ADHD"} }, "/need_codes/1", RuleInvalidItem,
			func(s *schema.Service) bool { return len(s.NeedCodes) == 1 && s.NeedCodes[0] == "ASD" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &schema.Record{Kind: schema.KindService, Service: service()}
			c.mutate(rec.Service)
			issues, problems := fix(t, r, v, rec)
			if len(problems) > 0 {
				t.Fatalf("record left invalid: %+v", problems)
			}
			found := false
			for _, is := range issues {
				if is.Pointer == c.pointer && is.Action == schema.ActionDropped && is.Rule == c.rule {
					found = true
				}
			}
			if !found {
				t.Errorf("no drop of %s by %s in %+v", c.pointer, c.rule, issues)
			}
			for _, is := range issues {
				if strings.HasPrefix(is.Pointer, c.pointer+"/") && c.rule == RuleInvalidObject {
					t.Errorf("issue %+v inside the dropped object %s", is, c.pointer)
				}
			}
			if !c.check(rec.Service) {
				t.Errorf("record after the drop: %+v", rec.Service)
			}
			if rec.Service.Provenance == nil || rec.Service.Provenance.Pipeline != "p" {
				t.Error("provenance lost in the drop")
			}
		})
	}
}

func f64(f float64) *float64 { return &f }

// Only a record without an id or a usable name is quarantined, as it arrived.
func TestIdentityProblemsQuarantine(t *testing.T) {
	v := validator(t)
	r := New(v, Options{})
	for name, mutate := range map[string]func(*schema.Service){
		"no name":          func(s *schema.Service) { s.Name = "" },
		"name only spaces": func(s *schema.Service) { s.Name = " \u200b " },
		"no id":            func(s *schema.Service) { s.ID = "" },
	} {
		t.Run(name, func(t *testing.T) {
			rec := &schema.Record{Kind: schema.KindService, Service: service()}
			mutate(rec.Service)
			rec.Service.Email = "mailto:x@example.org"
			rec.Service.URL = "not a url at all"
			issues := r.Repair(rec)
			dropped, problems := r.Drop(rec, v.Validate(rec))
			if len(problems) == 0 {
				t.Fatal("record without identity was not left for quarantine")
			}
			if len(dropped) != 0 {
				t.Errorf("drops reported for a quarantined record: %+v", dropped)
			}
			if rec.Service.URL != "not a url at all" {
				t.Errorf("quarantined record was changed by Drop: url %q", rec.Service.URL)
			}
			_ = issues
		})
	}
	// Other kinds: a demand row without a count source is not droppable either.
	rec := &schema.Record{Kind: schema.KindDemand, Demand: &schema.Demand{ID: "d1", Period: "2024", GeographicLevel: "County", Measure: "m", Source: "s"}}
	if _, problems := r.Drop(rec, v.Validate(rec)); len(problems) == 0 {
		t.Error("demand with an unknown geographic level was loaded")
	}
}

func TestDefaultStatus(t *testing.T) {
	v := validator(t)
	rec := &schema.Record{Kind: schema.KindService, Service: service()}
	rec.Service.Status = ""
	issues, problems := fix(t, New(v, Options{}), v, rec)
	if len(problems) > 0 || len(issues) > 0 || rec.Service.Status != "" {
		t.Fatalf("without default_status: status %q, issues %+v, problems %+v; want unknown and nothing recorded", rec.Service.Status, issues, problems)
	}
	issues, problems = fix(t, New(v, Options{DefaultStatus: "active"}), v, rec)
	if len(problems) > 0 || rec.Service.Status != "active" || len(issues) != 1 || issues[0].Rule != RuleDefaultStatus || issues[0].Pointer != "/status" {
		t.Fatalf("with default_status: status %q, issues %+v", rec.Service.Status, issues)
	}
	// A status the source gave is kept.
	rec.Service.Status = "inactive"
	if issues := New(v, Options{DefaultStatus: "active"}).Repair(rec); len(issues) != 0 || rec.Service.Status != "inactive" {
		t.Fatalf("default_status overrode the source: %q %+v", rec.Service.Status, issues)
	}
}

func TestLocationType(t *testing.T) {
	lat, lon := 51.45, -2.58
	cases := []struct {
		name string
		loc  schema.Location
		want string
	}{
		{"address", schema.Location{ID: "l", Addresses: []schema.Address{{ID: "a", Address1: "1 High St", City: "Bristol", PostalCode: "BS1 1AA", Country: "GB"}}}, "physical"},
		{"coordinates", schema.Location{ID: "l", Latitude: &lat, Longitude: &lon}, "physical"},
		{"url only", schema.Location{ID: "l", URL: "https://example.org/online"}, "virtual"},
		{"nothing", schema.Location{ID: "l", Name: "Somewhere"}, ""},
		{"given", schema.Location{ID: "l", LocationType: "Postal ", URL: "https://x.example.org"}, "postal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := c.loc
			Repair(&schema.Record{Kind: schema.KindLocation, Location: &loc}, Options{})
			if loc.LocationType != c.want {
				t.Errorf("location_type = %q, want %q", loc.LocationType, c.want)
			}
			if c.name == "address" && loc.Addresses[0].AddressType != "physical" {
				t.Errorf("address_type = %q, want physical from its location", loc.Addresses[0].AddressType)
			}
		})
	}
}

// golden cases: testdata/<case>/input.json is a JSON array of records;
// expected.json holds each record after Repair and Drop, with its issues and
// the problems left (non-empty: quarantine). go test -update rewrites it.
func TestGolden(t *testing.T) {
	v := validator(t)
	dirs, err := filepath.Glob("testdata/*/input.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	type outcome struct {
		Record   *schema.Record      `json:"record"`
		Issues   []schema.FieldIssue `json:"issues"`
		Problems []schema.Problem    `json:"problems"`
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var recs []*schema.Record
			if err := json.Unmarshal(data, &recs); err != nil {
				t.Fatal(err)
			}
			r := New(v, Options{DefaultStatus: defaultStatusOf(dir)})
			var out []outcome
			for _, rec := range recs {
				issues, problems := fix(t, r, v, rec)
				out = append(out, outcome{rec, issues, problems})
			}
			got, _ := json.MarshalIndent(out, "", "  ")
			got = append(got, '\n')
			exp := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(exp, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(exp)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs; got:\n%s", exp, got)
			}
		})
	}
}

// defaultStatusOf: a case directory named *_default_active runs with default_status: active.
func defaultStatusOf(dir string) string {
	if strings.HasSuffix(dir, "_default_active") {
		return "active"
	}
	return ""
}

func BenchmarkRepairValidService(b *testing.B) {
	s := service()
	s.URL, s.Email = "https://example.org/send", "send@example.org"
	s.Phones = []schema.Phone{{ID: "ph", Number: "023 9268 8888"}}
	s.Schedules = []schema.Schedule{{ID: "sc", OpensAt: "09:00", ClosesAt: "17:00", Freq: "WEEKLY", Byday: "MO"}}
	s.ServiceAtLocations = []schema.ServiceAtLocation{{ID: "sal", Location: &schema.Location{ID: "l", LocationType: "physical",
		Addresses: []schema.Address{{ID: "a", Address1: "1 High St", City: "Portsmouth", PostalCode: "PO1 2AB", Country: "GB", AddressType: "physical"}}}}}
	rec := &schema.Record{Kind: schema.KindService, Service: s}
	b.ReportAllocs()
	for b.Loop() {
		if issues := Repair(rec, Options{}); len(issues) != 0 {
			b.Fatal(issues)
		}
	}
}

func BenchmarkRepairAndDrop(b *testing.B) {
	v := validator(b)
	r := New(v, Options{DefaultStatus: "active"})
	for b.Loop() {
		s := service()
		s.Status = ""
		s.URL, s.Email = "http:www.example.org", "mailto: send@example.org"
		s.Organization = &schema.Organization{ID: "p/o", Name: "Org", Website: "Org Name Ltd"}
		s.Schedules = []schema.Schedule{{ID: "sc", OpensAt: "9:00am", ClosesAt: "5 pm"}}
		rec := &schema.Record{Kind: schema.KindService, Service: s}
		r.Repair(rec)
		if _, problems := r.Drop(rec, v.Validate(rec)); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
