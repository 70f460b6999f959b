// Package textenc is the one place that decides what character encoding
// fetched text is in and decodes it to UTF-8: byte-order marks, UTF-8
// validity, and the Windows-1252 fallback that covers latin-1 exports (GIAS,
// council spreadsheets, older feeds). Collectors and checks call it instead
// of sniffing BOMs themselves.
package textenc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// BOM kinds.
const (
	None    = ""
	UTF8    = "utf-8"
	UTF16LE = "utf-16le"
	UTF16BE = "utf-16be"
)

// BOM reports the byte-order mark head starts with and its length.
func BOM(head []byte) (kind string, n int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, 2
	}
	return None, 0
}

// IsUTF16 reports whether head starts with a UTF-16 byte-order mark.
func IsUTF16(head []byte) bool {
	k, _ := BOM(head)
	return k == UTF16LE || k == UTF16BE
}

// TrimUTF8BOM drops a leading UTF-8 byte-order mark.
func TrimUTF8BOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF}) }

// Single reports whether a configured encoding name means single-byte
// Windows-1252/latin-1 text (true) or UTF-8 (false); "" means detect. The
// names are the ones pipelines.yaml accepts.
func Single(name string) (single, detect bool, err error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "":
		return false, true, nil
	case "utf-8", "utf8":
		return false, false, nil
	case "latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252":
		return true, false, nil
	}
	return false, false, fmt.Errorf("unknown encoding %q (utf-8, latin-1, cp1252)", name)
}

// ValidPrefix reports whether b is UTF-8, ignoring a rune cut off at its end
// (b is the first bytes of a longer text).
func ValidPrefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// ValidUTF8 streams r and reports whether it is valid UTF-8 throughout.
func ValidUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := r.Read(buf[len(carry):])
		chunk := buf[:len(carry)+n]
		end := len(chunk)
		if err == nil {
			// Hold back a rune split across reads.
			for i := end - 1; i >= 0 && i >= end-utf8.UTFMax; i-- {
				if utf8.RuneStart(chunk[i]) {
					if !utf8.FullRune(chunk[i:end]) {
						end = i
					}
					break
				}
			}
		}
		if !utf8.Valid(chunk[:end]) {
			return false, nil
		}
		carry = append(carry[:0], chunk[end:]...)
		copy(buf, carry)
		if err == io.EOF {
			return len(carry) == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// ASCII reports whether b is 7-bit text (no decoding needed either way).
func ASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cp1252 maps each byte to its rune; the five bytes Windows-1252 leaves
// undefined keep their latin-1 meaning, so latin-1 text decodes the same way
// (as browsers do).
var cp1252 = func() (t [256]rune) {
	for i := range t {
		r := charmap.Windows1252.DecodeByte(byte(i))
		if r == utf8.RuneError {
			r = rune(i)
		}
		t[i] = r
	}
	return t
}()

// AppendWindows1252 appends src, read as Windows-1252 (or latin-1), to dst as UTF-8.
func AppendWindows1252(dst, src []byte) []byte {
	for _, b := range src {
		if b < 0x80 {
			dst = append(dst, b)
		} else {
			dst = utf8.AppendRune(dst, cp1252[b])
		}
	}
	return dst
}

// AppendUTF8 appends src to dst as UTF-8: unchanged when single is false and
// src is valid UTF-8, decoded as Windows-1252 otherwise (a stray latin-1
// field in an otherwise UTF-8 file).
func AppendUTF8(dst, src []byte, single bool) []byte {
	if !single && utf8.Valid(src) {
		return append(dst, src...)
	}
	return AppendWindows1252(dst, src)
}
