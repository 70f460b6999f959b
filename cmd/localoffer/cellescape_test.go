package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Harbour Speech Therapy":    "Harbour Speech Therapy",
		"Café – ages 0–25 ✓":        "Café – ages 0–25 ✓",
		"a\tb\nc":                   "a b c",
		"safe\rEVIL":                `safe\rEVIL`,
		"\x1b[2J\x1b[31mred\x1b[0m": `\x1b[2J\x1b[31mred\x1b[0m`,
		"\x1b]0;title\x07":          `\x1b]0;title\x07`,
		"bell\x07 nul\x00 del\x7f":  `bell\x07 nul\x00 del\x7f`,
		"c1 \u009b31m":              `c1 \u009b31m`,
		"abc\u202edcba":             `abc\u202edcba`,
		"bad utf8 \xff":             `bad utf8 \ufffd`,
	} {
		if got := terminalSafe(in); got != want {
			t.Errorf("terminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// A hostile value in a table cell reaches the terminal with no raw control bytes.
func TestQueryTableEscapes(t *testing.T) {
	var out bytes.Buffer
	q := newQueryWriter(&out, "table")
	name, _ := json.Marshal("Legit\r\x1b[2KFAKE ROW\x1b[0m")
	if err := q.row([]string{"id", "name\x1b[8m"}, []json.RawMessage{json.RawMessage(`"s1"`), name}); err != nil {
		t.Fatal(err)
	}
	if err := q.finish(); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\r\x1b") {
		t.Fatalf("raw control bytes in table output: %q", out.String())
	}
	if !strings.Contains(out.String(), `Legit\r\x1b[2KFAKE ROW`) {
		t.Errorf("escaped value not shown: %q", out.String())
	}
}
