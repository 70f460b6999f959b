package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// checkSameBytes: the JSON ValidateJSON hands the loader (and so every
// content_hash) must be encoding/json's bytes exactly.
func checkSameBytes(t *testing.T, v *schema.Validator, what string, rec *schema.Record) {
	t.Helper()
	want, err := json.Marshal(rec.Entity())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	_, got := v.ValidateJSON(rec)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: validator bytes differ from encoding/json\n got: %s\nwant: %s", what, got, want)
	}
	c, err := schema.ContentOf(rec)
	if err != nil {
		t.Fatal(err)
	}
	wantC, err := schema.ContentFromJSON(want)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != wantC.Hash {
		t.Fatalf("%s: content hash %s, from encoding/json %s", what, c.Hash, wantC.Hash)
	}
}

// The real council dumps (cmd/localoffer/testdata/realworld) through the
// ORUK mapper, and the benchmarks' real-shaped records.
func TestValidatorBytesAreEncodingJSONOnRealRecords(t *testing.T) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	dumps, err := filepath.Glob("../cmd/localoffer/testdata/realworld/*/services.json")
	if err != nil || len(dumps) == 0 {
		t.Fatalf("no real-world dumps: %v", err)
	}
	mapped := 0
	for _, d := range dumps {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		var raws []json.RawMessage
		if err := json.Unmarshal(b, &raws); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		m := hsdsmap.New("realworld", true)
		src := hsdsmap.Source{URL: "https://example.org/services", FetchedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), SHA256: "ab"}
		for i, raw := range raws {
			var s hsdsmap.Service
			if err := hsdsmap.DecodeService(raw, &s); err != nil {
				t.Fatalf("%s service %d: %v", d, i, err)
			}
			recs, _ := m.Records(&s, src)
			for _, r := range recs {
				checkSameBytes(t, v, d, r)
				mapped++
			}
		}
	}
	if mapped < 50 {
		t.Fatalf("only %d real-world records", mapped)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 400; i++ {
		for _, r := range whtest.RealRecords("real", i, now) {
			checkSameBytes(t, v, "whtest.RealRecords", r)
		}
	}
	t.Logf("%d real-world records", mapped)
}
