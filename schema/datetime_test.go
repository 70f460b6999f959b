package schema

import (
	"fmt"
	"testing"
	"time"
)

// dateTimeFormat is the compiled schema's own "date-time" check (provenance.fetched_at).
func dateTimeFormat(t testing.TB) *planNode {
	t.Helper()
	n := validator(t).kinds[KindLocation].plan.fields["provenance"].node
	for n.ref != nil && n.fields == nil {
		n = n.ref
	}
	f := n.fields["fetched_at"].node
	if f == nil || f.format == nil || f.format.Name != "date-time" || f.formatFast == nil {
		t.Fatal("provenance.fetched_at has no date-time format with a fast check")
	}
	return f
}

// plainDateTime may only accept what the format accepts; it must take the
// times encoding/json writes, and leave every other shape to the format.
func TestPlainDateTimeOnlyAcceptsValid(t *testing.T) {
	f := dateTimeFormat(t)
	var cases []string
	for _, y := range []int{0, 1900, 2000, 2023, 2024, 2100, 9999} {
		for mo := 0; mo <= 13; mo++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT12:00:00Z", y, mo, d))
			}
		}
	}
	cases = append(cases, "2026-11-30T23:59:59Z", "2026-11-30T24:00:00Z", "2026-11-30T23:60:00Z", "2026-11-30T23:59:60Z",
		"2026-11-30T00:00:00.1Z", "2026-11-30T00:00:00.123456789Z", "2026-11-30T00:00:00.Z", "2026-11-30T00:00:00z",
		"2026-11-30t00:00:00Z", "2026-11-30T00:00:00+01:00", "2026-11-30T00:00:00", "2026-11-30 00:00:00Z",
		"2026-11-30T00:00:00ZZ", "2026-11-30T0a:00:00Z", "+026-11-30T00:00:00Z", "2026-11-30T00:00:00.1a", "2026-1-30T00:00:00Z")
	fast := 0
	for _, c := range cases {
		ok := f.formatFast([]byte(c))
		valid := f.format.Validate(c) == nil
		if ok && !valid {
			t.Errorf("%q: fast check accepts, the format rejects", c)
		}
		if ok {
			fast++
		}
	}
	for _, tm := range []time.Time{time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC)} {
		b, _ := tm.MarshalJSON()
		if !f.formatFast(b[1 : len(b)-1]) {
			t.Errorf("%s: the fast check should take encoding/json's own form", b)
		}
	}
	if fast < 200 {
		t.Fatalf("the fast check took only %d cases", fast)
	}
}

func FuzzPlainDateTime(f *testing.F) {
	n := dateTimeFormat(f)
	f.Add("2026-11-30T12:00:00Z")
	f.Add("2024-02-29T23:59:59.5Z")
	f.Fuzz(func(t *testing.T, s string) {
		if n.formatFast([]byte(s)) && n.format.Validate(s) != nil {
			t.Fatalf("%q: fast check accepts, the format rejects", s)
		}
	})
}
