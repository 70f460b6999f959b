package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCPUProfileWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	var stderr bytes.Buffer
	stop := startCPUProfile(path, &stderr)
	stop()
	if st, err := os.Stat(path); err != nil || st.Size() == 0 || stderr.Len() > 0 {
		t.Fatalf("profile %v %v, stderr %q", st, err, stderr.String())
	}
	startCPUProfile(filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.pprof"), &stderr)()
	if stderr.Len() == 0 {
		t.Fatal("an unwritable profile path was not reported")
	}
}
