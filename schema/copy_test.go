package schema

import (
	"reflect"
	"testing"
)

// A copy is equal and shares nothing: writing every field a transform writes
// in the copy leaves the original as it was.
func TestLocationCopySharesNothing(t *testing.T) {
	lat, lon, tz := 50.8, -1.08, 0.0
	orig := &Location{ID: "loc-1", Name: "Hub", Latitude: &lat, Longitude: &lon, LACode: "",
		Languages:     []Language{{ID: "l1", Name: "English"}},
		Addresses:     []Address{{ID: "a1", Address1: "1 High St", PostalCode: "po1 2ab"}},
		Accessibility: []Accessibility{{ID: "x1", Description: "Ramp"}},
		Phones:        []Phone{{ID: "p1", Number: "023"}},
		Contacts:      []Contact{{ID: "c1", Phones: []Phone{{ID: "cp1", Number: "024"}}}},
		Schedules:     []Schedule{{ID: "s1", Timezone: &tz}},
		Attributes:    []Attribute{{ID: "at1", TaxonomyTerm: &TaxonomyTerm{ID: "t1", Name: "Term"}}},
		Provenance:    &Provenance{Pipeline: "p"}}
	c := orig.Copy()
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("copy differs:\n%+v\n%+v", c, orig)
	}
	before := *orig.Copy()
	*c.Latitude, *c.Longitude = 1, 2
	c.LACode = "E06000044"
	c.Languages[0].Name = "x"
	c.Addresses[0].PostalCode = "PO1 2AB"
	c.Accessibility[0].Description = "x"
	c.Phones[0].Number = "x"
	c.Contacts[0].Phones[0].Number = "x"
	*c.Schedules[0].Timezone = 1
	c.Attributes[0].TaxonomyTerm.Name = "x"
	c.Provenance.Pipeline = "x"
	if !reflect.DeepEqual(*orig, before) {
		t.Fatalf("writing the copy changed the original:\n%+v\n%+v", *orig, before)
	}
	if (*Location)(nil).Copy() != nil {
		t.Fatal("a nil location's copy is not nil")
	}
}
