package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// validate URL goes through the fetch layer: it sends our User-Agent and
// honours robots.txt (a disallowed detail is not requested).
func TestValidateAPIThroughFetchLayer(t *testing.T) {
	var mu sync.Mutex
	var paths, agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		agents = append(agents, r.UserAgent())
		mu.Unlock()
		write := func(v any) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
		svc := func(id string) map[string]any {
			return map[string]any{"id": id, "name": "Short breaks club " + id, "status": "active"}
		}
		switch {
		case r.URL.Path == "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /services/svc-2\n"))
		case r.URL.Path == "/":
			write(map[string]any{"version": "3.0.0", "profile": "https://openreferral.org"})
		case r.URL.Path == "/services":
			write(map[string]any{"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2, "first_page": true,
				"last_page": true, "empty": false, "contents": []any{svc("svc-1"), svc("svc-2")}})
		case strings.HasPrefix(r.URL.Path, "/services/"):
			write(svc(strings.TrimPrefix(r.URL.Path, "/services/")))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	_, out, errs := runCLI(t, "validate", "--rps", "100", strings.Replace(srv.URL, "http://", "http://u:pw-validate-9@", 1))
	for _, secret := range []string{"pw-validate-9"} {
		if strings.Contains(out+errs, secret) {
			t.Errorf("the report shows %s", secret)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, p := range paths {
		if p == "/services/svc-2" {
			t.Errorf("robots.txt disallowed /services/svc-2 but it was requested")
		}
		if !strings.HasPrefix(agents[i], "localoffer-validate/") {
			t.Errorf("%s requested with User-Agent %q", p, agents[i])
		}
	}
	if len(paths) == 0 || paths[0] != "/robots.txt" {
		t.Errorf("requests %v: robots.txt should come first", paths)
	}
	if !strings.Contains(out+errs, "robots.txt") {
		t.Errorf("report does not mention the robots.txt refusal:\n%s\n%s", out, errs)
	}
}
