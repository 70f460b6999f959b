package textenc

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

func TestBOM(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind string
		n    int
	}{
		{"\xef\xbb\xbfURN", UTF8, 3}, {"\xff\xfeU\x00", UTF16LE, 2}, {"\xfe\xff\x00U", UTF16BE, 2}, {"URN", None, 0}, {"", None, 0},
	} {
		if k, n := BOM([]byte(c.in)); k != c.kind || n != c.n {
			t.Errorf("BOM(%q) = %q, %d; want %q, %d", c.in, k, n, c.kind, c.n)
		}
	}
	if !IsUTF16([]byte("\xff\xfe")) || IsUTF16([]byte("\xef\xbb\xbf")) {
		t.Error("IsUTF16")
	}
}

func TestSingle(t *testing.T) {
	for name, want := range map[string]bool{"cp1252": true, "Latin-1": true, "windows-1252": true, "utf-8": false, "UTF8": false} {
		single, detect, err := Single(name)
		if err != nil || detect || single != want {
			t.Errorf("Single(%q) = %v, %v, %v", name, single, detect, err)
		}
	}
	if _, detect, err := Single(""); !detect || err != nil {
		t.Error(`"" must mean detect`)
	}
	if _, _, err := Single("ebcdic"); err == nil || !strings.Contains(err.Error(), "ebcdic") {
		t.Errorf("unknown encoding: %v", err)
	}
}

func TestValidPrefixIgnoresACutRune(t *testing.T) {
	s := []byte("Caf\xc3\xa9")
	if !ValidPrefix(s[:len(s)-1]) {
		t.Error("a rune cut at the end is not an error")
	}
	if ValidPrefix([]byte("Caf\xe9 au lait")) {
		t.Error("latin-1 é taken for UTF-8")
	}
}

func TestValidUTF8Streams(t *testing.T) {
	// A two-byte rune split across one-byte reads must not count as invalid.
	long := strings.Repeat("a", 70<<10) + "é" + strings.Repeat("b", 10)
	if ok, err := ValidUTF8(iotest.OneByteReader(strings.NewReader(long))); !ok || err != nil {
		t.Errorf("valid text = %v, %v", ok, err)
	}
	if ok, _ := ValidUTF8(strings.NewReader(strings.Repeat("a", 70<<10) + "\xe9")); ok {
		t.Error("latin-1 byte after 70 KiB of ASCII not seen")
	}
	if ok, _ := ValidUTF8(strings.NewReader("abc\xc3")); ok {
		t.Error("a truncated rune at EOF is invalid")
	}
}

func TestWindows1252(t *testing.T) {
	// 0x92 is the curly apostrophe in cp1252; 0x81 is undefined and keeps its latin-1 meaning.
	got := string(AppendWindows1252(nil, []byte("St Mary\x92s \xe9\x81")))
	if got != "St Mary\u2019s é\u0081" {
		t.Errorf("got %q", got)
	}
	if got := string(AppendUTF8(nil, []byte("é"), false)); got != "é" {
		t.Errorf("valid UTF-8 re-decoded: %q", got)
	}
	if got := string(AppendUTF8(nil, []byte("\xe9"), false)); got != "é" {
		t.Errorf("stray latin-1 field: %q", got)
	}
	if got := string(AppendUTF8(nil, []byte("é"), true)); got != "Ã©" {
		t.Errorf("single-byte forced: %q", got)
	}
	if !ASCII([]byte("abc")) || ASCII([]byte("caf\xe9")) || !bytes.Equal(TrimUTF8BOM([]byte("\xef\xbb\xbfa")), []byte("a")) {
		t.Error("ASCII/TrimUTF8BOM")
	}
}
