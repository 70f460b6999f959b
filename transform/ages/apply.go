package ages

import (
	"github.com/localoffer/localoffer/schema"
)

// Apply sets a service's minimum and maximum age. Structured ages from the
// source win and are left alone; otherwise the source's age wording
// (age_text), then eligibility, name and description are read in that order
// and the first that states ages decides. The wording used is kept in
// age_text and every reading is annotated.
func Apply(s *schema.Service) {
	if s.MinimumAge != nil || s.MaximumAge != nil {
		return
	}
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
		r := Parse(fl.text, fl.ageField)
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
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "age", Value: Format(r.Min, r.Max),
			Evidence: r.Text, Rule: "ages: " + fl.name + ": " + r.Rule})
		return
	}
}
