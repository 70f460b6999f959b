package hsdsapi

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
)

// grades runs one collection against f and returns each check's outcome as
// "name=pass|fail".
func grades(t *testing.T, f *feed) (map[string]bool, []collect.Check) {
	t.Helper()
	srv := httptest.NewServer(f)
	defer srv.Close()
	h := newHarness(t, testClient(t), time.Now())
	var checks []collect.Check
	h.run.Check = func(c collect.Check) { checks = append(checks, c) }
	if err := New(srv.URL+"/api", apiOpts(5)).Collect(context.Background(), h.run); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range checks {
		if _, dup := got[c.Name]; dup {
			t.Errorf("check %s recorded twice", c.Name)
		}
		got[c.Name] = c.Passed
		if strings.Contains(c.URL, "api_key") {
			t.Errorf("check URL %q", c.URL)
		}
	}
	return got, checks
}

func TestConformanceOfAGoodFeed(t *testing.T) {
	f := newFeed(12)
	f.taxonomy = []map[string]any{{"id": "t1", "name": "Autism"}}
	got, checks := grades(t, f)
	want := []string{CheckRoot, CheckServices, CheckEnvelope, CheckTotals, CheckServiceDetail, CheckDetailMatches,
		"optional_endpoint:/organizations", "optional_endpoint:/service_at_locations", "optional_endpoint:/taxonomies", "optional_endpoint:/taxonomy_terms"}
	for _, name := range want {
		pass, ok := got[name]
		if !ok || !pass {
			t.Errorf("%s: recorded %v, passed %v; want a pass (%+v)", name, ok, pass, checks)
		}
	}
	if len(got) != len(want) {
		t.Errorf("checks %v, want exactly %v", got, want)
	}
	// An optional endpoint the feed lacks is "not implemented", which ORUK accepts.
	for _, c := range checks {
		if c.Name == "optional_endpoint:/organizations" && !strings.Contains(c.Detail, "not implemented (HTTP 404)") {
			t.Errorf("organizations detail %q", c.Detail)
		}
		if c.Name == "optional_endpoint:/taxonomy_terms" && c.Detail != "implemented" {
			t.Errorf("taxonomy_terms detail %q", c.Detail)
		}
	}
}

func TestConformanceFailuresAreNamed(t *testing.T) {
	f := newFeed(12)
	f.noRoot = true
	f.noLastFlag = true
	f.wrongTotal = 3
	f.renameDetail = true
	f.broken = map[string]int{"/api/organizations": 500}
	got, checks := grades(t, f)
	var failing []string
	for name, pass := range got {
		if !pass {
			failing = append(failing, name)
		}
	}
	slices.Sort(failing)
	want := []string{CheckDetailMatches, CheckRoot, CheckEnvelope, CheckTotals, "optional_endpoint:/organizations"}
	slices.Sort(want)
	if !slices.Equal(failing, want) {
		t.Errorf("failing %v, want %v", failing, want)
	}
	for _, c := range checks {
		switch c.Name {
		case CheckEnvelope:
			if c.Level != 1 || !strings.Contains(c.Detail, "last_page") {
				t.Errorf("envelope check %+v", c)
			}
		case CheckTotals:
			if c.Level != 2 || !strings.Contains(c.Detail, "total_items says 15 but the pages held 12") {
				t.Errorf("totals check %+v", c)
			}
		case CheckDetailMatches:
			if !strings.Contains(c.Detail, "(detail)") {
				t.Errorf("detail check %+v", c)
			}
		}
	}
}
