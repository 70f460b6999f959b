package sheet

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTallXLSX writes a minimal workbook whose one sheet has rows numbered
// 1..n (a header and n-1 data rows), streamed straight into the zip.
func writeTallXLSX(t testing.TB, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), fmt.Sprintf("tall_%d.xlsx", n))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	parts := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for name, body := range parts {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	bw.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>places</t></is></c></row>`)
	for r := 2; r <= n; r++ {
		fmt.Fprintf(bw, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>7</v></c></row>`, r, r, r, r)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	bw.Flush()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// BenchmarkMaxRowsXLSX reads a sheet with Excel's full 1,048,576 rows
// (header + 1,048,575 data rows) in constant memory; it reports rows/s and
// the process's peak RSS.
func BenchmarkMaxRowsXLSX(b *testing.B) {
	full := writeTallXLSX(b, 1048576)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Open(full, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n, last := 0, 0
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatalf("row %d: %v", r.Line(), err)
			}
			n++
			last = r.Line()
			if row[1] != "7" {
				b.Fatalf("row %d = %q", r.Line(), row)
			}
		}
		r.Close()
		if n != 1048575 || last != 1048576 {
			b.Fatalf("read %d data rows ending at %d; want 1048575 ending at 1048576", n, last)
		}
	}
	b.ReportMetric(float64(1048575*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(PeakRSS())/(1<<20), "peak_RSS_MB")
}

func TestBeyondMaxRowsXLSX(t *testing.T) {
	p := writeTallXLSX(t, 3)
	// Rewrite the last row number past Excel's limit: a hand-made file can claim any row.
	bad := filepath.Join(t.TempDir(), "beyond.xlsx")
	src, _ := zip.OpenReader(p)
	out, _ := os.Create(bad)
	zw := zip.NewWriter(out)
	for _, f := range src.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			b = []byte(strings.Replace(string(b), `<row r="3">`, `<row r="1048577">`, 1))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	out.Close()
	src.Close()
	// The header scan reads ahead, so the error may come from Open or Next.
	r, err := Open(bad, Options{Name: "beyond.xlsx"})
	for err == nil {
		_, err = r.Next()
	}
	if r != nil {
		r.Close()
	}
	if err == io.EOF || !strings.Contains(err.Error(), "beyond.xlsx") || !strings.Contains(err.Error(), "1048576") {
		t.Fatalf("err = %v, want the row limit named with the file", err)
	}
}
