package ages

import (
	"testing"

	"github.com/localoffer/localoffer/schema"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in       string
		ageField bool
		want     string // Format of the range, "?" for unknown, "ambiguous"
	}{
		{"0-25", true, "0-25"},
		{"ages 5 to 11", false, "5-11"},
		{"5–11 years", true, "5-11"},
		{"5–11 years", false, "?"},    // could be a duration
		{"0-25 years", false, "0-25"}, // a duration never starts at 0
		{"under 5s", false, "0-4"},
		{"16+", true, "16+"},
		{"Young people 16+", false, "16+"},
		{"18 and over", true, "18+"},
		{"Adults 18 and over", false, "18+"},
		{"Year 7 to Year 11", false, "11-16"},
		{"Years 7-11", false, "11-16"},
		{"Y7 - Y11", false, "11-16"},
		{"Key Stage 2", false, "7-11"},
		{"KS3-4", false, "11-16"},
		{"Reception", false, "4-5"},
		{"pre-school children", false, "0-4"},
		{"Preschool", false, "0-4"},
		{"young people up to 25", false, "0-25"},
		{"Children 0-5", false, "0-5"},
		{"children and young people aged 0 to 25 years", false, "0-25"},
		{"6 months to 5 years", true, "0.5-5"},
		{"Babies 6 months to 2 years", false, "0.5-2"},
		{"from birth to 5", false, "0-5"},
		{"For 11 to 16 year olds", false, "11-16"},
		{"aged between 5 and 11", false, "5-11"},
		{"between 5 and 11", true, "5-11"},
		{"aged 18 or under", false, "0-18"},
		{"over 16s", false, "16+"},
		{"All ages welcome", false, "?"}, // states no bound
		{"Open 9-5, call 023 9268 8888", false, "?"},
		{"Meets 10-12 on Saturdays", false, "?"},
		{"Sessions last 2 hours", false, "?"},
		{"We have 25 years of experience", false, "?"},
		{"Children 0-5 and young people 16-25", false, "ambiguous"},
		{"", false, "?"},
		{"teenagers", false, "?"},
		{"Ask at reception desk", false, "?"},
		{"Year 7 to Year 11 (ages 11-16)", false, "11-16"},
		{"Ages 11-16 and 16-25 on different nights", false, "11-25"},
		{"Wednesday 5-6:20pm for 11-13 year olds and 6:40-8pm for 13-19 year olds", false, "11-19"},
		// What the issue lists as not stating who the service is for.
		{"The programme employs each participant for 6 to 24 months", false, "?"},
		{"A group for couples in their 20's – 50's", false, "?"},
		{"Play sessions, with a side programme for children from 3 to 12", false, "?"},
		{"Open 9-5, Saturdays 10-12", false, "?"},
		{"Sessions run for 1-2 years", false, "?"},
		{"85% of women aged 45-55 experience symptoms", false, "?"},
		{"Children under 8 must be accompanied by an adult", false, "?"},
		{"The walks are between 30 and 90 minutes", false, "?"},
		{"We have between 16-20 people each session", false, "?"},
		{"At just 37 years old, Amy was killed", false, "?"},
		{"A Global Assessment Scale of 50 or below", false, "?"},
		{"Volunteer mentors must be 18 years and older", false, "?"},
		{"Families can visit our Under 5s space", false, "?"},
		// And what it lists as stating it.
		{"aged 5–11", false, "5-11"},
		{"children and young people up to 25", false, "0-25"},
		{"from birth to 5", false, "0-5"},
		{"Children between birth and age 5", false, "0-5"},
		{"<p>Youth club for young people&nbsp;aged 11&ndash;18</p>", false, "11-18"},
		{"<p>Participants must be aged 18+</p>", false, "18+"},
		{"Reception to Year 6", false, "4-11"},
		{"Students in grades K-12", false, "5-18"},
		{"Children 9-18 years old and older", false, "9+"},
		{"Tai Chi classes for over 50's", false, "50+"},
		{"If you’re over 16 and looking for work", false, "16+"},
		{"Teeny Boppers: pre-school children aged 2-3 years", false, "2-3"},
		{"Young people aged 16-19 (or up to 25 with an EHC plan)", false, "16-25"},
		{"Family Bugs (0-4 months), Mini Bugs (6-24 months)", false, "?"},
		{"From 11 years of age and up (under 16's need adult supervision)", false, "11+"},
		{"MediKids is for children between the ages of 1 year old and 4 years old", false, "1-4"},
		{"Adults with disabilities aged 18 through 59 years", false, "18-59"},
		{"Children and young people 0-16/19 years of age", false, "0-19"},
		{"Nearly 3,000 members aged fifty-five and above", false, "55+"},
		{"Our youngest paddlers are from age six to eight years old. There is no upper age limit.", false, "6+"},
		{"Early learning from Infant to 2nd Grade", false, "?"},
		{"Children 8 weeks - 5 years old", false, "0.15-5"},
		{"Home visits for a duration of 20 to 24 weeks", false, "?"},
		{"We are unable to allow children under 16 years of age to use our scooters", false, "?"},
		{"Supported by volunteers, the charity organises tea parties for older people aged 75 and over", false, "75+"},
		{"Open 6-8pm. Ages 11-16.", false, "11-16"},
	}
	for _, c := range cases {
		r := Parse(c.in, c.ageField)
		got := Format(r.Min, r.Max)
		if r.Ambiguous {
			got = "ambiguous"
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %s (rule %q), want %s", c.in, got, r.Rule, c.want)
		}
		if got == "?" && r.Found {
			t.Errorf("Parse(%q): Found with no range", c.in)
		}
	}
}

// FuzzParse: hostile text never panics and never yields an inverted or out-of-range age.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0-25", "Year 7 to Year 11", "under 5s", "KS3-", "up to 18th", "year", "- + 5", "birth to", "ages 5 to", "99999999999-1"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, ageField bool) {
		r := Parse(s, ageField)
		if r.Min != nil && (*r.Min < 0 || *r.Min > 130) || r.Max != nil && (*r.Max < 0 || *r.Max > 130) {
			t.Errorf("Parse(%q) out of range: %s", s, Format(r.Min, r.Max))
		}
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			t.Errorf("Parse(%q) inverted: %s", s, Format(r.Min, r.Max))
		}
	})
}

// TestParseNamedKeepsItsWording: the name and description are joined in a
// reused buffer; the wording a service keeps must not change when the
// next service is read.
func TestParseNamedKeepsItsWording(t *testing.T) {
	first := parseNamed("Youth club", "For young people aged 11-18 in the town and the villages around it, every week of the year.")
	if !first.Found || first.Text != "11-18" {
		t.Fatalf("first = %+v", first)
	}
	text := first.Text
	s := &schema.Service{Name: "Play", Description: "Babies and children aged 0-5 with carers."}
	Apply(s)
	if first.Text != text || first.Text != "11-18" {
		t.Fatalf("the first service's wording became %q", first.Text)
	}
	if s.AgeText != "0-5" {
		t.Fatalf("second service's age_text = %q", s.AgeText)
	}
}
