package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// run writes every example file where the repository keeps it.
func TestRunWritesEveryExample(t *testing.T) {
	out := t.TempDir()
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"gias/edubasealldata_portsmouth.csv", "demand/sen_needs_all_plans.csv", "demand/caseload.csv", "providers/providers.xlsx"} {
		got, err := os.ReadFile(filepath.Join(out, p))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "examples", p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from examples/%s", p, p)
		}
	}
}

func TestRunReportsAnUnwritableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(file); err == nil {
		t.Error("run wrote under a file")
	}
}

// -gias-rows and -provider-rows write one synthetic file to -to.
func TestSynthetic(t *testing.T) {
	dir := t.TempDir()
	gias := filepath.Join(dir, "gias.csv")
	if err := synthetic(gias, 3, 0); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(gias)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b, []byte("\r\n")); lines != 4 || !bytes.HasPrefix(b, []byte("URN,")) {
		t.Errorf("gias: %d CRLF lines, starts %q", lines, b[:min(10, len(b))])
	}
	providers := filepath.Join(dir, "p.xlsx")
	if err := synthetic(providers, 0, 3); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(providers); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("providers: not a zip (%v)", err)
	}
	if err := synthetic("", 3, 0); err == nil || err.Error() != "-to names the output file" {
		t.Errorf("no -to: %v", err)
	}
	if err := synthetic(filepath.Join(dir, "missing", "x.csv"), 3, 0); err == nil {
		t.Error("wrote into a missing directory")
	}
}
