// Package feedback normalises comments about the Local Offer like services:
// the needs, age bands and Local Offer categories a comment mentions, read
// with the shared vocabularies. Comments arrive already scrubbed of personal
// data (transform/pii, applied by the collector before anything is stored).
package feedback

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/categories"
	"github.com/localoffer/localoffer/transform/needs"
)

// Apply sets the feedback's need codes, categories and age bands from its
// comment and the service or page it is about, and its status from its
// response when the source gave none.
func Apply(f *schema.Feedback, nv *needs.Vocab, cr *categories.Rules) {
	// The vocabularies read services; a comment is read as the description
	// of a service named by what it is about.
	probe := &schema.Service{Name: f.About, Description: f.Comment}
	if nv != nil {
		nv.Apply(probe)
		f.NeedCodes = probe.NeedCodes
	}
	if cr != nil {
		cr.Apply(probe)
		f.Categories = probe.Categories
	}
	f.AgeBands = AgeBands(f.Comment)
	f.Status = Status(f.Status, f.Response)
	f.Respondent = Respondent(f.Respondent)
}

// Status is the normalised status: open, answered or closed.
func Status(status, response string) string {
	s := strings.ToLower(strings.TrimSpace(status))
	switch {
	case strings.Contains(s, "close"), strings.Contains(s, "resolved"), strings.Contains(s, "complete"), s == "done":
		return "closed"
	case strings.Contains(s, "answer"), strings.Contains(s, "respond"), strings.Contains(s, "replied"):
		return "answered"
	case strings.TrimSpace(response) != "":
		return "answered"
	}
	return "open"
}

// Respondent maps the survey's "who are you" answer to a respondent kind;
// empty stays empty (the question is optional).
func Respondent(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case l == "":
		return ""
	case l == schema.RespondentParentCarer || l == schema.RespondentYoungPerson || l == schema.RespondentProfessional || l == schema.RespondentOther:
		return l
	case strings.Contains(l, "young person"), strings.Contains(l, "young people"), strings.Contains(l, "child"), strings.Contains(l, "pupil"), strings.Contains(l, "student"):
		return schema.RespondentYoungPerson
	case strings.Contains(l, "parent"), strings.Contains(l, "carer"), strings.Contains(l, "mum"), strings.Contains(l, "dad"), strings.Contains(l, "family"), strings.Contains(l, "guardian"), strings.Contains(l, "grand"):
		return schema.RespondentParentCarer
	case strings.Contains(l, "professional"), strings.Contains(l, "practitioner"), strings.Contains(l, "staff"), strings.Contains(l, "teacher"),
		strings.Contains(l, "senco"), strings.Contains(l, "worker"), strings.Contains(l, "provider"), strings.Contains(l, "health"), strings.Contains(l, "school"):
		return schema.RespondentProfessional
	}
	return schema.RespondentOther
}

var (
	rangeRe = regexp.MustCompile(`(?i)\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})(?:s|\s*(?:year|yr)s?\b|\s*yo\b)?`)
	ageRe   = regexp.MustCompile(`(?i)(?:\baged?\s+(\d{1,2})\b|\b(\d{1,2})\s*(?:-\s*)?(?:years?|yrs?)[\s-]*old\b|\b(\d{1,2})\s*yo\b|\((\d{1,2})\)|\b(?:is|am|turned|turns|now)\s+(\d{1,2})\b(?:\s*(?:and|but|,|\.|$))|,\s*(\d{1,2}),)`)
	underRe = regexp.MustCompile(`(?i)\bunder\s*(\d{1,2})s?\b`)
	// Words that stand for an age without a number.
	wordAges = []struct {
		re     *regexp.Regexp
		lo, hi int
	}{
		{regexp.MustCompile(`(?i)\b(?:toddlers?|pre-?school(?:ers)?|nursery|early years|baby|babies|portage)\b`), 0, 4},
		{regexp.MustCompile(`(?i)\bprimary(?: school)?\b`), 5, 10},
		{regexp.MustCompile(`(?i)\b(?:secondary(?: school)?|teen(?:ager)?s?)\b`), 11, 15},
		{regexp.MustCompile(`(?i)\b(?:college|sixth form|post-?16)\b`), 16, 18},
		{regexp.MustCompile(`(?i)\b(?:young adults?|adulthood|supported (?:living|internships?|employment)|post-?19)\b`), 19, 25},
	}
)

// AgeBands returns the age bands a comment mentions, in band order: stated
// ages ("my son is 7", "aged 9", "(14)"), ranges ("11-15s", "19-25 year
// olds") and words that imply an age ("toddler", "college").
func AgeBands(text string) []string {
	hit := make([]bool, len(schema.AgeBands))
	mark := func(lo, hi int) {
		if lo > hi || hi > schema.MaxSENDAge+5 {
			return
		}
		for i, b := range schema.AgeBands {
			if b.Overlaps(float64(lo), float64(hi)) {
				hit[i] = true
			}
		}
	}
	for _, m := range rangeRe.FindAllStringSubmatch(text, -1) {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if hi <= schema.MaxSENDAge && lo < hi {
			mark(lo, hi)
		}
	}
	for _, m := range ageRe.FindAllStringSubmatch(text, -1) {
		for _, g := range m[1:] {
			if g == "" {
				continue
			}
			if a, err := strconv.Atoi(g); err == nil && a <= schema.MaxSENDAge {
				mark(a, a)
			}
		}
	}
	for _, m := range underRe.FindAllStringSubmatch(text, -1) {
		if a, err := strconv.Atoi(m[1]); err == nil && a > 0 && a <= schema.MaxSENDAge+1 {
			mark(0, a-1)
		}
	}
	for _, w := range wordAges {
		if w.re.MatchString(text) {
			mark(w.lo, w.hi)
		}
	}
	var out []string
	for i, b := range schema.AgeBands {
		if hit[i] {
			out = append(out, b.Name)
		}
	}
	return slices.Clip(out)
}
