package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func contentFixture() *Service {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	prov := func(id string) *Provenance {
		return &Provenance{Pipeline: "p", SourceURL: "https://x.example/api?page=1", SourceID: id, FetchedAt: now}
	}
	age := 5.0
	return &Service{
		ID: "p/svc-1", Name: `Drop-in "provenance":{"x":1} \" tab	and ünïcode`, OrganizationID: "p/org-1",
		Description: `<p>Has a "provenance" key in its text: {"provenance":"no"}</p>\\`,
		MinimumAge:  &age, NeedCodes: []string{"ASD", "provenance"},
		Organization: &Organization{ID: "p/org-1", Name: "Org", Email: "a@b.example",
			Locations:  []Location{{ID: "p/loc-2", Name: "Hall", Provenance: prov("loc-2")}, {ID: "p/loc-3"}},
			Provenance: prov("org-1")},
		ServiceAtLocations: []ServiceAtLocation{{ID: "p/sal-1", LocationID: "p/loc-1",
			Location: &Location{ID: "p/loc-1", Addresses: []Address{{ID: "a", PostalCode: "PO1 1AA"}}, Provenance: prov("loc-1")}}},
		Attributes: []Attribute{},
		Provenance: prov("svc-1"),
	}
}

// withoutProvenance is the reference: the same service with every Provenance nil.
func withoutProvenance(s *Service) *Service {
	c := *s
	c.Provenance = nil
	org := *c.Organization
	org.Provenance = nil
	org.Locations = append([]Location(nil), org.Locations...)
	for i := range org.Locations {
		org.Locations[i].Provenance = nil
	}
	c.Organization = &org
	c.ServiceAtLocations = append([]ServiceAtLocation(nil), c.ServiceAtLocations...)
	loc := *c.ServiceAtLocations[0].Location
	loc.Provenance = nil
	c.ServiceAtLocations[0].Location = &loc
	return &c
}

func TestContentFromJSONEqualsMarshalWithoutProvenance(t *testing.T) {
	s := contentFixture()
	full, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(withoutProvenance(s))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ContentFromJSON(append([]byte(nil), full...))
	if err != nil {
		t.Fatal(err)
	}
	// In place and into a separate buffer give the same bytes.
	sep, err := WithoutMember(nil, full, "provenance", true)
	if err != nil || string(sep) != string(got.JSON) {
		t.Fatalf("in place %s\nseparate %s (%v)", got.JSON, sep, err)
	}
	if string(got.JSON) != string(want) {
		t.Fatalf("content differs from json.Marshal without provenance:\n got %s\nwant %s", got.JSON, want)
	}
	viaRecord, err := ContentOf(&Record{Kind: KindService, Service: s})
	if err != nil {
		t.Fatal(err)
	}
	if viaRecord.Hash != got.Hash || len(got.Hash) != 32 {
		t.Fatalf("hashes: %q from the record, %q from its JSON", viaRecord.Hash, got.Hash)
	}
	// The fixture's own strings mention provenance: they must survive.
	if !strings.Contains(string(got.JSON), `{\"provenance\":\"no\"}`) {
		t.Fatalf("a string mentioning provenance was altered: %s", got.JSON)
	}
	// Fetching again (a new fetched_at) leaves the content hash as it was.
	s2 := contentFixture()
	s2.Provenance.FetchedAt = s2.Provenance.FetchedAt.Add(time.Hour)
	s2.Organization.Provenance.FetchedAt = s2.Provenance.FetchedAt
	again, err := ContentOf(&Record{Kind: KindService, Service: s2})
	if err != nil || again.Hash != got.Hash {
		t.Fatalf("refetch changed the hash: %v %q %q", err, again.Hash, got.Hash)
	}
	s2.Name = "Renamed"
	changed, _ := ContentOf(&Record{Kind: KindService, Service: s2})
	if changed.Hash == got.Hash {
		t.Fatal("a changed name kept the hash")
	}
}

func TestWithoutMember(t *testing.T) {
	for _, c := range []struct {
		name, in, key string
		anyDepth      bool
		want          string
	}{
		{"top level first", `{"organization":{"id":"o"},"id":"s"}`, "organization", false, `{"id":"s"}`},
		{"top level last", `{"id":"s","organization":{"id":"o"}}`, "organization", false, `{"id":"s"}`},
		{"top level only", `{"a":[{"organization":1}],"organization":2}`, "organization", false, `{"a":[{"organization":1}]}`},
		{"any depth", `{"a":[{"k":1,"b":2},{"k":[1,{"k":3}]}],"k":{}}`, "k", true, `{"a":[{"b":2},{}]}`},
		{"only member", `{"k":"v"}`, "k", true, `{}`},
		{"empty containers", `{"a":{},"b":[],"c":""}`, "x", true, `{"a":{},"b":[],"c":""}`},
		{"escaped quotes", `{"a":"x\"k\":1\\","k":true}`, "k", true, `{"a":"x\"k\":1\\"}`},
		{"scalars", `[1.5e3,true,null,"s"]`, "k", true, `[1.5e3,true,null,"s"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := WithoutMember(nil, []byte(c.in), c.key, c.anyDepth)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
	for _, bad := range []string{`{"a":1`, `{"a" 1}`, `{"a":"x}`, `[1,2`, `{"a":1}x`, `{"a":1;"b":2}`} {
		if _, err := WithoutMember(nil, []byte(bad), "a", true); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func BenchmarkContent(b *testing.B) {
	s := contentFixture()
	full, _ := json.Marshal(s)
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(withoutProvenance(s)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("from-json", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, len(full))
		for b.Loop() {
			copy(buf, full)
			if _, err := ContentFromJSON(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkWithoutMember(b *testing.B) {
	full, _ := json.Marshal(contentFixture())
	b.SetBytes(int64(len(full)))
	buf := make([]byte, 0, len(full))
	for b.Loop() {
		if _, err := WithoutMember(buf[:0], full, "provenance", true); err != nil {
			b.Fatal(err)
		}
	}
}
