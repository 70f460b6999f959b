// Package pii removes personal data from free-text feedback before it is
// stored: e-mail addresses (also written "jo at example dot com"), phone
// numbers (UK and international), UK postcodes, NHS-style ten digit numbers
// and personal names in the patterns families and staff use ("my son Jack",
// "Mrs Smith", "I'm Sarah", "Kind regards, Sarah Jones"). Each becomes a
// placeholder: [email], [phone], [postcode], [number], [name]. Markup is
// reduced to text first so a <script> cannot survive or hide an address.
//
// It is pure and deterministic: the same input gives the same output, and
// nothing it sees is logged or kept.
package pii

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholders put where personal data was.
const (
	Email    = "[email]"
	Phone    = "[phone]"
	Postcode = "[postcode]"
	Number   = "[number]"
	Name     = "[name]"
)

// Counts says how many items of each kind one Scrub replaced.
type Counts struct {
	Emails, Phones, Postcodes, Numbers, Names int
}

// Total is the number of replacements of any kind.
func (c Counts) Total() int { return c.Emails + c.Phones + c.Postcodes + c.Numbers + c.Names }

// Add sums two counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.Emails + o.Emails, c.Phones + o.Phones, c.Postcodes + o.Postcodes, c.Numbers + o.Numbers, c.Names + o.Names}
}

var (
	scriptRe = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)\s*>`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]{0,1000}>`)

	// mailto links and plain addresses, including a spaced "@".
	emailRe = regexp.MustCompile(`(?i)(?:mailto:)?[a-z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_{|}~-]+)*\s?@\s?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\s?\.\s?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+`)
	// Obfuscated: "jo at example dot com", "jo(at)example(dot)co(dot)uk",
	// "jo [at] example.org". The domain must end in a common TLD so that
	// "help at the centre" is left alone.
	obfEmailRe = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9._+-]*\s*(?:\s(?:at)\s|[\(\[\{<]\s*at\s*[\)\]\}>]|\(@\)|\[@\])\s*[a-z0-9-]+(?:\s*(?:\.|\s(?:dot)\s|[\(\[\{<]\s*dot\s*[\)\]\}>])\s*[a-z0-9-]+)*?\s*(?:\.|\s(?:dot)\s|[\(\[\{<]\s*dot\s*[\)\]\}>])\s*(?:com|org|net|uk|io|info|me|gov|nhs|ac|edu|ie|fr|de|co)\b(?:\s*(?:\.|\s(?:dot)\s|[\(\[\{<]\s*dot\s*[\)\]\}>])\s*(?:uk|com|org|net))?`)

	// A phone number: starts with +, 00 or 0, then digits with single
	// separators; the digit count is checked in code.
	phoneRe = regexp.MustCompile(`(?:\+|\b00|\(0|\b0)[\d\s().\-/]{8,22}\d`)
	// NHS numbers and similar ten digit identifiers (3-3-4).
	nhsRe = regexp.MustCompile(`\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b`)
	// UK postcodes, with or without the space, any case; "GIR 0AA" too.
	postcodeRe = regexp.MustCompile(`(?i)\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s{0,2}\d[ABD-HJLNP-UW-Z]{2}|GIR\s?0AA)\b`)
)

// Scrub returns s with personal data replaced by placeholders, and what
// it replaced.
func Scrub(s string) (string, Counts) {
	var c Counts
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "<&") {
		s = scriptRe.ReplaceAllString(s, " ")
		s = tagRe.ReplaceAllString(s, " ")
		s = html.UnescapeString(s)
		// Entities may decode into new markup ("&lt;script&gt;"): strip again.
		s = scriptRe.ReplaceAllString(s, " ")
		s = tagRe.ReplaceAllString(s, " ")
	}
	// Cheap tests first: most comments hold no address and few digits.
	if strings.Contains(s, "@") {
		s = replaceCount(emailRe, s, Email, &c.Emails, nil)
	}
	if mayObfuscate(s) {
		s = replaceCount(obfEmailRe, s, Email, &c.Emails, nil)
	}
	if d := countDigits(s); d > 0 {
		s = replaceCount(postcodeRe, s, Postcode, &c.Postcodes, nil)
		if d >= 9 {
			s = replaceCount(phoneRe, s, Phone, &c.Phones, isPhone)
			s = replaceCount(nhsRe, s, Number, &c.Numbers, nil)
		}
	}
	s, c.Names = scrubNames(s)
	return strings.TrimSpace(s), c
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// mayObfuscate reports whether s has an "at" that could join an obfuscated
// address: the word at, or at or @ in brackets.
func mayObfuscate(s string) bool {
	l := strings.ToLower(s)
	for _, k := range []string{" at ", "at)", "at]", "at}", "at>", "(@)", "[@]"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func replaceCount(re *regexp.Regexp, s, placeholder string, n *int, keep func(string) (string, bool)) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if keep != nil {
			head, ok := keep(m)
			if !ok {
				return m
			}
			*n++
			return placeholder + m[len(head):]
		}
		*n++
		return placeholder
	})
}

// isPhone decides whether a phoneRe match is a phone number: it trims a
// trailing separator run and needs 9 to 15 digits, no run of two
// separators (which would join two numbers or a number and a date), and
// not a date such as 01/02/2024.
func isPhone(m string) (string, bool) {
	m = strings.TrimRight(m, " .-/()")
	if strings.Contains(m, "/") {
		return "", false
	}
	digits, seps := 0, 0
	for _, r := range m {
		switch {
		case r >= '0' && r <= '9':
			digits++
			seps = 0
		case r == '(' || r == ')' || r == '+':
		default:
			seps++
			if seps > 1 {
				return "", false
			}
		}
	}
	if digits < 9 || digits > 15 {
		return "", false
	}
	return m, true
}

// Name patterns. A name is one to three capitalised words after a cue
// (relation, title, introduction, sign-off) or a single lower-case word
// after a relation cue that is not a common English word.
var (
	relationCue = `(?:my|our|her|his|their)\s+(?:(?:little|eldest|oldest|youngest|younger|older|twin|foster|adopted|step|grand|autistic|disabled|\d{1,2}\s?(?:yo|year old|yr old)|\d{1,2}-year-old)\s+)*(?:son|daughter|child|kid|boy|girl|grandson|granddaughter|grandchild|nephew|niece|brother|sister|husband|wife|partner|stepson|stepdaughter|twins?|baby|teenager|toddler|ward|carer|mum|dad|mother|father|friend|neighbour|social worker|caseworker|case worker|key worker|keyworker|support worker|SENCO|SENCo|teacher|GP|consultant|paediatrician)`
	introCue    = `(?:I'm|I’m|Im|I am|my name is|my name's|my name’s|this is|it's|it is|name:|called|named|call me|signed|regards,?|kind regards,?|best wishes,?|many thanks,?|thanks to|thank you to|thanks,?|thank you,?|cheers,?|love,|spoke to|speak to|speaking to|spoke with|talked to|emailed|e-mailed|rang|phoned|contacted|shout out to|praise for|ask for|asked for)`
	titleRe     = regexp.MustCompile(`\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master|Sir|Dame|Lady|Cllr|Councillor|Nurse|Sister)\.?\s+(?:[A-Z][A-Za-z'’\-]+)(?:\s+[A-Z][A-Za-z'’\-]+)?`)
	relationRe  = regexp.MustCompile(`(?i:\b` + relationCue + `)(?:,|\s+\(|\s+(?i:called|named|who is|aka))?\s+([\p{L}][\p{L}'’\-]*(?:\s+[\p{L}][\p{L}'’\-]*){0,2})`)
	introRe     = regexp.MustCompile(`(?i:\b` + introCue + `),?\s+([\p{L}][\p{L}'’\-]*(?:\s+[\p{L}][\p{L}'’\-]*){0,2})`)
	// Possessive/sign-off at the end: "- Sarah", "— Tom Jones"
	signoffRe = regexp.MustCompile(`(?:^|\s)[-–—~]\s*([A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+)?)\s*\.?$`)
	// "Jack (7)" or "Jack, aged 9" or "Jack who is 6": a capitalised word
	// followed by an age.
	// "[name] and Evie": a second name joined to one already replaced.
	andNameRe = regexp.MustCompile(`\[name\](?:,|\s+(?:and|&))\s+([A-Z][a-z'’\-]+)`)
	agedRe    = regexp.MustCompile(`\b([A-Z][a-z'’\-]{1,20})(?:\s*\(\s*(?:aged?\s*)?\d{1,2}\s*\)|,?\s+(?:aged|age)\s+\d{1,2}\b|\s+who\s+is\s+\d{1,2}\b|\s+is\s+\d{1,2}\s+(?:and|years|yrs|but|now)\b)`)
)

// scrubNames replaces names found by the cue patterns.
func scrubNames(s string) (string, int) {
	n := 0
	s = titleRe.ReplaceAllStringFunc(s, func(m string) string {
		// Keep the title: "Mrs [name]" still reads as a person.
		i := strings.IndexFunc(m, unicode.IsSpace)
		n++
		return strings.TrimRight(m[:i], " ") + " " + Name
	})
	s = replaceCued(relationRe, s, &n, true)
	s = replaceCued(introRe, s, &n, false)
	s = replaceCued(andNameRe, s, &n, false)
	s = replaceCued(agedRe, s, &n, false)
	s = replaceCued(signoffRe, s, &n, false)
	return s, n
}

// replaceCued replaces the name words in the first group of each match.
// lowerOK lets a lower-case name through after a family cue ("my son
// jack"), which is common in typed survey answers.
func replaceCued(re *regexp.Regexp, s string, n *int, lowerOK bool) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if len(idx) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[2], m[3]
		if start < 0 || start < last {
			continue
		}
		words := strings.Fields(s[start:end])
		k := nameWords(words, lowerOK)
		if k == 0 {
			continue
		}
		// End of the k-th word.
		cut := start
		for i := 0; i < k; i++ {
			j := strings.Index(s[cut:], words[i])
			cut += j + len(words[i])
		}
		b.WriteString(s[last:start])
		b.WriteString(Name)
		last = cut
		*n++
	}
	b.WriteString(s[last:])
	return b.String()
}

// nameWords counts how many leading words form a name: capitalised words
// that are not common words, up to three; or, when lowerOK, one lower-case
// word that is not a common word.
func nameWords(words []string, lowerOK bool) int {
	k := 0
	for _, w := range words {
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		if w == "" {
			break
		}
		clean := strings.TrimRight(w, ".,;:!?)")
		r, _ := utf8.DecodeRuneInString(clean)
		lower := strings.ToLower(clean)
		if common[lower] || isPlaceholder(clean) || clean == "" {
			break
		}
		if unicode.IsUpper(r) {
			if isAllCaps(clean) && len(clean) > 1 {
				// Acronyms (SENCO, CAMHS, ASD) are not names.
				break
			}
			k++
		} else if lowerOK && k == 0 && len(clean) > 1 && !strings.ContainsAny(clean, "0123456789") {
			return 1
		} else {
			break
		}
		if clean != w || strings.ContainsAny(words[k-1], ".,;:!?)") || k == 3 {
			break
		}
	}
	return k
}

func isPlaceholder(s string) bool { return strings.HasPrefix(s, "[") }

func isAllCaps(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}
