package hsdsmap

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// dec reads one JSON document held in memory straight into the served types
// (their member methods), in one pass and without reflection. It decodes
// exactly as encoding/json does into the same types — the same values, the
// first wrong-typed value reported as a *FieldError with the rest decoded,
// any syntax error failing the whole document — and is several times
// faster, which matters because page decoding is a large share of a feed
// run's CPU. Unknown members and values of the wrong type are skipped
// (and checked for syntax); nesting is limited as encoding/json limits it.
type dec struct {
	b      []byte
	i      int
	depth  int
	err    error       // a syntax error: decoding stops
	field  *FieldError // the first value of the wrong JSON type: decoding goes on
	path   []string    // member names from the root, for FieldError
	key    []byte      // scratch for keys with escapes
	folded []byte      // scratch for keys in another case
	text   []byte      // scratch for strings with escapes
	// chunk holds the current item's text: strings are cut from it, so an
	// item's many short strings are one allocation.
	chunk     string
	chunkFrom int
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// object is a served type that decodes its own members.
type object interface {
	member(d *dec, key []byte) bool
}

func (d *dec) syntax(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("invalid JSON: %s at offset %d", msg, d.i)
	}
}

func (d *dec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek is the next non-space byte, 0 at the end.
func (d *dec) peek() byte {
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

// wrongType records a value of the wrong JSON type (the first one only, as
// encoding/json does) and skips it.
func (d *dec) wrongType(value string, t reflect.Type) {
	if d.field == nil {
		d.field = &FieldError{Field: strings.Join(d.path, "."), Msg: fmt.Sprintf("%s where %s was expected", value, t)}
	}
	d.skip()
}

// kindOf names a value by its first byte, as encoding/json's type errors do.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// decodeObject decodes an object into v. The caller has checked for '{'.
func (d *dec) decodeObject(v object) {
	if d.depth++; d.depth > maxDepth {
		d.syntax("exceeded max depth")
		return
	}
	defer func() { d.depth-- }()
	d.i++ // {
	if d.peek() == '}' {
		d.i++
		return
	}
	for d.err == nil {
		if d.peek() != '"' {
			d.syntax("expected a member name")
			return
		}
		key := d.readKey()
		if d.err != nil {
			return
		}
		if d.peek() != ':' {
			d.syntax("expected ':' after a member name")
			return
		}
		d.i++
		if d.peek() == 0 {
			d.syntax("unexpected end of input")
			return
		}
		if !v.member(d, key) {
			if folded, ok := d.fold(key); !ok || !v.member(d, folded) {
				d.skip()
			}
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return
		default:
			d.syntax("expected ',' or '}' after an object member")
			return
		}
	}
}

// fold is key as encoding/json matches names case-insensitively (each rune
// folded to the smallest of its case-fold set), lower-cased to compare with
// the lower-case names of raw.go; ok is false when that changes nothing.
func (d *dec) fold(key []byte) ([]byte, bool) {
	changed := false
	out := d.folded[:0]
	defer func() { d.folded = out }()
	for i := 0; i < len(key); {
		c := key[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
				changed = true
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(key[i:])
		f := r
		for s := unicode.SimpleFold(r); s != r; s = unicode.SimpleFold(s) {
			f = min(f, s)
		}
		if f < utf8.RuneSelf {
			changed = true
			f = unicode.ToLower(f)
		}
		out = utf8.AppendRune(out, f)
		i += n
	}
	return out, changed
}

// readKey reads a member name; it stays valid until the next key.
func (d *dec) readKey() []byte {
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return d.b[start:j]
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	d.key = d.unquote(d.key[:0])
	return d.key
}

// str decodes a value as text, as Str.UnmarshalJSON does: a string, or the
// literal text of a number or boolean; null, objects and arrays are empty.
func (d *dec) str(dst *Str) {
	switch c := d.peek(); c {
	case '"':
		*dst = Str(d.readString())
	case '{', '[':
		d.skip()
		*dst = ""
	case 'n':
		d.literal("null")
		*dst = ""
	default:
		start := d.i
		d.skip()
		*dst = Str(d.b[start:d.i])
	}
}

// readString reads a string value.
func (d *dec) readString() string {
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return string(d.b[start:j])
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			// Valid UTF-8 goes through as it is; anything else is
			// decoded rune by rune (invalid bytes become U+FFFD).
			k := j
			for k < len(d.b) && d.b[k] != '"' && d.b[k] != '\\' && d.b[k] >= 0x20 {
				k++
			}
			if k < len(d.b) && d.b[k] == '"' && utf8.Valid(d.b[j:k]) {
				d.i = k + 1
				return string(d.b[start:k])
			}
			break
		}
	}
	d.text = d.unquote(d.text[:0])
	return string(d.text)
}

// unquote decodes the string at d.i (escapes, UTF-16 surrogate pairs,
// invalid UTF-8 as U+FFFD, as encoding/json does) into buf.
func (d *dec) unquote(buf []byte) []byte {
	d.i++ // "
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return buf
		case c < 0x20:
			d.syntax("control character in a string")
			return buf
		case c == '\\':
			if d.i+1 >= len(d.b) {
				d.i = len(d.b)
				d.syntax("unexpected end of input")
				return buf
			}
			e := d.b[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return buf
				}
				if utf16.IsSurrogate(r) {
					r2 := unicode.ReplacementChar
					if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
						save := d.i
						d.i += 2
						if lo, ok := d.hex4(); ok {
							if dec := utf16.DecodeRune(r, lo); dec != unicode.ReplacementChar {
								buf = utf8.AppendRune(buf, dec)
								continue
							}
						} else {
							return buf
						}
						d.i = save
					}
					r = r2
				}
				buf = utf8.AppendRune(buf, r)
			default:
				d.i -= 2
				d.syntax("invalid escape in a string")
				return buf
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			d.i++
		default:
			r, n := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && n == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, d.b[d.i:d.i+n]...)
			}
			d.i += n
		}
	}
	d.syntax("unexpected end of input in a string")
	return buf
}

func (d *dec) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		d.i = len(d.b)
		d.syntax("unexpected end of input in a \\u escape")
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			d.syntax("invalid \\u escape")
			return 0, false
		}
		r = r*16 + rune(c)
	}
	d.i += 4
	return r, true
}

// rawValue skips a value and returns its text.
func (d *dec) rawValue() []byte {
	d.ws()
	start := d.i
	d.skip()
	return d.b[start:d.i]
}

// num decodes a value as Num.UnmarshalJSON does, from its text.
func (d *dec) num(dst *Num) {
	dst.UnmarshalJSON(d.rawValue())
}

// flag decodes a value as Flag.UnmarshalJSON does, from its text.
func (d *dec) flag(dst *Flag) {
	dst.UnmarshalJSON(d.rawValue())
}

// raw keeps a value's text, as json.RawMessage does.
func (d *dec) raw(dst *json.RawMessage) {
	v := d.rawValue()
	if d.err == nil {
		*dst = append((*dst)[:0], v...)
	}
}

func (d *dec) literal(want string) {
	if len(d.b)-d.i < len(want) || string(d.b[d.i:d.i+len(want)]) != want {
		d.syntax("invalid literal")
		return
	}
	d.i += len(want)
}

// skip reads past one value, checking its syntax.
func (d *dec) skip() {
	switch c := d.peek(); c {
	case '{', '[':
		if d.depth++; d.depth > maxDepth {
			d.syntax("exceeded max depth")
			return
		}
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		d.i++
		if d.peek() == close {
			d.i++
			d.depth--
			return
		}
		for d.err == nil {
			if c == '{' {
				if d.peek() != '"' {
					d.syntax("expected a member name")
					return
				}
				d.skipString()
				if d.peek() != ':' {
					d.syntax("expected ':' after a member name")
					return
				}
				d.i++
			}
			d.skip()
			switch d.peek() {
			case ',':
				d.i++
			case close:
				d.i++
				d.depth--
				return
			default:
				d.syntax("expected ',' or a closing bracket")
				return
			}
		}
	case '"':
		d.skipString()
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	case 0:
		d.syntax("unexpected end of input")
	default:
		d.number()
	}
}

func (d *dec) skipString() {
	for j := d.i + 1; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	d.text = d.unquote(d.text[:0])
}

// number reads a number in JSON's grammar.
func (d *dec) number() {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		d.syntax("invalid character")
		return
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.i = i
			d.syntax("invalid number")
			return
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.i = i
			d.syntax("invalid number")
			return
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	d.i = i
}

// decodeSlice decodes an array of objects into dst as encoding/json does
// (null empties it; an element that is not an object stays zero).
func decodeSlice[T any, PT interface {
	*T
	object
}](d *dec, dst *[]T, name string) {
	if name != "" { // "": a document that is a bare array
		d.path = append(d.path, name)
		defer func() { d.path = d.path[:len(d.path)-1] }()
	}
	switch c := d.peek(); c {
	case 'n':
		d.literal("null")
		*dst = nil
		return
	case '[':
	default:
		d.wrongType(kindOf(c), reflect.TypeFor[[]T]())
		return
	}
	if d.depth++; d.depth > maxDepth {
		d.syntax("exceeded max depth")
		return
	}
	defer func() { d.depth-- }()
	d.i++
	s := (*dst)[:0]
	if s == nil {
		s = []T{}
	}
	defer func() { *dst = s }()
	if d.peek() == ']' {
		d.i++
		return
	}
	for d.err == nil {
		var zero T
		if len(s) < cap(s) {
			s = s[:len(s)+1]
		} else {
			s = append(s, zero)
		}
		decodeElem[T, PT](d, &s[len(s)-1])
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return
		default:
			d.syntax("expected ',' or ']' after an array element")
			return
		}
	}
}

// decodeElem decodes one object, or leaves v as it is for null and records
// a value of another type.
func decodeElem[T any, PT interface {
	*T
	object
}](d *dec, v *T) {
	switch c := d.peek(); c {
	case '{':
		d.decodeObject(PT(v))
	case 'n':
		d.literal("null")
	default:
		d.wrongType(kindOf(c), reflect.TypeFor[T]())
	}
}

// decodePtr decodes an object into *dst, allocating it unless null (which
// clears it); like encoding/json it allocates for a value of the wrong type too.
func decodePtr[T any, PT interface {
	*T
	object
}](d *dec, dst **T, name string) {
	if d.peek() == 'n' {
		d.literal("null")
		*dst = nil
		return
	}
	d.path = append(d.path, name)
	defer func() { d.path = d.path[:len(d.path)-1] }()
	if *dst == nil {
		*dst = new(T)
	}
	decodeElem[T, PT](d, *dst)
}
