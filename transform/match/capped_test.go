package match

import (
	"bytes"
	"fmt"
	"testing"
)

// TestOversizedBlockIsCapped: a postcode a whole list shares is not a
// candidate key. The locations that have only it do not link (the rule), the
// pass says how many blocks it skipped, and records in an oversized block
// still link through their other keys.
func TestOversizedBlockIsCapped(t *testing.T) {
	x := NewIndex(Options{Kind: Location, MaxBlock: 50})
	for i := range 200 {
		x.Upsert(Entity{ID: fmt.Sprintf("list/%03d", i), Pipeline: "list", Name: fmt.Sprintf("Site %d", i), Postcodes: []string{"PO5 1AA"}})
	}
	x.Upsert(Entity{ID: "dir/elm", Pipeline: "dir", Name: "Site 7", Postcodes: []string{"PO5 1AA"}})
	// A small block beside it links as ever.
	x.Upsert(Entity{ID: "list/hall", Pipeline: "list", Name: "Milton Hall", Postcodes: []string{"PO4 8LS"}})
	x.Upsert(Entity{ID: "dir/hall", Pipeline: "dir", Name: "Milton Hall", Postcodes: []string{"PO4 8LS"}})
	st := x.Pass()
	if st.Capped != 1 || st.Grouped != 2 || st.Compared != 1 {
		t.Errorf("capped %d, grouped %d, compared %d; want 1 block capped, the two halls grouped, one comparison", st.Capped, st.Grouped, st.Compared)
	}
	if x.Canonical("dir/elm") != "dir/elm" {
		t.Errorf("a location whose only key is the shared postcode linked to %s", x.Canonical("dir/elm"))
	}

	// Organisations: 150 a pipeline share a name and a district, so their
	// name blocks are over the cap; their charity numbers still pair them.
	o := NewIndex(Options{Kind: Organization, MaxBlock: 50})
	for _, p := range []string{"a", "b"} {
		for i := range 150 {
			o.Upsert(Entity{ID: fmt.Sprintf("%s/%03d", p, i), Pipeline: p, Name: "Sensory Club", Postcodes: []string{"PO5 1AA"},
				Area: "E06000044", Keys: []string{fmt.Sprintf("charity:%d", 1000+i)}})
		}
	}
	st = o.Pass()
	if st.Capped == 0 || st.Grouped != 300 {
		t.Fatalf("capped %d, grouped %d; want name blocks capped and all 300 in pairs", st.Capped, st.Grouped)
	}
	for i := range 150 {
		a, b := fmt.Sprintf("a/%03d", i), fmt.Sprintf("b/%03d", i)
		if o.Canonical(a) != a || o.Canonical(b) != a {
			t.Fatalf("%s and %s: canonical %s and %s; want both %s (same charity number)", a, b, o.Canonical(a), o.Canonical(b), a)
		}
	}
}

// TestStaleEntriesDoNotCapABlock: a block over MaxBlock only because its
// records moved away is compacted and scanned, not skipped.
func TestStaleEntriesDoNotCapABlock(t *testing.T) {
	x := NewIndex(Options{Kind: Location, MaxBlock: 20})
	for i := range 30 {
		x.Upsert(Entity{ID: fmt.Sprintf("a/%02d", i), Pipeline: "a", Name: fmt.Sprintf("Hall %d", i), Postcodes: []string{"PO5 1AA"}})
	}
	if st := x.Pass(); st.Capped != 1 {
		t.Fatalf("first pass: capped %d, want 1", st.Capped)
	}
	for i := range 25 { // they move: their entries under PO5 1AA go stale
		x.Upsert(Entity{ID: fmt.Sprintf("a/%02d", i), Pipeline: "a", Name: fmt.Sprintf("Hall %d", i), Postcodes: []string{fmt.Sprintf("PO6 %dAA", i%10)}})
	}
	x.Pass()
	x.Upsert(Entity{ID: "b/1", Pipeline: "b", Name: "Hall 27", Postcodes: []string{"PO5 1AA"}})
	st := x.Pass()
	if st.Capped != 0 || x.Canonical("b/1") != "a/27" {
		t.Errorf("capped %d, b/1 canonical %s; want the block compacted to 5 live records and b/1 linked to a/27", st.Capped, x.Canonical("b/1"))
	}
}

// BenchmarkOversizedBlock: 100,000 locations of one list at one postcode
// (the shape of bench-sheets.sh providers). Each record used to compact the
// shared block again: quadratic, minutes at this size.
func BenchmarkOversizedBlock(b *testing.B) {
	const n = 100_000
	ents := make([]Entity, n)
	for i := range ents {
		ents[i] = Entity{ID: fmt.Sprintf("P-%06d", i), Pipeline: "providers", Name: fmt.Sprintf("Service %d", i), Org: fmt.Sprintf("org-%d", i%5000),
			Postcodes: []string{"PO5 1AA"}, Area: "E06000044"}
	}
	b.ReportAllocs()
	for b.Loop() {
		x := NewIndex(Options{Kind: Location})
		for _, e := range ents {
			x.Upsert(e)
		}
		if st := x.Pass(); st.Capped != 1 {
			b.Fatalf("capped %d", st.Capped)
		}
	}
}

// Letter pairs are two bytes; a snapshot holding a larger value is damaged
// and refused, not truncated into a different pair.
func TestSnapshotRefusesOutOfRangeLetterPair(t *testing.T) {
	x := NewIndex(Options{})
	x.Upsert(Entity{ID: "o1", Pipeline: "p", Name: "ab"})
	x.Pass()
	var buf bytes.Buffer
	if err := x.WriteSnapshot(&buf, "pass-1"); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, _, err := ReadSnapshot(bytes.NewReader(good), Options{}); err != nil {
		t.Fatalf("intact snapshot: %v", err)
	}
	// "ab" has the one pair 'a'<<8|'b' = 24930, varint e2 c2 01; 65536 is
	// 80 80 04, the same length, so only the value is wrong.
	pair := []byte{0xe2, 0xc2, 0x01}
	if bytes.Count(good, pair) != 1 {
		t.Fatalf("letter pair found %d times in the snapshot", bytes.Count(good, pair))
	}
	bad := bytes.Replace(good, pair, []byte{0x80, 0x80, 0x04}, 1)
	if _, _, err := ReadSnapshot(bytes.NewReader(bad), Options{}); err == nil {
		t.Error("a snapshot with a letter pair over 65535 was read")
	}
}
