package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvSource is a small RFC 4180 parser with limits: encoding/csv buffers a
// field of any size, which a hostile file turns into unbounded memory.
type csvSource struct {
	path    string
	f       io.Closer
	br      *bufio.Reader
	delim   byte
	single  bool // true: bytes are cp1252/latin-1 and need decoding
	opts    *Options
	line    int // physical lines consumed
	buf     []byte
	ends    []int
	lineBuf []byte
}

const sniffBytes = 64 << 10

func openCSV(path string, opts *Options) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", opts.Name, err)
	}
	return newCSVSource(f, f, opts)
}

// newCSVSource reads CSV text from rd; closing the source closes f.
func newCSVSource(rd io.Reader, f io.Closer, opts *Options) (*csvSource, error) {
	path := opts.Name
	br := bufio.NewReaderSize(rd, 256<<10)
	head, _ := br.Peek(sniffBytes)
	cs := &csvSource{path: path, f: f, opts: opts}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// UTF-16 (Excel's "Unicode text"): transcode to UTF-8 as we read.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 256<<10)
		head, _ = br.Peek(sniffBytes)
	}
	switch strings.ToLower(opts.Encoding) {
	case "latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252":
		cs.single = true
	case "utf-8", "utf8":
	case "":
		cs.single = !validPrefix(head)
	default:
		f.Close()
		return nil, fmt.Errorf("%s: unknown encoding %q (utf-8, latin-1, cp1252)", path, opts.Encoding)
	}
	cs.br = br
	if opts.Delimiter != "" {
		d := opts.Delimiter
		if strings.EqualFold(d, "tab") || d == `\t` {
			d = "\t"
		}
		if len(d) != 1 {
			f.Close()
			return nil, fmt.Errorf("%s: delimiter %q must be one character", path, opts.Delimiter)
		}
		cs.delim = d[0]
	} else {
		cs.delim = sniffDelimiter(head)
	}
	return cs, nil
}

// validPrefix reports whether b is UTF-8, ignoring a rune cut at the end.
func validPrefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// sniffDelimiter picks the candidate whose per-line count (outside quotes) is
// most common and largest across the first lines.
func sniffDelimiter(head []byte) byte {
	cands := []byte{',', ';', '\t', '|'}
	lines := bytes.SplitN(head, []byte{'\n'}, 12)
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last one may be cut
	}
	best, bestScore := byte(','), 0
	for _, d := range cands {
		counts := map[int]int{}
		for _, ln := range lines {
			n, inq := 0, false
			for _, ch := range ln {
				if ch == '"' {
					inq = !inq
				} else if ch == d && !inq {
					n++
				}
			}
			if n > 0 {
				counts[n]++
			}
		}
		mode, freq := 0, 0
		for n, k := range counts {
			if k > freq || (k == freq && n > mode) {
				mode, freq = n, k
			}
		}
		if score := mode * freq; score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// readLine returns the next physical line including its newline, bounded by
// the record limit.
func (c *csvSource) readLine() ([]byte, error) {
	c.lineBuf = c.lineBuf[:0]
	for {
		chunk, err := c.br.ReadSlice('\n')
		if len(c.lineBuf)+len(chunk) > c.opts.MaxRecordBytes {
			return nil, &LimitError{Path: c.path, Line: c.line + 1, What: "a record (one field or row of text)", Limit: int64(c.opts.MaxRecordBytes)}
		}
		if err == bufio.ErrBufferFull {
			c.lineBuf = append(c.lineBuf, chunk...)
			continue
		}
		if len(c.lineBuf) == 0 && err == nil {
			c.line++
			return chunk, nil
		}
		c.lineBuf = append(c.lineBuf, chunk...)
		if err != nil && !(err == io.EOF && len(c.lineBuf) > 0) {
			return nil, err
		}
		c.line++
		return c.lineBuf, nil
	}
}

func (c *csvSource) next() ([]string, int, error) {
	line, err := c.readLine()
	if err != nil {
		if err == io.EOF {
			return nil, c.line, io.EOF
		}
		var le *LimitError
		if errors.As(err, &le) {
			return nil, c.line, err
		}
		return nil, c.line, fmt.Errorf("read %s: line %d: %w", c.path, c.line+1, err)
	}
	start := c.line
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	pos := 0
	for {
		fieldStart := len(c.buf)
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// Quoted newline: the field continues on the next line.
					c.buf = append(c.buf, line[pos:]...)
					if len(c.buf)-fieldStart > c.opts.MaxFieldBytes {
						return nil, start, &LimitError{Path: c.path, Line: start, What: "a field", Limit: int64(c.opts.MaxFieldBytes)}
					}
					line, err = c.readLine()
					if err == io.EOF {
						if c.opts.Warn != nil {
							c.opts.Warn(start, "quoted field not closed before the end of the file")
						}
						line = nil
						break
					}
					if err != nil {
						return nil, start, err
					}
					pos = 0
					continue
				}
				c.buf = append(c.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					c.buf = append(c.buf, '"')
					pos++
					continue
				}
				break
			}
			// Lenient: text between the closing quote and the delimiter is kept.
			rest := line[pos:]
			i := bytes.IndexByte(rest, c.delim)
			if i < 0 {
				c.buf = append(c.buf, trimEOL(rest)...)
				pos = len(line)
			} else {
				c.buf = append(c.buf, rest[:i]...)
				pos += i
			}
		} else {
			rest := line[pos:]
			i := bytes.IndexByte(rest, c.delim)
			if i < 0 {
				c.buf = append(c.buf, trimEOL(rest)...)
				pos = len(line)
			} else {
				c.buf = append(c.buf, rest[:i]...)
				pos += i
			}
		}
		if len(c.buf)-fieldStart > c.opts.MaxFieldBytes {
			return nil, start, &LimitError{Path: c.path, Line: start, What: "a field", Limit: int64(c.opts.MaxFieldBytes)}
		}
		c.ends = append(c.ends, len(c.buf))
		if len(c.ends) > c.opts.MaxColumns {
			return nil, start, &LimitError{Path: c.path, Line: start, What: "the number of columns", Limit: int64(c.opts.MaxColumns)}
		}
		if pos < len(line) && line[pos] == c.delim {
			pos++
			continue
		}
		break
	}
	return c.fields(), start, nil
}

// fields turns the record buffer into strings sharing one allocation,
// decoding single-byte text (or stray non-UTF-8 fields) as cp1252.
func (c *csvSource) fields() []string {
	out := make([]string, len(c.ends))
	decode := c.single
	if !decode && !ascii(c.buf) && !utf8.Valid(c.buf) {
		decode = true
	}
	if decode && !ascii(c.buf) {
		var dec []byte
		prev := 0
		for i, e := range c.ends {
			f := c.buf[prev:e]
			if !c.single && utf8.Valid(f) {
				dec = append(dec, f...)
			} else {
				dec = appendCP1252(dec, f)
			}
			c.ends[i] = len(dec)
			prev = e
		}
		c.buf = dec
	}
	s := string(c.buf)
	prev := 0
	for i, e := range c.ends {
		out[i] = s[prev:e]
		prev = e
	}
	return out
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cp1252 maps each byte to its rune; undefined cp1252 bytes keep their
// latin-1 meaning, so latin-1 text decodes the same way (as browsers do).
var cp1252 = func() (t [256]rune) {
	for i := range t {
		r := charmap.Windows1252.DecodeByte(byte(i))
		if r == utf8.RuneError {
			r = rune(i)
		}
		t[i] = r
	}
	return t
}()

func appendCP1252(dst, src []byte) []byte {
	for _, b := range src {
		if b < 0x80 {
			dst = append(dst, b)
		} else {
			dst = utf8.AppendRune(dst, cp1252[b])
		}
	}
	return dst
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func (c *csvSource) close() error { return c.f.Close() }
