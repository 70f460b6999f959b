package schema

import (
	"bytes"

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
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		if c == '"' {
			out = s.b[start:j]
			s.i = j + 1
			return out, utf8.Valid(out)
		}
		if c == '\\' || c < 0x20 {
			// Rare: decode with the full parser.
			p := jsonParser{b: s.b, i: s.i}
			str, err := p.str()
			if err != nil {
				return nil, false
			}
			s.i = p.i
			return []byte(str), true
		}
	}
	return nil, false
}

func (s *scanner) skip(depth int) bool {
	if depth > MaxDepth || s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.str()
		return ok
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
	v, err := p.num()
	if err != nil {
		return 0, 0, false
	}
	s.i = p.i
	return 'f', v.(float64), true
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
	if n.pattern != nil && !n.pattern.MatchString(bstr(b)) {
		return false
	}
	if n.format != nil && n.format.Validate(string(b)) != nil {
		return false
	}
	return true
}

func (n *planNode) scanObject(s *scanner, depth int) bool {
	s.i++
	var seen uint64 // bit i: required[i] present
	if len(n.required) > 64 {
		return false
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return len(n.required) == 0
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return false
		}
		for ri, r := range n.required {
			if r == bstr(key) {
				seen |= 1 << ri
			}
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		pn, known := n.props[bstr(key)]
		switch {
		case known:
			if !pn.scan(s, depth+1) {
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
	return seen == (uint64(1)<<len(n.required))-1
}

func (n *planNode) scanArray(s *scanner, depth int) bool {
	s.i++
	count := 0
	var uniq []string // string items seen, when uniqueItems
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
