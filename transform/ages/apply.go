package ages

import (
	"github.com/localoffer/localoffer/schema"
)

// Apply sets a service's minimum and maximum age and where they came from
// (age_source). Structured ages from the source win and are left alone (a
// collector that knows better, such as a school's statutory ages, sets
// age_source itself; otherwise it is "source"). Without them the source's age
// wording (age_text), then eligibility, name and description are read in that
// order and the first that states ages decides. The wording used is kept in
// age_text and every reading is annotated.
func Apply(s *schema.Service) {
	if s.MinimumAge != nil || s.MaximumAge != nil {
		if s.AgeSource == "" {
			s.AgeSource = schema.AgeSourceSource
		}
		return
	}
	s.AgeSource = ""
	fields := [...]struct {
		name, text string
		ageField   bool
	}{
		{"age_text", s.AgeText, true},
		{"eligibility_description", s.EligibilityDescription, false},
		{"name", s.Name, false},
		{"description", s.Description, false},
	}
	for _, fl := range fields {
		var r Result
		if fl.name == "description" {
			r = ParseLead(fl.text)
		} else {
			r = Parse(fl.text, fl.ageField)
		}
		if !r.Found && !r.Ambiguous {
			continue
		}
		if s.AgeText == "" {
			s.AgeText = r.Text
		}
		if r.Ambiguous {
			s.Annotations = append(s.Annotations, schema.Annotation{Field: "age", Value: "unknown",
				Evidence: r.Text, Rule: "ages: " + fl.name + ": " + r.Rule})
			return
		}
		s.MinimumAge, s.MaximumAge = r.Min, r.Max
		s.AgeSource = schema.AgeSourceText
		if fl.ageField {
			s.AgeSource = schema.AgeSourceAgeText
		}
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "age", Value: Format(r.Min, r.Max),
			Evidence: r.Text, Rule: "ages: " + fl.name + ": " + r.Rule})
		return
	}
}
