package tables_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/tables"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/dictionary"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func TestExportWritesEveryDocumentedTable(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	if err := w.Exec(ctx, `INSERT INTO quarantine (pipeline, errors) VALUES ('p1', '[]'), ('p2', '[]')`); err != nil {
		t.Fatal(err)
	}
	want, err := dictionary.Load(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, format := range []string{tables.FormatParquet, tables.FormatCSV} {
		out := filepath.Join(t.TempDir(), "tables")
		st, err := tables.Export(ctx, w, tables.Options{Format: format, Out: out, Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, log)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		documented := 0
		for _, tb := range want {
			if len(tb.Columns) > 0 {
				documented++
			}
		}
		if len(st.Tables) != documented || documented < 40 {
			t.Errorf("%s: %d files for %d tables and views", format, len(st.Tables), documented)
		}
		names := map[string]tables.Table{}
		for _, tb := range st.Tables {
			names[tb.Name] = tb
			if _, err := os.Stat(filepath.Join(out, tb.File)); err != nil {
				t.Errorf("%s: %v", format, err)
			}
		}
		for _, n := range []string{"services_current", "flags_current", "gaps", "demand_all_ages", "quarantine", "services"} {
			if _, ok := names[n]; !ok {
				t.Errorf("%s: %s not exported", format, n)
			}
		}
		if names["quarantine"].Rows != 2 {
			t.Errorf("%s: quarantine rows = %d", format, names["quarantine"].Rows)
		}
		readme, err := os.ReadFile(filepath.Join(out, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"# Data dictionary", "| quarantine" + map[string]string{"parquet": ".parquet", "csv": ".csv"}[format] + " | 2 |", "## services_current", "youngest age served"} {
			if !strings.Contains(string(readme), s) {
				t.Errorf("%s: README lacks %q", format, s)
			}
		}
		// The engine reads back what it wrote, typed.
		var pipelines []string
		q := "SELECT pipeline FROM file(" + warehouse.Quote(filepath.Join(out, names["quarantine"].File)) + ") ORDER BY pipeline"
		rows, err := warehouse.QueryInto[struct{ Pipeline string }](ctx, w, q)
		if err != nil {
			t.Fatalf("%s: read back: %v", format, err)
		}
		for _, r := range rows {
			pipelines = append(pipelines, r.Pipeline)
		}
		if strings.Join(pipelines, ",") != "p1,p2" {
			t.Errorf("%s: read back %v", format, pipelines)
		}
		if format == tables.FormatCSV {
			f, _ := os.Open(filepath.Join(out, "services_current.csv"))
			header, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			if !strings.HasPrefix(header, `"id","pipeline"`) {
				t.Errorf("services_current.csv header %q", header)
			}
		}
	}
}

// A second export replaces the first; a directory an export did not write is refused.
func TestExportReplacesOnlyItsOwnDirectory(t *testing.T) {
	w := whtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	out := filepath.Join(t.TempDir(), "tables")
	for i := 0; i < 2; i++ {
		if _, err := tables.Export(ctx, w, tables.Options{Format: tables.FormatCSV, Out: out}, log); err != nil {
			t.Fatalf("export %d: %v", i, err)
		}
	}
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "thesis.docx"), []byte("x"), 0o644)
	if _, err := tables.Export(ctx, w, tables.Options{Format: tables.FormatCSV, Out: foreign}, log); !errors.Is(err, feed.ErrForeignDir) {
		t.Fatalf("foreign directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(foreign, "thesis.docx")); err != nil {
		t.Fatal("the foreign directory was touched")
	}
}

func TestExportRefusesUnknownFormat(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	if _, err := tables.Export(context.Background(), w, tables.Options{Format: "xlsx", Out: t.TempDir()}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("xlsx accepted")
	}
}
