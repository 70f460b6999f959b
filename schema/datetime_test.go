package schema

import (
	"fmt"
	"strings"
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

// formatNode finds a node of the compiled schemas with the named format.
func formatNode(t testing.TB, name string) *planNode {
	t.Helper()
	seen := map[*planNode]bool{}
	var walk func(n *planNode) *planNode
	walk = func(n *planNode) *planNode {
		if n == nil || seen[n] {
			return nil
		}
		seen[n] = true
		if n.format != nil && n.format.Name == name {
			return n
		}
		kids := append([]*planNode{n.items, n.ref}, n.oneOf...)
		for _, p := range n.props {
			kids = append(kids, p)
		}
		for _, k := range kids {
			if f := walk(k); f != nil {
				return f
			}
		}
		return nil
	}
	for _, c := range validator(t).kinds {
		if f := walk(c.plan); f != nil {
			if f.formatFast == nil {
				t.Fatalf("format %q has no fast check", name)
			}
			return f
		}
	}
	t.Fatalf("no node with format %q", name)
	return nil
}

// plainDate must agree with the "date" format on every ten-byte shape it
// could be handed, and take real dates without the format's allocation.
func TestPlainDateAgreesWithFormat(t *testing.T) {
	f := formatNode(t, "date")
	var cases []string
	for _, y := range []int{0, 1, 1900, 2000, 2023, 2024, 2100, 2400, 9999} {
		for mo := 0; mo <= 13; mo++ {
			for d := 0; d <= 32; d++ {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02d", y, mo, d))
			}
		}
	}
	cases = append(cases, "2026-1-30", "2026-11-3", "+026-11-30", "2026/11/30", "2026-11-30Z", "2026-11-30T00:00:00Z", "20261130",
		"2026-1a-30", "2026-11-3a", "2a26-11-30", "-026-11-30", "2026-+1-30", "2026-11-+3", "2026-11-30 ", "", "２026-11-30")
	fast := 0
	for _, c := range cases {
		ok, valid := f.formatFast([]byte(c)), f.format.Validate(c) == nil
		if ok != valid {
			t.Errorf("%q: fast check %v, the format %v", c, ok, valid)
		}
		if ok {
			fast++
		}
	}
	if fast < 3000 {
		t.Fatalf("the fast check took only %d cases", fast)
	}
	b := []byte("2026-06-01")
	if a := testing.AllocsPerRun(100, func() {
		if !f.stringOK(b) {
			t.Fatal("rejected")
		}
	}); a != 0 {
		t.Fatalf("%v allocations a date", a)
	}
}

// plainEmail may only accept what the format accepts, and must take the
// plain addresses records carry.
func TestPlainEmailOnlyAcceptsValid(t *testing.T) {
	f := formatNode(t, "email")
	plain := []string{"info@example.nhs.uk", "slt.dropin@example.nhs.uk", "a@b", "A.B-c_d+e@x-y.Example.COM.", "o'brien@council.gov.uk",
		"x!#$%&'*+-/=?^_`{|}~@a.b", strings.Repeat("l", 64) + "@" + strings.Repeat("h", 63) + ".uk"}
	other := []string{"", "@example.org", "a@", "a@.", "a@b..c", "a@-b.c", "a@b-.c", "a@b_c.d", ".a@b.c", "a.@b.c", "a..b@c.d",
		`"quoted name"@example.org`, `"a\"b"@c.d`, "a@[192.168.0.1]", "a@[IPv6:::1]", "a@[300.1.1.1]", "café@example.org", "a@exämple.org",
		"a b@c.d", "a@b c.d", "a@b@c.d", strings.Repeat("l", 65) + "@b.c", "a@" + strings.Repeat("h", 64) + ".uk",
		"a@" + strings.Repeat("h.", 127) + "uk", strings.Repeat("a", 60) + "@" + strings.Repeat("hhhhhhhhh.", 20) + "uk", "a@b..", "a@b.c..", "mailto:a@b.c",
		"a@b.c\n", "a@\xff.c", "\xe2\x80\x99@b.c"}
	for _, c := range plain {
		if !f.formatFast([]byte(c)) || f.format.Validate(c) != nil {
			t.Errorf("%q: fast check %v, format error %v: a plain address should pass both", c, f.formatFast([]byte(c)), f.format.Validate(c))
		}
	}
	for _, c := range append(plain, other...) {
		if f.formatFast([]byte(c)) && f.format.Validate(c) != nil {
			t.Errorf("%q: fast check accepts, the format rejects: %v", c, f.format.Validate(c))
		}
	}
	b := []byte("childrens.therapy@example.nhs.uk")
	if a := testing.AllocsPerRun(100, func() {
		if !f.stringOK(b) {
			t.Fatal("rejected")
		}
	}); a != 0 {
		t.Fatalf("%v allocations an address", a)
	}
}

func FuzzPlainDate(f *testing.F) {
	n := formatNode(f, "date")
	f.Add("2026-06-01")
	f.Add("2024-02-29")
	f.Fuzz(func(t *testing.T, s string) {
		if ok, valid := n.formatFast([]byte(s)), n.format.Validate(s) == nil; ok != valid {
			t.Fatalf("%q: fast check %v, the format %v", s, ok, valid)
		}
	})
}

func FuzzPlainEmail(f *testing.F) {
	n := formatNode(f, "email")
	for _, s := range []string{"info@example.nhs.uk", "a.b@c-d.e.", `"q"@x.y`, "a@[1.2.3.4]", "x@y..z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n.formatFast([]byte(s)) && n.format.Validate(s) != nil {
			t.Fatalf("%q: fast check accepts, the format rejects: %v", s, n.format.Validate(s))
		}
	})
}
