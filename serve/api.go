package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version and profile announced at GET /. The ORUK validator reads "version"
// first and takes the number in it (HSDS-UK-3.0 → 3.0) to pick the ORUK 3.0
// OpenAPI document; "HSDS-UK-3.0" is what its own 3.0 mock feed announces.
const (
	APIVersion = "HSDS-UK-3.0"
	ProfileURL = "https://github.com/OpenReferralUK/uk-profile"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // do not keep one huge page's buffer forever
		bufPool.Put(b)
	}
}

// apiError writes {"error": code, "message": message}.
func apiError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}{code, message})
	w.Write(append(b, '\n'))
}

func badRequest(w http.ResponseWriter, err error) {
	var bp *badParam
	if errors.As(err, &bp) {
		apiError(w, http.StatusBadRequest, "bad_parameter", "parameter "+bp.Error())
		return
	}
	apiError(w, http.StatusBadRequest, "bad_request", err.Error())
}

func notFound(w http.ResponseWriter, what, id string) {
	apiError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no %s with id %q", what, id))
}

// etag is weak because gzip may change the bytes, not the meaning.
func etag(h uint64) string { return `W/"` + strconv.FormatUint(h, 16) + `"` }

// notModified answers 304 when If-None-Match names the current ETag.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(tag, "W/") {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

func writeJSONBody(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// root answers GET /: what this API is.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		apiError(w, http.StatusNotFound, "not_found", "no endpoint "+r.URL.Path)
		return
	}
	body, _ := json.Marshal(struct {
		Version    string `json:"version"`
		Profile    string `json:"profile"`
		OpenAPIURL string `json:"openapi_url"`
	}{APIVersion, ProfileURL, s.baseURL(r) + "/openapi.json"})
	if notModified(w, r, etag(hash(body))) {
		return
	}
	writeJSONBody(w, r, append(body, '\n'))
}

// baseURL is the URL this API is reached at, for openapi_url.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return strings.TrimRight(s.opts.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pageOf picks one page of n matches.
type pageOf struct {
	total, pages, number, from, to int
}

func paginate(n, page, per int) pageOf {
	p := pageOf{total: n, number: page, pages: (n + per - 1) / per}
	p.from = min((page-1)*per, n)
	p.to = min(p.from+per, n)
	return p
}

// list writes a paged envelope of the n records that match, or NDJSON of
// every match when asked. Only the page's indexes are kept, so a request costs
// one pass over the snapshot's index and no memory in proportion to it.
// pre, when not nil, is the precomputed list of every match.
func (s *Server) list(w http.ResponseWriter, r *http.Request, snap *Snapshot, q *query, n int, pre *[]int32, match func(int32) bool, body func(int32) blob) {
	if q.ndjson {
		s.ndjson(w, r, snap, n, match, body)
		return
	}
	from := (q.page - 1) * q.perPage
	total := 0
	var window []int32
	if pre != nil {
		total = len(*pre)
		window = (*pre)[min(from, total):min(from+q.perPage, total)]
	} else {
		for i := int32(0); i < int32(n); i++ {
			if !match(i) {
				continue
			}
			if total >= from && len(window) < q.perPage {
				window = append(window, i)
			}
			total++
		}
	}
	p := paginate(total, q.page, q.perPage)
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d/%d|", p.total, p.pages, p.number, q.perPage)
	var tb [8]byte
	for _, i := range window {
		t := body(i).tag
		for k := range tb {
			tb[k] = byte(t >> (8 * k))
		}
		h.Write(tb[:])
	}
	if notModified(w, r, etag(h.Sum64())) {
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	size := len(window)
	fmt.Fprintf(buf, `{"total_items":%d,"total_pages":%d,"page_number":%d,"size":%d,"first_page":%t,"last_page":%t,"empty":%t,"contents":[`,
		p.total, p.pages, p.number, size, p.number == 1, p.number >= p.pages, size == 0)
	var scratch []byte
	for k, i := range window {
		if k > 0 {
			buf.WriteByte(',')
		}
		b, err := snap.read(body(i), scratch)
		if err != nil {
			apiError(w, http.StatusInternalServerError, "internal", "could not read the snapshot")
			s.log.Error("read snapshot", "err", err)
			return
		}
		scratch = b
		buf.Write(b)
	}
	buf.WriteString("]}\n")
	writeJSONBody(w, r, buf.Bytes())
}

// ndjson streams one record a line, with no paging (HSDS format=ndjson).
func (s *Server) ndjson(w http.ResponseWriter, r *http.Request, snap *Snapshot, n int, match func(int32) bool, body func(int32) blob) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	bw := bufio.NewWriterSize(w, 64<<10)
	var scratch []byte
	written := 0
	for i := int32(0); i < int32(n); i++ {
		if !match(i) {
			continue
		}
		if written%1000 == 0 {
			if r.Context().Err() != nil {
				return
			}
			// A slow reader gets time for each thousand records, not for the whole stream.
			rc.SetWriteDeadline(time.Now().Add(s.opts.RequestTimeout))
		}
		b, err := snap.read(body(i), scratch)
		if err != nil {
			s.log.Error("read snapshot", "err", err)
			return
		}
		scratch = b
		bw.Write(b)
		if err := bw.WriteByte('\n'); err != nil {
			return
		}
		written++
	}
	bw.Flush()
}

// one writes a single record.
func (s *Server) one(w http.ResponseWriter, r *http.Request, snap *Snapshot, b blob) {
	if notModified(w, r, etag(b.tag)) {
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	buf.Grow(int(b.n) + 1)
	body, err := snap.read(b, buf.AvailableBuffer())
	if err != nil {
		apiError(w, http.StatusInternalServerError, "internal", "could not read the snapshot")
		s.log.Error("read snapshot", "err", err)
		return
	}
	writeJSONBody(w, r, append(body, '\n'))
}

func (s *Server) services(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	q, err := parseQuery(r.URL.Query(), servicesParams, s.opts.Postcodes)
	if err != nil {
		badRequest(w, err)
		return
	}
	// The most common request, a consumer paging through everything, needs no pass over the index.
	var pre *[]int32
	if q.unfiltered() {
		pre = &snap.fresh
		if q.includeStale {
			pre = &snap.all
		}
	}
	s.list(w, r, snap, q, len(snap.services), pre, snap.serviceMatcher(q), func(i int32) blob {
		e := &snap.services[i]
		switch {
		case q.minimal:
			return e.minimal
		case q.full || q.ndjson:
			return e.full
		}
		return e.list
	})
}

func (s *Server) service(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	id := strings.ToLower(r.PathValue("id"))
	i, ok := snap.svcByID[id]
	if !ok {
		notFound(w, "service", r.PathValue("id"))
		return
	}
	s.one(w, r, snap, snap.services[i].full)
}

func (s *Server) serviceAtLocations(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	q, err := parseQuery(r.URL.Query(), salParams, s.opts.Postcodes)
	if err != nil {
		badRequest(w, err)
		return
	}
	if q.minimal {
		badRequest(w, &badParam{"minimal", "only /services takes minimal"})
		return
	}
	s.list(w, r, snap, q, len(snap.sals), nil, snap.salMatcher(q), func(i int32) blob {
		if q.full || q.ndjson {
			return snap.sals[i].full
		}
		return snap.sals[i].list
	})
}

func (s *Server) serviceAtLocation(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	i, ok := snap.salByID[strings.ToLower(r.PathValue("id"))]
	if !ok {
		notFound(w, "service_at_location", r.PathValue("id"))
		return
	}
	s.one(w, r, snap, snap.sals[i].full)
}

func (s *Server) organizations(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	q, err := parseQuery(r.URL.Query(), orgParams, s.opts.Postcodes)
	if err != nil {
		badRequest(w, err)
		return
	}
	s.list(w, r, snap, q, len(snap.orgs), nil, snap.orgMatcher(q), func(i int32) blob {
		if q.full || q.ndjson {
			return snap.orgs[i].full
		}
		return snap.orgs[i].list
	})
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	i, ok := snap.orgByID[strings.ToLower(r.PathValue("id"))]
	if !ok {
		notFound(w, "organization", r.PathValue("id"))
		return
	}
	s.one(w, r, snap, snap.orgs[i].full)
}

// Taxonomies and terms are few and held in memory; they are paged the same way.
func (s *Server) taxonomies(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	q, err := parseQuery(r.URL.Query(), taxonomyParams, s.opts.Postcodes)
	if err != nil {
		badRequest(w, err)
		return
	}
	idx := snap.filterTaxes(q)
	s.memList(w, r, q, idx, func(i int32) ([]byte, uint64) { return snap.taxes[i].body, snap.taxes[i].tag })
}

func (s *Server) taxonomy(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	i, ok := snap.taxByID[strings.ToLower(r.PathValue("id"))]
	if !ok {
		notFound(w, "taxonomy", r.PathValue("id"))
		return
	}
	t := &snap.taxes[i]
	if notModified(w, r, etag(t.tag)) {
		return
	}
	writeJSONBody(w, r, append(t.body[:len(t.body):len(t.body)], '\n'))
}

func (s *Server) taxonomyTerms(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	q, err := parseQuery(r.URL.Query(), termParams, s.opts.Postcodes)
	if err != nil {
		badRequest(w, err)
		return
	}
	idx := snap.filterTerms(q)
	s.memList(w, r, q, idx, func(i int32) ([]byte, uint64) { return snap.terms[i].body, snap.terms[i].tag })
}

func (s *Server) taxonomyTerm(w http.ResponseWriter, r *http.Request) {
	snap := s.acquire()
	defer snap.release()
	i, ok := snap.termByID[strings.ToLower(r.PathValue("id"))]
	if !ok {
		notFound(w, "taxonomy_term", r.PathValue("id"))
		return
	}
	t := &snap.terms[i]
	if notModified(w, r, etag(t.tag)) {
		return
	}
	writeJSONBody(w, r, append(t.body[:len(t.body):len(t.body)], '\n'))
}

func (s *Server) memList(w http.ResponseWriter, r *http.Request, q *query, idx []int32, item func(int32) ([]byte, uint64)) {
	if q.ndjson {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		for _, i := range idx {
			b, _ := item(i)
			w.Write(b)
			w.Write([]byte{'\n'})
		}
		return
	}
	p := paginate(len(idx), q.page, q.perPage)
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d/%d|", p.total, p.pages, p.number, q.perPage)
	for _, i := range idx[p.from:p.to] {
		_, t := item(i)
		fmt.Fprintf(h, "%x,", t)
	}
	if notModified(w, r, etag(h.Sum64())) {
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	size := p.to - p.from
	fmt.Fprintf(buf, `{"total_items":%d,"total_pages":%d,"page_number":%d,"size":%d,"first_page":%t,"last_page":%t,"empty":%t,"contents":[`,
		p.total, p.pages, p.number, size, p.number == 1, p.number >= p.pages, size == 0)
	for k, i := range idx[p.from:p.to] {
		if k > 0 {
			buf.WriteByte(',')
		}
		b, _ := item(i)
		buf.Write(b)
	}
	buf.WriteString("]}\n")
	writeJSONBody(w, r, buf.Bytes())
}
