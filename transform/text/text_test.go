package text

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	var words []string
	for _, tk := range Tokenize("Children’s SEN-support: Multi-sensory (MSI) Café", nil) {
		words = append(words, tk.Word)
	}
	want := []string{"childrens", "sen", "support", "multi", "sensory", "msi", "café"}
	if !slices.Equal(words, want) {
		t.Errorf("Tokenize = %v, want %v", words, want)
	}
}

func TestFindLeftmostLongest(t *testing.T) {
	d := NewDict(map[string]int{"visual": 1, "visual timetable": -1, "hearing": 2, "hard of hearing": 3, "deaf": 4})
	s := "Visual timetables for the hard of hearing; deaf and visual learners; blinds"
	toks := Tokenize(s, nil)
	var got []string
	for _, m := range d.Find(toks, nil) {
		got = append(got, s[m.Start:m.End])
	}
	want := []string{"Visual timetables", "hard of hearing", "deaf", "visual"}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %q, want %q", got, want)
	}
}
