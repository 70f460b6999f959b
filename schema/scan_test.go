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
		"\"bad \xff utf8\"", "\"ctl \x01\"", `"\u12"`, `"\x"`, `"0123456789abcdef\u003c0123456789abcdef"`, `"unterminated\u0041`,
		"\"caf\xc3\\u00a9 \xc3\"", "\"\xe2\x80\\n\x99\"", "\"\xed\xa0\x80\\u0041\"", "\"\\u003cp\\u003eParents\xe2\x80\x99 \xc2\xa3\\u0026 \\ud800\\u0041 \\ude00\"", "\"\xf0\x9f\x98\x80\\ud83d\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a := scanner{b: b}
		_, okStr := a.str()
		k := scanner{b: b}
		okSkip := k.skipStr()
		o := scanner{b: b}
		okOld := skipStrDecoding(&o)
		if okStr != okSkip || okStr && a.i != k.i || okOld != okSkip || okOld && o.i != k.i {
			t.Fatalf("%q: str ok %v at %d, skipStr ok %v at %d, old skipStr ok %v at %d", b, okStr, a.i, okSkip, k.i, okOld, o.i)
		}
	})
}

// skipStrDecoding is skipStr as it was before it checked UTF-8 in place: any
// non-ASCII string with an escape went through the full decoder.
func skipStrDecoding(s *scanner) bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	j := s.i + 1
	high := false
	for ; j < len(s.b); j++ {
		c := s.b[j]
		if !strSpecial[c] {
			high = high || c >= 0x80
			continue
		}
		if high {
			_, ok := s.str()
			return ok
		}
		switch {
		case c == '"':
			s.i = j + 1
			return true
		case c < 0x20 || j+1 >= len(s.b):
			return false
		}
		switch s.b[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j++
		case 'u':
			if len(s.b)-j < 6 || !isHex(s.b[j+2]) || !isHex(s.b[j+3]) || !isHex(s.b[j+4]) || !isHex(s.b[j+5]) {
				return false
			}
			j += 5
		default:
			return false
		}
	}
	return false
}

// Strings built from the pieces where decoding and in-place checking could
// part: escapes next to split or stray UTF-8 sequences, lone, reversed and
// broken surrogate pairs, encoded surrogates, controls, and runs long enough
// for the eight-byte loop.
func TestSkipStrAgreesWithDecoding(t *testing.T) {
	pieces := []string{`a`, `0123456789abcdef`, `\"`, `\\`, `\/`, `\n`, `\u003c`, `\u00e9`, `\u0000`,
		`\ud83d`, `\ude00`, `\ud83d\ude00`, `\ude00\ud83d`, `\ud800\u0041`, `\ud800\`, `\ud800\u12`, `\uZZZZ`, `\x`, `\`,
		"é", "’", "😀", "\xc3", "\xa9", "\xe2\x80", "\xf0\x9f\x98", "\xed\xa0\x80", "\xc0\xaf", "\xff", "\x01", "\t", `"`}
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	agreeOK := 0
	for round := 0; round < 200000; round++ {
		b.Reset()
		b.WriteByte('"')
		for n := r.IntN(7); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		if r.IntN(8) != 0 {
			b.WriteString(`","next":1`)
		}
		doc := []byte(b.String())
		a := scanner{b: doc}
		_, okStr := a.str()
		k := scanner{b: doc}
		okSkip := k.skipStr()
		o := scanner{b: doc}
		okOld := skipStrDecoding(&o)
		if okSkip != okStr || okSkip != okOld || okSkip && (k.i != a.i || k.i != o.i) {
			t.Fatalf("%q: skipStr ok %v at %d, str ok %v at %d, old skipStr ok %v at %d", doc, okSkip, k.i, okStr, a.i, okOld, o.i)
		}
		if okSkip {
			agreeOK++
		}
	}
	if agreeOK < 10000 || agreeOK > 190000 {
		t.Fatalf("%d of 200000 accepted: the generator does not exercise both answers", agreeOK)
	}
}

// The in-place check must not allocate, even on HTML with non-ASCII text.
func TestSkipStrDoesNotAllocate(t *testing.T) {
	doc, _ := json.Marshal(strings.Repeat("<p>Parents’ forum, £5 a term &amp; café.</p>", 8))
	allocs := testing.AllocsPerRun(100, func() {
		s := scanner{b: doc}
		if !s.skipStr() {
			t.Fatal("not ok")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations a string", allocs)
	}
}
