package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
)

// A captured insert replays into the migrated table and its Null copy, and
// the report lists it beside the run's own time.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	tsv := "bench-feed\tlast_full_sweep\t2026-11-30T13:44:58Z\t2026-11-30 13:45:05.181\t1796046305181493962\n"
	if err := os.WriteFile(filepath.Join(dir, "000001-pipeline_state.TabSeparated"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := `{"file":"000001-pipeline_state.TabSeparated","table":"pipeline_state","columns":["pipeline","key","value","updated_at","_version"],"format":"TabSeparated","rows":1,"bytes":97,"seconds":0.25,"waited_seconds":0,"cpu_seconds":0.125}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, embedded.CaptureManifest), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := replay(context.Background(), []string{"-dir", dir, "-warehouse", filepath.Join(t.TempDir(), "wh"), "-repeat", "1"}, &out)
	if errors.Is(err, embedded.ErrNoLibrary) {
		t.Skip("libchdb not installed (make setup)")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pipeline_state", "all (1 inserts)", "format TabSeparated", "0.250", "0.125", "by CPU"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReadManifestRefusesOddFormats(t *testing.T) {
	path := filepath.Join(t.TempDir(), embedded.CaptureManifest)
	os.WriteFile(path, []byte(`{"file":"f","table":"t","columns":["a"],"format":"TSV; DROP TABLE t","rows":1}`+"\n"), 0o644)
	if _, err := readManifest(path); err == nil {
		t.Fatal("a format with a space and a semicolon was accepted")
	}
}
