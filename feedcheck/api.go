package feedcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/internal/hsdspage"
	"github.com/localoffer/localoffer/schema"
)

// fetched is one API response.
type fetched struct {
	status int
	body   []byte
	ctype  string
	took   time.Duration
	err    error // transport failure or oversize body
}

func (k *Checker) get(ctx context.Context, u string) fetched {
	start := time.Now()
	resp, err := k.opts.Fetch(ctx, u)
	return fetched{status: resp.Status, body: resp.Body, ctype: resp.ContentType, took: time.Since(start), err: err}
}

// plainFetcher is the Fetcher used when none is given.
func plainFetcher(c *http.Client, maxBody int64) Fetcher {
	return func(ctx context.Context, u string) (Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return Response{}, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "localoffer-validate (+https://github.com/localoffer/localoffer)")
		resp, err := c.Do(req)
		if err != nil {
			return Response{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(&limitedReader{r: resp.Body, left: maxBody, limit: maxBody})
		return Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, err
	}
}

// decode turns a response into a JSON tree, adding problems at the level
// given (1 for required endpoints, 2 for optional ones).
func (k *Checker) decode(f fetched, u string, level int, r *Report) (any, bool) {
	if f.err != nil {
		r.add(Issue{Level: level, Code: "endpoint", Message: "request failed: " + f.err.Error(), Where: u})
		return nil, false
	}
	if f.status != http.StatusOK {
		r.add(Issue{Level: level, Code: "endpoint", Message: fmt.Sprintf("HTTP %d %s", f.status, http.StatusText(f.status)), Where: u})
		return nil, false
	}
	mt, _, _ := mime.ParseMediaType(f.ctype)
	skip, problem := sniff(f.body)
	if problem != "" {
		r.add(Issue{Level: level, Code: "not_json", Message: fmt.Sprintf("%s (Content-Type %q)", problem, f.ctype), Where: u})
		return nil, false
	}
	v, err := schema.ParseJSON(f.body[skip:])
	if err != nil {
		where := u
		var se *schema.SyntaxError
		if errors.As(err, &se) {
			where = fmt.Sprintf("%s (byte %d of %d)", u, se.Offset, len(f.body))
		}
		r.add(Issue{Level: level, Code: "syntax", Message: "malformed JSON: " + err.Error(), Where: where})
		return nil, false
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		r.add(Issue{Level: 2, Code: "content_type", Message: fmt.Sprintf("JSON served as Content-Type %q; use application/json", f.ctype), Where: u})
	}
	return v, true
}

func join(base, path string, q url.Values) string {
	u := strings.TrimRight(base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// checkAPI checks an HSDS 3.0 API: GET /, every page of /services, a sample
// of /services/{id}, and the optional list endpoints.
func (k *Checker) checkAPI(ctx context.Context, base string, r *Report) error {
	if _, err := url.Parse(base); err != nil {
		return unusable("%s: %v", base, err)
	}
	// GET / (required)
	root := join(base, "/", nil)
	f := k.get(ctx, root)
	if f.err != nil && f.status == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return unusable("%s does not answer: %v", base, f.err)
	}
	ep := r.endpoint("/", true)
	v, ok := k.decode(f, root, 1, r)
	ep.observe(f.status, f.took, !ok)
	if ok {
		if obj, isObj := v.(map[string]any); isObj {
			k.checkAPIDetails(obj, root, r)
		} else {
			r.add(Issue{Level: 1, Code: "schema", Message: "GET / must return an object describing the API", Where: root})
		}
	}

	ids := k.walkServices(ctx, base, r)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// GET /services/{id} for a sample spread over the list (required).
	ep = r.endpoint("/services/{id}", true)
	for _, id := range sample(ids, k.opts.Sample) {
		u := join(base, "/services/"+url.PathEscape(id), nil)
		f := k.get(ctx, u)
		v, ok := k.decode(f, u, 1, r)
		ep.observe(f.status, f.took, !ok)
		if !ok {
			continue
		}
		got := k.checkEntity(v, "service", u, r)
		if got != id {
			r.add(Issue{Level: 1, Code: "endpoint", Pointer: "/id", Message: fmt.Sprintf("asked for service %s, got %q", id, got), Where: u})
		}
	}
	if len(ids) == 0 {
		r.add(Issue{Level: 2, Code: "endpoint", Message: "no services listed, so /services/{id} was not tried", Where: join(base, "/services/{id}", nil)})
	}

	// Optional list endpoints: first page each.
	for _, opt := range []struct{ path, entity string }{
		{"/taxonomies", "taxonomy"}, {"/taxonomy_terms", "taxonomy_term"},
		{"/service_at_locations", "service_at_location"}, {"/organizations", "organization"},
	} {
		u := join(base, opt.path, url.Values{"page": {"1"}, "per_page": {strconv.Itoa(min(k.opts.PerPage, 50))}})
		f := k.get(ctx, u)
		ep := r.endpoint(opt.path, false)
		if f.err == nil && (f.status == http.StatusNotFound || f.status == http.StatusNotImplemented || f.status == http.StatusMethodNotAllowed) {
			ep.observe(f.status, f.took, true)
			r.add(Issue{Level: 2, Code: "optional_endpoint", Message: fmt.Sprintf("optional endpoint %s is not available (HTTP %d)", opt.path, f.status), Where: u})
			continue
		}
		v, ok := k.decode(f, u, 2, r)
		ep.observe(f.status, f.took, !ok)
		if !ok {
			continue
		}
		page, isObj := v.(map[string]any)
		items, isArr := page["contents"].([]any)
		if !isObj || !isArr {
			r.add(Issue{Level: 2, Code: "pagination", Message: opt.path + " did not return a Page with contents", Where: u})
			continue
		}
		k.checkPageMeta(page, len(items), u, r)
		for i, it := range items {
			k.checkEntity(it, opt.entity, fmt.Sprintf("%s contents/%d", u, i), r)
		}
	}
	return nil
}

// walkServices reads every page of /services, checking each page's metadata
// against what arrived, and returns the service ids in order.
func (k *Checker) walkServices(ctx context.Context, base string, r *Report) []string {
	ep := r.endpoint("/services", true)
	var all []string
	seen := map[string]string{} // id → page URL
	totalItems, totalPages := -1, -1
	for page := 1; page <= k.opts.MaxPages; page++ {
		if ctx.Err() != nil {
			return all
		}
		u := join(base, "/services", url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(k.opts.PerPage)}})
		f := k.get(ctx, u)
		v, ok := k.decode(f, u, 1, r)
		ep.observe(f.status, f.took, !ok)
		if !ok {
			return all
		}
		obj, isObj := v.(map[string]any)
		items, isArr := obj["contents"].([]any)
		if !isObj || !isArr {
			r.add(Issue{Level: 1, Code: "pagination", Message: "/services did not return a Page with a contents array", Where: u})
			return all
		}
		r.Pages++
		k.checkPageMeta(obj, len(items), u, r)
		if n, ok := obj["page_number"].(float64); ok && int(n) != page {
			r.add(Issue{Level: 1, Code: "pagination", Pointer: "/page_number", Message: fmt.Sprintf("asked for page %d, page_number says %d", page, int(n)), Where: u})
		}
		if t, ok := obj["total_items"].(float64); ok {
			if totalItems >= 0 && int(t) != totalItems {
				r.add(Issue{Level: 2, Code: "pagination", Pointer: "/total_items", Message: fmt.Sprintf("total_items changed from %d to %d while paging", totalItems, int(t)), Where: u})
			}
			totalItems = int(t)
		}
		said := hsdspage.Said{Items: len(items)}
		if t, ok := obj["total_pages"].(float64); ok {
			said.TotalPages, said.HasTotalPages = hsdspage.Count(t)
			if said.HasTotalPages {
				totalPages = said.TotalPages
			}
		}
		if n, ok := obj["size"].(float64); ok {
			said.Size, said.HasSize = hsdspage.Count(n)
		}
		said.Last, said.HasLast = obj["last_page"].(bool)
		fresh := 0
		for i, it := range items {
			where := fmt.Sprintf("%s contents/%d", u, i)
			id := k.checkEntity(it, "service", where, r)
			if id == "" {
				continue
			}
			if p, dup := seen[id]; dup {
				r.add(Issue{Level: 1, Code: "duplicate_id", Pointer: "/id", Message: "duplicate id: service appears on more than one page (or twice on one), first at " + p, Record: "service " + id, Where: where})
				continue
			}
			seen[id] = u
			all = append(all, id)
			fresh++
		}
		if len(items) == 0 {
			if totalPages >= 0 && page < totalPages {
				r.add(Issue{Level: 1, Code: "pagination", Message: fmt.Sprintf("page %d is empty but total_pages says %d", page, totalPages), Where: u})
			}
			break
		}
		if fresh == 0 {
			r.add(Issue{Level: 1, Code: "pagination", Message: "this page brings no new services: is the page parameter ignored?", Where: u})
			break
		}
		// The end of the list, by the rule the collector uses too.
		if !hsdspage.More(page, k.opts.PerPage, said) {
			break
		}
		if page == k.opts.MaxPages {
			r.add(Issue{Level: 2, Code: "pagination", Message: fmt.Sprintf("stopped after %d pages", k.opts.MaxPages), Where: u})
		}
	}
	if totalItems >= 0 && totalItems != len(all) {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: "/total_items",
			Message: fmt.Sprintf("total_items says %d but walking every page gave %d distinct services", totalItems, len(all)), Where: join(base, "/services", nil)})
	}
	return all
}

// sample picks up to n ids spread evenly over the list.
func sample(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, ids[i*len(ids)/n])
	}
	return out
}
