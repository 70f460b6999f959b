package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// maxPerPage is the ORUK 3.0 maximum page size.
const maxPerPage = 100

// feeds serves each council's ORUK 3.0 API under its prefix: "/api" for a
// single feed, "/<gss>" (lower case) for each council in England mode.
type feeds struct {
	byPrefix map[string]*council
}

func (f *feeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	prefix, rest, _ := strings.Cut(path, "/")
	c := f.byPrefix[prefix]
	if c == nil || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case rest == "":
		writeJSON(w, map[string]any{"version": "3.0", "profile": "https://openreferraluk.org/", "openapi_url": "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/openapi.json"})
	case rest == "services":
		page, perPage := pageParams(r)
		w.Write(c.page(page, perPage))
	case strings.HasPrefix(rest, "services/"):
		i, ok := c.index[strings.TrimPrefix(rest, "services/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(c.services[i])
	case rest == "taxonomy_terms":
		writeJSON(w, map[string]any{"total_items": len(terms), "total_pages": 1, "page_number": 1, "size": len(terms),
			"first_page": true, "last_page": true, "empty": false, "contents": terms})
	default:
		http.NotFound(w, r)
	}
}

func pageParams(r *http.Request) (page, perPage int) {
	q := r.URL.Query()
	page, _ = strconv.Atoi(q.Get("page"))
	perPage, _ = strconv.Atoi(q.Get("per_page"))
	if page < 1 {
		page = 1
	}
	if perPage < 1 || perPage > maxPerPage {
		perPage = maxPerPage
	}
	return page, perPage
}

// page assembles one HSDS 3.0 list page from the services encoded up front,
// so serving costs a copy, not an encode.
func (c *council) page(page, perPage int) []byte {
	total := len(c.services)
	pages := (total + perPage - 1) / perPage
	lo := min((page-1)*perPage, total)
	hi := min(lo+perPage, total)
	var b bytes.Buffer
	b.Grow(256 + (hi-lo)*3200)
	b.WriteString(`{"total_items":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteString(`,"total_pages":`)
	b.WriteString(strconv.Itoa(pages))
	b.WriteString(`,"page_number":`)
	b.WriteString(strconv.Itoa(page))
	b.WriteString(`,"size":`)
	b.WriteString(strconv.Itoa(perPage))
	b.WriteString(`,"first_page":`)
	b.WriteString(strconv.FormatBool(page == 1))
	b.WriteString(`,"last_page":`)
	b.WriteString(strconv.FormatBool(page >= pages))
	b.WriteString(`,"empty":`)
	b.WriteString(strconv.FormatBool(hi == lo))
	b.WriteString(`,"contents":[`)
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteByte(',')
		}
		b.Write(c.services[i])
	}
	b.WriteString("]}")
	return b.Bytes()
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(b)
}
