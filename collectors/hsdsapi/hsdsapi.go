// Package hsdsapi collects an Open Referral API: HSDS 3.0 / Open Referral UK
// 3.0 (type hsds_api) and, with the ORUK 1.0 dialect, the older v1 APIs
// (type oruk_v1_api, see package orukv1). It walks /services page by page to
// the end, fetches /services/{id} when list items are not complete, runs
// incrementally with modified_after and sweeps the whole feed on a cadence so
// deletions are noticed.
package hsdsapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/internal/hsdspage"
	"github.com/localoffer/localoffer/schema"
)

// State keys kept in the pipeline's state.
const (
	StateLastFullSweep     = "last_full_sweep"
	StateLastModifiedAfter = "last_modified_after"
)

// Dialect is what differs between API generations.
type Dialect struct {
	Name string // for messages: "HSDS 3.0", "ORUK 1.0"
	// ModifiedAfter is the incremental query parameter; empty when the API has none.
	ModifiedAfter string
	// TaxonomyPath is the list of taxonomy terms under the base; empty when not fetched.
	TaxonomyPath string
	// UK: addresses without a country are in GB.
	UK bool
	// Conformance: grade the API against ORUK 3.0 on every run (the root,
	// the page envelope, details, optional endpoints).
	Conformance bool
}

// HSDS3 is HSDS 3.0 / Open Referral UK 3.0.
var HSDS3 = Dialect{Name: "HSDS 3.0", ModifiedAfter: "modified_after", TaxonomyPath: "taxonomy_terms", Conformance: true}

// Collector walks one API.
type Collector struct {
	Base    string // API base URL (…/services is appended)
	Opts    Options
	Dialect Dialect
	// IncrementalOverlap is subtracted from the last run's start for
	// modified_after, so clock skew between us and the server loses nothing.
	IncrementalOverlap time.Duration
	// ReadAhead is how many list pages are fetched ahead of the one being
	// handled (0: pagesAhead).
	ReadAhead int
}

// New returns an hsds_api collector for a base URL (a trailing /services is accepted).
func New(base string, o Options) *Collector {
	d := HSDS3
	d.UK = o.Profile == "uk"
	return &Collector{Base: TrimServices(base), Opts: o, Dialect: d, IncrementalOverlap: time.Hour}
}

// TrimServices removes a trailing /services from a base URL, so users may
// paste either the base or the list URL.
func TrimServices(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		return strings.TrimSuffix(strings.TrimRight(base, "/"), "/services")
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/services")
	u.RawPath = ""
	return u.String()
}

// Collect implements runner.Collector.
func (c *Collector) Collect(ctx context.Context, run *collect.Run) error {
	w := &walk{c: c, run: run, mapper: hsdsmap.New(run.Pipeline, c.Dialect.UK), seen: map[string]int{}}
	for k, v := range c.Opts.Headers {
		w.getOpts = append(w.getOpts, fetch.WithHeader(k, v))
	}
	full, since := c.plan(run)
	if c.Dialect.Conformance {
		w.checkRoot(ctx)
	}
	if c.Dialect.TaxonomyPath != "" {
		w.mapper.Terms = w.taxonomy(ctx)
	}
	query := url.Values{}
	if !full {
		query.Set(c.Dialect.ModifiedAfter, since.UTC().Format(time.RFC3339))
		run.Log.Info("incremental run", "modified_after", query.Get(c.Dialect.ModifiedAfter))
	}
	if err := walkPages(ctx, w, "services", query, w.servicePage); err != nil {
		return err
	}
	if c.Dialect.Conformance {
		w.checkDetail(ctx)
		w.checkOptionalEndpoints(ctx)
	}
	run.State.Set(StateLastModifiedAfter, run.Now.UTC().Format(time.RFC3339))
	if full {
		run.State.Set(StateLastFullSweep, run.Now.UTC().Format(time.RFC3339))
		run.FullSweep = true
	}
	run.Log.Info("feed walked", "services", len(w.seen), "full_sweep", full, "details_fetched", w.details)
	return nil
}

// plan decides between a full sweep and an incremental run since a time.
func (c *Collector) plan(run *collect.Run) (full bool, since time.Time) {
	if c.Dialect.ModifiedAfter == "" || c.Opts.Incremental == nil || !*c.Opts.Incremental {
		return true, time.Time{}
	}
	last, ok := run.State.Get(StateLastFullSweep)
	lastT, err := time.Parse(time.RFC3339, last)
	if !ok || err != nil || run.Now.Sub(lastT) >= c.Opts.FullSweepEvery {
		return true, time.Time{}
	}
	prev, ok := run.State.Get(StateLastModifiedAfter)
	prevT, err := time.Parse(time.RFC3339, prev)
	if !ok || err != nil {
		return true, time.Time{}
	}
	return false, prevT.Add(-c.IncrementalOverlap)
}

type walk struct {
	c       *Collector
	run     *collect.Run
	mapper  *hsdsmap.Mapper
	getOpts []fetch.GetOption
	seen    map[string]int // source service id → page first seen
	details int

	// Conformance: the first service of the list, whether a detail was
	// graded, and how /taxonomy_terms answered.
	firstID, firstName string
	detailChecked      bool
	taxonomyURL        string
	taxonomyErr        error
}

// warn records a per-item warning of a kind; the runner caps each kind.
func (w *walk) warn(kind, src, id, msg string) {
	w.run.Warning(kind, src, id, msg)
}

// url is the API base with escaped path segments appended and q merged
// into its query (which may carry an API key).
func (w *walk) url(q url.Values, segs ...string) (string, error) {
	u, err := url.Parse(w.c.Base)
	if err != nil {
		return "", fmt.Errorf("API base %q: %w", w.c.Base, err)
	}
	p, rp := strings.TrimRight(u.Path, "/"), strings.TrimRight(u.EscapedPath(), "/")
	for _, s := range segs {
		p += "/" + s
		rp += "/" + url.PathEscape(s)
	}
	u.Path, u.RawPath = p, rp
	merged := u.Query()
	for k, vs := range q {
		merged[k] = vs
	}
	u.RawQuery = merged.Encode()
	return u.String(), nil
}

// pageResult is one page fetched and decoded ahead of its processing.
type pageResult[T any] struct {
	n    int
	url  string
	doc  *fetch.Document
	page *hsdsmap.Page[T]
	// typeErr: some value had the wrong JSON type (the page is otherwise whole).
	typeErr error
	err     error
	// more: the walk goes on after this page.
	more bool
	// beyond: this page is past the total_pages an earlier page stated.
	beyond bool
}

// pagesAhead is how many list pages are fetched and decoded ahead of the
// page being handled, so page requests overlap each other, decoding and
// mapping. Every request still goes through the fetch layer's per-host rate
// limit and global concurrency; pages are handed over in order. A walk that
// stops early has asked for at most pagesAhead pages it does not use.
const pagesAhead = 3

// walkPages walks a paginated list. Pages are fetched and decoded up to
// ahead pages in front of handle (see pagesAhead). Only pages known to exist
// (at or below an earlier page's total_pages) are asked for ahead; past
// them the walk asks for one page at a time, after the page before said
// there are more, so it never runs past the end of the list.
func walkPages[T any](ctx context.Context, w *walk, list string, q url.Values, handle func(context.Context, *pageResult[T]) (int, string, error)) error {
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := w.c.ReadAhead
	if ahead <= 0 {
		ahead = pagesAhead
	}
	// Unbuffered: a page waiting to be handed over counts against ahead.
	results := make(chan *pageResult[T])
	opts := w.getOpts
	if list != "services" {
		// Lists beyond /services are optional in ORUK 3.0: their absence is no failure.
		opts = append(opts[:len(opts):len(opts)], fetch.Optional())
	}
	go producePages(ctx, w, list, q, opts, ahead, results)
	// However the walk ends, requests still in flight are cancelled and
	// waited for, so nothing is written after it returns.
	defer func() {
		cancel()
		for range results {
		}
	}()
	total := 0
	prevSig := ""
	var lastPage *pageResult[T]
	repeated := false // stopped on purpose: the server repeats its pages
	for r := range results {
		if r.n == 1 && list == "services" && w.c.Dialect.Conformance {
			checkFirstPage(w, r)
		}
		if r.err != nil {
			return r.err
		}
		if r.typeErr != nil {
			w.warn("type", r.url, "", fmt.Sprintf("page %d: %v; that value is left in the raw document", r.n, r.typeErr))
		}
		lastPage = r
		if r.beyond && len(r.page.Items) > 0 {
			w.run.Warn(r.url, "", fmt.Sprintf("total_pages said the list had fewer pages, but page %d has %d items", r.n, len(r.page.Items)))
		}
		items := len(r.page.Items)
		fresh, sig, err := handle(ctx, r)
		if err != nil {
			return err
		}
		total += items
		if fresh == 0 && items > 0 && sig == prevSig {
			// The same items as the page before: the server ignores the page parameter.
			w.run.Warn(r.url, "", fmt.Sprintf("page %d only repeats items already seen; stopping (the server may ignore the page parameter)", r.n))
			cancel()
			repeated = true
			break
		}
		prevSig = sig
	}
	if (lastPage == nil || lastPage.more) && !repeated {
		// The pages stopped coming before the end of the list: the walk
		// was cancelled (a run's max_duration, shutdown). It is not a
		// full walk, whatever was read.
		if err := outer.Err(); err != nil {
			return fmt.Errorf("walk %s: %w", w.c.Base+"/"+list, err)
		}
	}
	if list == "services" && lastPage != nil && lastPage.page.TotalItems.OK {
		// What the feed says it holds: a feed that says so and yields
		// nothing fails the run.
		w.run.Declare(int(lastPage.page.TotalItems.V))
	}
	if lastPage != nil && lastPage.page.TotalItems.OK && int(lastPage.page.TotalItems.V) != total && len(q) == 0 {
		w.run.Warn(lastPage.url, "", fmt.Sprintf("total_items says %d but the pages held %d items", int(lastPage.page.TotalItems.V), total))
		if list == "services" && w.c.Dialect.Conformance {
			w.check(CheckTotals, 2, false, lastPage.url, fmt.Sprintf("total_items says %d but the pages held %d items", int(lastPage.page.TotalItems.V), total))
		}
	} else if lastPage != nil && len(q) == 0 && list == "services" && w.c.Dialect.Conformance {
		w.check(CheckTotals, 2, true, lastPage.url, "")
	}
	return nil
}

// pending is a page being fetched and decoded; done closes when r is set.
type pending[T any] struct {
	r    *pageResult[T]
	done chan struct{}
}

// producePages fetches the pages of a list into results, in order, at most
// ahead of them fetched or in flight and not yet taken by the handler. It
// ends at the end of the list, on the first failed page (which it hands
// over), past max_pages (an error it hands over), or when ctx ends.
func producePages[T any](ctx context.Context, w *walk, list string, q url.Values, opts []fetch.GetOption, ahead int, results chan<- *pageResult[T]) {
	defer close(results)
	var window []*pending[T] // in page order
	// Requests still in flight when the walk ends are cancelled and waited for.
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		for _, p := range window {
			<-p.done
		}
	}()
	perPage, maxPages := w.c.Opts.PerPage, w.c.Opts.MaxPages
	launch := func(n int) *pending[T] {
		p := &pending[T]{done: make(chan struct{})}
		go func() {
			defer close(p.done)
			pq := url.Values{}
			for k, v := range q {
				pq[k] = v
			}
			pq.Set("page", strconv.Itoa(n))
			pq.Set("per_page", strconv.Itoa(perPage))
			u, err := w.url(pq, list)
			r := &pageResult[T]{n: n, url: u, err: err}
			if err == nil {
				r.doc, r.page, r.typeErr, r.err = fetchPage[T](ctx, w, u, opts)
			}
			p.r = r
		}()
		return p
	}
	next := 1        // the next page to ask for
	statedPages := 0 // total_pages as the latest page handed over stated it
	for {
		// The first page, and each page after one that said there are
		// more, is asked for alone; pages an earlier total_pages vouches
		// for are asked for ahead.
		for len(window) < ahead && next <= maxPages && (len(window) == 0 || next <= statedPages) {
			window = append(window, launch(next))
			next++
		}
		if len(window) == 0 {
			select {
			case results <- &pageResult[T]{n: next, err: fmt.Errorf("pagination of %s did not end after %d pages (max_pages): the feed may repeat its last page forever", w.c.Base+"/"+list, maxPages)}:
			case <-ctx.Done():
			}
			return
		}
		head := window[0]
		select {
		case <-head.done:
		case <-ctx.Done():
			return
		}
		window = window[1:]
		r := head.r
		r.beyond = statedPages > 0 && r.n > statedPages
		if r.err == nil {
			r.more = morePages(r.page, r.n, perPage)
			if r.page.TotalPages.OK {
				statedPages = int(r.page.TotalPages.V)
			}
		}
		select {
		case results <- r:
		case <-ctx.Done():
			return
		}
		if r.err != nil || !r.more {
			return
		}
	}
}

// morePages decides whether to ask for the page after page n, by the one
// end-of-list rule shared with `localoffer validate` (internal/hsdspage).
func morePages[T any](p *hsdsmap.Page[T], n, perPage int) bool {
	s := hsdspage.Said{Items: len(p.Items), Bare: p.Bare, Last: p.Last.V, HasLast: p.Last.OK}
	if p.TotalPages.OK {
		s.TotalPages, s.HasTotalPages = hsdspage.Count(p.TotalPages.V)
	}
	if p.Size.OK {
		s.Size, s.HasSize = hsdspage.Count(p.Size.V)
	}
	return hsdspage.More(n, perPage, s)
}

// fetchPage fetches and decodes one list page. The page is decoded from the
// bytes the response brought (the fetch layer still stores the document),
// not read back from the store.
func fetchPage[T any](ctx context.Context, w *walk, u string, opts []fetch.GetOption) (*fetch.Document, *hsdsmap.Page[T], error, error) {
	doc, err := w.run.Fetch.Get(ctx, u, append(opts[:len(opts):len(opts)], fetch.KeepBody())...)
	if err != nil {
		return nil, nil, nil, err
	}
	body, err := doc.UTF8()
	if err != nil {
		return nil, nil, nil, err
	}
	page, err := hsdsmap.DecodePageBytes[T](body)
	var fe *hsdsmap.FieldError
	if errors.As(err, &fe) {
		return doc, page, err, nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", u, err)
	}
	return doc, page, nil, nil
}

// servicePage maps and emits one page's services; it returns how many were
// new and the page's ids (to recognise a page served again).
func (w *walk) servicePage(ctx context.Context, r *pageResult[hsdsmap.Service]) (int, string, error) {
	src := hsdsmap.SourceOf(r.doc)
	fresh := 0
	var sig strings.Builder
	for i := range r.page.Items {
		s := &r.page.Items[i]
		id := s.ID.String()
		sig.WriteString(id)
		sig.WriteByte(0)
		if id == "" {
			w.warn("no_id", r.url, "", fmt.Sprintf("page %d item %d (%q) has no id; skipped", r.n, i, s.Name.String()))
			continue
		}
		if first, dup := w.seen[id]; dup {
			w.warn("duplicate", r.url, id, fmt.Sprintf("service %s on page %d was already on page %d; duplicate ignored", id, r.n, first))
			continue
		}
		w.seen[id] = r.n
		fresh++
		if w.firstID == "" {
			w.firstID, w.firstName = id, s.Name.String()
		}
		itemSrc := src
		if w.needsDetail(s) {
			if d, dsrc, ok := w.detail(ctx, id, s.Name.String()); ok {
				s, itemSrc = &d, dsrc
			}
		}
		if err := w.emit(ctx, s, itemSrc, r.url); err != nil {
			return fresh, "", err
		}
	}
	// The page's services are mapped (the records share none of their
	// memory): the next page is decoded into the same array.
	r.page.Release()
	return fresh, sig.String(), nil
}

func (w *walk) emit(ctx context.Context, s *hsdsmap.Service, src hsdsmap.Source, pageURL string) error {
	recs, warns := w.mapper.Records(s, src)
	for _, m := range warns {
		w.warn("mapping", src.URL, s.ID.String(), m)
	}
	for _, rec := range recs {
		if err := w.run.Emit(ctx, rec); err != nil {
			return fmt.Errorf("emit %s %s from %s: %w", rec.Kind, rec.ID(), pageURL, err)
		}
	}
	return nil
}

// needsDetail: list items often carry only the service's own fields; the
// nested locations and contacts come from /services/{id}.
func (w *walk) needsDetail(s *hsdsmap.Service) bool {
	switch w.c.Opts.FetchDetails {
	case "always":
		return true
	case "never":
		return false
	}
	return len(s.ServiceAtLocations) == 0 && len(s.Contacts) == 0 && len(s.Phones) == 0 &&
		len(s.Schedules) == 0 && len(s.RegularSchedules) == 0
}

// detail fetches /services/{id}. A failure is a warning: the list item is
// still loaded.
func (w *walk) detail(ctx context.Context, id, listName string) (hsdsmap.Service, hsdsmap.Source, bool) {
	var s hsdsmap.Service
	u, err := w.url(nil, "services", id)
	if err != nil {
		return s, hsdsmap.Source{}, false
	}
	doc, err := w.run.Fetch.Get(ctx, u, w.getOpts...)
	if err != nil {
		w.warn("detail", u, id, fmt.Sprintf("service detail: %v; using the list item", err))
		return s, hsdsmap.Source{}, false
	}
	w.details++
	rc, err := doc.OpenUTF8()
	if err != nil {
		w.warn("detail", u, id, fmt.Sprintf("service detail: %v; using the list item", err))
		return s, hsdsmap.Source{}, false
	}
	defer rc.Close()
	if err := hsdsmap.DecodeObject(rc, &s); err != nil {
		var fe *hsdsmap.FieldError
		if !errors.As(err, &fe) {
			w.warn("detail", u, id, fmt.Sprintf("service detail: %v; using the list item", err))
			return s, hsdsmap.Source{}, false
		}
		w.warn("detail", u, id, fmt.Sprintf("service detail: %v", err))
	}
	if w.c.Dialect.Conformance {
		w.gradeDetail(u, id, listName, &s)
	}
	if s.ID.String() != id {
		w.warn("detail", u, id, fmt.Sprintf("service detail has id %q, not %q; using the list item", s.ID.String(), id))
		return s, hsdsmap.Source{}, false
	}
	return s, hsdsmap.SourceOf(doc), true
}

// taxonomy reads /taxonomy_terms when the API has it; its absence is normal.
func (w *walk) taxonomy(ctx context.Context) map[string]*schema.TaxonomyTerm {
	terms := map[string]*schema.TaxonomyTerm{}
	err := walkPages(ctx, w, w.c.Dialect.TaxonomyPath, nil, func(_ context.Context, r *pageResult[hsdsmap.TaxonomyTerm]) (int, string, error) {
		fresh := 0
		var sig strings.Builder
		for i := range r.page.Items {
			t := &r.page.Items[i]
			id := t.ID.String()
			sig.WriteString(id)
			sig.WriteByte(0)
			if id != "" && terms[id] == nil {
				terms[id] = w.mapper.Term(t)
				fresh++
			}
		}
		return fresh, sig.String(), nil
	})
	w.taxonomyURL, w.taxonomyErr = w.c.Base+"/"+w.c.Dialect.TaxonomyPath, err
	if err != nil {
		if !fetch.IsNotFound(err) {
			w.run.Warn(w.c.Base+"/"+w.c.Dialect.TaxonomyPath, "", fmt.Sprintf("taxonomy terms not read: %v", err))
		}
		return nil
	}
	return terms
}
