package pdfgen

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, []string{""}},
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"abcdefghijklmnop", 5, []string{"abcde", "fghij", "klmno", "p"}}, // no space: cut at the width
	}
	for _, c := range cases {
		got := wrap(c.in, c.width)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestWinAnsiAndEscape(t *testing.T) {
	got := winAnsi("Café – “SEN” • £5… Ω")
	if want := "Caf\xe9 - \"SEN\" - \xa35... ?"; got != want {
		t.Errorf("winAnsi = %q, want %q", got, want)
	}
	if got := escape(`a (b) \c`); got != `a \(b\) \\c` {
		t.Errorf("escape = %q", got)
	}
}

// The PDF is valid: poppler reads back its pages, metadata and text.
func TestBytesReadByPoppler(t *testing.T) {
	toText, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (`make setup` installs poppler-utils)")
	}
	info, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Skip("pdfinfo is not installed (`make setup` installs poppler-utils)")
	}
	lines := []string{"SEN Information Report (2025–26)", "", `Fees: £5 a session \ paid termly`}
	for i := 0; i < 60; i++ {
		lines = append(lines, "Paragraph "+strings.Repeat("x", i%7)+" about provision for pupils with autism")
	}
	d := Doc{Title: "SEN Information Report (draft)", Modified: time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC), Lines: lines}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, d.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	meta, err := exec.CommandContext(ctx, info, "-isodates", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, meta)
	}
	fields := map[string]string{}
	for _, l := range strings.Split(string(meta), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	for k, want := range map[string]string{"Title": "SEN Information Report (draft)", "Pages": "2", "ModDate": "2025-09-01T08:00:00Z", "Producer": "localoffer pdfgen"} {
		if fields[k] != want {
			t.Errorf("pdfinfo %s = %q, want %q", k, fields[k], want)
		}
	}
	text, err := exec.CommandContext(ctx, toText, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, text)
	}
	for _, want := range []string{"SEN Information Report (2025-26)", `Fees: £5 a session \ paid termly`} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if n := bytes.Count(text, []byte("Paragraph")); n != 60 {
		t.Errorf("%d paragraphs read back, want 60", n)
	}
	// Without metadata the Info dictionary has only the producer.
	if b := (Doc{Lines: []string{"x"}}).Bytes(); bytes.Contains(b, []byte("/Title")) || bytes.Contains(b, []byte("/ModDate")) {
		t.Error("empty metadata written")
	}
}
