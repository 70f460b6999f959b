package senreports

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
)

// Getter is the part of the shared fetch layer the crawler uses; robots.txt,
// per-host rate limits, retries and size limits are its job.
type Getter interface {
	Get(ctx context.Context, url string, opts ...fetch.GetOption) (*fetch.Document, error)
}

// crawlLimits bound the crawl of one site.
type crawlLimits struct {
	MaxDepth     int
	MaxPages     int
	MaxSubPages  int   // pages of a report split across sub-pages
	MaxPageBytes int64 // an HTML page larger than this is skipped
	MaxDocBytes  int64 // a report document (PDF, DOCX) larger than this is skipped
}

// Scores at or above minScore make a candidate; at or above strongScore the
// crawl stops early (the report is named outright).
const (
	minScore    = 5
	strongScore = 14
)

// candidate is a document that may be the report.
type candidate struct {
	URL    string
	Score  float64
	Format string // by extension until fetched: html | pdf | docx
	Text   string // the best link text pointing at it
	dead   bool   // it would not open (404, robots.txt, not a document)
}

// page is a fetched HTML page of the site.
type page struct {
	doc  *fetch.Document
	page *extract.Page
}

// discovery is what a crawl of one site found.
type discovery struct {
	Home    string       // home page after redirects
	Pages   int          // HTML pages fetched
	Problem string       // why the crawl ended badly, if it did
	Notes   []string     // non-fatal trouble (a page too large, a redirect refused)
	broken  []*candidate // candidates that answered 404/410
	pages   map[string]*page
	scope   *scope
	site    fetch.Scope // the fetch layer's URL policy for this site's pages and reports
}

// get fetches one of the site's pages or reports under the site rule: the
// fetch layer refuses other sites and redirects that leave this one.
func (d *discovery) get(ctx context.Context, g Getter, u string, limit int64) (*fetch.Document, error) {
	return g.Get(ctx, u, fetch.MaxBytes(limit), fetch.Within(d.site))
}

// scope says which URLs belong to the school's site: the same registrable
// domain over http(s), or the same directory tree for file:// sites.
type scope struct {
	file  bool
	root  string          // file: directory prefix with trailing slash
	sites map[string]bool // http: registrable domains (or host:port for IPs and single labels)
}

func siteKey(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	if net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		// Loopback test servers and intranet names: the port tells sites apart.
		return u.Host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return d
	}
	return h
}

func newScope(urls ...string) *scope {
	s := &scope{sites: map[string]bool{}}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		if u.Scheme == "file" {
			s.file = true
			dir := path.Dir(u.Path)
			if !strings.HasSuffix(dir, "/") {
				dir += "/"
			}
			if s.root == "" || len(dir) < len(s.root) {
				s.root = dir
			}
			continue
		}
		s.sites[siteKey(u)] = true
	}
	return s
}

func (s *scope) in(u *url.URL) bool {
	if s.file {
		return u.Scheme == "file" && strings.HasPrefix(path.Clean(u.Path), s.root)
	}
	return (u.Scheme == "http" || u.Scheme == "https") && s.sites[siteKey(u)]
}

// frontier is a priority queue of pages to open, most promising first.
type frontier []*queued

type queued struct {
	url      string
	depth    int
	priority float64
	seq      int
}

func (f frontier) Len() int { return len(f) }
func (f frontier) Less(i, j int) bool {
	if f[i].priority != f[j].priority {
		return f[i].priority > f[j].priority
	}
	if f[i].depth != f[j].depth {
		return f[i].depth < f[j].depth
	}
	return f[i].seq < f[j].seq
}
func (f frontier) Swap(i, j int) { f[i], f[j] = f[j], f[i] }
func (f *frontier) Push(x any)   { *f = append(*f, x.(*queued)) }
func (f *frontier) Pop() any {
	old := *f
	x := old[len(old)-1]
	*f = old[:len(old)-1]
	return x
}

// homeURLs turns a website as written in GIAS or pipelines.yaml into the
// addresses to try: "www.school.sch.uk" → http://…, then https://….
func homeURLs(site string) []string {
	site = strings.TrimSpace(site)
	if site == "" {
		return nil
	}
	lower := strings.ToLower(site)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "file://") {
		return []string{site}
	}
	site = strings.TrimPrefix(strings.TrimPrefix(site, "//"), "://")
	if !strings.Contains(site, "/") {
		site += "/"
	}
	return []string{"http://" + site, "https://" + site}
}

// normURL drops the fragment and resolves dot segments, so one page is one key.
func normURL(u *url.URL) string {
	c := *u
	c.Fragment = ""
	c.RawFragment = ""
	if c.Path != "" {
		trailing := strings.HasSuffix(c.Path, "/")
		c.Path = path.Clean(c.Path)
		if trailing && c.Path != "/" {
			c.Path += "/"
		}
		c.RawPath = ""
	}
	c.Host = strings.ToLower(c.Host)
	return c.String()
}

// crawler is one site's best-first crawl. It stops as soon as a strong
// candidate is known and can be resumed if that candidate turns out dead.
type crawler struct {
	g       Getter
	lim     crawlLimits
	d       *discovery
	cands   map[string]*candidate
	seen    map[string]bool
	pending map[string]*fetch.Document
	q       frontier
	seq     int
	capped  bool
}

// discover fetches a school's home page and prepares the crawl of its site;
// d.Problem is set when the site cannot be reached.
func discover(ctx context.Context, g Getter, site string, lim crawlLimits) *crawler {
	cr := &crawler{g: g, lim: lim, d: &discovery{pages: map[string]*page{}}, cands: map[string]*candidate{},
		seen: map[string]bool{}, pending: map[string]*fetch.Document{}}
	tried := homeURLs(site)
	if len(tried) == 0 {
		cr.d.Problem = "no website address"
		return cr
	}
	var home *fetch.Document
	var err error
	for i := 0; i < len(tried); i++ {
		// The address comes from source data (GIAS): the URL policy keeps it
		// to http(s) on a public host and refuses a redirect off its site.
		home, err = g.Get(ctx, tried[i], fetch.MaxBytes(lim.MaxPageBytes), fetch.Within(fetch.SameSite(tried[i])))
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		cr.d.Problem = "home page: " + describe(err)
		return cr
	}
	cr.d.Home = home.FinalURL
	cr.d.scope = newScope(home.FinalURL)
	cr.d.site = fetch.SameSite(home.FinalURL)
	key := normStr(home.FinalURL)
	cr.seen[normStr(tried[0])] = true
	cr.seen[key] = true
	cr.pending[key] = home
	heap.Push(&cr.q, &queued{url: key, depth: 0, priority: 1e9})
	return cr
}

func (cr *crawler) push(u string, depth int, pri float64) {
	if cr.seen[u] {
		return
	}
	cr.seen[u] = true
	cr.seq++
	heap.Push(&cr.q, &queued{url: u, depth: depth, priority: pri, seq: cr.seq})
}

// done reports whether the crawl can go no further.
func (cr *crawler) done(ctx context.Context) bool {
	return cr.d.scope == nil || cr.q.Len() == 0 || cr.capped || ctx.Err() != nil
}

// crawl opens pages until a live strong candidate is known or the crawl is done.
func (cr *crawler) crawl(ctx context.Context) {
	d := cr.d
	for !cr.done(ctx) {
		if d.Pages >= cr.lim.MaxPages {
			cr.capped = true
			break
		}
		if cr.bestScore() >= strongScore {
			break
		}
		it := heap.Pop(&cr.q).(*queued)
		doc := cr.pending[it.url]
		delete(cr.pending, it.url)
		if doc == nil {
			var err error
			doc, err = cr.d.get(ctx, cr.g, it.url, cr.lim.MaxPageBytes)
			if err != nil {
				d.note(err)
				if c := cr.cands[it.url]; c != nil {
					c.dead = true
					if fetch.IsNotFound(err) {
						d.broken = append(d.broken, c)
					}
				}
				continue
			}
		}
		d.Pages++
		p, err := parsePage(doc, cr.lim.MaxPageBytes)
		if err != nil {
			d.note(err)
			continue
		}
		if p == nil { // not HTML: a document linked as a page
			c := addCandidate(cr.cands, it.url, "", formatOf(doc.ContentType, it.url, nil))
			c.Format = formatOf(doc.ContentType, it.url, nil)
			continue
		}
		pg := &page{doc: doc, page: p}
		d.pages[it.url] = pg
		d.pages[normStr(doc.FinalURL)] = pg
		// The page itself is a candidate by its title and main heading.
		own := textScore(p.Title)
		if len(p.Headings) > 0 {
			own = max(own, textScore(p.Headings[0]))
		}
		if own+urlScore(it.url) >= minScore {
			c := addCandidate(cr.cands, it.url, p.Title, "html")
			c.Score = max(c.Score, own+urlScore(it.url))
		}
		for _, l := range p.Links {
			lu, err := url.Parse(l.URL)
			if err != nil || !d.scope.in(lu) {
				continue // off-site links are never followed
			}
			key := normURL(lu)
			format := linkFormat(key)
			if format == "other" {
				continue
			}
			sc := textScore(l.Text) + urlScore(key)
			if sc >= minScore {
				c := addCandidate(cr.cands, key, l.Text, format)
				c.Score = max(c.Score, sc)
			}
			if format == "html" && it.depth+1 <= cr.lim.MaxDepth {
				if h := hubScore(l.Text, key); h > 0 || sc > 0 {
					cr.push(key, it.depth+1, sc+h)
				}
			}
		}
	}
	if ctx.Err() != nil && d.Problem == "" {
		d.Problem = "site crawl stopped: " + describe(ctx.Err())
	}
}

// ranked lists the live candidates, best first.
func (cr *crawler) ranked() []*candidate {
	var out []*candidate
	for _, c := range cr.cands {
		if c.Score >= minScore && !c.dead {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].URL < out[j].URL
	})
	return out
}

func normStr(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return normURL(u)
}

func addCandidate(m map[string]*candidate, u, text, format string) *candidate {
	c := m[u]
	if c == nil {
		c = &candidate{URL: u, Format: format, Text: text}
		m[u] = c
	}
	if c.Text == "" {
		c.Text = text
	}
	return c
}

func (cr *crawler) bestScore() float64 {
	best := 0.0
	for _, c := range cr.cands {
		if !c.dead {
			best = max(best, c.Score)
		}
	}
	return best
}

func (d *discovery) note(err error) {
	if len(d.Notes) < 20 {
		d.Notes = append(d.Notes, describe(err))
	}
}

// parsePage parses an HTML document; nil, nil when it is not HTML.
func parsePage(doc *fetch.Document, limit int64) (*extract.Page, error) {
	rc, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := rc.Read(head)
	if formatOf(doc.ContentType, doc.FinalURL, head[:n]) != "html" {
		return nil, nil
	}
	rc2, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc2.Close()
	base, _ := url.Parse(doc.FinalURL)
	p, err := extract.ParseHTML(rc2, base, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.FinalURL, err)
	}
	return p, nil
}

// describe turns a fetch error into the short reason recorded on the report.
func describe(err error) string {
	var re *fetch.RobotsError
	var rd *fetch.RedirectError
	var se *fetch.StatusError
	var tl *fetch.ErrTooLarge
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &re):
		return "disallowed by robots.txt: " + re.URL
	case errors.As(err, &rd):
		return fmt.Sprintf("redirect refused (%s): %s → %s", rd.Reason, rd.From, rd.To)
	case errors.As(err, &se):
		return fmt.Sprintf("HTTP %d at %s", se.Status, se.URL)
	case errors.As(err, &tl):
		return fmt.Sprintf("document larger than %d bytes", tl.Limit)
	case errors.As(err, &dns):
		return "site unreachable: no such host " + dns.Name
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &op):
		return "site unreachable: " + op.Err.Error()
	}
	return err.Error()
}

// siteTimeout bounds one site's whole crawl so a tarpit cannot hold a worker.
func siteTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return 5 * time.Minute
	}
	return d
}
