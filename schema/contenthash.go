package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Content is what a record says, without where and when it was fetched: the
// loader stores it as the payload and compares its hash with the current
// version's, so an unchanged record is not written again.
type Content struct {
	// JSON is the entity's encoding without provenance at any level (nested
	// organisations and locations carry their own fetched_at, which changes
	// every fetch and must not make an unchanged record look changed).
	JSON []byte
	// Hash is the hex of the first 16 bytes of SHA-256 of JSON.
	Hash string
}

// ContentOf encodes a record's entity and derives its content.
func ContentOf(rec *Record) (Content, error) {
	ent := rec.Entity()
	if ent == nil {
		return Content{}, fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	full, err := encodeEntity(ent)
	if err != nil {
		return Content{}, err
	}
	return ContentFromJSON(full)
}

// ContentFromJSON derives the content from the entity's encoding as
// json.Marshal writes it (the bytes the validator checked), so a record is
// encoded once. Removing every "provenance" member from those bytes gives
// exactly what json.Marshal writes with every Provenance nil (the field is
// omitempty): none of the schema types has a free-form map, so the key only
// ever names provenance. The content is written over full, which the caller
// must not use afterwards.
func ContentFromJSON(full []byte) (Content, error) {
	out, ok := withoutProvenanceFast(full)
	if !ok {
		var err error
		out, err = WithoutMember(full[:0], full, "provenance", true)
		if err != nil {
			return Content{}, fmt.Errorf("content of the record's JSON: %w", err)
		}
	}
	sum := sha256.Sum256(out)
	return Content{JSON: out, Hash: hex.EncodeToString(sum[:16])}, nil
}

var provenanceKey = []byte(`"provenance":`)

// withoutProvenanceFast is WithoutMember(src[:0], src, "provenance", true)
// for compact JSON as json.Marshal writes it, found with a byte search
// instead of a walk of every value. In valid JSON the bytes "provenance":
// with an unescaped first quote can only be a member named provenance (a
// quote inside a string is escaped, and a closing quote is never followed by
// a letter). ok is false, with src untouched, when a case is not the plain
// one (a member after another dropped one, more than maxCuts members, a
// preceding byte other than '{' or ','): WithoutMember decides those.
func withoutProvenanceFast(src []byte) (out []byte, ok bool) {
	const maxCuts = 16
	var cuts [maxCuts][2]int
	n := 0
	for i := 0; ; {
		k := indexProvenanceKey(src, i)
		if k < 0 {
			break
		}
		bs := 0
		for p := k - 1; p >= 0 && src[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 1 {
			i = k + 1 // an escaped quote inside a string
			continue
		}
		end, err := valueEnd(src, k+len(provenanceKey))
		if err != nil || k == 0 || end >= len(src) || n == maxCuts {
			return nil, false
		}
		var from, to int
		switch {
		case src[k-1] == ',':
			from, to = k-1, end // a later member: cut it and the comma before it
		case src[k-1] == '{' && src[end] == ',':
			from, to = k, end+1 // the first member: cut it and the comma after it
		case src[k-1] == '{' && src[end] == '}':
			from, to = k, end // the only member
		default:
			return nil, false
		}
		if n > 0 && from < cuts[n-1][1] {
			return nil, false // touches the member cut before it
		}
		cuts[n] = [2]int{from, to}
		n++
		i = end
	}
	out = src[:0]
	prev := 0
	for _, c := range cuts[:n] {
		out = append(out, src[prev:c[0]]...)
		prev = c[1]
	}
	return append(out, src[prev:]...), true
}

// indexProvenanceKey is bytes.Index(src[from:], provenanceKey)+from (or -1).
// bytes.Index stops at every '"', the commonest byte of JSON; the key's only
// 'v' is a tenth as common, and each one is checked against the bytes around
// it, so every occurrence is still found.
func indexProvenanceKey(src []byte, from int) int {
	const v = 4 // provenanceKey[v] == 'v'
	for i := from + v; i < len(src); {
		k := bytes.IndexByte(src[i:], 'v')
		if k < 0 {
			return -1
		}
		k += i - v
		if k+len(provenanceKey) <= len(src) && string(src[k:k+len(provenanceKey)]) == string(provenanceKey) {
			return k
		}
		i = k + v + 1
	}
	return -1
}

// valueEnd returns the index just past the JSON value that starts at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errTruncated
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, err := stringEnd(b, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errTruncated
	}
	start := i
	for i < len(b) && scalarByte(b[i]) {
		i++
	}
	if i == start {
		return 0, fmt.Errorf("unexpected %q at byte %d", b[start], start)
	}
	return i, nil
}

// WithoutMember appends src to dst without the object members named key: at
// the top level only, or in objects at any depth. src must be compact JSON as
// json.Marshal writes it (no insignificant white space). dst may be src[:0]:
// what is kept is only ever moved towards the start, behind what is still to
// be read.
func WithoutMember(dst, src []byte, key string, anyDepth bool) ([]byte, error) {
	s := stripper{src: src, key: key, anyDepth: anyDepth, dst: dst}
	if err := s.value(0, false); err != nil {
		return dst, err
	}
	if s.i != len(src) {
		return dst, fmt.Errorf("unexpected %q at byte %d", src[s.i], s.i)
	}
	return append(s.dst, src[s.from:]...), nil
}

// stripper walks the JSON once; the bytes between cuts are copied in runs.
type stripper struct {
	src, dst []byte
	i        int
	from     int // src[from:i] is kept but not yet copied
	key      string
	anyDepth bool
}

var errTruncated = errors.New("unexpected end of JSON")

// value passes over one value at s.i; skipping is set inside a dropped
// member, where nothing more is cut.
func (s *stripper) value(depth int, skipping bool) error {
	if depth > 10000 {
		return errors.New("JSON nested too deeply")
	}
	if s.i >= len(s.src) {
		return errTruncated
	}
	switch s.src[s.i] {
	case '{':
		return s.object(depth, skipping)
	case '[':
		s.i++
		if s.i < len(s.src) && s.src[s.i] == ']' {
			s.i++
			return nil
		}
		for {
			if err := s.value(depth+1, skipping); err != nil {
				return err
			}
			if s.i >= len(s.src) {
				return errTruncated
			}
			c := s.src[s.i]
			s.i++
			if c == ']' {
				return nil
			}
			if c != ',' {
				return fmt.Errorf("unexpected %q in an array at byte %d", c, s.i-1)
			}
		}
	case '"':
		end, err := stringEnd(s.src, s.i)
		if err != nil {
			return err
		}
		s.i = end
	default:
		// A number, true, false or null.
		start := s.i
		for s.i < len(s.src) && scalarByte(s.src[s.i]) {
			s.i++
		}
		if s.i == start {
			return fmt.Errorf("unexpected %q at byte %d", s.src[start], start)
		}
	}
	return nil
}

func (s *stripper) object(depth int, skipping bool) error {
	s.i++
	if s.i < len(s.src) && s.src[s.i] == '}' {
		s.i++
		return nil
	}
	strip := !skipping && (depth == 0 || s.anyDepth)
	kept := 0 // members kept so far in this object
	for {
		keyStart := s.i
		keyEnd, err := stringEnd(s.src, s.i)
		if err != nil {
			return err
		}
		if keyEnd >= len(s.src) || s.src[keyEnd] != ':' {
			return fmt.Errorf("expected ':' after the key at byte %d", keyStart)
		}
		s.i = keyEnd + 1
		name := s.src[keyStart+1 : keyEnd-1]
		drop := strip && len(name) == len(s.key) && string(name) == s.key
		if err := s.value(depth+1, skipping || drop); err != nil {
			return err
		}
		if s.i >= len(s.src) {
			return errTruncated
		}
		c := s.src[s.i]
		if c != '}' && c != ',' {
			return fmt.Errorf("unexpected %q in an object at byte %d", c, s.i)
		}
		switch {
		case !drop:
			kept++
		case kept > 0:
			// Cut the comma before the member and the member.
			s.dst = append(s.dst, s.src[s.from:keyStart-1]...)
			s.from = s.i
		case c == ',':
			// The first member: cut it and the comma after it.
			s.dst = append(s.dst, s.src[s.from:keyStart]...)
			s.from = s.i + 1
		default:
			// The only member: the object becomes {}.
			s.dst = append(s.dst, s.src[s.from:keyStart]...)
			s.from = s.i
		}
		s.i++
		if c == '}' {
			return nil
		}
	}
}

func scalarByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, fmt.Errorf("expected a string at byte %d", i)
	}
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, errTruncated
		}
		j += k
		// The quote is escaped if an odd number of backslashes precede it.
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		j++
		if n%2 == 0 {
			return j, nil
		}
	}
}
