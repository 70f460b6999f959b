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
	out, err := WithoutMember(full[:0], full, "provenance", true)
	if err != nil {
		return Content{}, fmt.Errorf("content of the record's JSON: %w", err)
	}
	sum := sha256.Sum256(out)
	return Content{JSON: out, Hash: hex.EncodeToString(sum[:16])}, nil
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
