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

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/localoffer/localoffer/internal/textenc"
)

// csvSource is a small RFC 4180 parser with limits: encoding/csv buffers a
// field of any size, which a hostile file turns into unbounded memory.
type csvSource struct {
	path   string
	f      io.Closer
	br     *bufio.Reader
	delim  byte
	single bool // true: bytes are cp1252/latin-1 and need decoding
	opts   *Options
	line   int // physical lines consumed
	buf    []byte
	dec    []byte // decoding scratch, swapped with buf
	ends   []int
	// After selectCols: only wanted cells become strings, in a reused row.
	want      []bool
	wantCols  []int // the indexes of want that are true, ascending
	out       []string
	offs      []int
	lastBlank bool // the last selected record had no text in any cell
	lineBuf   []byte
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
	switch kind, n := textenc.BOM(head); kind {
	case textenc.UTF8:
		br.Discard(n)
		head = head[n:]
	case textenc.UTF16LE, textenc.UTF16BE:
		// UTF-16 (Excel's "Unicode text"): transcode to UTF-8 as we read.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 256<<10)
		head, _ = br.Peek(sniffBytes)
	}
	single, detect, err := textenc.Single(opts.Encoding)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cs.single = single || (detect && !textenc.ValidPrefix(head))
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
	if c.want != nil {
		return c.selected()
	}
	out := make([]string, len(c.ends))
	if !textenc.ASCII(c.buf) && (c.single || !utf8.Valid(c.buf)) {
		c.dec = c.dec[:0]
		prev := 0
		for i, e := range c.ends {
			c.dec = textenc.AppendUTF8(c.dec, c.buf[prev:e], c.single)
			c.ends[i] = len(c.dec)
			prev = e
		}
		c.buf, c.dec = c.dec, c.buf
	}
	s := string(c.buf)
	prev := 0
	for i, e := range c.ends {
		out[i] = s[prev:e]
		prev = e
	}
	return out
}

// selected fills only the wanted cells into the reused row: their bytes
// (decoded where needed) are gathered into one string. The other cells of
// the reused row are never written, so they stay "".
func (c *csvSource) selected() []string {
	switch rawBlank(c.buf) {
	case 1:
		c.lastBlank = true
	case 0:
		c.lastBlank = false
	default:
		c.lastBlank = c.decodedBlank()
	}
	n := len(c.ends)
	if cap(c.out) < n {
		c.out = make([]string, n)
		c.offs = make([]int, n)
	}
	out, offs := c.out[:n], c.offs[:n]
	c.dec = c.dec[:0]
	ascii := textenc.ASCII(c.buf)
	// The wanted columns, then every column past the header (ragged rows).
	cols := c.wantCols
	for i := len(c.want); i < n; i++ {
		cols = append(cols, i)
	}
	filled := 0
	for _, i := range cols {
		if i >= n {
			break
		}
		start := 0
		if i > 0 {
			start = c.ends[i-1]
		}
		f := c.buf[start:c.ends[i]]
		offs[filled] = len(c.dec)
		if ascii {
			c.dec = append(c.dec, f...)
		} else {
			c.dec = textenc.AppendUTF8(c.dec, f, c.single)
		}
		filled++
	}
	s := string(c.dec)
	for k, i := range cols[:filled] {
		end := len(s)
		if k+1 < filled {
			end = offs[k+1]
		}
		out[i] = s[offs[k]:end]
	}
	c.wantCols = cols[:len(c.wantCols)]
	return out
}

// rawBlank reports whether a record's bytes are all ASCII white space (1),
// hold some other ASCII (0), or need decoding to tell (-1: white space and
// non-ASCII bytes only, which may be no-break spaces).
func rawBlank(b []byte) int {
	verdict := 1
	for _, ch := range b {
		switch {
		case ch >= 0x80:
			verdict = -1
		case ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' && ch != '\v' && ch != '\f':
			return 0
		}
	}
	return verdict
}

// decodedBlank decodes every cell of the record to judge blankness the way
// blank does on strings.
func (c *csvSource) decodedBlank() bool {
	prev := 0
	var scratch []byte
	for _, e := range c.ends {
		scratch = textenc.AppendUTF8(scratch[:0], c.buf[prev:e], c.single)
		prev = e
		if len(bytes.TrimSpace(scratch)) > 0 {
			return false
		}
	}
	return true
}

func (c *csvSource) selectCols(want []bool) {
	c.want = want
	c.wantCols = c.wantCols[:0]
	for i, w := range want {
		if w {
			c.wantCols = append(c.wantCols, i)
		}
	}
}

// blank uses the verdict reached on the raw record when row is the reused
// selected row (its unselected cells are "" whatever the file holds).
func (c *csvSource) blank(row []string) bool {
	if c.want != nil && len(row) > 0 && len(c.out) > 0 && &row[0] == &c.out[0] {
		return c.lastBlank
	}
	return blank(row)
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
