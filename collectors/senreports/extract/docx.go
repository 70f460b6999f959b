package extract

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/localoffer/localoffer/internal/archive"
)

// docxLimits: a report is a few hundred KB of XML; anything far beyond is a
// zip bomb or not a report.
var docxLimits = archive.Limits{
	MaxEntries:    2000,
	MaxEntryBytes: 16 << 20,
	MaxTotalBytes: 64 << 20,
	MaxRatio:      200,
	RatioFloor:    1 << 20,
}

// ErrZipBomb is returned for archives whose declared or actual sizes exceed the limits.
var ErrZipBomb = archive.ErrLimit

// DOCX reads a Word document's text, headings, hyperlinks and core-properties dates.
func DOCX(data []byte, u string) (Document, error) {
	doc := Document{URL: u, Format: "docx"}
	zr, err := archive.NewReader(bytes.NewReader(data), int64(len(data)), u, docxLimits)
	if err != nil {
		return doc, fmt.Errorf("open DOCX %s: %w", u, err)
	}
	main, ok := zr.Lookup("word/document.xml")
	if !ok {
		return doc, fmt.Errorf("open DOCX %s: no word/document.xml (not a Word document)", u)
	}
	rels := map[string]string{}
	if name, ok := zr.Lookup("word/_rels/document.xml.rels"); ok {
		if b, err := zr.ReadAll(name, 0); err == nil {
			rels = parseRels(b)
		}
	}
	body, err := zr.ReadAll(main, 0)
	if err != nil {
		return doc, fmt.Errorf("read DOCX %s: %w", u, err)
	}
	if err := docxText(body, rels, &doc); err != nil {
		return doc, fmt.Errorf("parse DOCX %s: %w", u, err)
	}
	if name, ok := zr.Lookup("docProps/core.xml"); ok {
		if b, err := zr.ReadAll(name, 0); err == nil {
			doc.Title, doc.MetaDates = parseCoreProps(b)
			doc.MetaSource = "docx_metadata"
		}
	}
	doc.Links = append(doc.Links, urlsInText(doc.Text)...)
	return doc, nil
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
