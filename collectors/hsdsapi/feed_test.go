package hsdsapi

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// feed is an httptest handler that behaves like a real council directory API,
// with switches for the ways real ones misbehave.
type feed struct {
	mu       sync.Mutex
	services []map[string]any // detail objects, in list order

	summaryList  bool           // list items lack nested detail (/services/{id} has it)
	wrongTotal   int            // added to total_items
	noLastFlag   bool           // omit last_page (total_pages only)
	ignorePage   bool           // always serve page 1
	endless      bool           // every page is full of new services
	fail503      map[int]int    // page → how many 503s before success
	fail429      map[int]int    // page → how many 429s before success
	htmlPage     int            // this page is an HTML login page with status 200
	badJSONPage  int            // this page is truncated JSON
	robots       string         // robots.txt body; "" → 404
	gzip         bool           // gzip responses when asked
	maxPerPage   int            // server-side cap on per_page
	hits         map[string]int // path+query → requests
	notModified  int            // 304s served
	modAfterSeen []string       // modified_after values received
	taxonomy     []map[string]any
	noRoot       bool           // GET / answers 404
	broken       map[string]int // path → status served instead (e.g. /api/organizations → 500)
	renameDetail bool           // /services/{id} names the service differently from the list
}

func newFeed(n int) *feed {
	f := &feed{hits: map[string]int{}, fail503: map[int]int{}, fail429: map[int]int{}}
	for i := 1; i <= n; i++ {
		f.services = append(f.services, genService(i))
	}
	return f
}

var serviceKinds = []struct{ name, desc, email, postcode string }{
	{"Speech and Language Therapy", "Assessment and therapy for children with speech, language and communication needs.", "slt@solent.nhs.uk", "PO3 6AD"},
	{"Autism Outreach", "Advice and training for schools supporting autistic pupils.", "", "PO6 3PR"},
	{"Short Breaks Saturday Club", "Activity sessions for disabled children aged 8-17.", "shortbreaks@portsmouthcc.gov.uk", "PO4 8LG"},
	{"Youth Club for Disabled Young People", "Weekly youth club for young people aged 11 to 25 with SEND.", "", "PO1 2EG"},
	{"SENDIASS Information and Advice", "Impartial information, advice and support on SEND.", "sendiass@portsmouthcc.gov.uk", "PO1 2AL"},
}

// genService builds one realistic detail object.
func genService(i int) map[string]any {
	k := serviceKinds[i%len(serviceKinds)]
	id := "svc-" + strconv.Itoa(i)
	org := i%40 + 1
	loc := i%200 + 1
	return map[string]any{
		"id":           id,
		"name":         fmt.Sprintf("%s (%d)", k.name, i),
		"description":  k.desc,
		"url":          "https://www.portsmouthlocaloffer.org/services/" + id,
		"email":        k.email,
		"status":       "active",
		"minimum_age":  i % 5,
		"maximum_age":  25,
		"assured_date": "2025-06-01",
		"organization": map[string]any{"id": "org-" + strconv.Itoa(org), "name": fmt.Sprintf("Provider %d", org), "description": "Provider of SEND services in Portsmouth"},
		"phones":       []any{map[string]any{"id": id + "-ph", "number": "023 9268 " + fmt.Sprintf("%04d", i%10000)}},
		"service_at_locations": []any{map[string]any{"id": id + "-sal", "location": map[string]any{
			"id": "loc-" + strconv.Itoa(loc), "location_type": "physical", "name": fmt.Sprintf("Community centre %d", loc),
			"addresses": []any{map[string]any{"id": "addr-" + strconv.Itoa(loc), "address_1": fmt.Sprintf("%d Commercial Road", loc), "city": "Portsmouth",
				"state_province": "Hampshire", "postal_code": k.postcode, "country": "GB", "address_type": "physical"}},
		}}},
	}
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[r.URL.RequestURI()]++
	if code := f.broken[r.URL.Path]; code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	switch {
	case r.URL.Path == "/robots.txt":
		if f.robots == "" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, f.robots)
	case (r.URL.Path == "/api/" || r.URL.Path == "/api") && !f.noRoot:
		f.write(w, r, map[string]any{"version": "3.0", "profile": "https://openreferraluk.org/", "openapi_url": "https://example.org/openapi.json"})
	case r.URL.Path == "/api/services":
		f.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/services/"):
		id := strings.TrimPrefix(r.URL.Path, "/api/services/")
		for _, s := range f.services {
			if s["id"] == id {
				if f.renameDetail {
					c := map[string]any{}
					for k, v := range s {
						c[k] = v
					}
					c["name"] = fmt.Sprint(s["name"]) + " (detail)"
					s = c
				}
				f.write(w, r, s)
				return
			}
		}
		http.NotFound(w, r)
	case r.URL.Path == "/api/taxonomy_terms" && f.taxonomy != nil:
		f.write(w, r, map[string]any{"total_items": len(f.taxonomy), "total_pages": 1, "page_number": 1, "size": len(f.taxonomy),
			"first_page": true, "last_page": true, "contents": f.taxonomy})
	default:
		http.NotFound(w, r)
	}
}

func (f *feed) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if page < 1 {
		page = 1
	}
	if per < 1 {
		per = 50
	}
	if f.maxPerPage > 0 && per > f.maxPerPage {
		per = f.maxPerPage
	}
	if ma := q.Get("modified_after"); ma != "" {
		f.modAfterSeen = append(f.modAfterSeen, ma)
	}
	if f.fail503[page] > 0 {
		f.fail503[page]--
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	if f.fail429[page] > 0 {
		f.fail429[page]--
		w.Header().Set("Retry-After", "2")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	if page == f.htmlPage {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Sign in - Directory</title></head><body><form action="/login"><input type="password"></form></body></html>`)
		return
	}
	if page == f.badJSONPage {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"total_items": 10, "contents": [{"id": "svc-1", "name": "Trunc`)
		return
	}
	if f.ignorePage {
		page = 1
	}
	var items []any
	total := len(f.services)
	if f.endless {
		for i := 0; i < per; i++ {
			items = append(items, genService((page-1)*per+i+1))
		}
		// total_pages one ahead of every page, as last_page=false says:
		// a consistent feed that never ends.
		total = per * (page + 1)
	} else {
		for i := (page - 1) * per; i < page*per && i < total; i++ {
			s := f.services[i]
			if f.summaryList {
				s = map[string]any{"id": s["id"], "name": s["name"], "status": s["status"]}
			}
			items = append(items, s)
		}
	}
	pages := (total + per - 1) / per
	body := map[string]any{"total_items": total + f.wrongTotal, "total_pages": pages, "page_number": page, "size": per,
		"first_page": page == 1, "empty": len(items) == 0, "contents": items}
	if !f.noLastFlag {
		body["last_page"] = page >= pages && !f.endless
	}
	if items == nil {
		body["contents"] = []any{}
	}
	f.write(w, r, body)
}

// write serves JSON with a strong ETag, answering If-None-Match with 304.
func (f *feed) write(w http.ResponseWriter, r *http.Request, v any) {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		f.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f.gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(b)
		zw.Close()
		return
	}
	w.Write(b)
}
