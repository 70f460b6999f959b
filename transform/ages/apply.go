package ages

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/localoffer/localoffer/schema"
)

// Apply sets a service's minimum and maximum age and where they came from
// (age_source). Structured ages from the source win and are left alone (a
// collector that knows better, such as a school's statutory ages, sets
// age_source itself; otherwise it is "source"). Without them the source's age
// wording (age_text), then eligibility, then the name with the opening of
// the description are read in that order and the first that states ages
// decides. Name and description are read together so that a session's ages
// in the name ("Funetics 9-11") join the ages the description gives the whole
// service, or conflict with them. The wording used is kept in age_text and
// every reading is annotated.
func Apply(s *schema.Service) {
	if s.MinimumAge != nil || s.MaximumAge != nil {
		if s.AgeSource == "" {
			s.AgeSource = schema.AgeSourceSource
		}
		return
	}
	s.AgeSource = ""
	field, r := "age_text", Parse(s.AgeText, true)
	if !r.Found && !r.Ambiguous {
		field, r = "eligibility_description", Parse(s.EligibilityDescription, false)
	}
	if !r.Found && !r.Ambiguous {
		field, r = "name and description", parseNamed(s.Name, s.Description)
	}
	if !r.Found && !r.Ambiguous {
		return
	}
	if s.AgeText == "" {
		s.AgeText = r.Text
	}
	if r.Ambiguous {
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "age", Value: "unknown",
			Evidence: r.Text, Rule: "ages: " + field + ": " + r.Rule})
		return
	}
	s.MinimumAge, s.MaximumAge = r.Min, r.Max
	s.AgeSource = schema.AgeSourceText
	if field == "age_text" {
		s.AgeSource = schema.AgeSourceAgeText
	}
	s.Annotations = append(s.Annotations, schema.Annotation{Field: "age", Value: Format(r.Min, r.Max),
		Evidence: r.Text, Rule: "ages: " + field + ": " + r.Rule})
}

// parseNamed reads the name and the first LeadSentences sentences of the
// description as one text, the name its first sentence.
func parseNamed(name, description string) Result {
	switch {
	case description == "":
		return parse(name, true, 0)
	case name == "":
		return parse(description, true, LeadSentences)
	}
	// The two are joined in a pooled buffer rather than a new string for
	// every service: only the wording found is kept, and it is copied out.
	bp := joined.Get().(*[]byte)
	defer joined.Put(bp)
	b := append(append(append((*bp)[:0], name...), '\n'), description...)
	*bp = b
	r := parse(unsafe.String(unsafe.SliceData(b), len(b)), true, LeadSentences+1)
	r.Text = strings.Clone(r.Text)
	return r
}

var joined = sync.Pool{New: func() any { return new([]byte) }}
