// Command hostilegen writes the hostile archives that scripts/hostile-rss.sh
// measures peak memory on:
//
//	dp-repeat.zip          a data package listing one 16 MB services table three times
//	dp-distinct.zip        the same, the table stored as three entries (each inflated and read)
//	xlsx-strings-over.xlsx a workbook whose shared strings table has 2,000,000 items (over the cap)
//	xlsx-strings-cap.xlsx  a workbook at the cap: 1,000,000 shared strings, 20,000 rows using them
//
// Usage: go run ./scripts/hostilegen DIR
package main

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: hostilegen DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	steps := []struct {
		name  string
		write func(*zip.Writer) error
	}{
		{"dp-repeat.zip", func(zw *zip.Writer) error { return repeatedTablePackage(zw, packageRows, false) }},
		{"dp-distinct.zip", func(zw *zip.Writer) error { return repeatedTablePackage(zw, distinctRows, true) }},
		{"xlsx-strings-over.xlsx", func(zw *zip.Writer) error { return workbook(zw, 2_000_000, 100) }},
		{"xlsx-strings-cap.xlsx", func(zw *zip.Writer) error { return workbook(zw, 1_000_000, 20_000) }},
	}
	for _, s := range steps {
		if err := writeZip(filepath.Join(dir, s.name), s.write); err != nil {
			fail(fmt.Errorf("%s: %w", s.name, err))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hostilegen:", err)
	os.Exit(1)
}

func writeZip(path string, write func(*zip.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	if err := write(zw); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func entry(zw *zip.Writer, name string, body func(w *bufio.Writer) error) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := body(bw); err != nil {
		return err
	}
	return bw.Flush()
}

func text(s string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { _, err := io.WriteString(w, s); return err }
}

// packageRows makes the services table about 16 MB; distinctRows does so
// with the wider rows of the distinct package (the one scripts/datapackage-rss.sh
// measured before hostile-rss.sh took it over: 70,000 services).
const (
	packageRows  = 140_000
	distinctRows = 70_000
)

// repeatedTablePackage: the descriptor names the services table three times,
// one entry (data/services.csv) or, distinct, three entries holding the same
// rows, each with an email and a web address as well.
func repeatedTablePackage(zw *zip.Writer, rows int, distinct bool) error {
	paths := []string{"data/services.csv", "data/services.csv", "data/services.csv"}
	if distinct {
		paths = []string{"a/services.csv", "b/services.csv", "c/services.csv"}
	}
	desc := fmt.Sprintf(`{"name":"hostile-repeat","resources":[
 {"name":"organizations","path":"data/organizations.csv"},
 {"name":"services","path":%q},
 {"name":"services","path":%q},
 {"name":"services","path":%q}]}`, paths[0], paths[1], paths[2])
	if err := entry(zw, "datapackage.json", text(desc)); err != nil {
		return err
	}
	if err := entry(zw, "data/organizations.csv", text("id,name\norg-1,Portsmouth City Council\n")); err != nil {
		return err
	}
	written := map[string]bool{}
	for _, p := range paths {
		if written[p] {
			continue
		}
		written[p] = true
		err := entry(zw, p, func(w *bufio.Writer) error {
			if distinct {
				w.WriteString("id,organization_id,name,description,status,email,url\n")
				for i := 0; i < rows; i++ {
					fmt.Fprintf(w, "svc-%07d,org-1,Short breaks for disabled children %d,\"Play and youth sessions for children and young people with SEND, term time and school holidays, with trained staff.\",active,send@example.org,https://example.org/services/%d\n", i, i, i)
				}
				return nil
			}
			w.WriteString("id,organization_id,name,description,status\n")
			for i := 0; i < rows; i++ {
				fmt.Fprintf(w, "svc-%07d,org-1,Short breaks club %d,Saturday club for disabled children aged 8 to 17 in Portsmouth (session %d),active\n", i, i%97, i%13)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// workbook writes a one-sheet XLSX with n shared strings and rows data rows
// whose Name cells point into the shared strings.
func workbook(zw *zip.Writer, n, rows int) error {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Providers" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
	}
	for _, p := range parts {
		if err := entry(zw, p.name, text(p.body)); err != nil {
			return err
		}
	}
	if err := entry(zw, "xl/sharedStrings.xml", func(w *bufio.Writer) error {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
		w.WriteString(`<si><t>ID</t></si><si><t>Name</t></si>`)
		for i := 2; i < n; i++ {
			fmt.Fprintf(w, "<si><t>Provider %d</t></si>", i)
		}
		_, err := w.WriteString("</sst>")
		return err
	}); err != nil {
		return err
	}
	return entry(zw, "xl/worksheets/sheet1.xml", func(w *bufio.Writer) error {
		w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		w.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`)
		for r := 2; r <= rows+1; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>prov-%d</t></is></c><c r="B%d" t="s"><v>%d</v></c></row>`, r, r, r, r, 2+(r*7919)%(n-2))
		}
		_, err := w.WriteString("</sheetData></worksheet>")
		return err
	})
}
