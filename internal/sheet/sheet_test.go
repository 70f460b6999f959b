package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/localoffer/localoffer/internal/archive"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, r *Reader) ([][]string, []int) {
	t.Helper()
	var rows [][]string
	var lines []int
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, lines
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows, lines = append(rows, row), append(lines, r.Line())
	}
}

func TestCSV(t *testing.T) {
	type warn struct {
		line int
		msg  string
	}
	cases := []struct {
		name     string
		data     []byte
		opts     Options
		header   []string
		rows     [][]string
		lines    []int
		warnings int
	}{
		{
			name:   "utf8 bom comma",
			data:   []byte("\ufefftime_period,la_name,ehc_plans\r\n202425,Portsmouth,2480\r\n202425,Southampton,x\r\n"),
			header: []string{"time_period", "la_name", "ehc_plans"},
			rows:   [][]string{{"202425", "Portsmouth", "2480"}, {"202425", "Southampton", "x"}},
			lines:  []int{2, 3},
		},
		{
			name:   "latin-1 semicolon with quoted newline",
			data:   []byte("URN;EstablishmentName;Street\n116390;\"St Jude\x92s C of E Primary\";\"Hampshire Terrace\nSouthsea\"\n116391;Caf\xe9 School;Elm Grove\n"),
			header: []string{"URN", "EstablishmentName", "Street"},
			rows:   [][]string{{"116390", "St Jude’s C of E Primary", "Hampshire Terrace\nSouthsea"}, {"116391", "Café School", "Elm Grove"}},
			lines:  []int{2, 4},
		},
		{
			name:     "ragged rows warn and pad",
			data:     []byte("a,b,c\n1,2\n1,2,3,4\n\n5,6,7\n"),
			header:   []string{"a", "b", "c"},
			rows:     [][]string{{"1", "2", ""}, {"1", "2", "3"}, {"5", "6", "7"}},
			lines:    []int{2, 3, 5},
			warnings: 2,
		},
		{
			name:   "title rows above header, tab delimited, escaped quotes",
			data:   []byte("Provider list\t\t\nPortsmouth City Council\t\t\n\t\t\nProvider\tContact email\tPostcode\n\"The \"\"Bridge\"\" Centre\"\tinfo@bridge.example\tPO1 2AB\n"),
			header: []string{"Provider", "Contact email", "Postcode"},
			rows:   [][]string{{"The \"Bridge\" Centre", "info@bridge.example", "PO1 2AB"}},
			lines:  []int{5},
		},
		{
			name:   "explicit header row and delimiter",
			data:   []byte("x|y\nname|age\nAnn|4\n"),
			opts:   Options{HeaderRow: 2, Delimiter: "|"},
			header: []string{"name", "age"},
			rows:   [][]string{{"Ann", "4"}},
			lines:  []int{3},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var warns []warn
			tc.opts.Warn = func(line int, msg string) { warns = append(warns, warn{line, msg}) }
			r, err := Open(writeFile(t, "in.csv", tc.data), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if !reflect.DeepEqual(r.Header(), tc.header) {
				t.Fatalf("header = %q, want %q", r.Header(), tc.header)
			}
			rows, lines := readAll(t, r)
			if !reflect.DeepEqual(rows, tc.rows) {
				t.Errorf("rows = %q, want %q", rows, tc.rows)
			}
			if !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("lines = %v, want %v", lines, tc.lines)
			}
			if len(warns) != tc.warnings {
				t.Errorf("warnings = %v, want %d", warns, tc.warnings)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	big := bytes.Repeat([]byte("A"), 50<<20)
	hugeField := append(append([]byte("name,notes\nAnn,\""), big...), "\"\n"...)
	binary := append([]byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d}, bytes.Repeat([]byte{0, 1, 2}, 100)...)
	ole := append(append([]byte{}, oleMagic...), make([]byte, 600)...)
	ole = append(ole, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")...)
	cases := []struct {
		name, file string
		data       []byte
		want       string
		limit      bool
	}{
		{"50 MB field", "notes.csv", hugeField, "exceeds the limit", true},
		{"binary named csv", "providers.csv", binary, "binary content", false},
		{"password-protected xlsx", "providers.xlsx", ole, "password-protected", false},
		{"text named xlsx", "providers.xlsx", []byte("a,b\n1,2\n"), "not an XLSX", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.data)
			r, err := Open(p, Options{Name: "https://example.org/" + tc.file})
			if err == nil {
				_, err = r.Next()
				r.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, tc.file, tc.want)
			}
			var le *LimitError
			if errors.As(err, &le) != tc.limit {
				t.Errorf("LimitError = %v, want %v", errors.As(err, &le), tc.limit)
			}
		})
	}
}

// zipBomb is a valid-looking xlsx whose sheet inflates to 64 MiB of zeros.
func zipBomb(t *testing.T) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		w.Write(zeros)
	}
	zw.Close()
	return writeFile(t, "bomb.xlsx", buf.Bytes())
}

func TestZipBomb(t *testing.T) {
	p := zipBomb(t)
	if st, _ := os.Stat(p); st.Size() > 200<<10 {
		t.Fatalf("bomb is %d bytes; expected a tiny file", st.Size())
	}
	_, err := Open(p, Options{Name: "bomb.xlsx"})
	if err == nil || !strings.Contains(err.Error(), "zip bomb") || !strings.Contains(err.Error(), "bomb.xlsx") {
		t.Fatalf("err = %v, want a zip bomb error naming the file", err)
	}
	_, err = Open(p, Options{Name: "bomb.xlsx", MaxZipRatio: 1 << 30, MaxUnzippedBytes: 8 << 20})
	var le *archive.LimitError
	if !errors.As(err, &le) || le.Limit != 8<<20 {
		t.Fatalf("err = %v, want the unzipped size limit", err)
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Cover")
	f.SetCellValue("Cover", "A1", "Read me first")
	f.NewSheet("Providers")
	s := "Providers"
	f.SetCellValue(s, "A1", "Portsmouth SEND providers, March 2026")
	f.SetCellValue(s, "A3", "Provider")
	f.SetCellValue(s, "B3", "Contact")
	f.MergeCell(s, "B3", "C3")
	f.SetCellValue(s, "D3", "Reviewed")
	f.SetCellValue(s, "E3", "Places")
	f.SetCellValue(s, "A4", "Harbour Speech Therapy")
	f.SetCellValue(s, "B4", "info@harbour.example")
	f.SetCellValue(s, "C4", "023 9200 0000")
	f.SetCellValue(s, "D4", 46082) // 2026-03-01 as an Excel serial
	f.SetCellValue(s, "E4", 12)    // the cached value…
	f.SetCellFormula(s, "E4", "=2*6")
	if fm, _ := f.GetCellFormula(s, "E4"); fm != "2*6" && fm != "=2*6" {
		t.Fatalf("fixture: E4 formula = %q", fm)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "providers.xlsx", buf.Bytes())
	for _, sel := range []string{"Providers", "2", "providers"} {
		r, err := Open(p, Options{Sheet: sel})
		if err != nil {
			t.Fatalf("sheet %q: %v", sel, err)
		}
		wantHeader := []string{"Provider", "Contact", "Contact", "Reviewed", "Places"}
		if !reflect.DeepEqual(r.Header(), wantHeader) {
			t.Fatalf("header = %q, want %q", r.Header(), wantHeader)
		}
		rows, lines := readAll(t, r)
		r.Close()
		want := [][]string{{"Harbour Speech Therapy", "info@harbour.example", "023 9200 0000", "46082", "12"}}
		if !reflect.DeepEqual(rows, want) || !reflect.DeepEqual(lines, []int{4}) {
			t.Fatalf("rows = %q at %v, want %q at [4]", rows, lines, want)
		}
	}
	if _, err := Open(p, Options{Sheet: "Nope"}); err == nil || !strings.Contains(err.Error(), "Cover, Providers") {
		t.Fatalf("err = %v, want the sheet list", err)
	}
}

// sharedStringsBook is a workbook whose shared strings table holds n items.
func sharedStringsBook(t *testing.T, n int) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	w, _ = zw.Create("xl/sharedStrings.xml")
	w.Write([]byte(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`))
	for i := 0; i < n; i++ {
		w.Write([]byte("<si><t>s</t></si>"))
	}
	w.Write([]byte("</sst>"))
	zw.Close()
	return writeFile(t, "strings.xlsx", buf.Bytes())
}

func TestSharedStringsCap(t *testing.T) {
	p := sharedStringsBook(t, 101)
	_, err := Open(p, Options{Name: "strings.xlsx", MaxSharedStrings: 100})
	if !errors.Is(err, ErrTooManySharedStrings) || !strings.Contains(err.Error(), "strings.xlsx") || !strings.Contains(err.Error(), "100") {
		t.Fatalf("err = %v, want the shared strings count limit naming the file", err)
	}
	_, err = Open(p, Options{Name: "strings.xlsx", MaxSharedStringsBytes: 1000})
	var le *LimitError
	if !errors.As(err, &le) || !strings.Contains(le.What, "shared strings") {
		t.Fatalf("err = %v, want the shared strings size limit", err)
	}
	// At the cap the strings are read (and then no workbook is found: the
	// error is no longer about shared strings).
	_, err = Open(p, Options{Name: "strings.xlsx", MaxSharedStrings: 101})
	if errors.Is(err, ErrTooManySharedStrings) {
		t.Fatalf("101 items refused at a cap of 101: %v", err)
	}
}
