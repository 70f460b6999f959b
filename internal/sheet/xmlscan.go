package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner walks a worksheet part tag by tag without building tokens:
// encoding/xml allocates for every element, attribute and text run, which
// for a sheet is most of the reading cost. It understands what worksheet
// XML uses — elements with attributes (prefixes dropped), text with the five
// predefined entities and character references, CDATA, comments and
// processing instructions — and refuses a DOCTYPE (no entity expansion).
type xmlScanner struct {
	br       *bufio.Reader
	maxTag   int    // longest tag accepted, attributes included
	local    []byte // local name of the tag last read
	end      bool   // it was an end tag
	empty    bool   // it closed itself (<c r="A1"/>)
	attrs    []xmlAttr
	tag      []byte // the raw tag, which attrs point into
	attrVals []byte // decoded attribute values, which attrs point into
}

type xmlAttr struct {
	local []byte
	val   []byte
}

var errDoctype = errors.New("a DOCTYPE declaration is not allowed in a worksheet")

func newXMLScanner(r io.Reader, maxTag int) *xmlScanner {
	return &xmlScanner{br: bufio.NewReaderSize(r, 64<<10), maxTag: maxTag}
}

// next reads up to and including the next start or end tag. When text is
// non-nil, the character data before the tag is decoded and appended to it,
// up to limit bytes (more is an error).
func (s *xmlScanner) next(text *[]byte, limit int) error {
	for {
		chunk, err := s.br.ReadSlice('<')
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		if text != nil && len(body) > 0 {
			if err := appendXMLText(text, body, limit); err != nil {
				return err
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return err // io.EOF at the end of the part
		}
		done, err := s.markup(text, limit)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// markup reads what follows a '<': a tag (done) or a comment, PI or CDATA
// section (not done; CDATA text goes to text).
func (s *xmlScanner) markup(text *[]byte, limit int) (bool, error) {
	b, err := s.br.Peek(1)
	if err != nil {
		return false, unexpected(err)
	}
	switch b[0] {
	case '?':
		return false, s.skipUntil("?>")
	case '!':
		head, _ := s.br.Peek(9)
		switch {
		case bytes.HasPrefix(head, []byte("!--")):
			return false, s.skipUntil("-->")
		case bytes.HasPrefix(head, []byte("![CDATA[")):
			s.br.Discard(8)
			return false, s.cdata(text, limit)
		}
		return false, errDoctype
	}
	return true, s.readTag()
}

func (s *xmlScanner) skipUntil(end string) error {
	last := end[len(end)-1]
	var tail []byte
	for {
		chunk, err := s.br.ReadSlice(last)
		if err != nil && err != bufio.ErrBufferFull {
			return unexpected(err)
		}
		tail = append(tail, chunk...)
		if len(tail) > len(end) {
			tail = tail[len(tail)-len(end):]
		}
		if err == nil && bytes.HasSuffix(tail, []byte(end)) {
			return nil
		}
	}
}

func (s *xmlScanner) cdata(text *[]byte, limit int) error {
	var buf []byte
	for {
		chunk, err := s.br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return unexpected(err)
		}
		buf = append(buf, chunk...)
		if text != nil && len(*text)+len(buf) > limit+3 {
			return errTooLong
		}
		if err == nil && bytes.HasSuffix(buf, []byte("]]>")) {
			if text != nil {
				*text = append(*text, normalizeEOL(buf[:len(buf)-3])...)
			}
			return nil
		}
		if text == nil && len(buf) > 3 {
			buf = append(buf[:0], buf[len(buf)-3:]...)
		}
	}
}

var errTooLong = errors.New("text longer than the limit")

// readTag reads a tag after its '<' and splits it into name and attributes.
func (s *xmlScanner) readTag() error {
	s.tag = s.tag[:0]
	quote := byte(0)
	for {
		chunk, err := s.br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return unexpected(err)
		}
		for _, c := range chunk {
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			}
		}
		s.tag = append(s.tag, chunk...)
		if len(s.tag) > s.maxTag {
			return fmt.Errorf("a tag longer than %d bytes", s.maxTag)
		}
		if err == nil && quote == 0 {
			break
		}
	}
	t := s.tag[:len(s.tag)-1] // drop '>'
	s.end, s.empty = false, false
	if len(t) > 0 && t[0] == '/' {
		s.end = true
		t = t[1:]
	}
	if n := len(t); n > 0 && t[n-1] == '/' {
		s.empty = true
		t = t[:n-1]
	}
	i := 0
	for i < len(t) && !isXMLSpace(t[i]) {
		i++
	}
	s.local = localName(t[:i])
	if len(s.local) == 0 {
		return errors.New("an element without a name")
	}
	s.attrs, s.attrVals = s.attrs[:0], s.attrVals[:0]
	if s.end {
		return nil
	}
	rest := t[i:]
	type span struct {
		name       []byte
		start, end int
	}
	var spans [8]span
	found := spans[:0]
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		eq := bytes.IndexByte(rest, '=')
		if eq <= 0 {
			return fmt.Errorf("a malformed attribute in <%s>", s.local)
		}
		name := bytes.TrimRight(rest[:eq], " \t\r\n")
		rest = bytes.TrimLeft(rest[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return fmt.Errorf("an unquoted attribute in <%s>", s.local)
		}
		q := rest[0]
		close := bytes.IndexByte(rest[1:], q)
		if close < 0 {
			return fmt.Errorf("an unterminated attribute in <%s>", s.local)
		}
		start := len(s.attrVals)
		var err error
		if s.attrVals, err = decodeXMLText(s.attrVals, rest[1:1+close]); err != nil {
			return err
		}
		found = append(found, span{localName(name), start, len(s.attrVals)})
		rest = rest[close+2:]
	}
	for _, f := range found {
		s.attrs = append(s.attrs, xmlAttr{local: f.name, val: s.attrVals[f.start:f.end]})
	}
	return nil
}

// attr is the value of the current tag's attribute with this local name.
func (s *xmlScanner) attr(local string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.local) == local {
			return a.val, true
		}
	}
	return nil, false
}

// is reports whether the current tag has this local name.
func (s *xmlScanner) is(local string) bool { return string(s.local) == local }

func localName(n []byte) []byte {
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func appendXMLText(dst *[]byte, src []byte, limit int) error {
	out, err := decodeXMLText(*dst, src)
	if err != nil {
		return err
	}
	if len(out) > limit {
		return errTooLong
	}
	*dst = out
	return nil
}

// decodeXMLText appends src to dst with entities and character references
// replaced and line ends normalised to \n, as an XML parser must.
func decodeXMLText(dst, src []byte) ([]byte, error) {
	for len(src) > 0 {
		i := bytes.IndexAny(src, "&\r")
		if i < 0 {
			return append(dst, src...), nil
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		if src[0] == '\r' {
			dst = append(dst, '\n')
			src = src[1:]
			if len(src) > 0 && src[0] == '\n' {
				src = src[1:]
			}
			continue
		}
		semi := bytes.IndexByte(src, ';')
		if semi < 0 || semi > 12 {
			return dst, fmt.Errorf("a bare & in text")
		}
		ent := src[1:semi]
		src = src[semi+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return dst, fmt.Errorf("unknown entity &%s;", ent)
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return dst, fmt.Errorf("a bad character reference &%s;", ent)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
	return dst, nil
}

func normalizeEOL(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out, _ := decodeXMLTextEOL(b)
	return out
}

// decodeXMLTextEOL normalises line ends only (CDATA keeps '&' literally).
func decodeXMLTextEOL(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out, nil
}
