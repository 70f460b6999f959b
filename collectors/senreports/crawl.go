package senreports

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

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
	// related: a SEND policy or accessibility plan, listed as a runner-up
	// but never taken for the report.
	related bool
}

// page is a fetched HTML page of the site.
type page struct {
	doc  *fetch.Document
	page *extract.Page
}

// discovery is what a crawl of one site found.
type discovery struct {
	Home    string   // home page after redirects
	Pages   int      // HTML pages fetched
	Problem string   // why the crawl ended badly, if it did
	Notes   []string // non-fatal trouble (a page too large, a redirect refused)
	// Down is why the site (or its report) did not answer this time: a
	// network error, a timeout, HTTP 5xx or 429. Empty when it answered.
	Down   string
	broken []*candidate // candidates that answered 404/410
	pages  map[string]*page
	scope  *scope
	site   fetch.Scope // the fetch layer's URL policy for this site's pages and reports
}

// get fetches one of the site's pages or reports: a folder site's address is
// mapped into its folder first, then the fetch layer's site rule refuses
// other sites and redirects that leave this one.
func (d *discovery) get(ctx context.Context, g Getter, raw string, limit int64) (*fetch.Document, error) {
	t, err := d.scope.target(raw)
	if err != nil {
		return nil, err
	}
	return g.Get(ctx, t, fetch.MaxBytes(limit), fetch.Within(d.site))
}

// scope says which URLs belong to the school's site: the same registrable
// domain over http(s), or the same directory tree for file:// sites.
type scope struct {
	file  bool
	root  string          // file: directory prefix with trailing slash
	sites map[string]bool // http: registrable domains (or host:port for IPs and single labels)
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
		s.sites[fetch.SiteKey(u)] = true
	}
	return s
}

func (s *scope) in(u *url.URL) bool {
	if s.file {
		return u.Scheme == "file" && strings.HasPrefix(path.Clean(u.Path), s.root)
	}
	return (u.Scheme == "http" || u.Scheme == "https") && s.sites[fetch.SiteKey(u)]
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
		home, err = g.Get(ctx, homeTarget(tried[i]), fetch.MaxBytes(lim.MaxPageBytes), fetch.Within(fetch.SameSite(tried[i])))
		if err == nil || ctx.Err() != nil {
			break
		}
		// A refused redirect or address is the site's answer: trying the
		// https variant after it would only blur why (and call the site down).
		var rd *fetch.RedirectError
		var pe *fetch.PolicyError
		if errors.As(err, &rd) || errors.As(err, &pe) {
			break
		}
	}
	if err != nil {
		cr.d.Problem = "home page: " + describe(err)
		cr.d.failed(err)
		// robots.txt refusing the home page is how a site answering 5xx to
		// /robots.txt looks from here (the robots convention: disallow all);
		// either way nothing could be read this time.
		var re *fetch.RobotsError
		if cr.d.Down == "" && errors.As(err, &re) {
			cr.d.Down = describe(err)
		}
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
		p, err := parsePage(doc, d.scope, cr.lim.MaxPageBytes)
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
		if own+urlScore(d.scope.scoreURL(it.url)) >= minScore {
			c := addCandidate(cr.cands, it.url, p.Title, "html")
			c.Score = max(c.Score, own+urlScore(d.scope.scoreURL(it.url)))
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
			sc := textScore(l.Text) + urlScore(d.scope.scoreURL(key))
			if sc >= minScore {
				c := addCandidate(cr.cands, key, l.Text, format)
				c.Score = max(c.Score, sc)
				c.related = false
			} else if format != "html" && relatedDoc(l.Text, d.scope.scoreURL(key)) {
				if c := addCandidate(cr.cands, key, l.Text, format); c.Score < minScore {
					c.related = true
				}
			}
			if format == "html" && it.depth+1 <= cr.lim.MaxDepth {
				if h := hubScore(l.Text, d.scope.scoreURL(key)); h > 0 || sc > 0 {
					cr.push(key, it.depth+1, sc+h)
				}
			}
		}
	}
	if ctx.Err() != nil && d.Problem == "" {
		d.Problem = "site crawl stopped: " + describe(ctx.Err())
		d.failed(ctx.Err())
	}
}

// ranked lists the live candidates, best first. Among those that name the
// report outright (strong), the most recent school year comes first: a site
// listing its 2020-21 and 2021-22 reports means the 2021-22 one.
func (cr *crawler) ranked() []*candidate {
	var out []*candidate
	for _, c := range cr.cands {
		if c.Score >= minScore && !c.dead && !c.related {
			out = append(out, c)
		}
	}
	year := map[*candidate]int{}
	for _, c := range out {
		year[c] = candidateYear(c.Text, cr.d.scope.scoreURL(c.URL))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if sa, sb := a.Score >= strongScore, b.Score >= strongScore; sa != sb {
			return sa
		}
		if a.Score >= strongScore && year[a] != year[b] {
			return year[a] > year[b]
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if year[a] != year[b] {
			return year[a] > year[b]
		}
		return a.URL < b.URL
	})
	return out
}

// related lists the SEND policies and accessibility plans seen, by address.
func (cr *crawler) related() []*candidate {
	var out []*candidate
	for _, c := range cr.cands {
		if c.related && !c.dead {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

var anyYear = regexp.MustCompile(`(?:^|[^0-9])(20[0-4]\d)(?:[^0-9]|$)`)

// candidateYear is the latest year a candidate's link text or address names
// (a school year counts by its first year), 0 if none.
func candidateYear(text, u string) int {
	best := 0
	for _, s := range []string{text, u} {
		s = strings.ToLower(s)
		if m := yearMarker.FindString(s); m != "" {
			if y, err := strconv.Atoi(m[:4]); err == nil {
				best = max(best, y)
			}
		}
		for _, m := range anyYear.FindAllStringSubmatch(s, -1) {
			y, _ := strconv.Atoi(m[1])
			// The second year of "2021-22" is the end of a school year, not its start.
			if !strings.Contains(s, strconv.Itoa(y-1)) {
				best = max(best, y)
			}
		}
	}
	return best
}

// relatedDoc says a link is a SEND policy or an accessibility plan.
func relatedDoc(text, raw string) bool {
	t := normText(text + " " + nonAlnum.ReplaceAllString(strings.ToLower(raw), " "))
	if strings.Contains(t, "accessibility plan") {
		return true
	}
	return strings.Contains(t, "polic") && (hasWord(t, "send") || hasWord(t, "sen") || strings.Contains(t, "special educational") || hasWord(t, "inclusion"))
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
	d.failed(err)
}

// failed records the first error that means the site did not answer.
func (d *discovery) failed(err error) {
	if d.Down == "" && unreachable(err) {
		d.Down = describe(err)
	}
}

// unreachable says whether err means the site did not answer (a network
// error, a timeout, HTTP 5xx or 429, a connection cut short) rather than
// answering "no" (another 4xx such as 404, a robots.txt refusal, a redirect
// refused, a URL the fetch policy refuses, a document too large). What is not a clear "no" counts as no
// answer: wrongly keeping a reading for a few runs costs less than wrongly
// erasing one.
func unreachable(err error) bool {
	var rf *refused
	if err == nil || errors.Is(err, context.Canceled) || errors.As(err, &rf) {
		return false
	}
	var se *fetch.StatusError
	if errors.As(err, &se) {
		return se.Status >= 500 || se.Status == http.StatusTooManyRequests
	}
	var re *fetch.RobotsError
	var rd *fetch.RedirectError
	var tl *fetch.ErrTooLarge
	var pe *fetch.PolicyError
	return !errors.As(err, &re) && !errors.As(err, &rd) && !errors.As(err, &tl) && !errors.As(err, &pe)
}

// parsePage parses an HTML document; nil, nil when it is not HTML.
func parsePage(doc *fetch.Document, sc *scope, limit int64) (*extract.Page, error) {
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
	p, err := extract.ParseHTML(rc2, sc.pageBase(doc.FinalURL), limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.FinalURL, err)
	}
	sc.localLinks(p.Links)
	sc.localLinks(p.MainLinks)
	return p, nil
}

// refused is the crawler's own "no": a link outside a folder site, a
// document of a kind it does not read. The site answered; it is not down.
type refused struct{ msg string }

func (r *refused) Error() string { return r.msg }

func refusedf(format string, args ...any) error { return &refused{fmt.Sprintf(format, args...)} }

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
