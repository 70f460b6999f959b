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
