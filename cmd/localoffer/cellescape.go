package main

import (
	"fmt"
	"strings"
)

// terminalSafe makes a value from the warehouse (ultimately from a source)
// safe to print in a terminal table: tabs and newlines become spaces (they
// would break the columns), and every other control character, ANSI escape
// and bidirectional override is shown escaped (\r, \x1b, \u202e) so a hostile
// value cannot move the cursor, recolour, rewrite or reorder what is shown.
func terminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) || r == '\t' || r == '\n' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
			b.WriteByte(' ')
		case r == '\r':
			b.WriteString(`\r`)
		case r == 0x1b:
			b.WriteString(`\x1b`)
		case r == 0xFFFD:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune: C0 and C1 controls, DEL, bidi embeddings/overrides/isolates,
// and the replacement character (invalid UTF-8 in the value).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0xFFFD:
		return true
	}
	return false
}
