package feed

import (
	"reflect"
	"testing"

	"github.com/localoffer/localoffer/schema"
)

func ip(v int) *int { return &v }

// richLocation has every nested kind HSDS gives a location.
func richLocation() *schema.Location {
	return &schema.Location{ID: "pcc/loc-2", LocationType: "physical", Name: "Cosham Library", URL: "www.portsmouth.gov.uk/cosham",
		OrganizationID: "pcc/org-1", LACode: "E06000044",
		Languages: []schema.Language{{Name: "British Sign Language", Code: "bfi", ServiceID: "stale"}},
		Addresses: []schema.Address{
			{Address1: "Spur Road", City: "Portsmouth", PostalCode: "PO6 3EB", Country: "GB", AddressType: "physical"}, // state from the LA code
			{PostalCode: "PO6 3EB", Country: "GB"},                             // postcode only: cannot be HSDS
			{Address1: "1 High Street", City: "Cosham", PostalCode: "PO6 3AA"}, // no country: not invented
		},
		Contacts:      []schema.Contact{{ID: "c1", Name: "Librarian", Phones: []schema.Phone{{Number: "023 9268 8118"}}}},
		Accessibility: []schema.Accessibility{{Description: "Step-free entrance", URL: "www.portsmouth.gov.uk/access"}},
		Phones:        []schema.Phone{{Number: "023 9268 8119", Languages: []schema.Language{{Name: "Polish", Code: "pl"}}}},
		Schedules:     []schema.Schedule{{Freq: "WEEKLY", Byday: "SA", OpensAt: "10:00", ClosesAt: "12:00", Interval: ip(1), ScheduleLink: "portsmouth.gov.uk/hours"}},
		Attributes: []schema.Attribute{{TaxonomyTermID: "term-quiet", TaxonomyTerm: &schema.TaxonomyTerm{ID: "term-quiet", Name: "Quiet room", Description: "Quiet room",
			ParentID: "term-access", TaxonomyID: "tax-access", TermURI: "example.org/quiet",
			TaxonomyDetail: &schema.Taxonomy{ID: "tax-access", Name: "Access features", Description: "Access", URI: "example.org/access"}}}},
	}
}

func TestLocationForm(t *testing.T) {
	in := richLocation()
	got := Location(in)
	lid := UUID("pcc/loc-2")
	if got.ID != lid || got.OrganizationID != UUID("pcc/org-1") || got.URL != "http://www.portsmouth.gov.uk/cosham" {
		t.Errorf("ids or url: %s %s %s", got.ID, got.OrganizationID, got.URL)
	}
	if len(got.Addresses) != 1 {
		t.Fatalf("addresses %+v: want only the complete one", got.Addresses)
	}
	a := got.Addresses[0]
	if a.StateProvince != "Portsmouth" || a.LocationID != lid || a.ID != UUID("pcc/loc-2#address/#0") {
		t.Errorf("address %+v", a)
	}
	if l := got.Languages; len(l) != 1 || l[0].LocationID != lid || l[0].ServiceID != "" || l[0].ID != UUID("pcc/loc-2#language/#0") {
		t.Errorf("languages %+v", l)
	}
	if c := got.Contacts; len(c) != 1 || c[0].LocationID != lid || c[0].ID != UUID("pcc/loc-2#contact/c1") ||
		len(c[0].Phones) != 1 || c[0].Phones[0].ContactID != c[0].ID {
		t.Errorf("contacts %+v", c)
	}
	if x := got.Accessibility; len(x) != 1 || x[0].URL != "http://www.portsmouth.gov.uk/access" || x[0].LocationID != lid {
		t.Errorf("accessibility %+v", x)
	}
	if p := got.Phones; len(p) != 1 || p[0].LocationID != lid || len(p[0].Languages) != 1 || p[0].Languages[0].PhoneID != p[0].ID {
		t.Errorf("phones %+v", p)
	}
	if s := got.Schedules; len(s) != 1 || s[0].LocationID != lid || s[0].ScheduleLink != "http://portsmouth.gov.uk/hours" || *s[0].Interval != 1 {
		t.Errorf("schedules %+v", s)
	}
	at := got.Attributes
	if len(at) != 1 {
		t.Fatalf("attributes %+v", at)
	}
	term := at[0].TaxonomyTerm
	if at[0].LinkID != lid || at[0].LinkEntity != "location" || at[0].TaxonomyTermID != UUID("term-quiet") || term.ID != UUID("term-quiet") ||
		term.ParentID != UUID("term-access") || term.TaxonomyID != UUID("tax-access") || term.TermURI != "http://example.org/quiet" ||
		term.TaxonomyDetail.ID != UUID("tax-access") || term.TaxonomyDetail.URI != "http://example.org/access" {
		t.Errorf("attribute %+v term %+v", at[0], term)
	}
	// The input is not changed: records are shared with the snapshot that serves them.
	if !reflect.DeepEqual(in, richLocation()) {
		t.Error("Location modified its input")
	}
}

// A location whose LA is unknown gets its town as state_province.
func TestLocationStateProvinceFallsBackToTown(t *testing.T) {
	l := Location(&schema.Location{ID: "x", Addresses: []schema.Address{{Address1: "1 Quay", City: "Cowes", Country: "GB"}}})
	if len(l.Addresses) != 1 || l.Addresses[0].StateProvince != "Cowes" {
		t.Errorf("addresses %+v", l.Addresses)
	}
	l = Location(&schema.Location{ID: "x", Addresses: []schema.Address{{Address1: "1 Quay", City: "Cowes", StateProvince: "Isle of Wight", Country: "GB"}}})
	if l.Addresses[0].StateProvince != "Isle of Wight" {
		t.Errorf("a given state_province was replaced: %+v", l.Addresses)
	}
}

func TestOrganizationForm(t *testing.T) {
	o := &schema.Organization{ID: "pcc/org-1", Name: "Portsmouth City Council", URI: "portsmouth.gov.uk", ParentOrganizationID: "gov/mhclg",
		Contacts:  []schema.Contact{{Name: "SEND team", Email: "send@portsmouthcc.gov.uk"}},
		Phones:    []schema.Phone{{Number: "023 9283 4092"}},
		Locations: []schema.Location{*richLocation()},
		OrganizationIdentifiers: []schema.OrganizationIdentifier{
			{IdentifierScheme: "GB-LAE", Identifier: "PTE"},
			{ID: "urn", IdentifierScheme: "GB-URN", IdentifierType: "urn", Identifier: "116642"},
		},
		Attributes: []schema.Attribute{{TaxonomyTermID: "term-la", LinkEntity: "organization_custom"}},
	}
	got := Organization(o, nil)
	oid := UUID("pcc/org-1")
	if got.Description != "Portsmouth City Council" {
		t.Errorf("description %q: want the name when there is none", got.Description)
	}
	if got.URI != "http://portsmouth.gov.uk" || got.ParentOrganizationID != UUID("gov/mhclg") {
		t.Errorf("uri %q parent %q", got.URI, got.ParentOrganizationID)
	}
	if c := got.Contacts; len(c) != 1 || c[0].OrganizationID != oid {
		t.Errorf("contacts %+v", c)
	}
	if p := got.Phones; len(p) != 1 || p[0].OrganizationID != oid {
		t.Errorf("phones %+v", p)
	}
	if l := got.Locations; len(l) != 1 || l[0].OrganizationID != oid || l[0].ID != UUID("pcc/loc-2") || len(l[0].Addresses) != 1 {
		t.Errorf("locations %+v", l)
	}
	ids := got.OrganizationIdentifiers
	if len(ids) != 2 || ids[0].IdentifierType != "GB-LAE" || ids[0].ID != UUID("pcc/org-1#organization_identifier/#0") ||
		ids[1].IdentifierType != "urn" || ids[1].ID != UUID("pcc/org-1#organization_identifier/urn") || ids[1].OrganizationID != oid {
		t.Errorf("identifiers %+v", ids)
	}
	if a := got.Attributes; len(a) != 1 || a[0].TaxonomyTermID != UUID("term-la") || a[0].LinkEntity != "organization_custom" || a[0].LinkID != oid {
		t.Errorf("attributes %+v", a)
	}
	if d := Organization(&schema.Organization{ID: "y", Name: "N", Description: "Says what it does"}, nil).Description; d != "Says what it does" {
		t.Errorf("own description replaced: %q", d)
	}
}

func TestServiceForm(t *testing.T) {
	orgs := map[string]*schema.Organization{"pcc/org-1": {ID: "pcc/org-1", Name: "Portsmouth City Council"}}
	locs := map[string]*schema.Location{"pcc/loc-2": richLocation()}
	s := &schema.Service{ID: "pcc/svc-9", OrganizationID: "pcc/org-1", ProgramID: "pcc/prog-1", Name: "Saturday club", Status: "active",
		URL: "club.example.org", MinimumAge: f64(5), MaximumAge: f64(11), AgeSource: schema.AgeSourceSource,
		Languages:    []schema.Language{{Name: "English", Code: "en"}},
		ServiceAreas: []schema.ServiceArea{{Name: "Portsmouth", Extent: "E06000044", ExtentType: "gss"}},
		CostOptions:  []schema.CostOption{{ID: "fee", Option: "Per session", Amount: f64(5), Currency: "GBP"}},
		ServiceAtLocations: []schema.ServiceAtLocation{
			{ID: "sal-a", LocationID: "pcc/loc-2", Description: "Main hall",
				Contacts:   []schema.Contact{{Name: "Club lead"}},
				Phones:     []schema.Phone{{Number: "07700 900123"}},
				Schedules:  []schema.Schedule{{Freq: "WEEKLY", Byday: "SA"}},
				Attributes: []schema.Attribute{{TaxonomyTermID: "term-hall"}}},
			{ID: "sal-b", LocationID: "pcc/loc-unknown"},
		},
		Capacity: &schema.ServiceCapacity{Maximum: f64(12)},
	}
	got := Service(s, orgs, locs)
	sid := UUID("pcc/svc-9")
	if got.ProgramID != "" {
		t.Errorf("program_id %q: there is no program entity to point at", got.ProgramID)
	}
	if got.Organization == nil || got.OrganizationID != UUID("pcc/org-1") || got.Organization.Description != "Portsmouth City Council" {
		t.Errorf("organization not joined: %+v", got.Organization)
	}
	if got.MinimumAge == nil || *got.MinimumAge != 5 || got.URL != "http://club.example.org" {
		t.Errorf("stated ages or url: %v %q", got.MinimumAge, got.URL)
	}
	if l := got.Languages; len(l) != 1 || l[0].ServiceID != sid {
		t.Errorf("languages %+v", l)
	}
	if a := got.ServiceAreas; len(a) != 1 || a[0].ServiceID != sid || a[0].ID != UUID("pcc/svc-9#service_area/#0") {
		t.Errorf("service areas %+v", a)
	}
	if c := got.CostOptions; len(c) != 1 || c[0].ID != UUID("pcc/svc-9#cost_option/fee") || c[0].ServiceID != sid {
		t.Errorf("cost options %+v", c)
	}
	sals := got.ServiceAtLocations
	if len(sals) != 2 {
		t.Fatalf("service at locations %+v", sals)
	}
	a := sals[0]
	salID := UUID("pcc/svc-9#service_at_location/sal-a")
	if a.ID != salID || a.ServiceID != sid || a.Location == nil || a.LocationID != UUID("pcc/loc-2") || a.Description != "Main hall" {
		t.Errorf("joined service at location %+v", a)
	}
	if len(a.Contacts) != 1 || a.Contacts[0].ServiceAtLocationID != salID || len(a.Phones) != 1 || a.Phones[0].ServiceAtLocationID != salID ||
		len(a.Schedules) != 1 || a.Schedules[0].ServiceAtLocationID != salID || len(a.Attributes) != 1 || a.Attributes[0].LinkID != salID ||
		a.Attributes[0].LinkEntity != "service_at_location" {
		t.Errorf("service at location children %+v", a)
	}
	if b := sals[1]; b.Location != nil || b.LocationID != UUID("pcc/loc-unknown") {
		t.Errorf("a location not in the warehouse is referred to by id: %+v", b)
	}
	var facts []string
	for _, at := range got.Attributes {
		facts = append(facts, at.LinkType+"="+at.Value)
	}
	if want := []string{"capacity=12"}; !reflect.DeepEqual(facts, want) {
		t.Errorf("attributes %v, want %v", facts, want)
	}
}

// Which ages count as read from free text (TestExportPublishesOnlyStatedAges
// checks what the feed then publishes). Older records say so with an "age"
// annotation rather than age_source; "unknown" there means none was read.
func TestAgesFromText(t *testing.T) {
	cases := []struct {
		name string
		s    schema.Service
		want bool
	}{
		{"stated by the source", schema.Service{AgeSource: schema.AgeSourceSource}, false},
		{"stated by the school", schema.Service{AgeSource: schema.AgeSourceSchool}, false},
		{"read from free text", schema.Service{AgeSource: schema.AgeSourceText}, true},
		{"read from an age column", schema.Service{AgeSource: schema.AgeSourceAgeText}, false},
		{"older record, derived", schema.Service{Annotations: []schema.Annotation{{Field: "need_codes", Value: "ASD"}, {Field: "age", Value: "5-11"}}}, true},
		{"older record, unknown", schema.Service{Annotations: []schema.Annotation{{Field: "age", Value: "unknown"}}}, false},
		{"nothing said", schema.Service{}, false},
	}
	for _, c := range cases {
		if got := agesFromText(&c.s); got != c.want {
			t.Errorf("%s: agesFromText = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	if got := describe(&schema.Service{ID: "pcc/1", Name: "Club"}); got != "service pcc/1 (Club)" {
		t.Errorf("describe = %q", got)
	}
}
