package text

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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

// tokenizeRef is Tokenize as first written (a word built byte by byte, then
// compared with the source): the reference the faster tokenizers must match.
func tokenizeRef(s string) []Token {
	var dst []Token
	var b []byte
	start := -1
	flush := func(end int) {
		if start >= 0 && len(b) > 0 {
			dst = append(dst, Token{Word: string(b), Start: start, End: end})
		}
		b = b[:0]
		start = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				if start < 0 {
					start = i
				}
				b = append(b, c)
			case c >= 'A' && c <= 'Z':
				if start < 0 {
					start = i
				}
				b = append(b, c+'a'-'A')
			case c == '\'' && start >= 0 && i+1 < len(s) && isWordByte(s[i+1]):
			default:
				flush(i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '’' && start >= 0 && i+n < len(s) && isWordByte(s[i+n]):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			b = utf8.AppendRune(b, unicode.ToLower(r))
		default:
			flush(i)
		}
		i += n
	}
	flush(len(s))
	return dst
}

var tokenizeCases = []string{
	"",
	"Children’s SEN-support: Multi-sensory (MSI) Café",
	"<p>We support children &amp; young people (0-25) with <strong>SEND</strong>.</p><br/>Don't WAIT!",
	"ÀÉÎÕÜ straße İstanbul ǅemal ΣΊΣΥΦΟΣ КИРИЛЛИЦА 日本語 ١٢٣ x’ ’y don’t it's' 'quoted'",
	"a\xffb\xc3 c\xe2\x80 ’ end'",
	strings.Repeat("Supercalifragilisticexpialidocious", 5) + " " + strings.Repeat("ÄÖÜ", 40),
	"UPPER lower MiXeD 123abc ABC123 o'NEILL O’Brien",
}

func TestTokenizersMatchReference(t *testing.T) {
	var sc Scratch
	check := func(s string) {
		t.Helper()
		want := tokenizeRef(s)
		if got := Tokenize(s, nil); !slices.Equal(got, want) {
			t.Errorf("Tokenize(%q) = %v, want %v", s, got, want)
		}
		if got := sc.Tokenize(s); !slices.Equal(got, want) {
			t.Errorf("Scratch.Tokenize(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range tokenizeCases {
		check(s)
	}
	// The real-shaped descriptions: HTML, entities, capitals, apostrophes.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "é", "É", "İ", "’", "'", " ", "-", "<p>", "&amp;", "9", "\xff", "ǅ", "ß", "Σ"}
	for range 2000 {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		check(sb.String())
	}
}

// TestScratchWordsStable: words handed out early in a call are not
// overwritten by later ones, however many changed words the text has.
func TestScratchWordsStable(t *testing.T) {
	s := strings.Repeat("Alpha BETA Gamma’s ", 500)
	var sc Scratch
	got := sc.Tokenize(s)
	want := tokenizeRef(s)
	if !slices.Equal(got, want) {
		t.Fatalf("Scratch.Tokenize differs from the reference on a long text")
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range tokenizeCases {
		f.Add(s)
	}
	var sc Scratch
	f.Fuzz(func(t *testing.T, s string) {
		want := tokenizeRef(s)
		if got := Tokenize(s, nil); !slices.Equal(got, want) {
			t.Fatalf("Tokenize(%q) = %v, want %v", s, got, want)
		}
		if got := sc.Tokenize(s); !slices.Equal(got, want) {
			t.Fatalf("Scratch.Tokenize(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestFindFilterNoFalseNegatives: the first-word filter never hides a
// phrase: Find agrees with a plain scan of every phrase at every token.
func TestFindFilterNoFalseNegatives(t *testing.T) {
	phrases := map[string]int{}
	words := []string{"a", "autism", "asd", "deaf", "hearing", "hard", "of", "visual", "impairment", "café", "ÉCOLE", "x", "speech", "language", "sen", "send", "adhd"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 60 {
		n := 1 + r.IntN(3)
		var p []string
		for range n {
			p = append(p, words[r.IntN(len(words))])
		}
		phrases[strings.Join(p, " ")] = i
	}
	d := NewDict(phrases)
	var sc Scratch
	for range 500 {
		var sb strings.Builder
		for range r.IntN(30) {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteString([]string{" ", "s ", ", ", "es "}[r.IntN(4)])
		}
		toks := Tokenize(sb.String(), nil)
		got := d.Find(toks, nil)
		want := findRef(d, toks)
		if !slices.Equal(got, want) {
			t.Fatalf("Find(%q) = %v, want %v", sb.String(), got, want)
		}
		if got := d.Find(sc.Tokenize(sb.String()), nil); !slices.Equal(got, want) {
			t.Fatalf("Find(Scratch.Tokenize(%q)) = %v, want %v", sb.String(), got, want)
		}
	}
}

// BenchmarkFind is a dictionary lookup over a 2 KB HTML description with
// the built-in needs vocabulary's shape (single words and short phrases).
func BenchmarkFind(b *testing.B) {
	s := strings.Repeat("<p>We support Children &amp; young people (0-25) with <strong>SEND</strong>, autism and ADHD; don't wait.</p>", 20)
	phrases := map[string]int{}
	for i, w := range strings.Fields("autism asd adhd send sen deaf blind dyslexia dyspraxia epilepsy downs syndrome sensory hearing visual speech language communication learning disability disabilities physical wheelchair mental health wellbeing anxiety") {
		phrases[w] = i
		phrases[w+" needs"] = i
		phrases[w+" support"] = i
	}
	d := NewDict(phrases)
	b.ReportAllocs()
	var sc Scratch
	for b.Loop() {
		sc.Matches = d.Find(sc.Tokenize(s), sc.Matches)
	}
}

func BenchmarkTokenize(b *testing.B) {
	s := strings.Repeat("<p>We support Children &amp; young people (0-25) with <strong>SEND</strong>, autism and ADHD; don't wait.</p>", 20)
	b.Run("alloc", func(b *testing.B) {
		b.ReportAllocs()
		var dst []Token
		for b.Loop() {
			dst = Tokenize(s, dst)
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tokenizeRef(s)
		}
	})
	b.Run("scratch", func(b *testing.B) {
		b.ReportAllocs()
		var sc Scratch
		for b.Loop() {
			sc.Tokenize(s)
		}
	})
}

// findRef is Find without the first-word filter.
func findRef(d *Dict, toks []Token) []Match {
	var dst []Match
	for i := 0; i < len(toks); {
		best, bestLen := -1, 0
		for _, pi := range d.byFirst[toks[i].Word] {
			p := d.phrases[pi].Words
			if len(p) <= bestLen || i+len(p) > len(toks) {
				continue
			}
			ok := true
			for j := 1; j < len(p); j++ {
				if !wordEq(toks[i+j].Word, p[j]) {
					ok = false
					break
				}
			}
			if ok {
				best, bestLen = pi, len(p)
			}
		}
		if best < 0 {
			i++
			continue
		}
		dst = append(dst, Match{Value: d.phrases[best].Value, From: i, To: i + bestLen, Start: toks[i].Start, End: toks[i+bestLen-1].End})
		i += bestLen
	}
	return dst
}
