package schema

import (
	"bytes"
	"encoding/binary"

	"unicode/utf8"
	"unsafe"
)

// ProblemsJSON validates one JSON document. The fast plan runs over the bytes
// directly, without building a tree; only a document it rejects is parsed and
// handed to jsonschema/v6 for the authoritative problems.
func (c *Checker) ProblemsJSON(b []byte) []Problem {
	if c.plan != nil {
		s := scanner{b: b}
		s.space()
		if c.plan.scan(&s, 0) {
			s.space()
			if s.i == len(s.b) {
				return nil
			}
		}
	}
	v, err := ParseJSON(b)
	if err != nil {
		return []Problem{{Pointer: "", Message: err.Error()}}
	}
	if err := c.sch.Validate(v); err != nil {
		return Problems(err)
	}
	return nil
}

// scanner walks JSON bytes for planNode.scan. Any doubt (syntax, escapes it
// cannot handle cheaply) makes the scan say "not ok", never "ok".
type scanner struct {
	b []byte
	i int
	// rescanRefs turns the onlyRef shortcut off (tests compare both ways).
	rescanRefs bool
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads a string at s.i and returns its bytes (decoded when it has
// escapes). ok is false on malformed or non-UTF-8 input.
func (s *scanner) str() (out []byte, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	var high byte // OR of every byte: UTF-8 needs checking only if one is >= 0x80
	j := start
	// Eight bytes at a time while none of them is special: long HTML
	// descriptions are most of a record's bytes.
	var wide uint64
	for ; j+8 <= len(s.b); j += 8 {
		w := binary.LittleEndian.Uint64(s.b[j:])
		if hasSpecial(w) {
			break
		}
		wide |= w
	}
	if wide&swarHigh != 0 {
		high = 0x80
	}
	for ; j < len(s.b); j++ {
		c := s.b[j]
		if !strSpecial[c] {
			high |= c
			continue
		}
		if c == '"' {
			out = s.b[start:j]
			s.i = j + 1
			return out, high < utf8.RuneSelf || utf8.Valid(out)
		}
		// An escape or control byte (rare): decode with the full parser.
		p := jsonParser{b: s.b, i: s.i}
		str, err := p.str()
		if err != nil {
			return nil, false
		}
		s.i = p.i
		return []byte(str), true
	}
	return nil, false
}

// skipStr passes over a string at s.i without decoding it, saying ok exactly
// when str would. encoding/json writes <, > and & as \u escapes, so HTML
// descriptions are full of escapes; most schema nodes never look at the text.
//
// str decodes and then checks the UTF-8 of the whole result. Every escape
// decodes to complete, valid UTF-8 (a lone or broken surrogate pair becomes
// U+FFFD) that starts with an ASCII or lead byte, never a continuation byte,
// so the result is valid exactly when each raw run between escapes is: the
// runs are checked in place, with nothing decoded or copied.
func (s *scanner) skipStr() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	j := s.i + 1
	run := j // start of the raw text since the last escape
	var wide uint64
	for {
		for ; j+8 <= len(s.b); j += 8 {
			w := binary.LittleEndian.Uint64(s.b[j:])
			if hasSpecial(w) {
				break
			}
			wide |= w
		}
		if j >= len(s.b) {
			return false
		}
		c := s.b[j]
		if !strSpecial[c] {
			wide |= uint64(c)
			j++
			continue
		}
		if wide&swarHigh != 0 {
			if !utf8.Valid(s.b[run:j]) {
				return false
			}
			wide = 0
		}
		switch {
		case c == '"':
			s.i = j + 1
			return true
		case c < 0x20 || j+1 >= len(s.b):
			return false
		}
		// A \u escape is checked on its own even where str reads it as the
		// second half of a surrogate pair: str needs the same four hex digits.
		switch s.b[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			if len(s.b)-j < 6 || !isHex(s.b[j+2]) || !isHex(s.b[j+3]) || !isHex(s.b[j+4]) || !isHex(s.b[j+5]) {
				return false
			}
			j += 6
		default:
			return false
		}
		run = j
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// hasSpecial reports whether any byte of w is '"', '\\' or below 0x20
// (bytes of 0x80 and above are not special; the caller tracks them).
func hasSpecial(w uint64) bool {
	q := w ^ (swarOnes * '"')
	bs := w ^ (swarOnes * '\\')
	// A zero byte in q or bs, or a byte below 0x20 in w, sets its high bit.
	// Bytes with their own high bit set are masked out by ^w (they are
	// neither zero after the xors nor below 0x20).
	return ((q-swarOnes)&^q|(bs-swarOnes)&^bs|(w-swarOnes*0x20)&^w)&swarHigh != 0
}

// strSpecial marks the bytes that end a plain run inside a JSON string.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

func (s *scanner) skip(depth int) bool {
	if depth > MaxDepth || s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipStr()
	case c == '{':
		s.i++
		s.space()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			return true
		}
		for {
			s.space()
			if _, ok := s.str(); !ok {
				return false
			}
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == '}' {
				s.i++
				return true
			}
			if s.b[s.i] != ',' {
				return false
			}
			s.i++
		}
	case c == '[':
		s.i++
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ']' {
				s.i++
				return true
			}
			if s.b[s.i] != ',' {
				return false
			}
			s.i++
		}
	default:
		_, _, ok := s.scalar()
		return ok
	}
}

// scalar reads true, false, null or a number. kind: 'b', 'n' (null), 'f' (number).
func (s *scanner) scalar() (kind byte, num float64, ok bool) {
	rest := s.b[s.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")):
		s.i += 4
		return 'b', 0, true
	case bytes.HasPrefix(rest, []byte("false")):
		s.i += 5
		return 'b', 0, true
	case bytes.HasPrefix(rest, []byte("null")):
		s.i += 4
		return 'n', 0, true
	}
	p := jsonParser{b: s.b, i: s.i}
	f, err := p.numFloat()
	if err != nil {
		return 0, 0, false
	}
	s.i = p.i
	return 'f', f, true
}

func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// scan consumes one value and reports whether it certainly satisfies n.
func (n *planNode) scan(s *scanner, depth int) bool {
	if n == nil {
		return s.skip(depth)
	}
	if depth > MaxDepth || s.i >= len(s.b) {
		return false
	}
	if n.onlyRef && !s.rescanRefs {
		// The target's scan reads the value with the same primitives the
		// node's own (empty) checks would: accepted there is accepted here.
		return n.ref.scan(s, depth)
	}
	if n.ref != nil || n.oneOf != nil {
		// Several schemas apply to one value: rescan it for each.
		start := s.i
		if n.ref != nil {
			if !n.ref.scan(s, depth) {
				return false
			}
			s.i = start
		}
		if n.oneOf != nil {
			c := 0
			for _, o := range n.oneOf {
				if o.scan(s, depth) {
					c++
				}
				s.i = start
			}
			if c != 1 {
				return false
			}
		}
		return n.scanSelf(s, depth)
	}
	return n.scanSelf(s, depth)
}

func (n *planNode) scanSelf(s *scanner, depth int) bool {
	switch c := s.b[s.i]; {
	case c == '"':
		if n.types != 0 && n.types&tString == 0 {
			return false
		}
		if n.anyText {
			return s.skipStr()
		}
		b, ok := s.str()
		if !ok {
			return false
		}
		return n.stringOK(b)
	case c == '{':
		if n.types != 0 && n.types&tObject == 0 || n.enum != nil {
			return false
		}
		return n.scanObject(s, depth)
	case c == '[':
		if n.types != 0 && n.types&tArray == 0 || n.enum != nil {
			return false
		}
		return n.scanArray(s, depth)
	}
	k, f, ok := s.scalar()
	if !ok || n.enum != nil {
		return false
	}
	switch k {
	case 'b':
		return n.types == 0 || n.types&tBool != 0
	case 'n':
		return n.types == 0 || n.types&tNull != 0
	}
	if n.types != 0 && n.types&tNumber == 0 && !(n.types&tInteger != 0 && f == float64(int64(f))) {
		return false
	}
	if n.min != nil && f < *n.min || n.max != nil && f > *n.max {
		return false
	}
	return n.format == nil
}

func (n *planNode) stringOK(b []byte) bool {
	if n.enum != nil {
		found := false
		for _, e := range n.enum {
			if e.(string) == bstr(b) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.minLen > 0 || n.maxLen >= 0 {
		rc := utf8.RuneCount(b)
		if rc < n.minLen || (n.maxLen >= 0 && rc > n.maxLen) {
			return false
		}
	}
	if n.match != nil && !n.match(bstr(b)) {
		return false
	}
	if n.format != nil && (n.formatFast == nil || !n.formatFast(b)) && n.format.Validate(bstr(b)) != nil { // format checks keep no reference
		return false
	}
	return true
}

// plainDateTime accepts the date-times encoding/json writes for a UTC
// time.Time ("2026-11-30T12:00:00Z", with or without a fraction): a real
// calendar date, hours 00–23, minutes and seconds 00–59, then Z. Every string
// it accepts is a valid RFC 3339 date-time (the "date-time" format);
// anything else (offsets, leap seconds, lower-case letters) is left to the
// format's own check, which allocates on every call.
func plainDateTime(b []byte) bool {
	if len(b) < 20 || !plainDate(b[:10]) || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return false
	}
	h, mi, sec := digits2(b[11:]), digits2(b[14:]), digits2(b[17:])
	if h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return false
	}
	rest := b[19:]
	if len(rest) > 1 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	return len(rest) == 1 && rest[0] == 'Z'
}

// plainDate accepts YYYY-MM-DD naming a real calendar day: exactly what the
// "date" format (time.Parse with "2006-01-02") accepts, without boxing the
// string into an interface and allocating on every call.
func plainDate(b []byte) bool {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	y1, y2, mo, d := digits2(b), digits2(b[2:]), digits2(b[5:]), digits2(b[8:])
	if y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 {
		return false
	}
	y := y1*100 + y2
	days := 31
	switch mo {
	case 2:
		days = 28
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			days = 29
		}
	case 4, 6, 9, 11:
		days = 30
	}
	return d <= days
}

// digits2 is the value of the two decimal digits at b[0:2], or -1.
func digits2(b []byte) int {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return -1
	}
	return int(b[0]-'0')*10 + int(b[1]-'0')
}

// plainEmail accepts the plain addresses real records carry
// (local@host.example: an unquoted local part of atom characters, a
// hostname of letters, digits and hyphens) by the "email" format's own
// rules; quoted local parts, address literals and anything non-ASCII are
// left to the format, whose check allocates on every call.
func plainEmail(b []byte) bool {
	if len(b) > 254 {
		return false
	}
	at := bytes.LastIndexByte(b, '@')
	if at < 1 || at > 64 {
		return false
	}
	local, host := b[:at], b[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' {
		return false
	}
	for i, c := range local {
		if !emailAtom[c] || c == '.' && local[i-1] == '.' {
			return false
		}
	}
	if len(host) > 0 && host[len(host)-1] == '.' {
		host = host[:len(host)-1] // the format allows one trailing dot
	}
	if len(host) > 253 {
		return false
	}
	label := 0 // start of the current label
	for i := 0; i <= len(host); i++ {
		if i < len(host) && host[i] != '.' {
			c := host[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
			continue
		}
		if n := i - label; n < 1 || n > 63 || host[label] == '-' || host[i-1] == '-' {
			return false
		}
		label = i + 1
	}
	return true
}

// emailAtom marks the bytes the "email" format allows in an unquoted local part.
var emailAtom = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range ".!#$%&'*+-/=?^_`{|}~" {
		t[c] = true
	}
	return t
}()

func (n *planNode) scanObject(s *scanner, depth int) bool {
	s.i++
	var seen uint64 // bit field.req: that required name present
	if n.requiredCount > 64 {
		return false
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return n.requiredCount == 0
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return false
		}
		var f field
		var named bool
		if n.hasTable {
			f, named = n.table.lookup(bstr(key))
		} else {
			f, named = n.fields[bstr(key)]
		}
		if named && f.req >= 0 {
			seen |= 1 << f.req
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		switch {
		case f.prop:
			if !f.node.scan(s, depth+1) {
				return false
			}
		case n.closed:
			return false
		default:
			if !s.skip(depth + 1) {
				return false
			}
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == '}' {
			s.i++
			break
		}
		if s.b[s.i] != ',' {
			return false
		}
		s.i++
	}
	return seen == (uint64(1)<<n.requiredCount)-1
}

func (n *planNode) scanArray(s *scanner, depth int) bool {
	s.i++
	count := 0
	var uniqBuf [16]string
	uniq := uniqBuf[:0] // string items seen, when uniqueItems; short lists stay on the stack
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return n.minItems == 0
	}
	for {
		s.space()
		if n.unique {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return false // non-string items: let jsonschema/v6 compare them
			}
			start := s.i
			b, ok := s.str()
			if !ok {
				return false
			}
			for _, u := range uniq {
				if u == bstr(b) {
					return false
				}
			}
			uniq = append(uniq, bstr(b))
			s.i = start
		}
		if !n.items.scan(s, depth+1) {
			return false
		}
		count++
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == ']' {
			s.i++
			break
		}
		if s.b[s.i] != ',' {
			return false
		}
		s.i++
	}
	return count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems)
}
