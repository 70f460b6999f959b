package ages

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/localoffer/localoffer/schema"
)

// labelled is one real service description with the ages a reader finds in
// it: the range of who the service is for, in Format's notation, or "none".
type labelled struct {
	Source   string `json:"source"`
	ID       string `json:"id"`
	Field    string `json:"field"` // description or eligibility_description
	Expected string `json:"expected"`
	Name     string `json:"name"`
	Text     string `json:"text"`
}

func loadLabelled(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/real/services.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("testdata/real/services.jsonl line %d: %v", line, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (l labelled) service() *schema.Service {
	s := &schema.Service{Name: l.Name}
	if l.Field == "eligibility_description" {
		s.EligibilityDescription = l.Text
	} else {
		s.Description = l.Text
	}
	return s
}

// TestRealDescriptions measures derived ages against hand labels on real
// directory records (testdata/real/PROVENANCE). A derived age counts as right
// only when both bounds equal the label; any age derived where the label says
// none, or a different range, is a false positive.
func TestRealDescriptions(t *testing.T) {
	set := loadLabelled(t)
	if len(set) < 200 {
		t.Fatalf("only %d labelled descriptions; want at least 200", len(set))
	}
	var positives, derived, right int
	for _, l := range set {
		s := l.service()
		Apply(s)
		got := "none"
		if s.MinimumAge != nil || s.MaximumAge != nil {
			got = Format(s.MinimumAge, s.MaximumAge)
			derived++
			if s.AgeSource != schema.AgeSourceText {
				t.Errorf("%s %s: age_source %q, want %q", l.Source, l.ID, s.AgeSource, schema.AgeSourceText)
			}
		}
		if l.Expected != "none" {
			positives++
		}
		switch {
		case got != "none" && got == l.Expected:
			right++
		case got != "none":
			t.Logf("false positive %s %s: derived %s, labelled %s (evidence %q)", l.Source, l.ID, got, l.Expected, s.AgeText)
		case l.Expected != "none":
			t.Logf("missed %s %s: labelled %s", l.Source, l.ID, l.Expected)
		}
	}
	precision := float64(right) / float64(max(derived, 1))
	recall := float64(right) / float64(max(positives, 1))
	t.Logf("%d labelled descriptions, %d state ages; derived %d, right %d: precision %.3f, recall %.3f",
		len(set), positives, derived, right, precision, recall)
	if precision < 0.97 {
		t.Errorf("precision %.3f is below 0.97", precision)
	}
	if recall < 0.6 {
		t.Errorf("recall %.3f is below 0.6", recall)
	}
}

// BenchmarkRealDescriptions: the ages transform over the labelled real records.
func BenchmarkRealDescriptions(b *testing.B) {
	set := loadLabelled(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Apply(set[i%len(set)].service())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
