package sheet

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/internal/archive"
)

// xlsxSource streams one worksheet straight from the zip: the sheet XML is
// scanned tag by tag as it inflates (xmlScanner), through the shared archive guard,
// and the shared strings are held compactly (one byte arena and one offset
// per item, bounded by MaxSharedStrings and MaxSharedStringsBytes). Memory
// does not grow with the number of rows.
type xlsxSource struct {
	zr    *archive.Archive
	name  string // in messages
	sheet string // the selected sheet's name
	part  string // its zip part
	rc    io.ReadCloser
	sc    *xmlScanner
	ss    sharedStrings
	row   int // the last row number returned
	opts  *Options
	cells []string
	text  []byte // scratch for one cell's text
}

// maxRows is Excel's row limit: a row numbered beyond it is a corrupt or
// hostile file.
const maxRows = 1 << 20

// ErrTooManySharedStrings marks a workbook over Options.MaxSharedStrings.
var ErrTooManySharedStrings = errors.New("too many shared strings")

// smallPart bounds the workbook and relationship parts read whole.
const smallPart = 16 << 20

func openXLSX(path, name string, opts *Options) (*xlsxSource, error) {
	zr, err := archive.Open(path, name, archive.Limits{
		MaxEntryBytes: opts.MaxUnzippedBytes,
		MaxTotalBytes: opts.MaxUnzippedBytes,
		MaxRatio:      opts.MaxZipRatio,
	})
	if errors.Is(err, archive.ErrLimit) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: not a readable XLSX zip: %v", name, ErrUnsupported, err)
	}
	x := &xlsxSource{zr: zr, name: name, opts: opts}
	if err := x.open(); err != nil {
		zr.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxSource) open() error {
	// Shared strings are checked first: a bomb of tiny items is refused
	// before anything else is read.
	if err := x.ss.load(x.zr, x.opts); err != nil {
		return err
	}
	sheets, err := workbookSheets(x.zr)
	if err != nil {
		return err
	}
	sh, err := pickSheet(sheets, x.opts.Sheet)
	if err != nil {
		return fmt.Errorf("%s: %w", x.name, err)
	}
	x.sheet, x.part = sh.name, sh.part
	part, ok := x.zr.Lookup(sh.part)
	if !ok {
		return fmt.Errorf("%s: %w: sheet %q: part %s is missing", x.name, ErrUnsupported, sh.name, sh.part)
	}
	x.part = part
	rc, err := x.zr.Open(part)
	if err != nil {
		return err
	}
	x.rc = rc
	// A tag is a few attributes; a megabyte is far beyond any real one.
	x.sc = newXMLScanner(rc, 1<<20)
	return nil
}

type sheetRef struct{ name, part string }

// workbookSheets lists the sheets in workbook order with their zip parts.
func workbookSheets(zr *archive.Archive) ([]sheetRef, error) {
	wbPart, ok := zr.Lookup("xl/workbook.xml")
	if !ok {
		return nil, fmt.Errorf("%s: %w: not an XLSX workbook (no xl/workbook.xml)", zr.Name(), ErrUnsupported)
	}
	b, err := zr.ReadAll(wbPart, smallPart)
	if err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(b, &wb); err != nil {
		return nil, fmt.Errorf("%s: %w: xl/workbook.xml: %v", zr.Name(), ErrUnsupported, err)
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if relPart, ok := zr.Lookup("xl/_rels/workbook.xml.rels"); ok {
		b, err := zr.ReadAll(relPart, smallPart)
		if err != nil {
			return nil, err
		}
		if err := xml.Unmarshal(b, &rels); err != nil {
			return nil, fmt.Errorf("%s: %w: xl/_rels/workbook.xml.rels: %v", zr.Name(), ErrUnsupported, err)
		}
	}
	out := make([]sheetRef, 0, len(wb.Sheets))
	for i, s := range wb.Sheets {
		// Without a relationship, fall back on Excel's default part name.
		part := "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				t := r.Target
				if strings.HasPrefix(t, "/") {
					t = strings.TrimPrefix(t, "/")
				} else {
					t = path.Join("xl", t)
				}
				part = t
			}
		}
		out = append(out, sheetRef{name: s.Name, part: part})
	}
	return out, nil
}

func pickSheet(sheets []sheetRef, want string) (sheetRef, error) {
	if len(sheets) == 0 {
		return sheetRef{}, errors.New("the workbook has no sheets")
	}
	if want == "" {
		return sheets[0], nil
	}
	for _, s := range sheets {
		if strings.EqualFold(s.name, want) {
			return s, nil
		}
	}
	if i, err := strconv.Atoi(want); err == nil && i >= 1 && i <= len(sheets) {
		return sheets[i-1], nil
	}
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = s.name
	}
	return sheetRef{}, fmt.Errorf("no sheet %q (sheets: %s)", want, strings.Join(names, ", "))
}

// sharedStrings is the workbook's string table, compact: item i is
// text[ends[i-1]:ends[i]].
type sharedStrings struct {
	text []byte
	ends []uint32
}

func (ss *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(ss.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = ss.ends[i-1]
	}
	return string(ss.text[start:ss.ends[i]]), true
}

// load streams xl/sharedStrings.xml: each <si>'s text runs (<t>, not the
// phonetic <rPh> guides) joined into one item.
func (ss *sharedStrings) load(zr *archive.Archive, opts *Options) error {
	part, ok := zr.Lookup("xl/sharedStrings.xml")
	if !ok {
		return nil
	}
	if size, _ := zr.Size(part); size > opts.MaxSharedStringsBytes {
		return &LimitError{Path: zr.Name(), What: "the shared strings part (xl/sharedStrings.xml)", Limit: opts.MaxSharedStringsBytes}
	}
	rc, err := zr.Open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	tooBig := &LimitError{Path: zr.Name(), What: "the shared strings part (xl/sharedStrings.xml)", Limit: opts.MaxSharedStringsBytes}
	lr := &io.LimitedReader{R: rc, N: opts.MaxSharedStringsBytes + 1}
	sc := newXMLScanner(lr, 1<<20)
	inSI, inT, phonetic := false, false, 0
	for {
		var text *[]byte
		if inT {
			text = &ss.text
		}
		err := sc.next(text, int(opts.MaxSharedStringsBytes))
		if err == io.EOF {
			break
		}
		if err != nil {
			switch {
			case errors.Is(err, archive.ErrLimit):
				return err
			case err == errTooLong || lr.N <= 0:
				return tooBig
			}
			return fmt.Errorf("%s: %s: %w", zr.Name(), part, err)
		}
		switch {
		case !sc.end && sc.is("sst"):
			// A table that says it is over the cap is refused before it is read.
			if v, ok := sc.attr("uniqueCount"); ok {
				if n, err := strconv.Atoi(string(v)); err == nil && n > opts.MaxSharedStrings {
					return fmt.Errorf("%s: the workbook's shared strings table declares %d items, more than the limit of %d: %w",
						zr.Name(), n, opts.MaxSharedStrings, ErrTooManySharedStrings)
				} else if err == nil && n > 0 {
					ss.ends = make([]uint32, 0, n)
				}
			}
		case !sc.end && sc.is("si"):
			if len(ss.ends) >= opts.MaxSharedStrings {
				return fmt.Errorf("%s: the workbook's shared strings table has more than %d items, the limit: %w",
					zr.Name(), opts.MaxSharedStrings, ErrTooManySharedStrings)
			}
			inSI, phonetic = true, 0
			if sc.empty {
				inSI = false
				ss.ends = append(ss.ends, uint32(len(ss.text)))
			}
		case sc.end && sc.is("si"):
			inSI, inT = false, false
			ss.ends = append(ss.ends, uint32(len(ss.text)))
		case sc.is("rPh"):
			inT = false
			if sc.end {
				phonetic--
			} else if !sc.empty {
				phonetic++
			}
		case sc.is("t"):
			inT = !sc.end && !sc.empty && inSI && phonetic == 0
		default:
			inT = false
		}
	}
	if lr.N <= 0 {
		return tooBig
	}
	return nil
}

// next reads up to the next <row> and returns its cells (trailing empty
// cells dropped, gaps filled with "") and its row number.
func (x *xlsxSource) next() ([]string, int, error) {
	for {
		if err := x.sc.next(nil, 0); err != nil {
			if err == io.EOF {
				return nil, x.row, io.EOF
			}
			return nil, x.row, x.wrap(err)
		}
		if x.sc.end || !x.sc.is("row") {
			continue
		}
		n := x.row + 1
		if r, ok := x.sc.attr("r"); ok {
			v, err := strconv.Atoi(string(r))
			if err != nil || v < 1 {
				return nil, x.row, fmt.Errorf("%s: sheet %q: bad row number %q", x.name, x.sheet, r)
			}
			n = v
		}
		if n > maxRows {
			return nil, x.row, fmt.Errorf("%s: sheet %q: a row is numbered beyond Excel's %d-row limit", x.name, x.sheet, maxRows)
		}
		x.row = n
		if x.sc.empty {
			return nil, n, nil
		}
		cells, err := x.readRow()
		if err != nil {
			return nil, n, err
		}
		return cells, n, nil
	}
}

func (x *xlsxSource) wrap(err error) error {
	if errors.Is(err, archive.ErrLimit) {
		return err
	}
	if err == errTooLong {
		return &LimitError{Path: x.name, Line: x.row, What: "a cell", Limit: int64(x.opts.MaxFieldBytes)}
	}
	return fmt.Errorf("%s: sheet %q: %w", x.name, x.sheet, err)
}

// readRow reads the cells of the <row> just opened, up to </row>.
func (x *xlsxSource) readRow() ([]string, error) {
	cells := x.cells[:0]
	col := 0 // 1-based column of the last cell
	for {
		if err := x.sc.next(nil, 0); err != nil {
			return nil, x.wrap(unexpected(err))
		}
		if x.sc.end {
			if x.sc.is("row") {
				break
			}
			continue
		}
		if !x.sc.is("c") {
			continue
		}
		c := col + 1
		if r, ok := x.sc.attr("r"); ok {
			if cc, ok := refColumn(string(r)); ok && cc > col {
				c = cc // cells out of order keep file order
			}
		}
		if c > x.opts.MaxColumns {
			return nil, &LimitError{Path: x.name, Line: x.row, What: "the number of columns", Limit: int64(x.opts.MaxColumns)}
		}
		typ, _ := x.sc.attr("t")
		kind := cellKind(typ)
		v := ""
		if !x.sc.empty {
			var err error
			if v, err = x.cellValue(kind); err != nil {
				return nil, err
			}
		}
		for len(cells) < c-1 {
			cells = append(cells, "")
		}
		cells = append(cells, v)
		col = c
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	x.cells = cells
	// The row is handed out; the next one gets a new slice.
	out := make([]string, len(cells))
	copy(out, cells)
	return out, nil
}

// Cell kinds by the t attribute.
const (
	kindRaw    = iota // numbers, dates (Excel serials), booleans, errors, formula strings: <v> as written
	kindShared        // t="s": <v> indexes the shared strings
	kindInline        // t="inlineStr": the text runs of <is>
)

func cellKind(t []byte) int {
	switch string(t) {
	case "s":
		return kindShared
	case "inlineStr":
		return kindInline
	}
	return kindRaw
}

// cellValue reads a <c> element's content up to </c>.
func (x *xlsxSource) cellValue(kind int) (string, error) {
	x.text = x.text[:0]
	inText, phonetic := false, 0
	limit := x.opts.MaxFieldBytes
	for {
		var text *[]byte
		if inText {
			text = &x.text
		}
		if err := x.sc.next(text, limit); err != nil {
			return "", x.wrap(unexpected(err))
		}
		sc := x.sc
		switch {
		case sc.end && sc.is("c"):
			return x.value(kind)
		case sc.end:
			inText = false
			if sc.is("rPh") {
				phonetic--
			}
		case sc.is("rPh"):
			inText = false
			if !sc.empty {
				phonetic++
			}
		case sc.is("v"):
			inText = kind != kindInline && !sc.empty
		case sc.is("t"):
			inText = kind == kindInline && phonetic == 0 && !sc.empty
		default:
			inText = false
		}
	}
}

func (x *xlsxSource) value(kind int) (string, error) {
	if kind != kindShared {
		return string(x.text), nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(string(x.text)))
	if err != nil {
		return "", fmt.Errorf("%s: sheet %q row %d: bad shared string index %q", x.name, x.sheet, x.row, x.text)
	}
	s, ok := x.ss.get(i)
	if !ok {
		return "", fmt.Errorf("%s: sheet %q row %d: shared string %d is not in the table (%d items)", x.name, x.sheet, x.row, i, len(x.ss.ends))
	}
	return s, nil
}

// refColumn reads the column of a cell reference ("AB12" → 28).
func refColumn(ref string) (int, bool) {
	c := 0
	for i := 0; i < len(ref); i++ {
		ch := ref[i] | 0x20 // lower case
		if ch < 'a' || ch > 'z' {
			return c, i > 0
		}
		c = c*26 + int(ch-'a'+1)
		if c > 16384 {
			return 0, false
		}
	}
	return c, c > 0
}

// refCoordinates reads "AB12" → column 28, row 12.
func refCoordinates(ref string) (col, row int, ok bool) {
	col, ok = refColumn(ref)
	if !ok {
		return 0, 0, false
	}
	i := strings.IndexAny(ref, "0123456789")
	if i < 0 {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	return col, row, err == nil && row >= 1
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (x *xlsxSource) blank(row []string) bool { return blank(row) }

// selectCols is a no-op: XLSX cells are few per row and decoded as read.
func (x *xlsxSource) selectCols([]bool) {}

func (x *xlsxSource) close() error {
	var err error
	if x.rc != nil {
		err = x.rc.Close()
	}
	if cerr := x.zr.Close(); err == nil {
		err = cerr
	}
	return err
}

// mergeRange is a merged block, 1-based inclusive.
type mergeRange struct{ col1, row1, col2, row2 int }

// mergedCells scans the worksheet part again for <mergeCell ref="A1:C1"/>
// (they follow the rows). Called only when the header has blank cells.
func (x *xlsxSource) mergedCells(headerRow int) ([]mergeRange, error) {
	rc, err := x.zr.Open(x.part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(rc, 64<<10))
	var out []mergeRange
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, x.wrap(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "mergeCell" {
			continue
		}
		from, to, ok := strings.Cut(attr(se, "ref"), ":")
		if !ok {
			continue
		}
		c1, r1, ok1 := refCoordinates(from)
		c2, r2, ok2 := refCoordinates(to)
		if ok1 && ok2 && r1 <= headerRow && r2 >= headerRow-1 {
			out = append(out, mergeRange{c1, r1, c2, r2})
		}
	}
}

// fillMerged fills blank header cells from the merged block covering them:
// a header merged across columns repeats its label; a blank cell under a
// vertical merge takes the label from the row above.
func fillMerged(header []string, ranges []mergeRange, headerRow int, rows [][]string, lines []int) []string {
	width := len(header)
	for _, m := range ranges {
		if m.col2 > width {
			width = m.col2
		}
	}
	out := make([]string, width)
	copy(out, header)
	valueAt := func(row, col int) string {
		for i, ln := range lines {
			if ln == row && col-1 < len(rows[i]) {
				return cleanHeader(rows[i][col-1])
			}
		}
		return ""
	}
	for _, m := range ranges {
		if m.row1 > headerRow || m.row2 < headerRow {
			continue
		}
		label := valueAt(m.row1, m.col1)
		for c := m.col1; c <= m.col2; c++ {
			if out[c-1] == "" {
				out[c-1] = label
			}
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
