package feedcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/sharedtest"
)

// portsmouthService is a realistic Portsmouth Local Offer service in HSDS 3.0 form.
func portsmouthService(i int) map[string]any {
	return map[string]any{
		"id":          fmt.Sprintf("6f1c2d3e-4a5b-4c6d-8e9f-%012d", i),
		"name":        fmt.Sprintf("Portsmouth short breaks club %d", i),
		"description": "Saturday club for disabled children aged 8 to 17 in Portsmouth (PO4).",
		"url":         "https://www.portsmouthlocaloffer.org/short-breaks",
		"email":       "shortbreaks@portsmouthcc.gov.uk",
		"status":      "active",
		"minimum_age": 8, "maximum_age": 17,
		"assured_date": "2026-10-01",
		"phones":       []any{map[string]any{"id": fmt.Sprintf("0b3f8d4c-1a2b-4c3d-9e8f-%012d", i), "number": "023 9284 1000"}},
	}
}

// api serves a paginated HSDS API with n services; quirks bend it.
type api struct {
	n        int
	root     map[string]any
	quirks   map[string]bool
	requests map[string]int
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests[r.URL.Path]++
	write := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.URL.Path == "/":
		write(a.root)
	case r.URL.Path == "/services":
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if a.quirks["ignore_page"] {
			page = 1
		}
		pages := (a.n + per - 1) / per
		var items []any
		for i := (page - 1) * per; i < min(page*per, a.n); i++ {
			items = append(items, portsmouthService(i))
		}
		if a.quirks["overlap"] && page == 2 {
			items[0] = portsmouthService(0)
		}
		if items == nil {
			items = []any{}
		}
		total := a.n
		if a.quirks["lie_total"] {
			total += 5
		}
		body := map[string]any{"total_items": total, "total_pages": pages, "page_number": page, "size": len(items),
			"first_page": page == 1, "last_page": page >= pages, "empty": len(items) == 0, "contents": items}
		switch {
		case a.quirks["no_meta"]:
			body = map[string]any{"contents": items}
		case a.quirks["no_last"]:
			delete(body, "last_page")
		case a.quirks["huge_total"]:
			body["total_pages"], body["last_page"] = 1e9, false
		}
		write(body)
	case strings.HasPrefix(r.URL.Path, "/services/"):
		id := strings.TrimPrefix(r.URL.Path, "/services/")
		var n int
		fmt.Sscanf(id[len(id)-12:], "%d", &n)
		if a.quirks["html_detail"] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
			return
		}
		s := portsmouthService(n)
		if a.quirks["bad_detail"] {
			s["status"] = "open"
		}
		write(s)
	case r.URL.Path == "/taxonomies" && !a.quirks["no_optional"]:
		w.Header().Set("Content-Type", "text/plain")
		json.NewEncoder(w).Encode(map[string]any{"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1,
			"contents": []any{map[string]any{"id": "5c4d79d7-cc55-470e-9f1f-8cad074e4892", "name": "SEND needs", "description": "DfE need codes"}}})
	default:
		http.NotFound(w, r)
	}
}

func serve(t *testing.T, a *api) string {
	t.Helper()
	if a.root == nil {
		a.root = map[string]any{"version": "HSDS-UK-3.0", "profile": "https://github.com/OpenReferralUK/uk-profile", "openapi_url": "https://example.org/openapi.json"}
	}
	a.requests = map[string]int{}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAPIWalksEveryPage(t *testing.T) {
	a := &api{n: 23}
	k := newChecker(t, Options{PerPage: 10, Sample: 5})
	r := check(t, k, serve(t, a))
	if !r.Valid() {
		t.Fatalf("clean API failed:\n%s", text(r))
	}
	if a.requests["/services"] != 3 || r.Pages != 3 {
		t.Errorf("pages requested %d, report %d, want 3", a.requests["/services"], r.Pages)
	}
	if r.Types["service"] != 23+5 {
		t.Errorf("checked %d services, want 23 listed + 5 sampled", r.Types["service"])
	}
	out := text(r)
	for _, want := range []string{"GET /services ", "GET /services/{id}", "optional endpoint /organizations is not available", `Content-Type "text/plain"`, "RESULT: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// The walk ends where internal/hsdspage says, the same place the hsds_api
// collector stops.
func TestAPIWalkEnds(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		quirk   string
		pages   int
		wantSub string
	}{
		{"no metadata, short last page ends the list", 23, "no_meta", 3, ""},
		{"no metadata, full last page: one empty page more", 20, "no_meta", 3, ""},
		{"total_pages only, full last page ends the list", 20, "no_last", 2, ""},
		{"huge total_pages, last_page=false: the empty page ends it", 20, "huge_total", 3, "page 3 is empty but total_pages says 1000000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &api{n: tc.n, quirks: map[string]bool{tc.quirk: true}}
			k := newChecker(t, Options{PerPage: 10, Sample: 1, MaxPages: 50})
			r := check(t, k, serve(t, a))
			if a.requests["/services"] != tc.pages || r.Pages != tc.pages {
				t.Errorf("pages requested %d, report %d, want %d", a.requests["/services"], r.Pages, tc.pages)
			}
			if out := text(r); tc.wantSub != "" && !strings.Contains(out, tc.wantSub) {
				t.Errorf("report lacks %q:\n%s", tc.wantSub, out)
			}
		})
	}
}

func TestAPIProblems(t *testing.T) {
	cases := []struct {
		name   string
		quirks string
		want   []string
	}{
		{"total_items lies", "lie_total", []string{"walking every page gave 23 distinct services"}},
		{"page parameter ignored", "ignore_page", []string{"asked for page 2, page_number says 1", "duplicate id"}},
		{"pages overlap", "overlap", []string{"duplicate id", "gave 22 distinct"}},
		{"invalid full service", "bad_detail", []string{"/status", "must be one of"}},
		{"HTML error page served as JSON", "html_detail", []string{"HTML or XML page", "502 Bad Gateway"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &api{n: 23, quirks: map[string]bool{c.quirks: true}}
			r := check(t, newChecker(t, Options{PerPage: 10, Sample: 3}), serve(t, a))
			out := text(r)
			if r.Valid() {
				t.Fatalf("passed:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// The ORUK validator's mocks served as an API: Default passes, Fail fails.
func TestORUKMocksAsAPI(t *testing.T) {
	mocks := sharedtest.Path(t, "conformance", "oruk-validator-mocks")
	serveMock := func(dir string) string {
		read := func(f string) []byte {
			b, err := os.ReadFile(filepath.Join(mocks, dir, f))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		mux := http.NewServeMux()
		send := func(b []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(b)
			}
		}
		mux.HandleFunc("GET /{$}", send(read("api_details.json")))
		mux.HandleFunc("GET /services", send(read("service_list.json")))
		mux.HandleFunc("GET /services/{id}", send(read("service_full.json")))
		mux.HandleFunc("GET /taxonomy_terms", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"total_items":1,"total_pages":1,"page_number":1,"size":1,"contents":[%s]}`, read("taxonomy_term.json"))
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	k := newChecker(t, Options{})
	r := check(t, k, serveMock("V3.0-UK-Default"))
	if !r.Valid() {
		t.Errorf("V3.0-UK-Default failed:\n%s", text(r))
	}
	r = check(t, k, serveMock("V3.0-UK-Fail"))
	out := text(r)
	if r.Valid() {
		t.Fatalf("V3.0-UK-Fail passed:\n%s", out)
	}
	for _, f := range []string{"openapi_url", `"profile"`, "/email", `"name"`, `"description"`, "/term_uri"} {
		if !strings.Contains(out, f) {
			t.Errorf("V3.0-UK-Fail report does not name %s:\n%s", f, out)
		}
	}
}

func TestAPIUnreachableIsUnusable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := newChecker(t, Options{}).Check(context.Background(), url)
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("err = %v", err)
	}
}
