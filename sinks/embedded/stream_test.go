package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// insertTemps lists the insert files in the engine's temporary directory
// (the package's tests do not run in parallel).
func insertTemps(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(whtest.Path(t), embedded.InsertTempDir, "insert-*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A stream encodes rows into its file as they are added: binary while every
// value has a binary form, TSV from the first that has not. Both files load,
// in order, and are removed.
func TestInsertStreamSwitchesToTSVAndLoadsInOrder(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	conn := w.Conn.(*embedded.Conn)
	if err := w.Exec(ctx, "CREATE TABLE t (id UInt32, n UInt8, s String) ENGINE = MergeTree ORDER BY tuple()"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := conn.CaptureInserts(dir); err != nil {
		t.Fatal(err)
	}
	s, err := conn.NewInsertStream(ctx, "t", []string{"id", "n", "s"})
	if err != nil {
		t.Fatal(err)
	}
	// "4" for a UInt8 has no binary form: TSV lets the engine parse it.
	for _, row := range [][]any{{1, 1, "a\tb"}, {2, "4", "c\nd"}, {3, 3, "e"}} {
		if err := s.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if files := insertTemps(t); len(files) != 2 {
		t.Fatalf("rows are not written as they are added: %d insert files before Close", len(files))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := warehouse.QueryScalar[string](ctx, w, "SELECT arrayStringConcat(groupArray(concat(toString(id), ':', toString(n), ':', s)), '|') FROM (SELECT * FROM t ORDER BY _part, _part_offset)")
	if err != nil || got != "1:1:a\tb|2:4:c\nd|3:3:e" {
		t.Fatalf("rows %q, %v", got, err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, embedded.CaptureManifest))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(manifest)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"format":"RowBinaryWithDefaults","rows":1`) || !strings.Contains(lines[1], `"format":"TabSeparated","rows":2`) {
		t.Fatalf("manifest:\n%s", manifest)
	}
	if files := insertTemps(t); len(files) != 0 {
		t.Fatalf("insert files left after Insert: %v", files)
	}
}

func TestInsertStreamDiscardLoadsNothing(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	conn := w.Conn.(*embedded.Conn)
	if err := w.Exec(ctx, "CREATE TABLE t (id UInt32) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	s, err := conn.NewInsertStream(ctx, "t", []string{"id"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add([]any{1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add([]any{1, 2}); err == nil {
		t.Fatal("a row with too many values was accepted")
	}
	s.Discard()
	if files := insertTemps(t); len(files) != 0 {
		t.Fatalf("insert files left after Discard: %v", files)
	}
	if n, err := warehouse.QueryScalar[uint64](ctx, w, "SELECT count() FROM t"); err != nil || n != 0 {
		t.Fatalf("%d rows after Discard (%v)", n, err)
	}
}
