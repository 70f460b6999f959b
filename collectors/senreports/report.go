package senreports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
)

// report is the chosen document (and its sub-pages) ready for analysis.
type report struct {
	cand      *candidate
	format    string
	docs      []*fetch.Document // the report, then any sub-pages
	runnersUp []string
	broken    []*candidate // candidates that answered 404/410
	// text is filled lazily: a report unchanged since the last run is not read again.
	read func(ctx context.Context) (extract.Document, error)
}

// sha is the report's identity: the hash of its document(s) in order.
func (r *report) sha() string {
	if len(r.docs) == 1 {
		return r.docs[0].SHA256
	}
	h := sha256.New()
	for _, d := range r.docs {
		h.Write([]byte(d.SHA256))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// maxTries bounds how many candidates are fetched before giving up.
const maxTries = 6

// choose crawls until a strong candidate is known, then opens the best
// candidates in turn; when all of them fail it resumes the crawl.
func choose(ctx context.Context, cr *crawler, pdf extract.PDF) (*report, []string) {
	var notes []string
	tries := 0
	for {
		cr.crawl(ctx)
		finished := cr.done(ctx)
		for _, c := range cr.ranked() {
			if tries >= maxTries || ctx.Err() != nil {
				break
			}
			if !finished && c.Score < strongScore {
				break // weaker candidates wait until the crawl has nothing better
			}
			tries++
			r, err := open(ctx, cr.g, cr.d, c, cr.lim, pdf)
			if err != nil {
				c.dead = true
				if fetch.IsNotFound(err) {
					cr.d.broken = append(cr.d.broken, c)
				}
				notes = append(notes, describe(err))
				if unreachable(err) {
					// The report did not answer this time: keeping the last
					// reading beats settling for a weaker candidate.
					cr.d.failed(err)
					return &report{broken: cr.d.broken}, notes
				}
				continue
			}
			for _, o := range cr.ranked() {
				if o != c && len(r.runnersUp) < 3 {
					r.runnersUp = append(r.runnersUp, o.URL)
				}
			}
			// The SEND policy and accessibility plan sit beside the report.
			for _, o := range cr.related() {
				if len(r.runnersUp) < 5 {
					r.runnersUp = append(r.runnersUp, o.URL)
				}
			}
			r.broken = cr.d.broken
			return r, notes
		}
		if tries >= maxTries || cr.done(ctx) {
			break
		}
	}
	if cr.capped && cr.d.Problem == "" {
		cr.d.Problem = fmt.Sprintf("page cap reached (%d pages) without finding a report", cr.lim.MaxPages)
	}
	return &report{broken: cr.d.broken}, notes
}

func open(ctx context.Context, g Getter, d *discovery, c *candidate, lim crawlLimits, pdf extract.PDF) (*report, error) {
	if p := d.pages[c.URL]; p != nil {
		return htmlReport(ctx, g, d, c, p, lim), nil
	}
	limit := lim.MaxDocBytes
	if c.Format == "html" {
		limit = lim.MaxPageBytes
	}
	doc, err := d.get(ctx, g, c.URL, limit)
	if err != nil {
		return nil, err
	}
	head, err := headOf(doc)
	if err != nil {
		return nil, err
	}
	r := &report{cand: c, format: formatOf(doc.ContentType, doc.FinalURL, head), docs: []*fetch.Document{doc}}
	switch r.format {
	case "html":
		pg, err := parsePage(doc, d.scope, lim.MaxPageBytes)
		if err != nil {
			return nil, err
		}
		if pg == nil {
			return nil, refusedf("%s: not a readable page", c.URL)
		}
		return htmlReport(ctx, g, d, c, &page{doc: doc, page: pg}, lim), nil
	case "pdf":
		r.read = func(ctx context.Context) (extract.Document, error) {
			return pdf.Extract(ctx, doc.BlobPath(), c.URL)
		}
	case "docx":
		r.read = func(context.Context) (extract.Document, error) {
			b, err := doc.Bytes()
			if err != nil {
				return extract.Document{}, err
			}
			return extract.DOCX(b, c.URL)
		}
	default:
		return nil, refusedf("%s: unsupported document type %q", c.URL, doc.ContentType)
	}
	return r, nil
}

func headOf(doc *fetch.Document) ([]byte, error) {
	rc, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, 512)
	n, _ := rc.Read(b)
	return b[:n], nil
}

var questionLike = regexp.MustCompile(`^(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):\-]|\?\s*$`)

// htmlReport builds an HTML report; a report split over sub-pages ("the 13
// questions") has its sub-pages fetched and read as one.
func htmlReport(ctx context.Context, g Getter, d *discovery, c *candidate, p *page, lim crawlLimits) *report {
	r := &report{cand: c, format: "html", docs: []*fetch.Document{p.doc}}
	pages := []*extract.Page{p.page}
	base, _ := url.Parse(p.doc.FinalURL)
	prefix, dir := subPrefix(base.Path)
	seen := map[string]bool{normStr(p.doc.FinalURL): true, c.URL: true}
	for _, l := range p.page.Links {
		if len(pages) > lim.MaxSubPages || ctx.Err() != nil {
			break
		}
		lu, err := url.Parse(l.URL)
		if err != nil || d.scope == nil || !d.scope.in(lu) || linkFormat(l.URL) != "html" {
			continue
		}
		key := normURL(lu)
		if seen[key] || key == normStr(d.Home) {
			continue
		}
		under := strings.HasPrefix(lu.Path, prefix) && lu.Path != prefix
		sibling := path.Dir(lu.Path) == dir && questionLike.MatchString(strings.TrimSpace(l.Text))
		if !under && !sibling {
			continue
		}
		seen[key] = true
		sp := d.pages[key]
		if sp == nil {
			doc, err := d.get(ctx, g, key, lim.MaxPageBytes)
			if err != nil {
				d.note(err)
				continue
			}
			pg, err := parsePage(doc, d.scope, lim.MaxPageBytes)
			if err != nil || pg == nil {
				continue
			}
			sp = &page{doc: doc, page: pg}
		}
		r.docs = append(r.docs, sp.doc)
		pages = append(pages, sp.page)
	}
	r.read = func(context.Context) (extract.Document, error) {
		doc := pages[0].Document(c.URL)
		var text strings.Builder
		text.WriteString(doc.Text)
		for _, sp := range pages[1:] {
			text.WriteString(sp.Text)
			doc.Headings = append(doc.Headings, sp.Headings...)
			doc.Links = append(doc.Links, sp.MainLinks...)
		}
		doc.Text = text.String()
		return doc, nil
	}
	return r
}

// subPrefix: the path under which a report's sub-pages live, and its directory.
func subPrefix(p string) (prefix, dir string) {
	dir = path.Dir(p)
	if strings.HasSuffix(p, "/") {
		return p, strings.TrimSuffix(p, "/")
	}
	base := path.Base(p)
	stem := strings.TrimSuffix(base, path.Ext(base))
	switch strings.ToLower(stem) {
	case "index", "default", "home":
		return strings.TrimSuffix(dir, "/") + "/", dir
	}
	return strings.TrimSuffix(p, path.Ext(p)) + "/", dir
}
