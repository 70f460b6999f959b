package spreadsheet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/schema"
)

func TestMappingEntities(t *testing.T) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	e := env{pipeline: "pcc", source: "sheet.csv", area: "E06000044", measure: "caseload", sourceLabel: "PCC placements", needs: testNeeds(t)}
	cases := []struct {
		entity  string
		header  []string
		row     []string
		mapping map[string]MappingRule
		check   func(t *testing.T, recs []*schema.Record)
	}{
		{
			entity: "locations",
			header: []string{"Site", "Line 1", "Line 2", "PC", "E", "N"},
			row:    []string{"Tipner Hub", "Tipner Road", "Stamshaw", "po2 3hq", "465053", "103514"},
			mapping: map[string]MappingRule{
				"id": {Column: "Site"}, "name": {Column: "Site"}, "address": {Columns: []string{"Line 1", "Line 2"}, Join: ", "},
				"postcode": {Column: "PC"}, "easting": {Column: "E"}, "northing": {Column: "N"}, "city": {Const: "Portsmouth"},
			},
			check: func(t *testing.T, recs []*schema.Record) {
				l := recs[0].Location
				if l.ID != "pcc/Tipner Hub" || l.Addresses[0].Address1 != "Tipner Road, Stamshaw" || l.Addresses[0].City != "Portsmouth" ||
					l.Addresses[0].PostalCode != "PO2 3HQ" || l.LACode != "E06000044" || *l.Latitude < 50.8 || *l.Latitude > 50.83 {
					t.Errorf("location = %+v %+v", l, l.Addresses)
				}
			},
		},
		{
			entity: "capacity",
			header: []string{"URN", "Setting", "Type", "Needs", "Places", "On roll", "As at"},
			row:    []string{"116217", "Castle View", "Special", "SLD, PMLD", "160", "171", "16/01/2025"},
			mapping: map[string]MappingRule{
				"urn": {Column: "URN"}, "name": {Column: "Setting"}, "provision_type": {Column: "Type", Values: map[string]string{"special": "special_school"}},
				"need_codes": {Column: "Needs", Split: ","}, "places": {Column: "Places"}, "number_on_roll": {Column: "On roll"},
				"as_of": {Column: "As at", DateFormat: "dd/mm/yyyy"},
			},
			check: func(t *testing.T, recs []*schema.Record) {
				c := recs[0].Capacity
				if c.ProvisionType != "special_school" || !reflect.DeepEqual(c.NeedCodes, []string{"SLD", "PMLD"}) || *c.Places != 160 ||
					*c.NumberOnRoll != 171 || c.AsOf != "2025-01-16" || c.ID != "pcc/116217-special-school" {
					t.Errorf("capacity = %+v", c)
				}
			},
		},
		{
			entity: "demand",
			header: []string{"Year", "Setting", "Pupils", "LA"},
			row:    []string{"202425", "Independent special", "c", "851"},
			mapping: map[string]MappingRule{
				"period": {Column: "Year"}, "placement": {Column: "Setting"}, "count": {Column: "Pupils"},
				"la_code_old": {Column: "LA"}, "geographic_level": {Const: "Local authority"},
			},
			check: func(t *testing.T, recs []*schema.Record) {
				d := recs[0].Demand
				if d.Count != nil || d.LACode != "E06000044" || d.Measure != "caseload" || d.Source != "PCC placements" ||
					d.ID != "pcc/caseload/202425/E06000044/all/all/Independent special" {
					t.Errorf("demand = %+v", d)
				}
			},
		},
		{
			entity: "organizations",
			header: []string{"Name", "Charity", "Web"},
			row:    []string{"Portsmouth Autism Support Network", "1100001", "pasn.example"},
			mapping: map[string]MappingRule{
				"name": {Column: "Name"}, "charity_number": {Column: "Charity"}, "website": {Column: "Web"},
				"organization_type": {Const: "provider"},
			},
			check: func(t *testing.T, recs []*schema.Record) {
				o := recs[0].Organization
				if o.ID != "pcc/portsmouth-autism-support-network" || o.Website != "http://pasn.example" ||
					o.OrganizationIdentifiers[0].IdentifierScheme != "GB-CHC" || o.OrganizationType != "provider" {
					t.Errorf("organization = %+v", o)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.entity, func(t *testing.T) {
			m, err := newMappingMapper(c.header, Options{Entity: c.entity, Mapping: c.mapping}, e)
			if err != nil {
				t.Fatal(err)
			}
			recs, problems := m.Map(c.row, 2)
			if len(problems) > 0 || len(recs) != 1 {
				t.Fatalf("records %d, problems %v", len(recs), problems)
			}
			setProvenance(recs[0], schema.Provenance{SourceURL: "sheet.csv"}, "pcc")
			if p := v.Validate(recs[0]); len(p) > 0 {
				t.Fatalf("invalid: %v", p)
			}
			c.check(t, recs)
		})
	}
}

func TestMappingCellProblems(t *testing.T) {
	header := []string{"Name", "Needs", "Reviewed", "From age"}
	m, err := newMappingMapper(header, Options{Mapping: map[string]MappingRule{
		"name": {Column: "Name"}, "need_codes": {Column: "Needs"}, "assured_date": {Column: "Reviewed", DateFormat: "dd/mm/yyyy"},
		"minimum_age": {Column: "From age", Default: "0"},
	}}, env{pipeline: "p", needs: testNeeds(t)})
	if err != nil {
		t.Fatal(err)
	}
	recs, problems := m.Map([]string{"Drop-in", "ASD; Sporty", "2025-13-01", ""}, 7)
	s := recs[len(recs)-1].Service
	if !reflect.DeepEqual(s.NeedCodes, []string{"ASD"}) || s.AssuredDate != "" || s.MinimumAge == nil || *s.MinimumAge != 0 {
		t.Errorf("service = %+v", s)
	}
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.Column+": "+p.Msg)
	}
	got := strings.Join(msgs, " | ")
	for _, want := range []string{`Needs: need_codes: unknown need "Sporty"`, `Reviewed: assured_date: not a date in dd/mm/yyyy: "2025-13-01"`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	// A second row with the same name gets a distinct id.
	recs2, _ := m.Map([]string{"Drop-in", "", "", "5"}, 8)
	if id := recs2[len(recs2)-1].ID(); id != "p/drop-in-2" || s.ID != "p/drop-in" {
		t.Errorf("ids %q, %q", s.ID, id)
	}
}

func testNeeds(t *testing.T) *needReader {
	t.Helper()
	nr, err := newNeedReader()
	if err != nil {
		t.Fatal(err)
	}
	return nr
}
