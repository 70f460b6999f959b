package feedback

import (
	"slices"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/categories"
	"github.com/localoffer/localoffer/transform/needs"
)

func TestAgeBands(t *testing.T) {
	cases := []struct {
		text string
		want string
	}{
		{"My son [name] is 7 and has autism.", "5-10"},
		{"mum to a 14 year old with SEMH needs", "11-15"},
		{"[name] (14) is non verbal", "11-15"},
		{"Our daughter [name], aged 9, has a visual impairment", "5-10"},
		{"Nothing for 19-25 year olds with complex needs", "19-25"},
		{"more autism friendly holiday clubs for 11-15s", "11-15"},
		{"the waiting list is 2 years. Unacceptable.", ""},
		{"We waited 18 months for an assessment", ""},
		{"no sign language group for toddlers", "0-4"},
		{"counselling at college", "16-18"},
		{"deaf children aged 16-18", "16-18"},
		{"nothing for under 5s", "0-4"},
		{"from 01/02/2024 to 2025-06-30", ""},
	}
	for _, c := range cases {
		if got := strings.Join(AgeBands(c.text), ","); got != c.want {
			t.Errorf("AgeBands(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestStatusAndRespondent(t *testing.T) {
	for _, c := range []struct{ status, response, want string }{
		{"", "", "open"}, {"New", "", "open"}, {"", "We fixed it", "answered"}, {"Responded", "x", "answered"},
		{"Closed", "", "closed"}, {"Resolved", "", "closed"}, {"Open", "We fixed it", "answered"},
	} {
		if got := Status(c.status, c.response); got != c.want {
			t.Errorf("Status(%q, %q) = %q, want %q", c.status, c.response, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Parent/carer", "parent_carer"}, {"Young person", "young_person"}, {"Professional", "professional"},
		{"SENCO", "professional"}, {"", ""}, {"Grandparent", "parent_carer"}, {"Other", "other"},
	} {
		if got := Respondent(c.in); got != c.want {
			t.Errorf("Respondent(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestApplyReadsVocabularies(t *testing.T) {
	nv, err := needs.Load("../needs/needs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := categories.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f := &schema.Feedback{Comment: "My son [name] is 12 and autistic; the holiday playscheme short breaks were full.", Response: "Booking now opens in two waves."}
	Apply(f, nv, cr)
	if !slices.Contains(f.NeedCodes, "ASD") || !slices.Contains(f.Categories, "short_breaks") || !slices.Equal(f.AgeBands, []string{"11-15"}) || f.Status != "answered" {
		t.Errorf("Apply = needs %v, categories %v, bands %v, status %q", f.NeedCodes, f.Categories, f.AgeBands, f.Status)
	}
}

func BenchmarkApply(b *testing.B) {
	nv, err := needs.Load("../needs/needs.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cr, _ := categories.Builtin()
	for b.Loop() {
		f := &schema.Feedback{Comment: "My son [name] is 12 and autistic; the holiday playscheme short breaks were full and CAMHS has a 2 year wait.", About: "Saturday Club short break"}
		Apply(f, nv, cr)
	}
}
