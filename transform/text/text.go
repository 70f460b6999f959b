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
	"unsafe"
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
	return tokenize(s, dst, nil)
}

// Scratch tokenises without allocating a string for each word that differs
// from the source (capitals, apostrophes): those are written into its own
// buffer, so the tokens and words of one call are only valid until the next
// call on the same Scratch. For the hot paths (needs, categories) that look
// words up and keep only byte offsets. Not safe for concurrent use.
type Scratch struct {
	Tokens  []Token
	Matches []Match
	words   []byte
}

// Tokenize is Tokenize(s) into the scratch's buffers; see Scratch for how
// long the result is valid.
func (sc *Scratch) Tokenize(s string) []Token {
	sc.words = sc.words[:0]
	sc.Tokens = tokenize(s, sc.Tokens, &sc.words)
	return sc.Tokens
}

// tokenize is Tokenize; words that differ from the source are copied into
// *arena when it is not nil, else allocated.
func tokenize(s string, dst []Token, arena *[]byte) []Token {
	dst = dst[:0]
	it := wordIter{s: s}
	for {
		t, ok := it.next(arena)
		if !ok {
			return dst
		}
		dst = append(dst, t)
	}
}

// Byte classes for the tokenizer's ASCII fast path.
const (
	cSep   = iota // separates words
	cLower        // a-z, 0-9: part of a word as it is
	cUpper        // A-Z: part of a word, lower-cased
	cQuote        // ': inside a word, dropped
	cMulti        // the first byte of a multi-byte (or invalid) UTF-8 sequence
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			t[c] = cLower
		case c >= 'A' && c <= 'Z':
			t[c] = cUpper
		case c == '\'':
			t[c] = cQuote
		case c >= utf8.RuneSelf:
			t[c] = cMulti
		}
	}
	return t
}()

// wordIter reads the words of a string one at a time, as Tokenize splits
// them.
type wordIter struct {
	s string
	i int // where the next word is looked for
}

// next returns the next word. Most words are lower-case ASCII already and
// share the source's bytes; a word that differs from the source is built
// lower-cased and copied into *arena (a new backing array when it is full,
// so words already handed out never change), or allocated when arena is nil.
func (it *wordIter) next(arena *[]byte) (Token, bool) {
	s, i := it.s, it.i
	var buf [64]byte
	b := buf[:0]
	start := -1
	// copying: the word differs from s[start:i] and is built in b.
	copying := false
	for i < len(s) {
		c := s[i]
		switch byteClass[c] {
		case cLower:
			if start < 0 {
				start = i
			}
			if copying {
				b = append(b, c)
				i++
				continue
			}
			i++
			for i < len(s) && byteClass[s[i]] == cLower {
				i++
			}
			continue
		case cUpper:
			if start < 0 {
				start = i
			}
			if !copying {
				b, copying = append(b[:0], s[start:i]...), true
			}
			b = append(b, c+'a'-'A')
			i++
			continue
		case cQuote:
			if start >= 0 && i+1 < len(s) && isWordByte(s[i+1]) {
				// keep the word going: children's, don't
				if !copying {
					b, copying = append(b[:0], s[start:i]...), true
				}
				i++
				continue
			}
		case cMulti:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == '’' && start >= 0 && i+n < len(s) && isWordByte(s[i+n]):
				if !copying {
					b, copying = append(b[:0], s[start:i]...), true
				}
				i += n
				continue
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if start < 0 {
					start = i
				}
				if l := unicode.ToLower(r); l != r || copying {
					if !copying {
						b, copying = append(b[:0], s[start:i]...), true
					}
					b = utf8.AppendRune(b, l)
				}
				i += n
				continue
			}
			// A separator of n bytes.
			if start >= 0 {
				it.i = i + n
				return it.word(start, i, copying, b, arena), true
			}
			i += n
			continue
		}
		// A separator byte.
		if start >= 0 {
			it.i = i + 1
			return it.word(start, i, copying, b, arena), true
		}
		i++
	}
	it.i = len(s)
	if start >= 0 {
		return it.word(start, len(s), copying, b, arena), true
	}
	return Token{}, false
}

func (it *wordIter) word(start, end int, copying bool, b []byte, arena *[]byte) Token {
	w := it.s[start:end]
	if copying {
		w = arenaString(arena, b)
	}
	return Token{Word: w, Start: start, End: end}
}

// arenaString copies b into *arena and returns it as a string sharing the
// arena's bytes; nil arena: a new string.
func arenaString(arena *[]byte, b []byte) string {
	if arena == nil {
		return string(b)
	}
	a := *arena
	if cap(a)-len(a) < len(b) {
		// A new array: the words already in the old one stay as they are.
		a = make([]byte, 0, max(2*cap(a), len(b), 1024))
	}
	n := len(a)
	a = append(a, b...)
	*arena = a
	return unsafe.String(&a[n], len(b))
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
	// firsts has a bit for the firstKey of every phrase's first word: most
	// words of free text start no phrase, and this check is far cheaper
	// than the map lookup it saves.
	firsts [1 << 14 / 64]uint64
}

// firstKey is a word's length (capped), first and last byte: a filter key
// with no false negatives, as the first word must match exactly.
func firstKey(w string) uint32 {
	n := len(w)
	return uint32(min(n, 15))<<10 | uint32(w[0]&31)<<5 | uint32(w[n-1]&31)
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
		k := firstKey(w[0])
		d.firsts[k/64] |= 1 << (k % 64)
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
		best, bestLen := d.longest(toks[i:])
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

// mayStart: w passes the first-word filter.
func (d *Dict) mayStart(w string) bool {
	k := firstKey(w)
	return d.firsts[k/64]&(1<<(k%64)) != 0
}

// longest returns the longest phrase that starts toks and its length in
// words; -1 when none does.
func (d *Dict) longest(toks []Token) (best, bestLen int) {
	best = -1
	w := toks[0].Word
	if !d.mayStart(w) {
		return -1, 0
	}
	// The first word must match exactly ("blinds" is not "blind"); later
	// words may be simple plurals ("visual timetables").
	for _, pi := range d.byFirst[w] {
		p := d.phrases[pi].Words
		if len(p) <= bestLen || len(p) > len(toks) {
			continue
		}
		ok := true
		for j := 1; j < len(p); j++ {
			if !wordEq(toks[j].Word, p[j]) {
				ok = false
				break
			}
		}
		if ok {
			best, bestLen = pi, len(p)
		}
	}
	return best, bestLen
}
