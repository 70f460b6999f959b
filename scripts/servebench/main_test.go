package main

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema/official"
)

var benchNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// The benchmark's services are valid HSDS 3.0, so serve is measured on what
// a real feed gives it; and the same i gives the same service.
func TestServicesAreValidHSDS(t *testing.T) {
	k, err := official.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 7, 4999, 5000, 99999} {
		b, err := json.Marshal(service(i, benchNow))
		if err != nil {
			t.Fatal(err)
		}
		if ps := k.EntityProblems("service", b); len(ps) > 0 {
			t.Errorf("service %d is not valid HSDS 3.0: %v", i, ps)
		}
		again, _ := json.Marshal(service(i, benchNow))
		if string(again) != string(b) {
			t.Errorf("service %d differs between two calls", i)
		}
	}
	if id("svc", 1) == id("svc", 2) || id("svc", 1) == id("loc", 1) {
		t.Error("ids collide")
	}
}

type page struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

func TestFeedHandlerPages(t *testing.T) {
	srv := httptest.NewServer(feedHandler(250, benchNow))
	defer srv.Close()
	get := func(path string) page {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
		}
		var p page
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return p
	}
	cases := []struct {
		path string
		want page // Contents compared by count (Size)
	}{
		{"/services?per_page=100&page=1", page{TotalItems: 250, TotalPages: 3, PageNumber: 1, Size: 100, FirstPage: true}},
		{"/services?per_page=100&page=3", page{TotalItems: 250, TotalPages: 3, PageNumber: 3, Size: 50, LastPage: true}},
		{"/services?per_page=100&page=4", page{TotalItems: 250, TotalPages: 3, PageNumber: 4, Size: 0, LastPage: true, Empty: true}},
		{"/services?per_page=5000", page{TotalItems: 250, TotalPages: 1, PageNumber: 1, Size: 250, FirstPage: true, LastPage: true}},
		{"/services?page=-2&per_page=0", page{TotalItems: 250, TotalPages: 250, PageNumber: 1, Size: 1, FirstPage: true}},
		{"/taxonomy_terms", page{PageNumber: 1, FirstPage: true, LastPage: true, Empty: true}},
	}
	for _, c := range cases {
		got := get(c.path)
		if len(got.Contents) != got.Size {
			t.Errorf("%s: size %d but %d items", c.path, got.Size, len(got.Contents))
		}
		got.Contents = nil
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.path, got, c.want)
		}
	}
	// Page 3 starts at service 200.
	p := get("/services?per_page=100&page=3")
	var first struct{ ID string }
	json.Unmarshal(p.Contents[0], &first)
	if first.ID != id("svc", 200) {
		t.Errorf("page 3 starts with %s, want service 200", first.ID)
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	var root struct{ Version string }
	json.NewDecoder(resp.Body).Decode(&root)
	resp.Body.Close()
	if root.Version != "HSDS-UK-3.0" {
		t.Errorf("root version %q", root.Version)
	}
}

// drive counts every answered request's latency and every failure.
func TestDrive(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if strings.HasSuffix(r.URL.Path, "/bad") {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	res := drive(srv.Client(), "mixed", 2, 150*time.Millisecond, os.Getpid(), func(r *rand.Rand) string {
		if r.IntN(2) == 0 {
			return srv.URL + "/bad"
		}
		return srv.URL + "/good"
	})
	if res.requests == 0 || res.errors == 0 || res.errors >= res.requests {
		t.Errorf("requests %d, errors %d: want both, fewer errors than answers", res.requests, res.errors)
	}
	if int64(res.requests) != served.Load() {
		t.Errorf("%d requests measured, %d served", res.requests, served.Load())
	}
	if res.took < 150*time.Millisecond || res.pct(0.5) <= 0 || res.pct(0.5) > res.pct(0.99) {
		t.Errorf("took %v, p50 %v, p99 %v", res.took, res.pct(0.5), res.pct(0.99))
	}
	if res.rssKB[0] <= 0 || res.rssKB[1] < res.rssKB[0]/2 {
		t.Errorf("RSS before/peak/after %v KB", res.rssKB)
	}
	// A refused connection is an error, not a latency.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	res = drive(http.DefaultClient, "dead", 1, 50*time.Millisecond, os.Getpid(), func(*rand.Rand) string { return url })
	if res.requests != 0 || res.errors == 0 {
		t.Errorf("against a closed port: requests %d, errors %d", res.requests, res.errors)
	}
	if (&result{}).pct(0.99) != 0 {
		t.Error("pct of no requests")
	}
	if rss(-1) != 0 {
		t.Error("rss of no process")
	}
	if f := strings.Fields(loadavg()); len(f) != 3 {
		t.Errorf("loadavg %q", loadavg())
	}
}
