package feed

import (
	"testing"

	"github.com/localoffer/localoffer/schema"
)

// Export publishes minimum_age/maximum_age only when the source stated them;
// ages read from free text stay in the warehouse for gap analysis.
func TestExportPublishesOnlyStatedAges(t *testing.T) {
	cases := []struct {
		name    string
		svc     schema.Service
		publish bool
		wording bool // the age wording attribute
	}{
		{"source fields", schema.Service{AgeSource: schema.AgeSourceSource, AgeText: "0-25"}, true, true},
		{"school statutory ages", schema.Service{AgeSource: schema.AgeSourceSchool, AgeText: "statutory ages 4–11 (GIAS)"}, true, true},
		{"source age wording", schema.Service{AgeSource: schema.AgeSourceAgeText, AgeText: "Year 7 to Year 11"}, true, true},
		{"free text", schema.Service{AgeSource: schema.AgeSourceText, AgeText: "aged 11-18"}, false, false},
		{"loaded before age_source, derived", schema.Service{AgeText: "aged 11-18",
			Annotations: []schema.Annotation{{Field: "age", Value: "11-18", Rule: "ages: description: range"}}}, false, false},
		{"loaded before age_source, given", schema.Service{AgeText: "11-18"}, true, true},
	}
	for _, c := range cases {
		s := c.svc
		s.ID, s.Name, s.Status = "p/1", "Youth club", "active"
		s.MinimumAge, s.MaximumAge = f64(11), f64(18)
		out := Service(&s, nil, nil)
		if got := out.MinimumAge != nil && out.MaximumAge != nil; got != c.publish {
			t.Errorf("%s: published ages = %v, want %v", c.name, got, c.publish)
		}
		wording := false
		for _, a := range out.Attributes {
			if a.TaxonomyTerm != nil && a.TaxonomyTerm.Code == "age_wording" {
				wording = true
			}
		}
		if wording != c.wording {
			t.Errorf("%s: age wording attribute = %v, want %v", c.name, wording, c.wording)
		}
	}
}
