package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// handBook zips parts as given: the shapes other writers than Excel produce.
func handBook(t *testing.T, parts map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "hand.xlsx", buf.Bytes())
}

// The streaming reader handles what Excel, LibreOffice and the .NET SDK
// write: prefixed element names, an absolute relationship target, rich-text
// shared strings with phonetic guides, inline strings, cells that skip
// columns, rows without numbers, self-closing cells, booleans and formulas.
func TestXLSXStreamShapes(t *testing.T) {
	p := handBook(t, map[string]string{
		"xl/workbook.xml": `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<x:sheets><x:sheet name="Notes" sheetId="1" r:id="rId1"/><x:sheet name="Data" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Target="worksheets/notes.xml"/><Relationship Id="rId2" Target="/xl/worksheets/data.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<si><t>Name</t></si><si><t>Places</t></si><si><r><rPr><b/></rPr><t>Harbour </t></r><r><t xml:space="preserve">Speech &amp; Language</t></r><rPh><t>ハーバー</t></rPh></si></sst>`,
		"xl/worksheets/notes.xml": `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ignore me</t></is></c></row></sheetData></worksheet>`,
		"xl/worksheets/data.xml": `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
			`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>Open</x:t></x:is></x:c></x:row>` +
			`<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3"/><x:c r="C3"><x:f>2*6</x:f><x:v>12</x:v></x:c><x:c r="D3" t="b"><x:v>1</x:v></x:c></x:row>` +
			`<x:row><x:c t="str"><x:v>Next row</x:v></x:c><x:c><x:v>45930</x:v></x:c></x:row>` +
			`</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>`,
	})
	r, err := Open(p, Options{Sheet: "data", Name: "hand.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if want := []string{"Name", "Name", "Places", "Open"}; !reflect.DeepEqual(r.Header(), want) {
		t.Errorf("header %q, want %q (B1 filled from the merge)", r.Header(), want)
	}
	rows, lines := readAll(t, r)
	want := [][]string{{"Harbour Speech & Language", "", "12", "1"}, {"Next row", "45930", "", ""}}
	if !reflect.DeepEqual(rows, want) || !reflect.DeepEqual(lines, []int{3, 4}) {
		t.Errorf("rows %q at %v, want %q at [3 4]", rows, lines, want)
	}
}

func TestXLSXStreamBadSharedIndex(t *testing.T) {
	p := handBook(t, map[string]string{
		"xl/workbook.xml":          `<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`,
		"xl/sharedStrings.xml":     `<sst><si><t>only</t></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>7</v></c></row></sheetData></worksheet>`,
	})
	r, err := Open(p, Options{Name: "bad.xlsx", HeaderRow: 1})
	for err == nil {
		_, err = r.Next()
	}
	if r != nil {
		r.Close()
	}
	if err == io.EOF || !bytes.Contains([]byte(err.Error()), []byte("shared string 7")) {
		t.Fatalf("err = %v, want the bad shared string index named", err)
	}
}

// A table that declares more unique strings than the cap is refused before
// its items are read.
func TestSharedStringsDeclaredOverCap(t *testing.T) {
	p := handBook(t, map[string]string{
		"xl/workbook.xml":      `<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`,
		"xl/sharedStrings.xml": `<sst count="5000" uniqueCount="5000"><si><t>a</t></si></sst>`,
	})
	_, err := Open(p, Options{Name: "declared.xlsx", MaxSharedStrings: 100})
	if !errors.Is(err, ErrTooManySharedStrings) || !strings.Contains(err.Error(), "declares 5000") {
		t.Fatalf("err = %v", err)
	}
	// Empty items (<si/>) count as items: index 1 is the second one.
	p = handBook(t, map[string]string{
		"xl/workbook.xml":          `<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`,
		"xl/sharedStrings.xml":     `<sst><si><t>Name</t></si><si/><si><t>Town</t></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c><c t="s"><v>2</v></c></row><row r="2"><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row></sheetData></worksheet>`,
	})
	r, err := Open(p, Options{Name: "empty.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, _ := readAll(t, r)
	if !reflect.DeepEqual(r.Header(), []string{"Name", "Town"}) || !reflect.DeepEqual(rows, [][]string{{"", "Town"}}) {
		t.Errorf("header %q rows %q", r.Header(), rows)
	}
}
