package schema

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func hasSpecialBytewise(w uint64) bool {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w)
	for _, c := range b {
		if strSpecial[c] {
			return true
		}
	}
	return false
}

// Every byte value at every position, over random surroundings of plain and
// high bytes (where a borrow could hide or invent a special byte).
func TestHasSpecialMatchesBytewise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = byte(0x20 + r.IntN(0xe0))
				}
				b[pos] = byte(c)
				w := binary.LittleEndian.Uint64(b[:])
				if got, want := hasSpecial(w), hasSpecialBytewise(w); got != want {
					t.Fatalf("% x: hasSpecial %v, bytewise %v", b, got, want)
				}
			}
		}
	}
}

// The scanner's strings must equal ParseJSON's, and say not-ok where it fails.
func FuzzScannerString(f *testing.F) {
	for _, s := range []string{`"plain"`, `"<p>caf\u00e9 &amp; \"x\"</p>"`, "\"caf\xc3\xa9\"", "\"bad \xff utf8\"", "\"ctl \x01\"",
		`"0123456789abcdef0123456789abcdef"`, `"unterminated`, "\"\u2028\u2029 long enough to use the wide loop\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			return // the parser's str starts after seeing the quote
		}
		s := scanner{b: b}
		got, ok := s.str()
		p := jsonParser{b: b}
		want, err := p.str()
		if ok != (err == nil) {
			t.Fatalf("%q: scanner ok %v, parser error %v", b, ok, err)
		}
		if ok && (string(got) != want || s.i != p.i) {
			t.Fatalf("%q: scanner %q at %d, parser %q at %d", b, got, s.i, want, p.i)
		}
	})
}

// The fast plan must never accept a document jsonschema/v6 rejects.
func FuzzFastPlanNeverAcceptsInvalid(f *testing.F) {
	v := validator(f)
	c := v.kinds[KindService]
	base, err := json.Marshal(fullService(3))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base)
	f.Add([]byte(`{"id":"x","name":"y"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := scanner{b: b}
		s.space()
		if !c.plan.scan(&s, 0) {
			return
		}
		s.space()
		if s.i != len(s.b) {
			return
		}
		doc, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("fast plan accepted unparseable %q: %v", b, err)
		}
		if err := c.sch.Validate(doc); err != nil {
			t.Fatalf("fast plan accepted %q, jsonschema/v6: %v", b, err)
		}
	})
}

// Real council descriptions are HTML of about a kilobyte.
func BenchmarkScannerString(b *testing.B) {
	doc, _ := json.Marshal(strings.Repeat("<p>Advice and training for schools &amp; families supporting autistic children.</p>", 12))
	b.Run("str", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			s := scanner{b: doc}
			if _, ok := s.str(); !ok {
				b.Fatal("not ok")
			}
		}
	})
	b.Run("skipStr", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			s := scanner{b: doc}
			if !s.skipStr() {
				b.Fatal("not ok")
			}
		}
	})
}

// skipStr must accept exactly what str accepts and stop at the same byte.
func FuzzSkipStrAgreesWithStr(f *testing.F) {
	for _, s := range []string{`"plain"`, `"\u003cp\u003e caf\u00e9 \u0026amp; \"x\" \ud83d\ude00 \ud800"`, "\"caf\xc3\xa9 \\n\"", "\"\xc3\\u00a9\"",
		"\"bad \xff utf8\"", "\"ctl \x01\"", `"\u12"`, `"\x"`, `"0123456789abcdef\u003c0123456789abcdef"`, `"unterminated\u0041`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a := scanner{b: b}
		_, okStr := a.str()
		k := scanner{b: b}
		okSkip := k.skipStr()
		if okStr != okSkip || okStr && a.i != k.i {
			t.Fatalf("%q: str ok %v at %d, skipStr ok %v at %d", b, okStr, a.i, okSkip, k.i)
		}
	})
}
