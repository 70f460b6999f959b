// Package sheet reads tabular files (CSV or XLSX) row by row in constant
// memory, with the header located and normalised, so callers map columns by
// name without caring about the container format.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Options tune how a file is read. The zero value is sensible.
type Options struct {
	// Sheet selects an XLSX sheet by name or 1-based index ("" = first sheet).
	Sheet string
	// HeaderRow is the 1-based header row; 0 detects it (skipping title rows).
	HeaderRow int
	// Delimiter overrides CSV delimiter sniffing (",", ";", "\t", "|" or "tab").
	Delimiter string
	// Encoding overrides CSV charset detection: utf-8, latin-1, cp1252.
	Encoding string
	// Format forces "csv" or "xlsx"; "" sniffs the content (then the extension).
	Format string
	// Name is what messages call the file (e.g. its URL); default the path.
	Name string
	// Warn receives non-fatal problems (ragged rows) with the source row number.
	Warn func(line int, msg string)
	// Limits; zero means the default.
	MaxFieldBytes    int   // one CSV field (default 1 MiB)
	MaxRecordBytes   int   // one CSV record (default 8 MiB)
	MaxColumns       int   // cells in a row (default 4096)
	MaxUnzippedBytes int64 // XLSX: all parts inflated (default 2 GiB)
	MaxZipRatio      int64 // XLSX: inflated/compressed per part (default 1000)
	// XLSX shared strings table: items and bytes (defaults 1,000,000 and 128 MiB).
	MaxSharedStrings      int
	MaxSharedStringsBytes int64
}

// Defaults for Options' limits.
const (
	DefaultMaxFieldBytes         = 1 << 20
	DefaultMaxRecordBytes        = 8 << 20
	DefaultMaxColumns            = 4096
	DefaultMaxUnzippedBytes      = 2 << 30
	DefaultMaxZipRatio           = 1000
	DefaultMaxSharedStrings      = 1_000_000
	DefaultMaxSharedStringsBytes = 128 << 20
)

func (o *Options) defaults() {
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxRecordBytes < o.MaxFieldBytes {
		o.MaxRecordBytes = o.MaxFieldBytes
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxUnzippedBytes <= 0 {
		o.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	if o.MaxZipRatio <= 0 {
		o.MaxZipRatio = DefaultMaxZipRatio
	}
	if o.MaxSharedStrings <= 0 {
		o.MaxSharedStrings = DefaultMaxSharedStrings
	}
	if o.MaxSharedStringsBytes <= 0 {
		o.MaxSharedStringsBytes = DefaultMaxSharedStringsBytes
	}
}

// LimitError says which limit a file hit.
type LimitError struct {
	Path  string
	Line  int
	What  string
	Limit int64
}

func (e *LimitError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s exceeds the limit of %d bytes", e.Path, e.Line, e.What, e.Limit)
	}
	return fmt.Sprintf("%s: %s exceeds the limit of %d bytes", e.Path, e.What, e.Limit)
}

// ErrUnsupported marks files that are not a readable CSV or XLSX (binary
// data, encrypted workbooks, legacy .xls).
var ErrUnsupported = errors.New("unsupported file")

// ErrNoHeader marks a file with no header row (empty, or shorter than HeaderRow).
var ErrNoHeader = errors.New("no header row")

// rowSource is one container format's raw row stream.
type rowSource interface {
	// next returns the next raw row and its source line/row number.
	next() ([]string, int, error)
	// blank reports whether the row next returned last has no text in any
	// cell (selected or not).
	blank(row []string) bool
	// selectCols limits the cells next fills (want is indexed by column;
	// columns past it are always filled); sources may ignore it.
	selectCols(want []bool)
	close() error
}

// Reader streams data rows after the header.
type Reader struct {
	path    string
	opts    Options
	src     rowSource
	header  []string
	pending [][]string // rows read ahead while finding the header
	pendLn  []int
	line    int
	reuse   bool     // Select was called: rows are reused between calls
	padded  []string // short rows padded to the header's width
}

// Open opens a CSV or XLSX file (sniffed by content, then extension) and
// positions the reader after the header row.
func Open(path string, opts Options) (*Reader, error) {
	opts.defaults()
	if opts.Name == "" {
		opts.Name = path
	}
	format, err := sniff(path, opts.Name, opts.Format)
	if err != nil {
		return nil, err
	}
	var src rowSource
	var merged func(headerRow int) ([]mergeRange, error)
	switch format {
	case "xlsx":
		x, err := openXLSX(path, opts.Name, &opts)
		if err != nil {
			return nil, err
		}
		src, merged = x, x.mergedCells
	default:
		c, err := openCSV(path, &opts)
		if err != nil {
			return nil, err
		}
		src = c
	}
	r := &Reader{path: opts.Name, opts: opts, src: src}
	if err := r.findHeader(merged); err != nil {
		src.close()
		return nil, err
	}
	return r, nil
}

// OpenCSV reads CSV text from a stream (a table inside an archive, say) in
// constant memory, like Open does for a file. Closing the Reader closes rc;
// on error rc is already closed.
func OpenCSV(rc io.ReadCloser, opts Options) (*Reader, error) {
	opts.defaults()
	if opts.Name == "" {
		opts.Name = "CSV stream"
	}
	c, err := newCSVSource(rc, rc, &opts)
	if err != nil {
		return nil, err
	}
	r := &Reader{path: opts.Name, opts: opts, src: c}
	if err := r.findHeader(nil); err != nil {
		c.close()
		return nil, err
	}
	return r, nil
}

// Header is the header row, trimmed (merged header cells filled in).
func (r *Reader) Header() []string { return r.header }

// Line is the source row number (1-based) of the row last returned by Next.
func (r *Reader) Line() int { return r.line }

// Next returns the next data row, padded to the header's width. Blank rows
// are skipped. It returns io.EOF at the end.
func (r *Reader) Next() ([]string, error) {
	for {
		var row []string
		if len(r.pending) > 0 {
			row, r.line = r.pending[0], r.pendLn[0]
			r.pending, r.pendLn = r.pending[1:], r.pendLn[1:]
		} else {
			var err error
			row, r.line, err = r.src.next()
			if err != nil {
				return nil, err
			}
		}
		if r.src.blank(row) {
			continue
		}
		return r.fit(row), nil
	}
}

// Select limits the cells Next must fill to the given header columns, so a
// CSV row is not copied into strings for columns nobody reads: the other
// cells may be "" or hold their text (rows read ahead to find the header).
// Cells past the header are still read, for the ragged-row warning, and
// blank rows are still judged on every cell. After Select the slice Next
// returns may be reused by the next call.
func (r *Reader) Select(cols []int) {
	want := make([]bool, len(r.header))
	for _, c := range cols {
		if c >= 0 && c < len(want) {
			want[c] = true
		}
	}
	r.src.selectCols(want)
	r.reuse = true
}

// Close releases the file.
func (r *Reader) Close() error { return r.src.close() }

// fit pads short rows and reports rows whose shape differs from the header.
func (r *Reader) fit(row []string) []string {
	n := len(r.header)
	if len(row) == n {
		return row
	}
	if len(row) > n {
		extra := row[n:]
		if !blank(extra) && r.opts.Warn != nil {
			r.opts.Warn(r.line, fmt.Sprintf("row has %d cells, header has %d; extra cells ignored", len(row), n))
		}
		return row[:n]
	}
	// XLSX rows omit trailing empty cells; only CSV short rows are ragged.
	if _, isCSV := r.src.(*csvSource); isCSV && r.opts.Warn != nil {
		r.opts.Warn(r.line, fmt.Sprintf("row has %d cells, header has %d; missing cells read as empty", len(row), n))
	}
	if cap(r.padded) < n || r.padded == nil {
		r.padded = make([]string, n)
	}
	out := r.padded[:n]
	copy(out, row)
	clear(out[len(row):])
	if r.reuse {
		return out
	}
	r.padded = nil
	return out
}

// headerScan is how many rows are examined to find the header.
const headerScan = 30

// findHeader reads ahead to the header row and keeps the rows after it.
func (r *Reader) findHeader(merged func(int) ([]mergeRange, error)) error {
	var rows [][]string
	var lines []int
	limit := headerScan
	if r.opts.HeaderRow > 0 {
		limit = r.opts.HeaderRow
	}
	for len(rows) < limit {
		row, ln, err := r.src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows, lines = append(rows, row), append(lines, ln)
		if r.opts.HeaderRow > 0 && ln >= r.opts.HeaderRow {
			break
		}
	}
	idx := -1
	if r.opts.HeaderRow > 0 {
		for i, ln := range lines {
			if ln == r.opts.HeaderRow {
				idx = i
			}
		}
		if idx < 0 {
			return fmt.Errorf("%s: header row %d not found (the file has %d rows): %w", r.path, r.opts.HeaderRow, len(rows), ErrNoHeader)
		}
	} else {
		idx = detectHeader(rows)
		if idx < 0 {
			return fmt.Errorf("%s: no header row found (the file is empty): %w", r.path, ErrNoHeader)
		}
	}
	header := make([]string, len(rows[idx]))
	for i, h := range rows[idx] {
		header[i] = cleanHeader(h)
	}
	for len(header) > 0 && header[len(header)-1] == "" {
		header = header[:len(header)-1]
	}
	if merged != nil && hasGap(header) {
		ranges, err := merged(lines[idx])
		if err != nil {
			return err
		}
		header = fillMerged(header, ranges, lines[idx], rows[:idx+1], lines[:idx+1])
	}
	if len(header) == 0 {
		return fmt.Errorf("%s: header row %d is empty", r.path, lines[idx])
	}
	r.header = header
	r.pending, r.pendLn = rows[idx+1:], lines[idx+1:]
	r.line = lines[idx]
	return nil
}

// detectHeader picks the first row that is as wide as the table below it and
// mostly text: title rows above a header have one or two cells.
func detectHeader(rows [][]string) int {
	widest := 0
	for _, row := range rows {
		if n := filled(row); n > widest {
			widest = n
		}
	}
	if widest == 0 {
		return -1
	}
	need := (widest + 1) / 2
	if need < 1 {
		need = 1
	}
	for i, row := range rows {
		n := filled(row)
		if n < need {
			continue
		}
		text := 0
		for _, c := range row {
			if c = strings.TrimSpace(c); c != "" && !numeric(c) {
				text++
			}
		}
		if text*2 >= n {
			return i
		}
	}
	for i, row := range rows {
		if filled(row) > 0 {
			return i
		}
	}
	return -1
}

func filled(row []string) int {
	n := 0
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func blank(row []string) bool { return filled(row) == 0 }

func hasGap(header []string) bool {
	for _, h := range header {
		if h == "" {
			return true
		}
	}
	return false
}

func numeric(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return false
		}
	}
	return len(s) > 0
}

// cleanHeader trims spaces, a stray BOM and line breaks inside header cells.
func cleanHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.Join(strings.Fields(h), " ")
	return h
}

// sniff decides the container format: content first (zip → xlsx, OLE →
// encrypted/legacy error, binary → error), then the extension.
func sniff(path, name, forced string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, 8192)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if forced == "csv" {
			return "", fmt.Errorf("%s: %w: configured as CSV but the content is a zip archive (an XLSX workbook?)", name, ErrUnsupported)
		}
		return "xlsx", nil
	case bytes.HasPrefix(head, oleMagic):
		return "", oleError(name, f)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "csv", nil // UTF-16 text; NULs are expected
	}
	if forced == "xlsx" || (forced == "" && strings.EqualFold(filepath.Ext(path), ".xlsx")) {
		return "", fmt.Errorf("%s: %w: not an XLSX workbook (no zip signature)", name, ErrUnsupported)
	}
	if looksBinary(head) {
		return "", fmt.Errorf("%s: %w: binary content, not a CSV text file", name, ErrUnsupported)
	}
	return "csv", nil
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// oleError distinguishes an encrypted OOXML workbook (an OLE container with
// an EncryptionInfo stream) from a legacy binary .xls.
func oleError(path string, f *os.File) error {
	marker := []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")
	if _, err := f.Seek(0, io.SeekStart); err == nil {
		buf, _ := io.ReadAll(io.LimitReader(f, 64<<20))
		if bytes.Contains(buf, marker) {
			return fmt.Errorf("%s: %w: the workbook is password-protected (encrypted); save an unprotected copy", path, ErrUnsupported)
		}
	}
	return fmt.Errorf("%s: %w: legacy binary Excel (.xls) or other OLE file; save it as .xlsx or .csv", path, ErrUnsupported)
}

// looksBinary: NUL bytes or many control characters mean not text.
func looksBinary(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ctrl := 0
	for _, c := range b {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctrl++
		}
	}
	return ctrl*20 > len(b)
}
