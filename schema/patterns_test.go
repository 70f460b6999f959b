package schema

import (
	"regexp"
	"strings"
	"testing"
)

// patternCases mixes real-looking values with the edges of each pattern.
var patternCases = []string{
	"", "a", "-", ".", "a.b", "a.", ".a", "a..b", "-a.b", "a-.b", "a.b-", "a-b.c-d", "a--b.c",
	"example.com", "www.example.co.uk", "http://example.com", "https://example.com", "ftp://example.com",
	"http://", "https://", "http://x", "https://x.y", "http:/x.y", "HTTP://x.y", "http.example.com",
	"https.x.y:80", "x.y:", "x.y:1", "x.y:12345", "x.y:123456", "x.y:80/", "x.y:80a", "x.y/", "x.y?", "x.y#",
	"x.y/a b", "x.y/a\tb", "x.y/a\vb", "x.y/a\fb", "x.y/a\u00a0b", "x.y/\xff", "x.y\xff", "x.y/\u2028",
	"www.example.com/path?q=1#frag", "https://www.kent.gov.uk/education-and-children/special-educational-needs",
	"file:///", "file:///a", "file:///a b", "file:///\xff", "file://a.b", "file:///tmp/x.pdf\n",
	"example.com\n", "example.com ", " example.com", "x.y:80#a\r", "1.2.3.4", "1.2.3.4:8080/x",
	"2024-01-31", "2024-1-31", "2024-01-311", "20240131", "２０２４-01-31", "2024-01-31\n", "9999-99-99",
	"E09000033", "W06000001", "K02000001", "X09000033", "E0900003", "E090000333", "e09000033", "E0900003a",
	"E09000033\n", "E\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
	"851", "85", "8511", "851\n", " 851", "85a", "\u0668\u0665\u0661",
	strings.Repeat("ab", 32), strings.Repeat("0f", 32), strings.Repeat("AB", 32), strings.Repeat("ab", 32) + "\n",
	strings.Repeat("ab", 31) + "a", strings.Repeat("ab", 32) + "a", strings.Repeat("ab", 31) + "ag", strings.Repeat("9", 64),
}

func TestPatternMatchersAgreeWithRegexp(t *testing.T) {
	for src, m := range patternMatchers {
		re := regexp.MustCompile(src)
		for _, c := range patternCases {
			if got, want := m(c), re.MatchString(c); got != want {
				t.Errorf("pattern %s on %q: matcher %v, regexp %v", src, c, got, want)
			}
		}
	}
}

// TestSchemaPatternsUseMatchers fails if the schema's patterns drift from the
// table (then the fast matchers would silently stop being used).
func TestSchemaPatternsUseMatchers(t *testing.T) {
	for src := range patternMatchers {
		if !strings.Contains(string(SchemaJSON), strings.ReplaceAll(src, `\`, `\\`)) {
			t.Errorf("schema no longer uses pattern %s", src)
		}
	}
}

func FuzzPatternMatchers(f *testing.F) {
	for _, c := range patternCases {
		f.Add(c)
	}
	type pair struct {
		re *regexp.Regexp
		m  func(string) bool
	}
	var pairs []pair
	for src, m := range patternMatchers {
		pairs = append(pairs, pair{regexp.MustCompile(src), m})
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range pairs {
			if got, want := p.m(s), p.re.MatchString(s); got != want {
				t.Fatalf("pattern %s on %q: matcher %v, regexp %v", p.re, s, got, want)
			}
		}
	})
}

func BenchmarkPatternWebURL(b *testing.B) {
	re := regexp.MustCompile(patternWebURL)
	const u = "https://www.kent.gov.uk/education-and-children/special-educational-needs"
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			re.MatchString(u)
		}
	})
	b.Run("matcher", func(b *testing.B) {
		for b.Loop() {
			matchWebURL(u)
		}
	})
}
