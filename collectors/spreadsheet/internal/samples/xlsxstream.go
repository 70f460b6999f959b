package samples

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// StreamXLSX writes a one-sheet workbook row by row in constant memory
// (excelize's StreamWriter buffers the whole file before saving). Cells that
// parse as numbers are written as numbers, the rest as inline strings.
func StreamXLSX(w io.Writer, sheet string, header []string, n int, row func(i int) []string) error {
	zw := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		io.WriteString(pw, p.body)
	}
	pw, err := zw.Create("xl/workbook.xml")
	if err != nil {
		return err
	}
	io.WriteString(pw, `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="`)
	xml.EscapeText(pw, []byte(sheet))
	io.WriteString(pw, `" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	sw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(sw, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	writeRow := func(r int, cells []string) {
		bw.WriteString(`<row r="` + strconv.Itoa(r) + `">`)
		for c, v := range cells {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				bw.WriteString(`<c r="` + ref + `"><v>` + v + `</v></c>`)
				continue
			}
			bw.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t>`)
			xml.EscapeText(bw, []byte(v))
			bw.WriteString(`</t></is></c>`)
		}
		bw.WriteString(`</row>`)
	}
	writeRow(1, header)
	for i := 0; i < n; i++ {
		writeRow(i+2, row(i))
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}
