package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/localoffer/localoffer/internal/archive"
)

// xlsxSource streams one worksheet with excelize's Rows iterator: worksheet
// parts above 16 MB are spilled to a temp file and decoded token by token.
type xlsxSource struct {
	path  string // on disk
	name  string // in messages
	f     *excelize.File
	rows  *excelize.Rows
	sheet string
	row   int
	opts  *Options
}

// xmlInMemory is the largest part excelize keeps in memory; bigger worksheets
// and shared strings go to a temp file and are read as streams.
const xmlInMemory = 4 << 20

// ErrTooManySharedStrings marks a workbook over Options.MaxSharedStrings.
var ErrTooManySharedStrings = errors.New("too many shared strings")

func openXLSX(path string, opts *Options) (*xlsxSource, error) {
	name := opts.Name
	if err := checkZip(path, name, opts); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    opts.MaxUnzippedBytes,
		UnzipXMLSizeLimit: min(xmlInMemory, opts.MaxUnzippedBytes),
		RawCellValue:      true, // dates stay Excel serials; mappings convert them
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, &LimitError{Path: name, What: "the inflated workbook", Limit: opts.MaxUnzippedBytes}
		}
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, fmt.Errorf("%s: %w: %v", name, ErrUnsupported, err)
		}
		return nil, fmt.Errorf("open workbook %s: %w", name, err)
	}
	sheetName, err := pickSheet(f, opts.Sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rows, err := f.Rows(sheetName)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheetName, err)
	}
	return &xlsxSource{path: path, name: name, f: f, rows: rows, sheet: sheetName, opts: opts}, nil
}

// checkZip refuses zip bombs before excelize inflates anything (the shared
// archive guard checks the central directory), then measures the shared
// strings part, which excelize holds in memory whole.
func checkZip(path, name string, opts *Options) error {
	zr, err := archive.Open(path, name, archive.Limits{
		MaxEntryBytes: opts.MaxUnzippedBytes,
		MaxTotalBytes: opts.MaxUnzippedBytes,
		MaxRatio:      opts.MaxZipRatio,
	})
	if errors.Is(err, archive.ErrLimit) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%s: %w: not a readable XLSX zip: %v", name, ErrUnsupported, err)
	}
	defer zr.Close()
	return checkSharedStrings(zr, opts)
}

// checkSharedStrings counts the <si> items and bytes of xl/sharedStrings.xml
// as a stream: excelize keeps one entry per item in memory (a few hundred
// bytes each for a small part), so the count is what bounds memory.
func checkSharedStrings(zr *archive.Archive, opts *Options) error {
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
	dec := xml.NewDecoder(io.LimitReader(rc, opts.MaxSharedStringsBytes+1))
	var n int
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, archive.ErrLimit) {
				return err
			}
			return fmt.Errorf("%s: %s: %w", zr.Name(), part, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "si" {
			n++
			if n > opts.MaxSharedStrings {
				return fmt.Errorf("%s: the workbook's shared strings table has more than %d items, the limit: %w",
					zr.Name(), opts.MaxSharedStrings, ErrTooManySharedStrings)
			}
		}
	}
}

func pickSheet(f *excelize.File, want string) (string, error) {
	names := f.GetSheetList()
	if len(names) == 0 {
		return "", errors.New("the workbook has no sheets")
	}
	if want == "" {
		return names[0], nil
	}
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return n, nil
		}
	}
	if i, err := strconv.Atoi(want); err == nil && i >= 1 && i <= len(names) {
		return names[i-1], nil
	}
	return "", fmt.Errorf("no sheet %q (sheets: %s)", want, strings.Join(names, ", "))
}

func (x *xlsxSource) next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			if errors.Is(err, excelize.ErrMaxRows) {
				return nil, x.row, fmt.Errorf("%s: sheet %q: more than %d rows: %w", x.name, x.sheet, excelize.TotalRows, err)
			}
			return nil, x.row, fmt.Errorf("%s: sheet %q: %w", x.name, x.sheet, err)
		}
		return nil, x.row, io.EOF
	}
	x.row++
	cols, err := x.rows.Columns()
	if errors.Is(err, excelize.ErrMaxRows) {
		return nil, x.row, fmt.Errorf("%s: sheet %q: a row is numbered beyond Excel's %d-row limit: %w", x.name, x.sheet, excelize.TotalRows, err)
	}
	if err != nil {
		return nil, x.row, fmt.Errorf("%s: sheet %q row %d: %w", x.name, x.sheet, x.row, err)
	}
	if len(cols) > x.opts.MaxColumns {
		return nil, x.row, &LimitError{Path: x.name, Line: x.row, What: "the number of columns", Limit: int64(x.opts.MaxColumns)}
	}
	return cols, x.row, nil
}

func (x *xlsxSource) blank(row []string) bool { return blank(row) }

// selectCols is a no-op: the XLSX reader decodes whole rows.
func (x *xlsxSource) selectCols([]bool) {}

func (x *xlsxSource) close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mergeRange is a merged block, 1-based inclusive.
type mergeRange struct{ col1, row1, col2, row2 int }

// mergedCells scans the worksheet part for <mergeCell ref="A1:C1"/> without
// building the sheet in memory (excelize's GetMergeCells loads it whole).
// Called only when the header has blank cells.
func (x *xlsxSource) mergedCells(headerRow int) ([]mergeRange, error) {
	zr, err := zip.OpenReader(x.path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", x.name, err)
	}
	defer zr.Close()
	part, err := x.sheetPart(&zr.Reader)
	if err != nil || part == "" {
		return nil, err
	}
	for _, e := range zr.File {
		if e.Name != part {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", x.name, part, err)
		}
		defer rc.Close()
		dec := xml.NewDecoder(rc)
		var out []mergeRange
		for {
			tok, err := dec.RawToken()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", x.name, part, err)
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Local != "mergeCell" {
				continue
			}
			for _, a := range se.Attr {
				if a.Name.Local != "ref" {
					continue
				}
				from, to, ok := strings.Cut(a.Value, ":")
				if !ok {
					continue
				}
				c1, r1, e1 := excelize.CellNameToCoordinates(from)
				c2, r2, e2 := excelize.CellNameToCoordinates(to)
				if e1 == nil && e2 == nil && r1 <= headerRow && r2 >= headerRow-1 {
					out = append(out, mergeRange{c1, r1, c2, r2})
				}
			}
		}
	}
	return nil, nil
}

// sheetPart resolves the selected sheet's zip part through the workbook rels.
func (x *xlsxSource) sheetPart(zr *zip.Reader) (string, error) {
	idx := -1
	for i, n := range x.f.GetSheetList() {
		if n == x.sheet {
			idx = i
		}
	}
	read := func(name string) []byte {
		for _, e := range zr.File {
			if e.Name == name && e.UncompressedSize64 < 16<<20 {
				rc, err := e.Open()
				if err != nil {
					return nil
				}
				defer rc.Close()
				b, _ := io.ReadAll(rc)
				return b
			}
		}
		return nil
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(read("xl/workbook.xml"), &wb); err != nil || idx < 0 || idx >= len(wb.Sheets) {
		return "", nil
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels); err != nil {
		return "", nil
	}
	for _, r := range rels.Rel {
		if r.ID == wb.Sheets[idx].RID {
			t := strings.TrimPrefix(r.Target, "/")
			if !strings.HasPrefix(t, "xl/") {
				t = "xl/" + t
			}
			return t, nil
		}
	}
	return "", nil
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
