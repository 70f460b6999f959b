package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// DOCX limits: a report is a few hundred KB of XML; anything far beyond is a
// zip bomb or not a report.
const (
	maxDocxEntries  = 2000
	maxDocxXMLBytes = 16 << 20
	maxDocxRatio    = 200 // uncompressed:compressed
)

// ErrZipBomb is returned for archives whose declared or actual sizes exceed the limits.
var ErrZipBomb = errors.New("DOCX exceeds size limits (possible zip bomb)")

// DOCX reads a Word document's text, headings, hyperlinks and core-properties dates.
func DOCX(data []byte, u string) (Document, error) {
	doc := Document{URL: u, Format: "docx"}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return doc, fmt.Errorf("open DOCX %s: %w", u, err)
	}
	if len(zr.File) > maxDocxEntries {
		return doc, fmt.Errorf("open DOCX %s: %d entries: %w", u, len(zr.File), ErrZipBomb)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	main := files["word/document.xml"]
	if main == nil {
		return doc, fmt.Errorf("open DOCX %s: no word/document.xml (not a Word document)", u)
	}
	rels := map[string]string{}
	if f := files["word/_rels/document.xml.rels"]; f != nil {
		if b, err := readZipEntry(f); err == nil {
			rels = parseRels(b)
		}
	}
	body, err := readZipEntry(main)
	if err != nil {
		return doc, fmt.Errorf("read DOCX %s: %w", u, err)
	}
	if err := docxText(body, rels, &doc); err != nil {
		return doc, fmt.Errorf("parse DOCX %s: %w", u, err)
	}
	if f := files["docProps/core.xml"]; f != nil {
		if b, err := readZipEntry(f); err == nil {
			doc.Title, doc.MetaDates = parseCoreProps(b)
			doc.MetaSource = "docx_metadata"
		}
	}
	doc.Links = append(doc.Links, urlsInText(doc.Text)...)
	return doc, nil
}

func readZipEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxDocxXMLBytes ||
		(f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxDocxRatio) {
		return nil, fmt.Errorf("%s: %w", f.Name, ErrZipBomb)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The declared size can lie; the reader is capped independently.
	b, err := io.ReadAll(io.LimitReader(rc, maxDocxXMLBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocxXMLBytes {
		return nil, fmt.Errorf("%s: %w", f.Name, ErrZipBomb)
	}
	return b, nil
}

func parseRels(b []byte) map[string]string {
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	out := map[string]string{}
	if xml.Unmarshal(b, &r) != nil {
		return out
	}
	for _, x := range r.Rels {
		if x.Mode == "External" {
			out[x.ID] = x.Target
		}
	}
	return out
}

const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
const relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

func docxText(b []byte, rels map[string]string, doc *Document) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var sb, para, link strings.Builder
	heading := false
	inText := false
	linkTarget := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "p":
				para.Reset()
				heading = false
			case "pStyle":
				for _, a := range t.Attr {
					if a.Name.Local == "val" {
						v := strings.ToLower(a.Value)
						heading = strings.HasPrefix(v, "heading") || v == "title"
					}
				}
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte(' ')
			case "hyperlink":
				linkTarget = ""
				link.Reset()
				for _, a := range t.Attr {
					if a.Name.Local == "id" && a.Name.Space == relNS {
						linkTarget = rels[a.Value]
					}
				}
			}
		case xml.EndElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "hyperlink":
				if linkTarget != "" {
					doc.Links = append(doc.Links, Link{Text: cleanSpace(link.String()), URL: linkTarget})
				}
				linkTarget = ""
			case "p":
				s := cleanSpace(para.String())
				if s != "" {
					sb.WriteString(s)
					sb.WriteByte('\n')
					if heading {
						doc.Headings = append(doc.Headings, s)
					}
				}
			}
		case xml.CharData:
			if inText {
				para.Write(t)
				if linkTarget != "" {
					link.Write(t)
				}
			}
		}
	}
	doc.Text = sb.String()
	return nil
}

func parseCoreProps(b []byte) (title string, dates []string) {
	var cp struct {
		Title    string `xml:"title"`
		Created  string `xml:"created"`
		Modified string `xml:"modified"`
	}
	if xml.Unmarshal(b, &cp) != nil {
		return "", nil
	}
	for _, v := range []string{cp.Modified, cp.Created} {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(v)); err == nil {
			dates = append(dates, t.UTC().Format("2006-01-02"))
		}
	}
	return cleanSpace(cp.Title), dates
}
