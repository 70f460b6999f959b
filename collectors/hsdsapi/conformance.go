package hsdsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsmap"
)

// Conformance checks, named as the health report and the conformance table
// show them. Level 1 is what the ORUK validator requires of an ORUK 3.0 API
// (the root, /services and /services/{id} answering, a valid page envelope);
// level 2 what it recommends (consistent totals, details that match the list,
// optional endpoints that either work or say they are not implemented).
const (
	CheckRoot          = "root_endpoint"
	CheckServices      = "services_endpoint"
	CheckServiceDetail = "service_detail_endpoint"
	CheckEnvelope      = "page_envelope"
	CheckTotals        = "pagination_totals"
	CheckDetailMatches = "detail_matches_list"
	checkOptional      = "optional_endpoint:"
)

// optionalEndpoints are the ORUK 3.0 lists beyond /services. An API may leave
// them out: 404, 501 or 503 is "not implemented", which the ORUK validator
// accepts; any other error is a failure.
var optionalEndpoints = []string{"organizations", "service_at_locations", "taxonomies", "taxonomy_terms"}

func (w *walk) check(name string, level int, passed bool, u, detail string) {
	w.run.Checked(collect.Check{Name: name, Level: level, Passed: passed, URL: u, Detail: detail})
}

// checkRoot reads GET / and checks that it says which standard it follows.
func (w *walk) checkRoot(ctx context.Context) {
	u, err := w.url(nil)
	if err != nil {
		return
	}
	u = strings.TrimRight(u, "/") + "/"
	doc, err := w.run.Fetch.Get(ctx, u, append(w.getOpts, fetch.MaxBytes(1<<20))...)
	if err != nil {
		w.check(CheckRoot, 1, false, u, err.Error())
		return
	}
	rc, err := doc.OpenUTF8()
	if err != nil {
		w.check(CheckRoot, 1, false, u, err.Error())
		return
	}
	defer rc.Close()
	var root struct {
		Version    any    `json:"version"`
		Profile    string `json:"profile"`
		OpenAPIURL string `json:"openapi_url"`
	}
	if err := json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&root); err != nil {
		w.check(CheckRoot, 1, false, u, "not a JSON object: "+err.Error())
		return
	}
	var missing []string
	if root.Version == nil || fmt.Sprint(root.Version) == "" {
		missing = append(missing, "version")
	}
	if root.OpenAPIURL == "" {
		missing = append(missing, "openapi_url")
	}
	if len(missing) > 0 {
		w.check(CheckRoot, 1, false, u, "lacks "+strings.Join(missing, ", "))
		return
	}
	w.check(CheckRoot, 1, true, u, fmt.Sprintf("version %v, profile %q", root.Version, root.Profile))
}

// checkFirstPage grades /services from its first page.
func checkFirstPage[T any](w *walk, r *pageResult[T]) {
	if r.err != nil {
		w.check(CheckServices, 1, false, r.url, r.err.Error())
		return
	}
	w.check(CheckServices, 1, true, r.url, "")
	var missing []string
	p := r.page
	if p.Bare {
		w.check(CheckEnvelope, 1, false, r.url, "a bare JSON array, not a page object")
		return
	}
	for _, f := range []struct {
		name string
		ok   bool
	}{{"total_items", p.TotalItems.OK}, {"total_pages", p.TotalPages.OK}, {"page_number", p.PageNumber.OK},
		{"size", p.Size.OK}, {"first_page", p.First.OK}, {"last_page", p.Last.OK}, {"empty", p.Empty.OK}} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		w.check(CheckEnvelope, 1, false, r.url, "missing or not of the right type: "+strings.Join(missing, ", "))
		return
	}
	w.check(CheckEnvelope, 1, true, r.url, "")
}

// checkDetail grades /services/{id}: one detail must answer, and the detail
// must describe the same service as the list item. When the walk fetched no
// detail (list items were complete), the first service's detail is read.
func (w *walk) checkDetail(ctx context.Context) {
	if w.detailChecked || w.firstID == "" {
		return
	}
	u, err := w.url(nil, "services", w.firstID)
	if err != nil {
		return
	}
	doc, err := w.run.Fetch.Get(ctx, u, w.getOpts...)
	if err != nil {
		w.check(CheckServiceDetail, 1, false, u, err.Error())
		return
	}
	rc, err := doc.OpenUTF8()
	if err != nil {
		w.check(CheckServiceDetail, 1, false, u, err.Error())
		return
	}
	defer rc.Close()
	var s hsdsmap.Service
	if err := hsdsmap.DecodeObject(rc, &s); err != nil {
		var fe *hsdsmap.FieldError
		if !errors.As(err, &fe) {
			w.check(CheckServiceDetail, 1, false, u, err.Error())
			return
		}
	}
	w.gradeDetail(u, w.firstID, w.firstName, &s)
}

// gradeDetail records the detail checks once, from the first detail read.
func (w *walk) gradeDetail(u, listID, listName string, d *hsdsmap.Service) {
	if w.detailChecked {
		return
	}
	w.detailChecked = true
	w.check(CheckServiceDetail, 1, true, u, "")
	switch {
	case d.ID.String() != listID:
		w.check(CheckDetailMatches, 2, false, u, fmt.Sprintf("detail has id %q, the list %q", d.ID.String(), listID))
	case strings.TrimSpace(d.Name.String()) != strings.TrimSpace(listName):
		w.check(CheckDetailMatches, 2, false, u, fmt.Sprintf("detail is named %q, the list item %q", d.Name.String(), listName))
	default:
		w.check(CheckDetailMatches, 2, true, u, "")
	}
}

// checkOptionalEndpoints asks each optional list for one item.
func (w *walk) checkOptionalEndpoints(ctx context.Context) {
	for _, ep := range optionalEndpoints {
		if ep == w.c.Dialect.TaxonomyPath && w.taxonomyURL != "" {
			// Already read in this run: grade that answer, do not ask again.
			w.gradeOptional(ep, w.taxonomyURL, w.taxonomyErr)
			continue
		}
		u, err := w.url(url.Values{"page": {"1"}, "per_page": {"1"}}, ep)
		if err != nil {
			continue
		}
		doc, err := w.run.Fetch.Get(ctx, u, append(w.getOpts, fetch.MaxBytes(4<<20), fetch.Optional())...)
		if err == nil {
			var rc io.ReadCloser
			if rc, err = doc.OpenUTF8(); err == nil {
				_, err = hsdsmap.DecodePage[json.RawMessage](rc)
				var fe *hsdsmap.FieldError
				if errors.As(err, &fe) {
					err = nil
				}
				rc.Close()
			}
		}
		if ctx.Err() != nil {
			return
		}
		w.gradeOptional(ep, u, err)
	}
}

func (w *walk) gradeOptional(ep, u string, err error) {
	name := checkOptional + "/" + ep
	var se *fetch.StatusError
	switch {
	case err == nil:
		w.check(name, 2, true, u, "implemented")
	case errors.As(err, &se) && (se.Status == 404 || se.Status == 501 || se.Status == 503):
		w.check(name, 2, true, u, fmt.Sprintf("not implemented (HTTP %d)", se.Status))
	default:
		w.check(name, 2, false, u, err.Error())
	}
}
