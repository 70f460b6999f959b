package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/senreports/internal/pdfgen"
)

var now = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func TestReportDate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		doc        Document
		lastMod    string
		date, from string
	}{
		{"reviewed day month year", Document{Text: "SEN Information Report\nReviewed: 18th September 2025\n"}, "", "2025-09-18", DateText},
		{"updated numeric UK order", Document{Text: "Last updated 03/10/2025 by the SENCO\n"}, "", "2025-10-03", DateText},
		{"newest stated date wins", Document{Text: "Approved: July 2023\nReviewed: September 2024\n"}, "", "2024-09-01", DateText},
		{"date on the next line", Document{Text: "Date reviewed:\nAutumn Term 2025\n"}, "", "2025-09-01", DateText},
		{"next review less a year", Document{Text: "Date of next review: September 2026\n"}, "", "2025-09-01", DateNextReview},
		{"implausible future date ignored", Document{Text: "Reviewed: 1 January 2035\n", Title: "SEN report 2024-25"}, "", "2024-09-01", DateTitle},
		{"school year in title", Document{Title: "SEND Information Report 2023/24 | Example School"}, "", "2023-09-01", DateTitle},
		{"month year in heading", Document{Headings: []string{"Welcome", "SEN Information Report – September 2022"}}, "", "2022-09-01", DateHeading},
		{"year pair in URL", Document{URL: "https://s.example.sch.uk/wp-content/uploads/SEN-Report-2021-22-final.pdf"}, "", "2021-09-01", DateURL},
		{"uploads folder in URL", Document{URL: "https://s.example.sch.uk/wp-content/uploads/2024/03/senir.pdf"}, "", "2024-03-01", DateURL},
		{"PDF metadata", Document{URL: "https://s.example/report.pdf", MetaDates: []string{"2025-06-30"}, MetaSource: "pdf_metadata"}, "", "2025-06-30", "pdf_metadata"},
		{"Last-Modified is weak", Document{URL: "https://s.example/send"}, "Tue, 04 Mar 2025 10:00:00 GMT", "2025-03-04", DateHTTPWeak},
		{"nothing", Document{URL: "https://s.example/send", Text: "We support all children."}, "", "", ""},
		{"not a year pair", Document{Title: "Tel 2023 - 2099"}, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(tc.doc, Options{Now: now, LastModified: tc.lastMod})
			if r.ReportDate != tc.date || r.ReportDateSource != tc.from {
				t.Errorf("date %q from %q, want %q from %q", r.ReportDate, r.ReportDateSource, tc.date, tc.from)
			}
		})
	}
}

func TestSENCO(t *testing.T) {
	for _, tc := range []struct{ text, name, email, phone string }{
		{"Our SENCO is Mrs Jane Smith. Email senco@school.example.sch.uk or call 023 9283 1234.", "Mrs Jane Smith", "senco@school.example.sch.uk", "023 9283 1234"},
		{"SENDCo: Mr J. Patel\nEmail: office@school.example.org", "Mr J. Patel", "office@school.example.org", ""},
		{"Please contact Miss O'Neill (SENCo) on 02392 123456.", "Miss O'Neill", "", "02392 123456"},
		{"Inclusion Lead – Sam Rivers\nTel: +44 (0)23 9200 1111", "Sam Rivers", "", "+44 (0)23 9200 1111"},
		{"The Special Educational Needs Co-ordinator can be reached at admin@x.example.sch.uk. For SEN queries write to inclusion@x.example.sch.uk",
			"", "inclusion@x.example.sch.uk", ""},
		{"We have no named contact.", "", "", ""},
	} {
		r := Analyze(Document{Text: tc.text}, Options{Now: now})
		if r.SENCOName != tc.name || r.SENCOEmail != tc.email || r.SENCOPhone != tc.phone {
			t.Errorf("%q:\n got %q %q %q\nwant %q %q %q", tc.text, r.SENCOName, r.SENCOEmail, r.SENCOPhone, tc.name, tc.email, tc.phone)
		}
	}
}

func TestLegacyTermsAndNeeds(t *testing.T) {
	r := Analyze(Document{Text: "Pupils at School Action Plus or with a Statement of Special Educational Needs have an IEP. " +
		"We support pupils with Autistic Spectrum Disorder and hearing impairment."}, Options{Now: now})
	if got := strings.Join(r.LegacyTerms, ","); got != "School Action Plus,Statement of SEN" {
		t.Errorf("legacy terms %q (School Action alone must not be counted inside School Action Plus)", got)
	}
	if got := strings.Join(r.NeedCodes, ","); got != "HI,ASD" {
		t.Errorf("need codes %q, want HI,ASD", got)
	}
}

func TestHTMLMainContent(t *testing.T) {
	page := `<html><head><title>SEND | School</title><base href="/sub/"></head><body>
<div class="cookie-consent">We use cookies. Updated 1 May 2019.</div>
<header><h1>SEN Information Report</h1><nav><a href="send.html">SEND</a></nav></header>
<main><p>We support pupils with <b>dyslexia</b>.</p><ul><li>One</li><li>Two</li></ul>
<a href="https://www.portsmouthlocaloffer.org/">Local Offer</a><script>var reviewed = "2001";</script></main>
<footer>Reviewed 2 June 2019</footer></body></html>`
	base, _ := url.Parse("https://school.example.sch.uk/about/")
	p, err := ParseHTML(strings.NewReader(page), base, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "SEND | School" || len(p.Headings) == 0 || p.Headings[0] != "SEN Information Report" {
		t.Errorf("title %q headings %q", p.Title, p.Headings)
	}
	want := "We support pupils with dyslexia.\nOne\nTwo\nLocal Offer\n"
	if p.Text != want {
		t.Errorf("text %q, want %q (no banner, nav, footer or script)", p.Text, want)
	}
	if len(p.Links) != 2 || p.Links[0].URL != "https://school.example.sch.uk/sub/send.html" {
		t.Errorf("links %+v; want nav link resolved against <base>", p.Links)
	}
	if len(p.MainLinks) != 1 {
		t.Errorf("main links %+v, want only the Local Offer", p.MainLinks)
	}
}

func docx(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const docxBody = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>SEN Information Report 2024-25</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Our SENCO is </w:t></w:r><w:r><w:t>Mrs Lucy Fox</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:r><w:t>See the </w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>Portsmouth Local Offer</w:t></w:r></w:hyperlink></w:p>
</w:body></w:document>`

func TestDOCX(t *testing.T) {
	data := docx(t, map[string]string{
		"word/document.xml": docxBody,
		"word/_rels/document.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.portsmouthlocaloffer.org/" TargetMode="External"/></Relationships>`,
		"docProps/core.xml": `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>SEN report</dc:title><dcterms:modified>2024-10-01T09:00:00Z</dcterms:modified></cp:coreProperties>`,
	})
	doc, err := DOCX(data, "https://s.example/report.docx")
	if err != nil {
		t.Fatal(err)
	}
	r := Analyze(doc, Options{Now: now})
	if r.SENCOName != "Mrs Lucy Fox" || r.LocalOfferURL != "https://www.portsmouthlocaloffer.org/" {
		t.Errorf("senco %q local offer %q", r.SENCOName, r.LocalOfferURL)
	}
	if r.ReportDate != "2024-09-01" || r.ReportDateSource != DateHeading {
		t.Errorf("date %q from %q, want 2024-09-01 from the heading", r.ReportDate, r.ReportDateSource)
	}
	if doc.Title != "SEN report" || len(doc.MetaDates) != 1 || doc.MetaDates[0] != "2024-10-01" {
		t.Errorf("core properties: title %q dates %v", doc.Title, doc.MetaDates)
	}
}

func TestDOCXZipBomb(t *testing.T) {
	// 40 MB of one repeated byte compresses to ~40 KB: over both the size and ratio limits.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("word/document.xml")
	chunk := bytes.Repeat([]byte{'a'}, 1<<20)
	for i := 0; i < 40; i++ {
		w.Write(chunk)
	}
	zw.Close()
	_, err := DOCX(b.Bytes(), "https://s.example/bomb.docx")
	if !errors.Is(err, ErrZipBomb) {
		t.Fatalf("err %v, want ErrZipBomb", err)
	}
	if _, err := DOCX([]byte("not a zip"), "x.docx"); err == nil {
		t.Error("garbage accepted as DOCX")
	}
}

func TestPDFToolMissing(t *testing.T) {
	_, err := PDF{ToText: "/nonexistent/pdftotext"}.Extract(context.Background(), "/dev/null", "https://s.example/r.pdf")
	if !errors.Is(err, ErrNoPDFTool) || !strings.Contains(err.Error(), "poppler-utils") {
		t.Fatalf("err %v, want ErrNoPDFTool naming poppler-utils", err)
	}
}

func TestPDFBroken(t *testing.T) {
	if err := (PDF{}).Available(); err != nil {
		t.Skip(err)
	}
	f := t.TempDir() + "/broken.pdf"
	if err := os.WriteFile(f, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := PDF{Timeout: 5 * time.Second}.Extract(context.Background(), f, "https://s.example/broken.pdf")
	if err == nil && strings.TrimSpace(doc.Text) != "" {
		t.Errorf("broken PDF gave text %q", doc.Text)
	}
}

// TestRealWorldPatterns covers the wording of issue 14, as real reports write it.
func TestRealWorldPatterns(t *testing.T) {
	for _, tc := range []struct{ name, html, senco, email, phone string }{
		{"role written out, initial run into surname",
			`<p>Special Educational Needs and Disabilities Co-ordinator – Mrs. A.Jones</p>`, "Mrs. A.Jones", "", ""},
		{"SEND Coordinator label", `<p>SEND Coordinator: Gemma Shaw</p><p>Telephone number 01924 326708</p>`, "Gemma Shaw", "", "01924 326708"},
		{"SENDCO with bracketed acronym", `<p>Name of Special Educational Needs Coordinator (SENCO) – Lindsay Connor</p>`, "Lindsay Connor", "", ""},
		{"SENDCo box on one line",
			`<p>Please contact the SENDCo: Mr J. Smith  j.smith@oak.example.sch.uk  01234 567890</p>`, "Mr J. Smith", "j.smith@oak.example.sch.uk", "01234 567890"},
		{"table cells", `<table><tr><th>SENCO</th><td>Miss A Khan</td><td>senco@oak.example.sch.uk</td><td>01234 567891</td></tr></table>`,
			"Miss A Khan", "senco@oak.example.sch.uk", "01234 567891"},
		{"definition list, no title", `<dl><dt>SENDCO</dt><dd>Priya Patel</dd><dt>Email</dt><dd>inclusion@oak.example.sch.uk</dd></dl>`,
			"Priya Patel", "inclusion@oak.example.sch.uk", ""},
		{"Inclusion Lead", `<p>Our Inclusion Lead is Dr R. Patel, who can be reached on 023 9200 1111.</p>`, "Dr R. Patel", "", "023 9200 1111"},
		{"Head of Inclusion", `<p>Head of Inclusion: Mr K Obi</p>`, "Mr K Obi", "", ""},
		{"SEND Leader", `<p>Send Leader - Nathan Randell</p><p>Email address - prie-send.leaders@coop.example.uk</p>`,
			"Nathan Randell", "prie-send.leaders@coop.example.uk", ""},
		{"own address far from the role",
			`<p>Mrs Bernice Youll is the Head of SEND/Special Educational Needs Co-Ordinator.</p>` + strings.Repeat("<p>Our staff are trained in many areas of need.</p>", 10) +
				`<p>Staff can be contacted on the Academy number: 01207 292180 or through the school email address.</p><p>Staff can also be contacted directly at b.youll@nda.example.uk</p>` +
				`<p>SENDIASS can be contacted on 0191 5873541.</p>`, "Mrs Bernice Youll", "b.youll@nda.example.uk", "01207 292180"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseHTML(strings.NewReader("<html><body><main>"+tc.html+"</main></body></html>"), nil, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			r := Analyze(p.Document("https://oak.example.sch.uk/send"), Options{Now: now})
			if r.SENCOName != tc.senco || r.SENCOEmail != tc.email || r.SENCOPhone != tc.phone {
				t.Errorf("got %q %q %q, want %q %q %q\ntext: %q", r.SENCOName, r.SENCOEmail, r.SENCOPhone, tc.senco, tc.email, tc.phone, p.Text)
			}
		})
	}

	for _, tc := range []struct{ name, text, date, from string }{
		{"inline in the opening sentence", "The SEND information report, March 2023, sets out our provision.\n", "2023-03-01", DateOpening},
		{"updated with a two-digit year", "SEN Information Report\nUpdated: Sept 23\n", "2023-09-01", DateText},
		{"reviewed in a term", "Reviewed Autumn 2023\n", "2023-09-01", DateText},
		{"next review less a year", "Date of next review: July 2024\n", "2023-07-01", DateNextReview},
		{"school year with a slash", "SEN Information Report 2023/24\nOur school…\n", "2023-09-01", DateOpening},
		{"school year on the line under the name", "SEND Information Report\n2023-2024\nWelcome.\n", "2023-09-01", DateOpening},
		{"written beats review date", "Written: October 2015\nReview date: September 2016\n", "2015-10-01", DateText},
		{"a policy's own date is not the report's",
			"The following report details our provision for September 2018 -2019.\nThe SEN policy (updated Spring 2017) is on our website.\n", "2018-09-01", DateOpening},
		{"day after month", "The SEN Information Report was reviewed and updated on May 9th 2019.\n", "2019-05-09", DateText},
		{"an Act's year is no report date", "In the 2014 Children and Families Act, all schools must publish an Information Report.\n", "", ""},
		{"the law's date is no report date", "One of these is the SEND Information Report which becomes statutory in September 2014 under the Children and Families Act 2014.\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(Document{Text: tc.text}, Options{Now: now})
			if r.ReportDate != tc.date || r.ReportDateSource != tc.from {
				t.Errorf("date %q from %q, want %q from %q", r.ReportDate, r.ReportDateSource, tc.date, tc.from)
			}
		})
	}
}

// TestItemsNotSaidInPassing: words that name an item in another sense do not cover it.
func TestItemsNotSaidInPassing(t *testing.T) {
	r := Analyze(Document{Text: "A child has a disability which prevents or hinders them from making use of educational facilities of a kind generally provided.\n" +
		"Special educational provision is educational or training provision that is additional.\n" +
		"We work in strong parent partnerships.\n" +
		"Sacred Heart Catholic Voluntary School\n" +
		"EHC plans (used to be known as Statements of Special Educational Needs) are reviewed annually.\n" +
		"Our speech and language therapist visits weekly.\n"}, Options{Now: now})
	for _, item := range []string{"equipment_facilities", "staff_expertise_training", "parent_support_services"} {
		if slices.Contains(r.ItemsPresent, item) {
			t.Errorf("%s counted from a word used in another sense", item)
		}
	}
	if len(r.LegacyTerms) != 0 || len(r.NeedCodes) != 0 {
		t.Errorf("legacy terms %v, need codes %v; want none (a historical mention, a therapist)", r.LegacyTerms, r.NeedCodes)
	}
}

// TestPDFContactBox: a report PDF's "contact the SENDCo" box, name, e-mail
// and phone on one line and in the lines under it, read back with pdftotext.
func TestPDFContactBox(t *testing.T) {
	if err := (PDF{}).Available(); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		name  string
		lines []string
	}{
		{"one line", []string{"SEND Information Report 2024-25", "", "If you have a concern, contact the SENDCo:   Mrs. A.Jones   a.jones@oak.example.sch.uk   01234 567890", "", "We support pupils with autism."}},
		{"next lines", []string{"SEND Information Report 2024-25", "", "SENDCo", "Mrs. A.Jones", "a.jones@oak.example.sch.uk", "01234 567890", "", "We support pupils with autism."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.pdf")
			if err := os.WriteFile(path, pdfgen.Doc{Lines: tc.lines}.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			doc, err := PDF{}.Extract(context.Background(), path, "https://oak.example.sch.uk/r.pdf")
			if err != nil {
				t.Fatal(err)
			}
			r := Analyze(doc, Options{Now: now})
			if r.SENCOName != "Mrs. A.Jones" || r.SENCOEmail != "a.jones@oak.example.sch.uk" || r.SENCOPhone != "01234 567890" {
				t.Errorf("got %q %q %q from %q", r.SENCOName, r.SENCOEmail, r.SENCOPhone, doc.Text)
			}
		})
	}
}

// TestLayoutTable: pdftotext -layout keeps a contacts table's columns apart
// with runs of spaces; label and value share a line.
func TestLayoutTable(t *testing.T) {
	text := "Key contacts\n" +
		"SENDCo                          Mr J. Smith\n" +
		"Email                           j.smith@elm.example.sch.uk\n" +
		"Telephone                       01632 960123\n" +
		"SEND Governor                   [name]\n"
	r := Analyze(Document{Text: pdfLines([]byte(text))}, Options{Now: now})
	if r.SENCOName != "Mr J. Smith" || r.SENCOEmail != "j.smith@elm.example.sch.uk" || r.SENCOPhone != "01632 960123" {
		t.Errorf("got %q %q %q", r.SENCOName, r.SENCOEmail, r.SENCOPhone)
	}
}

// TestRegulationsRestated: a report that copies the Regulations' list of what
// it must contain has not thereby said what the school does.
func TestRegulationsRestated(t *testing.T) {
	text := "SEN Information Report\n" +
		"The information required is set out in the SEND Regulations 2014 and must include information about:\n" +
		"the kinds of special educational needs that are provided for\n" +
		"arrangements for consulting parents of children with SEN and involving them in their child’s education\n" +
		"the expertise and training of staff to support children and young people with SEN\n" +
		"Our staff are trained in Makaton.\n"
	r := Analyze(Document{Text: text}, Options{Now: now})
	for _, item := range []string{"kinds_of_sen", "consulting_parents"} {
		if slices.Contains(r.ItemsPresent, item) {
			t.Errorf("%s counted from the Regulations' list", item)
		}
	}
	if !slices.Contains(r.ItemsPresent, "staff_expertise_training") {
		t.Error("staff_expertise_training: the school's own sentence after the list was missed")
	}
}
