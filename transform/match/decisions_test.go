package match

import (
	"strings"
	"testing"
)

func TestParseDecisions(t *testing.T) {
	d, err := ParseDecisions([]byte("same:\n  - [b/1, a/1]\ndifferent:\n  - [c/1, d/1]\n"))
	if err != nil || len(d.Same) != 1 || d.Same[0] != [2]string{"a/1", "b/1"} || len(d.Different) != 1 {
		t.Fatalf("decisions %+v, %v", d, err)
	}
	if d, err := ParseDecisions(nil); err != nil || len(d.Same)+len(d.Different) != 0 {
		t.Errorf("empty file: %+v, %v", d, err)
	}
	for name, c := range map[string]struct{ yaml, want string }{
		"unknown key":   {"same: []\nsmae: []\n", "smae"},
		"one id":        {"same:\n  - [a/1]\n", "same[0]"},
		"same id twice": {"different:\n  - [a/1, a/1]\n", "different[0]"},
		"both ways":     {"same:\n  - [a/1, b/1]\ndifferent:\n  - [b/1, a/1]\n", "both same and different"},
		"not a list":    {"same: a/1\n", "cannot unmarshal"},
	} {
		if _, err := ParseDecisions([]byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}
