// Package text tokenises free text and finds dictionary phrases in it by
// whole words, leftmost-longest, so that a longer phrase ("visual timetable",
// "not suitable for wheelchair users") can shadow a shorter one inside it.
// It is shared by the needs and categories transforms.
package text

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one lower-cased word and where it sits in the source string.
type Token struct {
	Word       string
	Start, End int // byte offsets in the source
}

// Tokenize splits s into lower-case words of letters and digits. Apostrophes
// inside a word are dropped ("children's" → "childrens"); every other
// character separates words, so "multi-sensory" is two words.
func Tokenize(s string, dst []Token) []Token {
	dst = dst[:0]
	var buf [64]byte
	b := buf[:0]
	start := -1
	flush := func(end int) {
		if start >= 0 && len(b) > 0 {
			// Most words are already lower-case ASCII: share the source's bytes.
			w := s[start:end]
			if w != string(b) {
				w = string(b)
			}
			dst = append(dst, Token{Word: w, Start: start, End: end})
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
				// keep the word going: children's, don't
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

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Words returns the words of s joined by single spaces: the normal form
// dictionary phrases are written in.
func Words(s string) string {
	toks := Tokenize(s, nil)
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Word
	}
	return strings.Join(parts, " ")
}

// Phrase is one dictionary entry: its words and an opaque value for the caller.
type Phrase struct {
	Words []string
	Value int
}

// Dict finds phrases by their first word.
type Dict struct {
	byFirst map[string][]int
	phrases []Phrase
}

// NewDict builds a dictionary. Each phrase is normalised with Words; empty
// phrases are ignored.
func NewDict(phrases map[string]int) *Dict {
	d := &Dict{byFirst: map[string][]int{}}
	keys := make([]string, 0, len(phrases))
	for k := range phrases {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic order
	for _, k := range keys {
		w := strings.Fields(Words(k))
		if len(w) == 0 {
			continue
		}
		d.phrases = append(d.phrases, Phrase{Words: w, Value: phrases[k]})
		d.byFirst[w[0]] = append(d.byFirst[w[0]], len(d.phrases)-1)
	}
	return d
}

// Match is one phrase found in a token stream.
type Match struct {
	Value      int
	From, To   int // token indexes, To exclusive
	Start, End int // byte offsets in the source
}

// wordEq accepts a simple plural of the dictionary word ("timetables").
func wordEq(tok, word string) bool {
	if tok == word {
		return true
	}
	if len(tok) == len(word)+1 && tok[len(word)] == 's' && tok[:len(word)] == word {
		return true
	}
	return len(tok) == len(word)+2 && strings.HasSuffix(tok, "es") && tok[:len(word)] == word
}

// Find returns the leftmost-longest non-overlapping matches in toks.
func (d *Dict) Find(toks []Token, dst []Match) []Match {
	dst = dst[:0]
	for i := 0; i < len(toks); {
		best, bestLen := -1, 0
		w := toks[i].Word
		// The first word must match exactly ("blinds" is not "blind"); later
		// words may be simple plurals ("visual timetables").
		cands := d.byFirst[w]
		for _, pi := range cands {
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
		dst = append(dst, Match{Value: d.phrases[best].Value, From: i, To: i + bestLen,
			Start: toks[i].Start, End: toks[i+bestLen-1].End})
		i += bestLen
	}
	return dst
}
