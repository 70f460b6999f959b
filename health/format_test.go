package health

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func fp(v float64) *float64 { return &v }

// tableReport has a source of every kind the summary shows differently.
func tableReport() *Report {
	fin := "2026-11-30 06:05:00.000"
	return &Report{
		Sources: []Source{
			{Run: Run{Pipeline: "city-api", Status: "degraded", FinishedAt: &fin, RecordsSeen: 10, RecordsQuarantined: 2, QuarantineRate: 0.2,
				FieldsRepaired: map[string]uint64{"email": 2, "url": 1}, FieldsDropped: map[string]uint64{"phone": 1},
				StaleShare: fp(0.5), AssuredShare: fp(0.75), ModifiedShare: fp(0.25), MissingFromSource: 1, P50ms: 120.4, P95ms: 340.6,
				PaginationAnomalies: 1, ConformanceChecks: 3, ConformanceLevel: 1,
				Reason: "2 pages\nfailed:\tretry later \x1b[31mred\x1b[0m and a reason long enough to be cut short at sixty characters"},
				History: []Run{{StaleShare: fp(0)}, {}, {StaleShare: fp(0.5)}, {StaleShare: fp(1)}}},
			{Run: Run{Pipeline: "national-api", Status: "ok", RecordsSeen: 400, ConformanceChecks: 5, ConformanceLevel: 2, StaleShare: fp(0.01)},
				History: []Run{{StaleShare: fp(0.01)}}},
			{Run: Run{Pipeline: "broken-api", Status: "failed", ConformanceChecks: 2, ConformanceLevel: 0, Reason: "HTTP 500"}},
			{Run: Run{Pipeline: "schools", Status: "ok", RecordsSeen: 3}},
		},
		LAs: []LA{
			{LACode: "E06000044", Services: 4, Stale: 2, StaleShare: 0.5, QuarantineRate: fp(0.125), StaleRank: 1},
			{LACode: "E10000014", Services: 2, StaleShare: 0, StaleRank: 2},
		},
		Fixes:      []Fix{{Kind: "quarantined"}, {Kind: "flag:no_contact"}, {Kind: "quarantined"}, {Kind: "repaired"}, {Kind: "flag:no_contact"}, {Kind: "dropped"}},
		FixesTotal: 9,
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The terminal summary: shares, rates, latency, ORUK level and the stale
// trend per source; control characters from a source never reach the terminal.
func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, tableReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\t") {
		t.Errorf("control characters reached the table:\n%q", out)
	}
	golden(t, "table.golden", b.Bytes())
}

func TestTableCells(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{pctOf(0, 0), "0"},
		{pctOf(3, 0.0375), "3 (3.8%)"},
		{share(nil), "-"},
		{share(fp(0.333)), "33%"},
		{latency(0, 0), "-"},
		{latency(12.4, 99.5), "12/100"},
		{conformance(Run{}), "-"},
		{conformance(Run{ConformanceChecks: 4, ConformanceLevel: 2}), "L2"},
		{conformance(Run{ConformanceChecks: 4, ConformanceLevel: 1}), "L1"},
		{conformance(Run{ConformanceChecks: 4}), "fail"},
		{trend([]Run{{StaleShare: fp(0)}, {}, {StaleShare: fp(0.5)}, {StaleShare: fp(1)}, {StaleShare: fp(-1)}}), "▁·▄█▁"},
		{trend(nil), ""},
		{oneLine("a\nb\tc\u0085d", 60), "a b c d"},
		{oneLine("ünïcödé text", 5), "ünïc…"},
		{fixKinds([]Fix{{Kind: "b"}, {Kind: "a"}, {Kind: "b"}, {Kind: "c"}}), "b 2, a 1, c 1"},
		{fixKinds(nil), ""},
		{csvSafe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")"},
		{csvSafe("-1"), "'-1"},
		{csvSafe("plain"), "plain"},
		{csvSafe(""), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// Each validation problem gets a repair a data owner can act on.
func TestSuggestFor(t *testing.T) {
	cases := []struct{ ptr, msg, want string }{
		{"/id", "missing", "Give the record a stable id: without one it cannot be published or tracked."},
		{"", "missing property 'id'", "Give the record a stable id: without one it cannot be published or tracked."},
		{"/name", "length must be >= 1", "Give the record a name."},
		{"", "missing property 'name'", "Give the record a name."},
		{"/email", "not an email", "Correct the email address (one address, like name@example.org) or remove it."},
		{"/url", "not a uri", "Give a full web address starting https:// or remove it."},
		{"/organization/website", "not a uri", "Give a full web address starting https:// or remove it."},
		{"/phones/0/number", "too short", "Correct the phone number (UK format, like 023 9268 8000) or remove it."},
		{"/phones/0", "bad", "Correct the phone number (UK format, like 023 9268 8000) or remove it."},
		{"/locations/0/addresses/0/postal_code", "bad", "Correct the postcode (like PO1 2AL)."},
		{"/schedules/0/opens_at", "bad", "Give opening times as HH:MM (24-hour clock), like 09:00."},
		{"/maximum_age", "must be <= 25", "Give ages in whole years from 0 to 25, the minimum not above the maximum."},
		{"/status", "not one of", "Set status to active, inactive, defunct or temporarily closed."},
		{"/assured_date", "bad", "Give the date as YYYY-MM-DD."},
		{"/valid_from", "not a valid date", "Give the date as YYYY-MM-DD."},
		{"/fees", "too long", `Correct "/fees": too long`},
	}
	for _, c := range cases {
		if got := suggestFor(c.ptr, c.msg); got != c.want {
			t.Errorf("suggestFor(%q, %q) = %q, want %q", c.ptr, c.msg, got, c.want)
		}
	}
}

func TestPointer(t *testing.T) {
	var doc any
	json.Unmarshal([]byte(`{"name":"Club","a/b":{"~x":1},"phones":[{"number":"0"},{"number":null}],"ages":[5,11]}`), &doc)
	cases := []struct {
		ptr, want string
		ok        bool
	}{
		{"/name", "Club", true},
		{"/phones/0/number", "0", true},
		{"/phones/1/number", "null", true},
		{"/ages", "[5,11]", true},
		{"/a~1b/~0x", "1", true},
		{"", "", false},
		{"/", "", false},
		{"/nope", "", false},
		{"/phones/2", "", false},
		{"/phones/x", "", false},
		{"/name/deeper", "", false},
	}
	for _, c := range cases {
		got, ok := pointer(doc, c.ptr)
		if got != c.want || ok != c.ok {
			t.Errorf("pointer(%q) = %q, %v; want %q, %v", c.ptr, got, ok, c.want, c.ok)
		}
	}
}

// Write builds once and writes any format; an unknown one is refused by name.
func TestWriteFormats(t *testing.T) {
	w := plantedWarehouse(t)
	ctx := context.Background()
	var table, js bytes.Buffer
	if err := Write(ctx, w, Options{}, "table", &table, now); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(table.String(), "SOURCE ") || !strings.Contains(table.String(), "city-api") || !strings.Contains(table.String(), "Fix list: ") {
		t.Errorf("table:\n%s", table.String())
	}
	if err := Write(ctx, w, Options{}, "json", &js, now); err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(js.Bytes(), &r); err != nil || len(r.Sources) == 0 || !r.Generated.Equal(now) {
		t.Errorf("json: %v, %d sources, generated %v", err, len(r.Sources), r.Generated)
	}
	err := Write(ctx, w, Options{}, "xml", &bytes.Buffer{}, now)
	if err == nil || err.Error() != `unknown format "xml" (table, csv, json, html)` {
		t.Errorf("unknown format: %v", err)
	}
}
