package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/localoffer/localoffer/schema/official"
	"github.com/localoffer/localoffer/transform/staleness"
)

var testNow = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func testCouncil(t testing.TB, gss string, n int) *council {
	t.Helper()
	la, ok := lacodes.ByGSS(gss)
	if !ok {
		t.Fatalf("no LA %s", gss)
	}
	c, err := genCouncil(1, la, n, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The generated services are what the benchmark claims: 2–3 KB, valid HSDS
// 3.0, and through the hsds_api mapping a service, its organisation and its
// location, with the two staleness flags real feeds raise.
func TestGeneratedServices(t *testing.T) {
	c := testCouncil(t, bristol, 200)
	if mean := meanSize(c); mean < 2000 || mean > 3000 {
		t.Errorf("mean service size %d bytes, want 2–3 KB", mean)
	}
	o, err := official.Compile()
	if err != nil {
		t.Fatal(err)
	}
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	rules := staleness.Rules{ReviewAfterDays: 365, AssuranceAfterDays: 90, Now: func() time.Time { return testNow }}
	m := hsdsmap.New("bench", true)
	kinds := map[schema.Kind]int{}
	for i, b := range c.services {
		if p := o.EntityProblems("service", b); len(p) > 0 {
			t.Fatalf("service %d is not valid HSDS 3.0: %v", i, p)
		}
		var raw hsdsmap.Service
		if err := hsdsmap.DecodeObject(bytes.NewReader(b), &raw); err != nil {
			t.Fatal(err)
		}
		recs, warns := m.Records(&raw, hsdsmap.Source{URL: "http://feed/api/services"})
		if len(warns) > 0 {
			t.Fatalf("service %d: mapping warnings %v", i, warns)
		}
		for _, rec := range recs {
			kinds[rec.Kind]++
			if p := v.Validate(rec); len(p) > 0 {
				t.Fatalf("service %d: %s %s invalid: %v", i, rec.Kind, rec.ID(), p)
			}
			if rec.Kind != schema.KindService {
				continue
			}
			rules.Apply(rec)
			var got []string
			for _, f := range rec.Flags {
				got = append(got, f.Flag)
			}
			if fmt.Sprint(got) != "[assurance_overdue review_overdue]" {
				t.Fatalf("service %d flags %v, want assurance_overdue and review_overdue", i, got)
			}
		}
	}
	if kinds[schema.KindService] != 200 || kinds[schema.KindLocation] != 200 || kinds[schema.KindOrganization] != 20 {
		t.Errorf("records by kind %v, want 200 services, 200 locations, 20 organisations", kinds)
	}
}

// Same seed and LA, same feed; another LA, other ids and postcodes but
// service names that recur, and the national charity in both under its name.
func TestGeneratorDeterministic(t *testing.T) {
	a, b := testCouncil(t, bristol, 300), testCouncil(t, bristol, 300)
	for i := range a.services {
		if !bytes.Equal(a.services[i], b.services[i]) {
			t.Fatalf("service %d differs between two runs with the same seed", i)
		}
	}
	other := testCouncil(t, "E06000044", 300)
	if other.Services[0].ID == a.Services[0].ID || other.outward[0] == a.outward[0] {
		t.Error("two councils share ids or postcode districts")
	}
	names := map[string]bool{}
	for _, s := range a.Services {
		names[s.Name] = true
	}
	shared := 0
	for _, s := range other.Services {
		if names[s.Name] {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no service name recurs across the two councils")
	}
	if a.Services[0].Organization.Name != nationalCharity || other.Services[0].Organization.Name != nationalCharity {
		t.Errorf("first services are run by %q and %q, want the national charity in both", a.Services[0].Organization.Name, other.Services[0].Organization.Name)
	}
}

// The server's pages are ones the collector's page decoder reads, 100 at
// most, and walk to the end.
func TestServerPages(t *testing.T) {
	c := testCouncil(t, bristol, 250)
	srv := httptest.NewServer(&feeds{byPrefix: map[string]*council{"api": c}})
	defer srv.Close()
	seen := 0
	for page := 1; ; page++ {
		resp, err := http.Get(fmt.Sprintf("%s/api/services?page=%d&per_page=500", srv.URL, page))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p, err := hsdsmap.DecodePage[hsdsmap.Service](bytes.NewReader(body))
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(p.Items) > maxPerPage || p.TotalItems.V != 250 || p.TotalPages.V != 3 || int(p.PageNumber.V) != page {
			t.Fatalf("page %d: %d items, envelope %+v", page, len(p.Items), p)
		}
		seen += len(p.Items)
		if p.Last.V {
			break
		}
	}
	if seen != 250 {
		t.Errorf("walked %d services, want 250", seen)
	}
	resp, err := http.Get(srv.URL + "/api/services/" + c.Services[7].ID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, c.services[7]) {
		t.Error("the detail endpoint does not serve the list item")
	}
}

func BenchmarkGenerateCouncil(b *testing.B) {
	la, _ := lacodes.ByGSS(bristol)
	for b.Loop() {
		if _, err := genCouncil(1, la, 1000, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServePage(b *testing.B) {
	c := testCouncil(b, bristol, 1000)
	b.SetBytes(int64(len(c.page(3, maxPerPage))))
	for b.Loop() {
		c.page(3, maxPerPage)
	}
}
