// Package ages turns the ways sources state who a service is for ("0-25",
// "ages 5 to 11", "under 5s", "16+", "Year 7 to Year 11", "Key Stage 2",
// "Reception", "pre-school", "young people up to 25") into a minimum and
// maximum age in years.
//
// In an age field every statement of ages counts. In free text (eligibility,
// name, description) a number is an age only when the words say whose age it
// is: a person or age word next to it ("young people aged 11-18", "adults
// 18+", "over 50s", "4-7 year olds", "from birth to 5"), school years or key
// stages. Durations ("for 6 to 24 months"), counts ("between 16-20 people"),
// times ("10-12"), decades ("the 60s"), statistics ("85% of women aged
// 45-55"), supervision rules ("children under 8 must be accompanied"),
// negations, helpers ("volunteer mentors must be 18") and side activities ("a
// side programme for children from 3 to 12", "special programmes for adults
// 55 and older") give no age, and of a description only the opening is read
// (LeadSentences). Statements that chain into one range (11-13 and 13-19 year
// olds) are joined; statements that do not (children 0-5 and young people
// 16-25) give no age: ages are never guessed.
package ages

import (
	"slices"
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
	vague    bool // a class word (pre-school) that a number overrides
}

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
	Ambiguous bool   // several age statements that do not join into one range
	Text      string // the source's words for each statement found
}

type kind uint8

const (
	kWord kind = iota
	kNum
	kDash
	kPlus
	kPct // "%": the number beside it is a share, not an age
	kSlash
	kStop // end of a sentence, list item or paragraph
)

type tok struct {
	k          kind
	trig       bool // a word that can start an age statement (see triggers)
	w          string
	n          float64
	start, end int
}

// isBlockTag: block tags end a sentence when they open or close: statements
// either side are separate.
func isBlockTag(name string) bool {
	switch strings.ToLower(name) {
	case "p", "br", "li", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th":
		return true
	}
	return false
}

// lex splits text into lower-case words, numbers, dashes, pluses, percent
// signs and sentence stops. Letters and digits are split apart ("ks2" → "ks"
// "2", "5s" → "5" "s"). HTML tags are skipped (block tags end a sentence) and
// the entities that matter decoded (&nbsp; is a space, &ndash; a dash), since
// many directories publish descriptions as HTML. A literal "\n" (as some CSV
// exports write newlines) ends a sentence.
//
// maxSentences, when above 0, stops after that many sentences.
func lex(s string, dst []tok, maxSentences int) []tok {
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
			// Read the word lower-cased into a hash as it goes; trailing
			// apostrophes are not part of it.
			j, end := i, i
			h, hWord := uint32(lexSeed), uint32(0)
			for j < len(s) {
				c := s[j]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				} else if (c < 'a' || c > 'z') && c != '\'' {
					break
				}
				h = (h ^ uint32(c)) * lexPrime
				if c != '\'' {
					hWord, end = h, j+1
				}
				j++
			}
			e := lookupWord(s[i:end], hWord)
			switch {
			case e == nil:
				// No rule looks at this word: it keeps its place, not its text.
				dst = append(dst, tok{k: kWord, start: i, end: j})
			case e.number:
				// "fifty-five", "twenty one"
				n := e.n
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
			default:
				dst = append(dst, tok{k: kWord, w: e.word, trig: e.trigger, start: i, end: j})
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
			if isBlockTag(name) {
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
				// A letter beyond ASCII is a word of its own; no rule looks at it.
				dst = append(dst, tok{k: kWord, start: i, end: i + n})
			}
			i += n
		}
	}
	return dst
}

// numberWords are read as numbers ("aged between nine and 18", "three to
// five years old"); "one" is not, as in "one to one support".
var numberWords = map[string]float64{"zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}

var unitWords = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}

// triggers are the words a statement can start with (numbers aside); scan
// skips every other token at once.
var triggers = []string{"no", "all", "any", "everyone", "everybody", "year", "years", "y", "yr", "reception",
	"grade", "grades", "k", "ks", "key", "pre", "preschool", "preschoolers", "new", "birth", "newborn", "newborns",
	"born", "infants", "infant", "infancy", "or", "under", "below", "up", "upto", "over", "above", "at"}

// ruleWords are the other words the rules compare against.
var ruleWords = []string{"upper", "limit", "age", "r", "to", "through", "and", "th", "st", "nd", "rd", "stage", "stages",
	"area", "desk", "staff", "team", "room", "hall", "school", "schoolers", "the", "of", "aged", "s", "birthday", "least",
	"old", "olds", "from", "ages", "children", "people", "adult", "adults", "adulthood", "older", "upwards", "onwards",
	"plus", "younger", "program", "programs", "programme", "programmes", "special", "percent", "welcome",
	"years", "year", "yrs", "yr", "y", "months", "month", "mths", "mth", "m", "weeks", "week", "wks"}

type lexEntry struct {
	word    string // the lower-case form, shared by every token
	trigger bool
	number  bool    // a number word (numberWords)
	n       float64 // its value
}

// lexTable is the lexicon as an open-addressing hash table keyed by an
// FNV-1a hash of the lower-cased word, which the lexer computes while it
// reads the word: looking a word up is one probe and one compare, without a
// lower-cased copy. Most words of a description are not in it.
var lexTable = func() *[1 << lexBits]lexEntry {
	var t [1 << lexBits]lexEntry
	for w, e := range lexicon {
		if n, ok := numberWords[w]; ok {
			e.number, e.n = true, n
		}
		h := uint32(lexSeed)
		for k := 0; k < len(w); k++ {
			h = (h ^ uint32(w[k])) * lexPrime
		}
		for k := h & (1<<lexBits - 1); ; k = (k + 1) & (1<<lexBits - 1) {
			if t[k].word == "" {
				t[k] = e
				break
			}
		}
	}
	return &t
}()

const (
	lexBits  = 10 // four times the lexicon: probes stay short
	lexSeed  = 2166136261
	lexPrime = 16777619
)

// lookupWord finds w (any case) in the lexicon by its lower-case hash h.
func lookupWord(w string, h uint32) *lexEntry {
	for k := h & (1<<lexBits - 1); ; k = (k + 1) & (1<<lexBits - 1) {
		e := &lexTable[k]
		if e.word == "" {
			return nil
		}
		if len(e.word) == len(w) && equalLower(e.word, w) {
			return e
		}
	}
}

// equalLower: w lower-cased (ASCII) is lower.
func equalLower(lower, w string) bool {
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[k] {
			return false
		}
	}
	return true
}

// lexicon holds every word any rule looks at.
var lexicon = func() map[string]lexEntry {
	m := map[string]lexEntry{}
	add := func(w string, trig bool) {
		e := m[w]
		m[w] = lexEntry{word: w, trigger: e.trigger || trig}
	}
	for _, w := range triggers {
		add(w, true)
	}
	for _, w := range ruleWords {
		add(w, false)
	}
	for _, set := range []map[string]bool{who, skip, afterRestriction, sideMarkers, helpers, notAges} {
		for w := range set {
			add(w, false)
		}
	}
	for w := range numberWords {
		add(w, false)
	}
	return m
}()

// ordinal: the number at i is "2nd", "4th": a date or a grade, not an age.
func (s *scanner) ordinal(i int) bool { return s.word(i+1, "st", "nd", "rd", "th") }

func f(v float64) *float64 { return &v }

// schoolYears: pupils in Year N are N+4 at the start of the school year and
// N+5 by its end (England; Reception is Year 0).
func schoolYears(from, to float64) (float64, float64) { return from + 4, to + 5 }

// keyStages: the school years of each key stage.
var keyStages = map[float64][2]float64{1: {1, 2}, 2: {3, 6}, 3: {7, 9}, 4: {10, 11}, 5: {12, 13}}

// who: words that say a number next to them is the age of the people served
// ("children 0-5", "adults 18+", "anyone over 16", "you're 18 or over").
var who = map[string]bool{
	"age": true, "ages": true, "aged": true, "children": true, "child": true, "childrens": true, "young": true,
	"people": true, "pupils": true, "kids": true, "boys": true, "girls": true, "students": true, "learners": true,
	"toddlers": true, "babies": true, "infants": true, "newborns": true, "teenagers": true, "teens": true,
	"adolescents": true, "youth": true, "youths": true, "juniors": true, "adults": true, "adult": true,
	"seniors": true, "women": true, "men": true, "individuals": true, "anyone": true, "anybody": true,
	"everyone": true, "participants": true, "you're": true, "re": true, "be": true, "are": true, "olds": true,
	"man": true, "woman": true,
}

// skip: words that may stand between a who word and the number.
var skip = map[string]bool{"from": true, "of": true, "for": true, "and": true, "or": true, "between": true,
	"the": true, "all": true, "who": true, "with": true, "approx": true, "approximately": true, "is": true, "must": true}

// afterRestriction: a statement followed by these within its sentence is a
// supervision rule ("children under 8 must be accompanied"), not who the
// service is for.
var afterRestriction = map[string]bool{"accompanied": true, "supervised": true, "supervision": true, "reach": true}

// sideMarkers: a statement after these in its sentence describes a side
// activity or an extra group, not the service's own users ("special" counts
// only before "programme": SEND services say "special educational needs").
// A negation says who the service is not for ("we are unable to allow
// children under 16", "not suitable for under 5s").
var sideMarkers = map[string]bool{"additionally": true, "separate": true, "side": true,
	"not": true, "unable": true, "cannot": true, "can't": true, "unfortunately": true, "except": true}

// helpers: a sentence whose subject is these ("Volunteer mentors must be 18
// or older") is about the people who help, not those served.
var helpers = map[string]bool{"mentors": true, "volunteers": true, "volunteer": true, "staff": true, "tutors": true}

// notAges: a statement followed by these counts people or time ("16-20
// people", "between 30 and 90 minutes") or names part of a venue ("our under
// 5s space").
var notAges = map[string]bool{"people": true, "members": true, "singers": true, "participants": true,
	"places": true, "staff": true, "volunteers": true, "sessions": true, "percent": true, "per": true,
	"minutes": true, "mins": true, "hours": true, "hrs": true, "days": true, "weeks": true, "am": true, "pm": true,
	"space": true, "area": true, "room": true, "corner": true, "zone": true}

type scanner struct {
	t      []tok
	strict bool // free text: an age needs words saying whose age it is
	out    []Range
	// noUpper: the text says there is no upper age limit.
	noUpper bool
	// open: the text says the service is for all ages ("all ages", "any
	// age", "all welcome"), so no range it also gives bounds the service.
	open bool
	// lastTok is the last token of the latest age statement, so "ages 11-16
	// and 16-25" reads the second range in the first one's context.
	lastTok int
}

func (s *scanner) word(i int, ws ...string) bool {
	if i < 0 || i >= len(s.t) || s.t[i].k != kWord {
		return false
	}
	return slices.Contains(ws, s.t[i].w)
}

func (s *scanner) num(i int) (float64, bool) {
	if i < 0 || i >= len(s.t) || s.t[i].k != kNum {
		return 0, false
	}
	return s.t[i].n, true
}

func (s *scanner) is(i int, k kind) bool { return i >= 0 && i < len(s.t) && s.t[i].k == k }

// alt reads "16/19" at i as its larger number: the text gives either bound.
// n is how many tokens it used (1 or 3).
func (s *scanner) alt(i int) (v float64, n int, ok bool) {
	v, ok = s.num(i)
	if !ok {
		return 0, 0, false
	}
	if b, ok2 := s.num(i + 2); ok2 && s.is(i+1, kSlash) && b > v {
		return b, 3, true
	}
	return v, 1, true
}

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
	case s.word(i, "weeks", "week", "wks"):
		return 1.0 / 52, 1
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
	if s.strict && !s.ownUsers(from, to) {
		return
	}
	s.out = append(s.out, Range{Min: min, Max: max, Rule: rule, Start: s.t[from].start, End: s.t[to].end})
	s.lastTok = to
}

// ownUsers rejects, in free text, statements that are statistics,
// supervision rules or side activities (see the package comment).
func (s *scanner) ownUsers(from, to int) bool {
	if s.is(to+1, kPct) || s.word(to+1, "percent") {
		return false
	}
	if k := to + 1; s.word(k, "old", "olds") || s.word(k, "of") && s.word(k+1, "age") {
		// fine: "5-11 years old", "under 12 years of age"
	} else if !s.is(to, kPlus) && notAges[s.wordAt(k)] {
		return false
	}
	j := from - 1
	for ; j >= 0 && s.t[j].k != kStop; j-- {
		if s.t[j].k == kPct || s.word(j, "percent") || sideMarkers[s.wordAt(j)] ||
			s.word(j, "special") && s.word(j+1, "program", "programs", "programme", "programmes") {
			return false
		}
	}
	for k := j + 1; k <= j+2 && k < from; k++ {
		if helpers[s.wordAt(k)] {
			return false
		}
	}
	for j := to + 1; j < len(s.t) && j <= to+8 && s.t[j].k != kStop && s.t[j].k != kNum; j++ {
		if afterRestriction[s.wordAt(j)] {
			return false
		}
	}
	return true
}

func (s *scanner) wordAt(i int) string {
	if i < 0 || i >= len(s.t) || s.t[i].k != kWord {
		return ""
	}
	return s.t[i].w
}

func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// whoBefore: a who word just before token i, within its sentence, or the
// previous statement ("ages 11-16 and 16-25").
func (s *scanner) whoBefore(i int) bool {
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		if s.t[j].k != kWord {
			return len(s.out) > 0 && j == s.lastTok
		}
		if who[s.t[j].w] {
			return true
		}
		if !skip[s.t[j].w] {
			return false
		}
	}
	return false
}

// yearsOld: the statement ending at token end says "years old", "year olds"
// or "of age" (the unit reader takes "old" into the statement).
func (s *scanner) yearsOld(end int) bool {
	return s.word(end, "old", "olds") || s.word(end+1, "old", "olds") || s.word(end+1, "of") && s.word(end+2, "age")
}

// stated: in free text, does the statement from..end say it is about
// people's ages? In an age field every statement does.
func (s *scanner) stated(from, end int) bool {
	return !s.strict || s.whoBefore(from) || s.yearsOld(end)
}

func (s *scanner) scan() {
	t := s.t
	for i := 0; i < len(t); i++ {
		if t[i].k != kNum && !t[i].trig {
			continue // most words start nothing
		}
		if s.word(i, "no") && s.word(i+1, "upper") && (s.word(i+2, "limit") || s.word(i+2, "age") && s.word(i+3, "limit")) {
			s.noUpper = true
		}
		if s.strict && (s.word(i, "all", "any") && s.word(i+1, "ages", "age") && !s.word(i+2, "from", "between") && !s.is(i+2, kNum) ||
			s.word(i, "all", "everyone", "everybody") && s.word(i+1, "welcome")) {
			s.open = true
		}
		// School years: "Year 7 to Year 11", "Years 7-11", "Y7-Y11", "Year 6",
		// "Year R", "Reception to Year 6".
		if s.word(i, "year", "years", "y", "yr") && !s.is(i-1, kNum) || s.word(i, "reception") && (s.is(i+1, kDash) || s.word(i+1, "to")) {
			j, a := i+1, 0.0
			if s.word(i, "reception") {
				j, a = i, 0
			} else if s.word(i+1, "r") {
				a = 0
			} else if n, ok := s.num(i + 1); ok && n <= 13 && !s.word(i+2, "old", "olds") {
				a = n
			} else {
				goto notYear
			}
			if s.is(j+1, kDash) || s.word(j+1, "to") {
				k := j + 2
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
			if s.word(i, "reception") {
				goto notYear
			}
			lo, hi := schoolYears(a, a)
			s.add(f(lo), f(hi), "school year", i, j)
			i = j
			continue
		}
	notYear:
		// US school grades: "grades K-12", "grades 6-8", "K-5th grade".
		if s.word(i, "grade", "grades") || s.word(i, "k") && s.is(i+1, kDash) && s.is(i+2, kNum) && s.word(i+3, "th", "st", "nd", "rd") && s.word(i+4, "grade", "grades") {
			j := i + 1
			if s.word(i, "k") {
				j = i
			}
			a, ok := s.num(j)
			if s.word(j, "k") {
				a, ok = 0, true
			}
			if ok && (s.is(j+1, kDash) || s.word(j+1, "to", "through")) {
				if b, ok := s.num(j + 2); ok && b <= 12 && b >= a {
					end := j + 2
					if s.word(end+1, "th", "st", "nd", "rd") {
						end++
						if s.word(end+1, "grade", "grades") {
							end++
						}
					}
					s.add(f(a+5), f(b+6), "US school grades", i, end)
					i = end
					continue
				}
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
		if s.word(i, "reception") && !s.word(i+1, "area", "desk", "staff", "team", "room", "hall") {
			s.add(f(4), f(5), "school year: Reception", i, i)
			continue
		}
		if s.word(i, "pre") && s.is(i+1, kDash) && s.word(i+2, "school", "schoolers") || s.word(i, "pre") && s.word(i+1, "school", "schoolers") || s.word(i, "preschool", "preschoolers") {
			end := i
			if s.word(i, "pre") {
				end = i + 1
				if s.is(i+1, kDash) {
					end = i + 2
				}
			}
			n := len(s.out)
			s.add(f(0), f(4), "pre-school: under compulsory school age", i, end)
			if len(s.out) > n {
				s.out[n].vague = true
			}
			i = end
			continue
		}
		// "from birth to 5", "birth - 3 years old", "between birth and age 5",
		// "new born through age 5", "infants - 9 years old".
		if s.word(i, "new") && s.word(i+1, "born") {
			i++
		}
		if s.word(i, "birth", "newborn", "newborns", "born", "infants", "infant", "infancy") && (s.word(i+1, "to", "and", "through") || s.is(i+1, kDash)) {
			j := i + 2
			if s.word(j, "age") {
				j++
			}
			if b, ok := s.num(j); ok && !s.ordinal(j) {
				sc, n := s.unit(j + 1)
				if sc == 0 {
					sc = 1
				}
				s.add(f(0), f(round2(b*sc)), "birth to N", i, j+n)
				i = j + n
				continue
			}
		}
		// "aged 16-19 (or up to 25 with an EHC plan)", "8 to 18 (or age 25 for
		// people with a disability)": a wider upper bound for some, not a
		// second range from birth.
		if s.word(i, "or") && len(s.out) > 0 && s.lastTok >= i-2 && s.out[len(s.out)-1].Max != nil {
			j := i + 1
			if s.word(j, "up") && s.word(j+1, "to") {
				j += 2
			} else if s.word(j, "upto", "age", "aged") {
				j++
			} else {
				j = -1
			}
			if b, ok := s.num(j); ok && j > 0 && b > *s.out[len(s.out)-1].Max && b <= 130 {
				n := 0
				if sc, un := s.unit(j + 1); sc == 1 {
					n = un
				}
				last := &s.out[len(s.out)-1]
				last.Max, last.End, last.Rule = f(b), s.t[j+n].end, last.Rule+", or up to N for some"
				s.lastTok = j + n
				i = j + n
				continue
			}
		}
		// "under 5s", "under 18", "below 16", "up to 25", "upto 19".
		if s.word(i, "under", "below") || s.word(i, "up") && s.word(i+1, "to") || s.word(i, "upto") {
			j := i + 1
			if s.word(i, "up") {
				j = i + 2
			}
			for s.word(j, "the", "age", "of", "aged") {
				j++
			}
			if b, nb, ok := s.alt(j); ok {
				j += nb - 1
				sc, n := s.unit(j + 1)
				plural := sc != 0 && s.word(j+1, "s")
				if s.strict && !plural && !s.word(j-1, "age", "aged") && !s.stated(i, j+n) {
					continue
				}
				if sc == 0 {
					sc = 1
				}
				max := b * sc
				rule := "up to N"
				if s.word(j+1, "th") && s.word(j+2, "birthday") {
					// "up to 18th birthday": the birthday itself is out
					n = 2
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
		// "over 16s", "aged over 18", "over the age of 18", "at least 40 years old"
		if s.word(i, "over", "above") || s.word(i, "at") && s.word(i+1, "least") {
			if s.word(i, "at") {
				i++
			}
			j := i + 1
			for s.word(j, "the", "age", "of") {
				j++
			}
			if b, ok := s.num(j); ok {
				sc, n := s.unit(j + 1)
				plural := sc != 0 && s.word(j+1, "s")
				if s.strict && !plural && !s.word(j-1, "age") && !s.stated(i, j+n) {
					continue
				}
				if sc == 0 {
					sc = 1
				}
				s.add(f(round2(b*sc)), nil, "over N", i, j+n)
				i = j + n
				continue
			}
		}
		a, ok := s.num(i)
		if !ok {
			continue
		}
		// Ranges: "5-11", "5 – 11 years", "5 to 11", "6 months to 5 years",
		// "between 5 and 11", "between 1 year old and 4 years old", "18
		// through 59", "0-16/19 years".
		scA, nA := s.unit(i + 1)
		j := i + 1 + nA
		between := (s.word(i-1, "between") || s.word(i-1, "of") && s.word(i-2, "ages") && s.word(i-4, "between")) &&
			s.word(j, "and") && s.is(j+1, kNum)
		if (between || s.is(j, kDash) || s.word(j, "to", "through")) && s.word(j+1, "adult", "adults", "adulthood") {
			if !s.strict || s.stated(i, j+1) {
				s.add(f(round2(a*max(scA, 1))), nil, "N through adult", i, j+1)
			}
			i = j + 1
			continue
		}
		if between || s.is(j, kDash) || s.word(j, "to", "through") {
			if b, nb, ok := s.alt(j + 1); ok && !s.ordinal(j+nb) && !s.ordinal(i) {
				j += nb - 1
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
				end := j + 1 + nB
				// A duration never starts at zero: "0-25 years" is an age range
				// (in years: "(0-4 months)" may name a class, not who it is for).
				if s.strict && !s.stated(i, end) && !(a == 0 && (scA == 1 || scB == 1)) {
					i = end
					continue
				}
				// "9-18 years old and older", "8 - 88 and above": from 9.
				if s.word(end+1, "and", "or") && s.word(end+2, "older", "over", "up", "above", "upwards") && !s.word(end+3, "to") {
					s.add(f(round2(lo)), nil, "N-M and older", i, end+2)
					i = end + 2
					continue
				}
				// "9-5pm" and "10-12" beyond 130 are not ages; add drops them.
				s.add(f(round2(lo)), f(round2(hi)), "range", i, end)
				i = end
				continue
			}
		}
		if scA == 0 {
			scA = 1
		}
		// "16+", "11years+"
		if s.is(j, kPlus) {
			end := j
			if _, n := s.unit(j + 1); n > 0 {
				end += n
			}
			if !s.strict || nA > 0 || s.stated(i, end) {
				s.add(f(round2(a*scA)), nil, "N+", i, end)
				i = end
			}
			continue
		}
		// "18 and over", "18 or older", "16 years and over", "18 onwards",
		// "11 years of age and up"
		if nA > 0 && s.word(j, "of") && s.word(j+1, "age") && s.word(j+2, "and", "or") && s.word(j+3, "over", "above", "older", "upwards", "up") {
			j += 2
		}
		if s.word(j, "and", "or") && s.word(j+1, "over", "above", "older", "upwards", "up") && !s.word(j+2, "to") || s.word(j, "onwards", "upwards", "plus") {
			end := j
			if s.word(j, "and", "or") {
				end = j + 1
			}
			if !s.strict || nA > 0 || s.stated(i, end) {
				s.add(f(round2(a*scA)), nil, "N and over", i, end)
			}
			i = end
			continue
		}
		if s.word(j, "and", "or") && s.word(j+1, "under", "below", "younger") {
			if !s.strict || s.stated(i, j+1) {
				s.add(f(0), f(round2(a*scA)), "N and under", i, j+1)
			}
			i = j + 1
			continue
		}
		if s.word(i-1, "from") && nA > 0 && (s.word(i-2, "aged", "ages", "age", "children", "people") || !s.strict) {
			s.add(f(round2(a*scA)), nil, "from N", i-1, i+nA)
			i += nA
			continue
		}
		// A single age ("aged 5", "4 year olds") only in an age field: in
		// free text a lone age is usually someone's age, not a limit.
		if !s.strict && (s.word(i-1, "aged", "age") || nA >= 2 && s.word(i+nA, "old", "olds") || nA >= 2 && s.word(i+2, "old", "olds")) {
			s.add(f(round2(a*scA)), f(round2(a*scA)), "single age", i, i+nA)
			i += nA
		}
	}
}

var toks = sync.Pool{New: func() any { b := make([]tok, 0, 128); return &b }}

// Parse reads ages from text. ageField says the text is an age field (the
// source's own age wording), where a bare "0-25" is an age range; in free text
// a number needs words saying whose age it is ("children 0-5", "5-11 year
// olds").
func Parse(s string, ageField bool) Result { return parse(s, !ageField, 0) }

// LeadSentences is how much of a description is read: its opening says what
// the service is and who it is for; later sentences describe its parts, side
// programmes, partners and the other services at a venue. Measured on the
// labelled real descriptions in testdata/real (README, "Ages"): reading 3
// sentences keeps precision above 0.97 on every set; 8 let it fall to 0.91.
// (Block HTML tags and list items end a sentence too.)
const LeadSentences = 3

func parse(s string, strict bool, maxSentences int) Result {
	if s == "" {
		return Result{}
	}
	buf := toks.Get().(*[]tok)
	defer toks.Put(buf)
	*buf = lex(s, *buf, maxSentences)
	sc := scanner{t: *buf, strict: strict, lastTok: -1}
	sc.scan()
	rs := sc.out
	if len(rs) == 0 {
		return Result{}
	}
	if sc.open {
		return Result{}
	}
	// A number beats a class word: "pre-school children aged 2-3" is 2-3.
	if slices.ContainsFunc(rs, func(r Range) bool { return !r.vague }) {
		rs = slices.DeleteFunc(rs, func(r Range) bool { return r.vague })
	}
	res := Result{Range: rs[0], Text: wording(s, rs)}
	if len(rs) > 1 {
		joined, ok := join(rs)
		if !ok {
			res.Ambiguous = true
			res.Min, res.Max = nil, nil
			res.Rule = "ambiguous: " + describe(rs)
			return res
		}
		res.Min, res.Max = joined.Min, joined.Max
		if !allEqual(rs) {
			res.Rule = "joined: " + describe(rs)
		}
	}
	if sc.noUpper && res.Max != nil {
		res.Max = nil
		res.Rule += "; no upper age limit"
	}
	res.Found = true
	return res
}

// wording is the source's words for each statement, in order; statements
// far apart are joined with " … " rather than quoting the text between.
func wording(s string, rs []Range) string {
	if len(rs) == 1 {
		return strings.TrimSpace(s[rs[0].Start:rs[0].End])
	}
	var b strings.Builder
	start, end := rs[0].Start, rs[0].End
	flush := func() {
		if b.Len() > 0 {
			b.WriteString(" … ")
		}
		b.WriteString(strings.TrimSpace(s[start:end]))
	}
	for _, r := range rs[1:] {
		if r.Start < end+40 && r.Start >= start {
			end = max(end, r.End)
			continue
		}
		flush()
		start, end = r.Start, r.End
	}
	flush()
	return b.String()
}

func allEqual(rs []Range) bool {
	for _, r := range rs[1:] {
		if !eqPtr(r.Min, rs[0].Min) || !eqPtr(r.Max, rs[0].Max) {
			return false
		}
	}
	return true
}

// join merges ranges that overlap or meet (11-13 and 13-19; 4-12 and 5-12;
// 18+ and 65+) into one; ok is false when a gap is left between them.
func join(rs []Range) (Range, bool) {
	lo := func(r Range) float64 {
		if r.Min == nil {
			return 0
		}
		return *r.Min
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b Range) int {
		switch {
		case lo(a) < lo(b):
			return -1
		case lo(a) > lo(b):
			return 1
		}
		return 0
	})
	out := sorted[0]
	for _, r := range sorted[1:] {
		if out.Max != nil && lo(r) > *out.Max+1 {
			return Range{}, false
		}
		if out.Max != nil && (r.Max == nil || *r.Max > *out.Max) {
			out.Max = r.Max
		}
	}
	return out, true
}

func describe(rs []Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = Format(r.Min, r.Max)
	}
	return strings.Join(parts, " and ")
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
