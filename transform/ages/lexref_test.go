package ages

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// lexRef is the lexer as it was before its lexicon lookups were made
// cheaper (lexTable, unknown words left without text), kept to check that
// the new one produces the same tokens.
func lexRef(s string, dst []tok, maxSentences int) []tok {
	dst = dst[:0]
	sentences := 0
	stop := func(i, n int) {
		if len(dst) > 0 && dst[len(dst)-1].k != kStop {
			dst = append(dst, tok{k: kStop, start: i, end: i + n})
			sentences++
		}
	}
	i := 0
	for i < len(s) && (maxSentences <= 0 || sentences < maxSentences) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
				j++
			}
			n, _ := strconv.ParseFloat(s[i:j], 64)
			dst = append(dst, tok{k: kNum, n: n, start: i, end: j})
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			lower := true
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '\'') {
				lower = lower && !(s[j] >= 'A' && s[j] <= 'Z')
				j++
			}
			w := strings.TrimRight(s[i:j], "'")
			e, known := lexicon[w]
			if !lower {
				// Only words the rules use need lower-casing; look them up
				// without allocating and keep the lexicon's copy.
				var buf [24]byte
				if len(w) <= len(buf) {
					for k := 0; k < len(w); k++ {
						c := w[k]
						if c >= 'A' && c <= 'Z' {
							c += 'a' - 'A'
						}
						buf[k] = c
					}
					e, known = lexicon[string(buf[:len(w)])]
				}
			}
			if known {
				w = e.word
			}
			if n, ok := numberWords[w]; ok && known {
				// "fifty-five", "twenty one"
				if n >= 20 && j+1 < len(s) && (s[j] == '-' || s[j] == ' ') {
					k := j + 1
					for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
						k++
					}
					if u, ok := unitWords[s[j+1:k]]; ok && k > j+1 {
						n, j = n+u, k
					}
				}
				dst = append(dst, tok{k: kNum, n: n, start: i, end: j})
			} else {
				dst = append(dst, tok{k: kWord, w: w, trig: e.trigger, start: i, end: j})
			}
			i = j
		case c == '-':
			dst = append(dst, tok{k: kDash, start: i, end: i + 1})
			i++
		case c == '+':
			dst = append(dst, tok{k: kPlus, start: i, end: i + 1})
			i++
		case c == '%':
			dst = append(dst, tok{k: kPct, start: i, end: i + 1})
			i++
		case c == '/':
			dst = append(dst, tok{k: kSlash, start: i, end: i + 1})
			i++
		case c == '.' || c == '!' || c == '?' || c == ';' || c == '\n':
			stop(i, 1)
			i++
		case c == '\\' && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r'):
			stop(i, 2)
			i += 2
		case c == '<' && i+1 < len(s) && (s[i+1] == '/' || s[i+1] == '!' || s[i+1] >= 'a' && s[i+1] <= 'z' || s[i+1] >= 'A' && s[i+1] <= 'Z'):
			end := strings.IndexByte(s[i:min(len(s), i+2000)], '>')
			if end < 0 {
				i++
				continue
			}
			name := s[i+1 : i+end]
			name = strings.TrimPrefix(name, "/")
			if k := strings.IndexAny(name, " \t\n/"); k >= 0 {
				name = name[:k]
			}
			if blockTagsRef[strings.ToLower(name)] {
				stop(i, end+1)
			}
			i += end + 1
		case c == '&':
			end := strings.IndexByte(s[i:min(len(s), i+10)], ';')
			if end < 0 {
				i++
				continue
			}
			switch s[i+1 : i+end] {
			case "ndash", "mdash", "minus", "#8211", "#8212", "#x2013", "#x2014":
				dst = append(dst, tok{k: kDash, start: i, end: i + end + 1})
			case "#37":
				dst = append(dst, tok{k: kPct, start: i, end: i + end + 1})
			}
			i += end + 1
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == '–' || r == '—' || r == '‑' || r == '−':
				dst = append(dst, tok{k: kDash, start: i, end: i + n})
			case r == '\u2028' || r == '\u2029' || r == '•':
				stop(i, n)
			case unicode.IsLetter(r):
				dst = append(dst, tok{k: kWord, w: string(unicode.ToLower(r)), start: i, end: i + n})
			}
			i += n
		}
	}
	return dst
}

var blockTagsRef = map[string]bool{"p": true, "br": true, "li": true, "div": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "tr": true, "td": true, "th": true}

// The lexer gives the tokens lexRef gives on every labelled real text, the
// real council descriptions and odd inputs: the same kinds, numbers, spans
// and trigger marks, and the same text for every word a rule can look at
// (others keep no text).
func TestLexMatchesReference(t *testing.T) {
	var texts []string
	for _, set := range []string{"develop.jsonl", "check1.jsonl", "check2.jsonl", "check3.jsonl"} {
		if _, err := os.Stat("testdata/real/" + set); err != nil {
			continue
		}
		for _, l := range loadLabelled(t, set) {
			texts = append(texts, l.Text, l.Name, l.Name+"\n"+l.Text)
		}
	}
	for _, council := range []string{"bristol", "north-lincolnshire"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "localoffer", "testdata", "realworld", council, "services.json"))
		if err != nil {
			t.Fatal(err)
		}
		var recs []struct{ Name, Description string }
		if err := json.Unmarshal(b, &recs); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			texts = append(texts, r.Description, r.Name+"\n"+r.Description)
		}
	}
	texts = append(texts, "CAN'T Under 5S", "YOU'RE 18 OR OVER", "Twenty-One year olds", "FIFTY five", "Ages' 5-11''",
		"Caf\u00e9 \u00c9cole \u00fcber 5\u20137 \u2022 KS2", "<P>Children</P><BR/>aged 5", "&ndash;&#37;&nbsp;", strings.Repeat("aB'c ", 300),
		"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aged 5")
	if len(texts) < 500 {
		t.Fatalf("only %d texts", len(texts))
	}
	for _, max := range []int{0, LeadSentences + 1} {
		for _, s := range texts {
			got, want := lex(s, nil, max), lexRef(s, nil, max)
			if len(got) != len(want) {
				t.Fatalf("%q: %d tokens, reference %d", s, len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if _, known := lexicon[w.w]; w.k == kWord && !known {
					w.w = ""
				}
				if g != w {
					t.Fatalf("%q token %d: %+v, reference %+v", s, i, g, w)
				}
			}
		}
	}
}
