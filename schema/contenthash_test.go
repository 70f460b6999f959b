package schema

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
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

// The byte-search path must give exactly what the full walk gives, on the
// content fixture, real-shaped records of every nesting, and anything the
// fuzzer makes of them that json.Marshal could have written.
func TestWithoutProvenanceFastAgrees(t *testing.T) {
	s := contentFixture()
	full, _ := json.Marshal(s)
	org, _ := json.Marshal(s.Organization)
	svc, _ := json.Marshal(fullService(2))
	cases := [][]byte{full, org, svc,
		[]byte(`{"provenance":{"a":"}"}}`), []byte(`{"provenance":{},"a":1}`), []byte(`{"a":1,"provenance":{}}`),
		[]byte(`{"a":1,"provenance":{},"provenance":{}}`), []byte(`{"provenance":{},"provenance":{},"a":1}`),
		[]byte(`{"provenance":{},"a":1,"provenance":{}}`), []byte(`{"a":"x\"provenance\":{}","b":[{"provenance":"s"}]}`),
		[]byte(`{"a\\":"provenance","provenance":[1,{"provenance":2}],"c":{"provenance":null}}`),
		[]byte(`{"a\\\"provenance":1}`), []byte(`[{"provenance":1},{"provenance":true}]`), []byte(`{"x":{}}`)}
	fast := 0
	for _, c := range cases {
		want, werr := WithoutMember(nil, c, "provenance", true)
		in := append([]byte(nil), c...)
		got, ok := withoutProvenanceFast(in)
		if !ok {
			if string(in) != string(c) {
				t.Fatalf("%s: declined but changed its input", c)
			}
			continue
		}
		fast++
		if werr != nil || string(got) != string(want) {
			t.Fatalf("%s:\n fast %s\n walk %s (%v)", c, got, want, werr)
		}
	}
	if fast < len(cases)-3 {
		t.Fatalf("the fast path took only %d of %d", fast, len(cases))
	}
}

func FuzzWithoutProvenanceFast(f *testing.F) {
	full, _ := json.Marshal(contentFixture())
	f.Add(full)
	f.Add([]byte(`{"a":1,"provenance":{"b":"\\"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		// Only what json.Marshal writes: compact, keys and strings its way.
		c, err := json.Marshal(v)
		if err != nil {
			return
		}
		want, err := WithoutMember(nil, c, "provenance", true)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if got, ok := withoutProvenanceFast(append([]byte(nil), c...)); ok && string(got) != string(want) {
			t.Fatalf("%s:\n fast %s\n walk %s", c, got, want)
		}
	})
}

func indexProvenanceKeyRef(src []byte, from int) int {
	k := bytes.Index(src[from:], provenanceKey)
	if k < 0 {
		return -1
	}
	return k + from
}

// The 'v' anchor finds what bytes.Index finds, from every start, among near
// misses, overlaps and keys at either end of the input.
func TestIndexProvenanceKeyAgreesWithIndex(t *testing.T) {
	pieces := []string{`"provenance":`, `provenance":`, `"provenance"`, `"prov`, `enance":`, `v`, `vv`, `"`, `:`, `{`, `a`, `\"`, `"provenancee":`, `""provenance":`}
	r := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	found := 0
	for round := 0; round < 50000; round++ {
		b.Reset()
		for n := r.IntN(6); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		src := []byte(b.String())
		for from := 0; from <= len(src); from++ {
			got, want := indexProvenanceKey(src, from), indexProvenanceKeyRef(src, from)
			if got != want {
				t.Fatalf("%q from %d: %d, bytes.Index %d", src, from, got, want)
			}
			if got >= 0 {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("the generator never made the key")
	}
}

func FuzzIndexProvenanceKey(f *testing.F) {
	f.Add([]byte(`{"a":"v","provenance":{"v":1}}`), 3)
	f.Add([]byte(`"provenance":`), 0)
	f.Fuzz(func(t *testing.T, src []byte, from int) {
		if from < 0 || from > len(src) {
			return
		}
		if got, want := indexProvenanceKey(src, from), indexProvenanceKeyRef(src, from); got != want {
			t.Fatalf("%q from %d: %d, bytes.Index %d", src, from, got, want)
		}
	})
}
