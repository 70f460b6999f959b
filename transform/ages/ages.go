// Package ages turns the ways sources state who a service is for ("0-25",
// "ages 5 to 11", "under 5s", "16+", "Year 7 to Year 11", "Key Stage 2",
// "Reception", "pre-school", "young people up to 25") into a minimum and
// maximum age in years. Text that states no age, or states several different
// ones, gives no age: ages are never guessed.
package ages

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Range is an inclusive age range in years; a nil bound is open or unstated.
type Range struct {
	Min, Max *float64
	Rule     string // which reading produced it
	Start    int    // byte span of the wording in the source
	End      int
}

func (r Range) equal(o Range) bool { return eqPtr(r.Min, o.Min) && eqPtr(r.Max, o.Max) }

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Result is what one piece of text says about ages.
type Result struct {
	Range
	Found     bool   // an unambiguous age statement was found
	Ambiguous bool   // several different age statements were found
	Text      string // the source wording (the span of every statement found)
}

type kind uint8

const (
	kWord kind = iota
	kNum
	kDash
	kPlus
)

type tok struct {
	k          kind
	w          string
	n          float64
	start, end int
}

// lex splits lower-cased text into words, numbers, dashes and pluses. Letters
// and digits are split apart ("ks2" → "ks" "2", "5s" → "5" "s").
func lex(s string, dst []tok) []tok {
	dst = dst[:0]
	i := 0
	for i < len(s) {
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
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '\'') {
				j++
			}
			dst = append(dst, tok{k: kWord, w: strings.ToLower(strings.TrimRight(s[i:j], "'")), start: i, end: j})
			i = j
		case c == '-':
			dst = append(dst, tok{k: kDash, start: i, end: i + 1})
			i++
		case c == '+':
			dst = append(dst, tok{k: kPlus, start: i, end: i + 1})
			i++
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == '–' || r == '—' || r == '‑':
				dst = append(dst, tok{k: kDash, start: i, end: i + n})
			case unicode.IsLetter(r):
				dst = append(dst, tok{k: kWord, w: string(unicode.ToLower(r)), start: i, end: i + n})
			}
			i += n
		}
	}
	return dst
}

func f(v float64) *float64 { return &v }

// schoolYearAge: pupils in Year N are N+4 at the start of the school year and
// N+5 by its end (England; Reception is Year 0).
func schoolYears(from, to float64) (float64, float64) { return from + 4, to + 5 }

// keyStages: the school years of each key stage.
var keyStages = map[float64][2]float64{1: {1, 2}, 2: {3, 6}, 3: {7, 9}, 4: {10, 11}, 5: {12, 13}}

// context words that make a bare "5-11" an age range outside an age field.
var ageContext = map[string]bool{
	"age": true, "ages": true, "aged": true, "children": true, "child": true, "young": true, "people": true,
	"pupils": true, "kids": true, "boys": true, "girls": true, "students": true, "learners": true,
	"toddlers": true, "babies": true, "teenagers": true, "teens": true, "adults": true, "between": true,
}

type scanner struct {
	t      []tok
	src    string
	strict bool // outside an age field, bare numbers need age context
	out    []Range
	// lastTok is the last token of the latest age statement, so "ages 11-16
	// and 16-25" reads the second range in the first one's context.
	lastTok int
}

func (s *scanner) word(i int, ws ...string) bool {
	if i < 0 || i >= len(s.t) || s.t[i].k != kWord {
		return false
	}
	for _, w := range ws {
		if s.t[i].w == w {
			return true
		}
	}
	return false
}

func (s *scanner) num(i int) (float64, bool) {
	if i < 0 || i >= len(s.t) || s.t[i].k != kNum {
		return 0, false
	}
	return s.t[i].n, true
}

func (s *scanner) is(i int, k kind) bool { return i >= 0 && i < len(s.t) && s.t[i].k == k }

// unit reads an age unit at i: years (1) or months (1/12), and how many tokens it used.
func (s *scanner) unit(i int) (scale float64, n int) {
	switch {
	case s.word(i, "years", "year", "yrs", "yr", "y"):
		n = 1
		if s.word(i+1, "old", "olds") {
			n = 2
		} else if s.is(i+1, kDash) && s.word(i+2, "old", "olds") {
			n = 3
		}
		return 1, n
	case s.word(i, "months", "month", "mths", "mth", "m"):
		return 1.0 / 12, 1
	case s.word(i, "s") && !s.word(i-2, "year", "years", "y", "ks", "stage"): // "under 5s", "16s"
		return 1, 1
	}
	return 0, 0
}

func (s *scanner) add(min, max *float64, rule string, from, to int) {
	if min != nil && (*min < 0 || *min > 130) || max != nil && (*max < 0 || *max > 130) {
		return
	}
	if min != nil && max != nil && *min > *max {
		return
	}
	s.out = append(s.out, Range{Min: min, Max: max, Rule: rule, Start: s.t[from].start, End: s.t[to].end})
	s.lastTok = to
}

func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// contextBefore: an age word just before token i (skipping "from", "of", "aged").
func (s *scanner) contextBefore(i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if s.t[j].k != kWord {
			return len(s.out) > 0 && j == s.lastTok
		}
		if ageContext[s.t[j].w] {
			return true
		}
		if !s.word(j, "from", "of", "for", "and", "or") {
			return false
		}
	}
	return false
}

func (s *scanner) scan() {
	t := s.t
	for i := 0; i < len(t); i++ {
		// School years: "Year 7 to Year 11", "Years 7-11", "Y7-Y11", "Year 6", "Year R".
		if s.word(i, "year", "years", "y", "yr") && !s.is(i-1, kNum) {
			if s.word(i+1, "r") {
				s.add(f(4), f(5), "school year: Reception", i, i+1)
				i++
				continue
			}
			if a, ok := s.num(i + 1); ok && a <= 13 && !s.word(i+2, "old", "olds") {
				j := i + 2
				if s.is(j, kDash) || s.word(j, "to") {
					k := j + 1
					if s.word(k, "year", "years", "y", "yr") {
						k++
					}
					if b, ok := s.num(k); ok && b <= 13 && b >= a {
						lo, hi := schoolYears(a, b)
						s.add(f(lo), f(hi), "school years", i, k)
						i = k
						continue
					}
				}
				lo, hi := schoolYears(a, a)
				s.add(f(lo), f(hi), "school year", i, i+1)
				i++
				continue
			}
		}
		// Key stages: "Key Stage 2", "KS3-4", "key stages 3 and 4".
		if s.word(i, "ks") || s.word(i, "key") && s.word(i+1, "stage", "stages") {
			j := i + 1
			if s.word(i, "key") {
				j = i + 2
			}
			if a, ok := s.num(j); ok {
				if ka, ok := keyStages[a]; ok {
					end, kb := j, ka
					if (s.is(j+1, kDash) || s.word(j+1, "to", "and")) && s.is(j+2, kNum) {
						k := j + 2
						if b, _ := s.num(k); keyStages[b] != [2]float64{} && b >= a {
							end, kb = k, keyStages[b]
						}
					} else if (s.is(j+1, kDash) || s.word(j+1, "to", "and")) && s.word(j+2, "ks") && s.is(j+3, kNum) {
						if b, _ := s.num(j + 3); keyStages[b] != [2]float64{} && b >= a {
							end, kb = j+3, keyStages[b]
						}
					}
					lo, hi := schoolYears(ka[0], kb[1])
					s.add(f(lo), f(hi), "key stage", i, end)
					i = end
					continue
				}
			}
		}
		if s.word(i, "reception") && !s.word(i+1, "area", "desk", "staff", "team") {
			s.add(f(4), f(5), "school year: Reception", i, i)
			continue
		}
		if s.word(i, "pre") && s.is(i+1, kDash) && s.word(i+2, "school", "schoolers") || s.word(i, "pre") && s.word(i+1, "school", "schoolers") {
			end := i + 1
			if s.is(i+1, kDash) {
				end = i + 2
			}
			s.add(f(0), f(4), "pre-school: under compulsory school age", i, end)
			i = end
			continue
		}
		if s.word(i, "preschool", "preschoolers") {
			s.add(f(0), f(4), "pre-school: under compulsory school age", i, i)
			continue
		}
		if s.word(i, "all") && s.word(i+1, "ages") {
			s.add(f(0), nil, "all ages", i, i+1)
			i++
			continue
		}
		if s.word(i, "birth") && (s.word(i+1, "to") || s.is(i+1, kDash)) {
			if b, ok := s.num(i + 2); ok {
				sc, n := s.unit(i + 3)
				if sc == 0 {
					sc = 1
				}
				s.add(f(0), f(round2(b*sc)), "birth to N", i, i+2+n)
				i += 2 + n
				continue
			}
		}
		// "under 5s", "under 18", "below 16", "up to 25", "upto 19".
		if s.word(i, "under", "below") || s.word(i, "up") && s.word(i+1, "to") || s.word(i, "upto") {
			j := i + 1
			if s.word(i, "up") {
				j = i + 2
			}
			if s.word(j, "the", "age", "of", "aged") {
				for s.word(j, "the", "age", "of", "aged") {
					j++
				}
			}
			if b, ok := s.num(j); ok {
				sc, n := s.unit(j + 1)
				if sc == 0 && s.strict && !s.contextBefore(i) && !s.word(j-1, "age", "aged") {
					continue
				}
				if sc == 0 {
					sc = 1
				}
				max := b * sc
				rule := "up to N"
				if s.word(j+1, "th") && s.word(j+2, "birthday") {
					// "up to 18th birthday": the birthday itself is out
					sc, n = 1, 2
					max = b - 1
					rule = "up to Nth birthday"
				} else if !s.word(i, "up", "upto") {
					// under 5 = up to the day before the fifth birthday
					max = b*sc - sc
					rule = "under N"
				}
				s.add(f(0), f(round2(max)), rule, i, j+n)
				i = j + n
				continue
			}
		}
		// "over 16s", "aged over 18"
		if s.word(i, "over", "above") {
			if b, ok := s.num(i + 1); ok {
				sc, n := s.unit(i + 2)
				if sc == 0 && s.strict && !s.contextBefore(i) {
					continue
				}
				if sc == 0 {
					sc = 1
				}
				s.add(f(round2(b*sc)), nil, "over N", i, i+1+n)
				i = i + 1 + n
				continue
			}
		}
		a, ok := s.num(i)
		if !ok {
			continue
		}
		// "between 5 and 11"
		between := s.word(i-1, "between") && s.word(i+1, "and") && s.is(i+2, kNum)
		// Ranges: "5-11", "5 – 11 years", "5 to 11", "6 months to 5 years".
		scA, nA := s.unit(i + 1)
		j := i + 1 + nA
		if between || s.is(j, kDash) || s.word(j, "to") {
			if b, ok := s.num(j + 1); ok {
				scB, nB := s.unit(j + 2)
				lo, hi := a, b
				switch {
				case scA != 0 && scB != 0:
					lo, hi = a*scA, b*scB
				case scB != 0:
					lo, hi = a*scB, b*scB
				case scA != 0:
					lo, hi = a*scA, b*scA
				}
				if scA == 0 && scB == 0 && s.strict && !s.contextBefore(i) {
					i = j + 1
					continue
				}
				// "9-5pm" and "10-12" beyond 130 are not ages; add drops them.
				s.add(f(round2(lo)), f(round2(hi)), "range", i, j+1+nB)
				i = j + 1 + nB
				continue
			}
		}
		// "16+", "18 and over", "18 or older", "16 years and over", "from 3 years"
		if s.is(j, kPlus) {
			if scA == 0 {
				scA = 1
			}
			if !s.strict || s.contextBefore(i) || nA > 0 || s.word(j+1, "years", "year", "yrs") {
				end := j
				if _, n := s.unit(j + 1); n > 0 {
					end += n
				}
				s.add(f(round2(a*scA)), nil, "N+", i, end)
				i = end
			}
			continue
		}
		if s.word(j, "and", "or") && s.word(j+1, "over", "above", "older", "upwards", "up") {
			if scA == 0 {
				scA = 1
			}
			s.add(f(round2(a*scA)), nil, "N and over", i, j+1)
			i = j + 1
			continue
		}
		if s.word(j, "and", "or") && s.word(j+1, "under", "below", "younger") {
			if scA == 0 {
				scA = 1
			}
			s.add(f(0), f(round2(a*scA)), "N and under", i, j+1)
			i = j + 1
			continue
		}
		if s.word(i-1, "from") && nA > 0 && (s.word(i-2, "aged", "ages", "age", "children", "people") || !s.strict) {
			s.add(f(round2(a*scA)), nil, "from N", i-1, i+nA)
			i += nA
			continue
		}
		// A single age: "aged 5", "for 4 year olds".
		if s.word(i-1, "aged", "age") || nA >= 2 && s.word(i+nA, "old", "olds") || nA >= 2 && s.word(i+2, "old", "olds") {
			if scA == 0 {
				scA = 1
			}
			s.add(f(round2(a*scA)), f(round2(a*scA)), "single age", i, i+nA)
			i += nA
		}
	}
}

var toks = sync.Pool{New: func() any { b := make([]tok, 0, 128); return &b }}

// Parse reads ages from text. ageField says the text is an age field (the
// source's own age wording), where a bare "0-25" is an age range; in free text
// a bare range needs an age word next to it ("children 0-5", "5-11 years").
func Parse(s string, ageField bool) Result {
	if s == "" {
		return Result{}
	}
	buf := toks.Get().(*[]tok)
	defer toks.Put(buf)
	*buf = lex(s, *buf)
	sc := scanner{t: *buf, src: s, strict: !ageField, lastTok: -1}
	sc.scan()
	if len(sc.out) == 0 {
		return Result{}
	}
	first, last := sc.out[0], sc.out[len(sc.out)-1]
	res := Result{Range: first, Text: strings.TrimSpace(s[first.Start:last.End])}
	for _, r := range sc.out[1:] {
		if !r.equal(first) {
			res.Ambiguous = true
			res.Min, res.Max = nil, nil
			res.Rule = "ambiguous: " + describe(sc.out)
			return res
		}
	}
	res.Found = true
	return res
}

func describe(rs []Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = Format(r.Min, r.Max)
	}
	return strings.Join(parts, " vs ")
}

// Format writes a range as "5-11", "16+", "0-4" or "?".
func Format(min, max *float64) string {
	num := func(p *float64) string { return strconv.FormatFloat(*p, 'f', -1, 64) }
	switch {
	case min != nil && max != nil:
		return num(min) + "-" + num(max)
	case min != nil:
		return num(min) + "+"
	case max != nil:
		return "up to " + num(max)
	}
	return "?"
}
