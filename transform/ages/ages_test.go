package ages

import (
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in       string
		ageField bool
		want     string // Format of the range, "?" for unknown, "ambiguous"
	}{
		{"0-25", true, "0-25"},
		{"ages 5 to 11", false, "5-11"},
		{"5–11 years", false, "5-11"},
		{"under 5s", false, "0-4"},
		{"16+", true, "16+"},
		{"Young people 16+", false, "16+"},
		{"18 and over", false, "18+"},
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
		{"6 months to 5 years", false, "0.5-5"},
		{"from birth to 5", false, "0-5"},
		{"For 11 to 16 year olds", false, "11-16"},
		{"between 5 and 11", false, "5-11"},
		{"aged 18 or under", false, "0-18"},
		{"over 16s", false, "16+"},
		{"All ages welcome", false, "0+"},
		{"Open 9-5, call 023 9268 8888", false, "?"},
		{"Meets 10-12 on Saturdays", false, "?"},
		{"Sessions last 2 hours", false, "?"},
		{"We have 25 years of experience", false, "?"},
		{"Children 0-5 and young people 16-25", false, "ambiguous"},
		{"", false, "?"},
		{"teenagers", false, "?"},
		{"Ask at reception desk", false, "?"},
		{"Year 7 to Year 11 (ages 11-16)", false, "11-16"},
		{"Ages 11-16 and 16-25 on different nights", false, "ambiguous"},
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
