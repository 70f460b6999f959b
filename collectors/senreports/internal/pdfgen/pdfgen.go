// Package pdfgen writes small, valid text PDFs (Helvetica, WinAnsi) for tests
// and the bundled examples, so no binary fixture has to be committed.
package pdfgen

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Doc is a PDF to write: paragraphs of text and Info-dictionary metadata.
type Doc struct {
	Title    string
	Modified time.Time // ModDate; zero leaves it out
	Lines    []string  // paragraphs; long ones are wrapped, "" is a blank line
}

// Bytes renders the PDF.
func (d Doc) Bytes() []byte {
	var lines []string
	for _, l := range d.Lines {
		lines = append(lines, wrap(winAnsi(l), 95)...)
	}
	const perPage = 56
	var pages [][]string
	for len(lines) > perPage {
		pages = append(pages, lines[:perPage])
		lines = lines[perPage:]
	}
	pages = append(pages, lines)

	var b bytes.Buffer
	var offsets []int
	obj := func(body string) int {
		offsets = append(offsets, b.Len())
		n := len(offsets)
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
		return n
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	// Pages: objects 3.. are page, content pairs; the font and info come last.
	n := len(pages)
	fontID := 3 + 2*n
	infoID := fontID + 1
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 3+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	for i, pg := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", 4+2*i, fontID))
		var s strings.Builder
		s.WriteString("BT /F1 10 Tf 14 TL 50 800 Td\n")
		for _, l := range pg {
			fmt.Fprintf(&s, "(%s) Tj T*\n", escape(l))
		}
		s.WriteString("ET")
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", s.Len(), s.String()))
	}
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	info := "<< /Producer (localoffer pdfgen)"
	if d.Title != "" {
		info += " /Title (" + escape(winAnsi(d.Title)) + ")"
	}
	if !d.Modified.IsZero() {
		info += " /ModDate (D:" + d.Modified.UTC().Format("20060102150405") + "Z)"
	}
	obj(info + " >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, infoID, xref)
	return b.Bytes()
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// winAnsi keeps Latin-1 text as single bytes and spells out the few other
// characters reports use.
func winAnsi(s string) string {
	s = strings.NewReplacer("–", "-", "—", "-", "’", "'", "‘", "'", "“", `"`, "”", `"`, "…", "...", "•", "-").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if r < 256 {
			b.WriteByte(byte(r))
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

func wrap(s string, width int) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	for len(s) > width {
		i := strings.LastIndexByte(s[:width], ' ')
		if i <= 0 {
			i = width
		}
		out = append(out, s[:i])
		s = strings.TrimLeft(s[i:], " ")
	}
	return append(out, s)
}
