// Package extract turns one fetched SEN information report (HTML, PDF or DOCX)
// into text and then into findings: which Schedule 1 items it covers, the
// SENCO's contact details, the kinds of need it names, its date and any
// pre-2014 terminology.
package extract

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Link is one anchor: its visible text and absolute target.
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Page is an HTML page reduced to what discovery and extraction need.
type Page struct {
	Title string
	// Headings are h1–h6 texts of the main content, in document order.
	Headings []string
	// Text is the main content's text, one block per line (nav, header,
	// footer, scripts and cookie banners removed).
	Text string
	// Links are every anchor on the page (navigation included: that is where
	// schools link their SEND pages); MainLinks only those in the main content.
	Links     []Link
	MainLinks []Link
}

// Document is the text of a report in any format, ready for Analyze.
type Document struct {
	URL      string
	Format   string // html | pdf | docx
	Title    string
	Headings []string
	Text     string
	Links    []Link
	// MetaDates are dates from the document's own metadata (PDF Info
	// dictionary, DOCX core properties), newest first, as YYYY-MM-DD.
	MetaDates []string
	// MetaSource names where MetaDates came from (pdf_metadata, docx_metadata).
	MetaSource string
}

// ParseHTML reads at most limit bytes of an HTML page. base resolves relative links.
func ParseHTML(r io.Reader, base *url.URL, limit int64) (*Page, error) {
	root, err := html.Parse(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	doc := goquery.NewDocumentFromNode(root)
	p := &Page{}
	p.Title = cleanSpace(doc.FindMatcher(selTitle).First().Text())
	if base != nil {
		if b, ok := doc.FindMatcher(selBase).First().Attr("href"); ok {
			if bu, err := base.Parse(strings.TrimSpace(b)); err == nil {
				base = bu
			}
		}
	}
	p.Links = links(doc.Selection, base)
	// h1s often sit in a <header> that the boilerplate pass removes; keep them.
	var h1s []string
	doc.FindMatcher(selH1).Each(func(_ int, h *goquery.Selection) {
		if t := cleanSpace(h.Text()); t != "" {
			h1s = append(h1s, t)
		}
	})

	// Boilerplate goes before the main content is chosen, so a <main> wrapped
	// around a cookie banner still loses the banner.
	doc.FindMatcher(selBoilerplate).Remove()
	doc.FindMatcher(selIDClass).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return isBoilerplate(s.AttrOr("id", "")) || isBoilerplate(s.AttrOr("class", ""))
	}).Remove()

	main := mainContent(doc)
	var b textBuilder
	b.walk(main.Nodes...)
	p.Text = b.String()
	p.Headings = b.headings
	for i := len(h1s) - 1; i >= 0; i-- {
		if !containsString(p.Headings, h1s[i]) {
			p.Headings = append([]string{h1s[i]}, p.Headings...)
		}
	}
	p.MainLinks = links(main, base)
	return p, nil
}

// Document turns a parsed page into a report document.
func (p *Page) Document(u string) Document {
	return Document{URL: u, Format: "html", Title: p.Title, Headings: p.Headings, Text: p.Text, Links: p.MainLinks}
}

var boilerplateWords = []string{"cookie", "consent", "gdpr", "breadcrumb", "skip-link", "skiplink", "navbar",
	"site-header", "site-footer", "masthead", "mega-menu", "megamenu", "social-share", "share-buttons", "newsletter-signup",
	"translate", "popup", "modal"}

func isBoilerplate(attr string) bool {
	if attr == "" {
		return false
	}
	a := strings.ToLower(attr)
	for _, w := range boilerplateWords {
		if strings.Contains(a, w) {
			return true
		}
	}
	for _, f := range strings.Fields(a) {
		switch f {
		case "nav", "menu", "sidebar", "footer", "header", "topbar":
			return true
		}
	}
	return false
}

// Selectors are compiled once: compiling them per page was a visible cost.
var (
	selTitle       = cascadia.MustCompile("title")
	selBase        = cascadia.MustCompile("base[href]")
	selH1          = cascadia.MustCompile("h1")
	selAnchor      = cascadia.MustCompile("a[href]")
	selIDClass     = cascadia.MustCompile("[id], [class]")
	selBoilerplate = cascadia.MustCompile("script, style, noscript, template, svg, iframe, nav, header, footer, form, button, select, " +
		"[role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]")
	// selMain finds the main content, most specific first.
	selMain = func() []cascadia.Selector {
		var out []cascadia.Selector
		for _, s := range []string{"main", "[role=main]", "article", "#content", "#main-content", "#maincontent", ".main-content", "#main", ".content", ".page-content", ".entry-content"} {
			out = append(out, cascadia.MustCompile(s))
		}
		return out
	}()
)

func mainContent(doc *goquery.Document) *goquery.Selection {
	for _, sel := range selMain {
		if s := doc.FindMatcher(sel); s.Length() > 0 {
			// The longest candidate wins: some themes put a tiny <article> teaser before the real one.
			best, bestLen := s.First(), 0
			s.Each(func(_ int, c *goquery.Selection) {
				if n := len(c.Text()); n > bestLen {
					best, bestLen = c, n
				}
			})
			if bestLen > 200 {
				return best
			}
		}
	}
	if b := doc.Find("body"); b.Length() > 0 {
		return b
	}
	return doc.Selection
}

func links(s *goquery.Selection, base *url.URL) []Link {
	var out []Link
	s.FindMatcher(selAnchor).Each(func(_ int, a *goquery.Selection) {
		href := strings.TrimSpace(a.AttrOr("href", ""))
		if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
			return
		}
		text := cleanSpace(a.Text())
		if text == "" {
			text = cleanSpace(a.AttrOr("title", a.AttrOr("aria-label", "")))
		}
		abs := href
		if base != nil {
			u, err := base.Parse(href)
			if err != nil {
				return
			}
			u.Fragment = ""
			abs = u.String()
		}
		out = append(out, Link{Text: text, URL: abs})
	})
	return out
}

// textBuilder flattens a node tree to lines, one per block element.
type textBuilder struct {
	sb       strings.Builder
	line     strings.Builder
	headings []string
}

func (b *textBuilder) walk(nodes ...*html.Node) {
	for _, n := range nodes {
		b.node(n)
	}
	b.flush()
}

func (b *textBuilder) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.line.WriteString(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.node(c)
		}
		return
	default:
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template:
		return
	case atom.Br:
		b.flush()
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		b.flush()
		start := b.sb.Len()
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.node(c)
		}
		b.flush()
		if h := strings.TrimSpace(b.sb.String()[start:]); h != "" {
			b.headings = append(b.headings, h)
		}
		return
	case atom.Td, atom.Th:
		b.line.WriteByte(' ')
	}
	block := isBlock(n.DataAtom)
	if block {
		b.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.node(c)
	}
	if block {
		b.flush()
	}
}

func (b *textBuilder) flush() {
	if b.line.Len() == 0 {
		return
	}
	// Clean straight into the text: one allocation less per line of every page.
	n := b.sb.Len()
	writeClean(&b.sb, b.line.String())
	b.line.Reset()
	if b.sb.Len() > n {
		b.sb.WriteByte('\n')
	}
}

// writeClean writes cleanSpace(s) to w.
func writeClean(w *strings.Builder, s string) {
	space, wrote := false, false
	for i := 0; i < len(s); {
		c := s[i]
		n := 0
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			n = 1
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // U+00A0
			n = 2
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x8B: // U+200B
			n = 3
		}
		if n > 0 {
			space = true
			i += n
			continue
		}
		if space && wrote {
			w.WriteByte(' ')
		}
		space, wrote = false, true
		w.WriteByte(c)
		i++
	}
}

func (b *textBuilder) String() string { return b.sb.String() }

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Tr, atom.Table, atom.Section,
		atom.Article, atom.Main, atom.Blockquote, atom.Pre, atom.Address, atom.Figcaption, atom.Details, atom.Summary,
		atom.Caption, atom.Hr, atom.Body, atom.Aside:
		return true
	}
	return false
}

// cleanSpace collapses runs of white space (including NBSP and zero-width
// space) to one space and trims the ends. It works on bytes: both odd spaces
// are multi-byte in UTF-8, so other text is copied untouched.
func cleanSpace(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		n := 0
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			n = 1
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // U+00A0
			n = 2
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x8B: // U+200B
			n = 3
		}
		if n > 0 {
			space = true
			i += n
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
		i++
	}
	return string(b)
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
