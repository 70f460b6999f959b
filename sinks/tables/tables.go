// Package tables exports every documented table and view of the warehouse as
// Parquet or CSV files that the engine writes itself (SELECT … INTO OUTFILE:
// rows go from the engine to disk without passing through Go), with a README
// data dictionary generated from the column and table COMMENTs.
package tables

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/dictionary"
)

// Formats a table export can be written in.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

// Options says what to export where.
type Options struct {
	Format string // parquet or csv
	Out    string // directory; replaced as a whole only when the export succeeds
	Now    time.Time
}

// Table is one exported file.
type Table struct {
	Name string
	File string
	Rows int64
}

// Stats lists what was exported.
type Stats struct {
	Tables []Table
}

// ErrNeedsEmbedded means the driver cannot have the engine write files.
var ErrNeedsEmbedded = errors.New("parquet and csv exports are written by the embedded engine itself (INTO OUTFILE); with a ClickHouse server, export from the server (clickhouse-client … INTO OUTFILE)")

var safeName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// Export writes every documented table and view to opts.Out. A table or view
// counts as documented when it has a COMMENT (every one the migrations create
// has); views are exported as their rows at the time of export; parameterised
// views, which have no rows without their parameters, are left out.
func Export(ctx context.Context, w *warehouse.Warehouse, opts Options, log *slog.Logger) (Stats, error) {
	var st Stats
	ext, format := "", ""
	switch opts.Format {
	case FormatParquet:
		ext, format = ".parquet", "Parquet"
	case FormatCSV:
		ext, format = ".csv", "CSVWithNames"
	default:
		return st, fmt.Errorf("unknown table export format %q (want %s or %s)", opts.Format, FormatParquet, FormatCSV)
	}
	if _, ok := w.Conn.(warehouse.RawQuerier); !ok {
		return st, ErrNeedsEmbedded
	}
	if opts.Out == "" {
		return st, errors.New("no output directory")
	}
	// Like the feed exports: only a new or empty directory, or a previous export, is replaced.
	if err := feed.CheckOut(opts.Out); err != nil {
		return st, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	all, err := dictionary.Load(ctx, w)
	if err != nil {
		return st, err
	}
	var documented []dictionary.Table
	for _, t := range all {
		if strings.TrimSpace(t.Comment) == "" {
			log.Warn("table export skips an undocumented table", "table", t.Name)
			continue
		}
		if len(t.Columns) == 0 {
			// A parameterised view (gap_analysis) has no columns until given its
			// parameters; its default-parameter form is a view of its own (gaps).
			log.Info("table export skips a parameterised view", "view", t.Name)
			continue
		}
		if !safeName.MatchString(t.Name) {
			log.Warn("table export skips a table whose name cannot be a file name", "table", t.Name)
			continue
		}
		documented = append(documented, t)
	}
	parent := filepath.Dir(filepath.Clean(opts.Out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return st, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(opts.Out)+".tmp-")
	if err != nil {
		return st, fmt.Errorf("create temporary export directory: %w", err)
	}
	defer os.RemoveAll(tmp) // after a successful rename this is a no-op
	absTmp, err := filepath.Abs(tmp)
	if err != nil {
		return st, err
	}
	for _, t := range documented {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		file := t.Name + ext
		path := warehouse.Quote(filepath.Join(absTmp, file))
		q := "SELECT * FROM `" + t.Name + "` INTO OUTFILE " + path + " FORMAT " + format
		if err := w.Exec(ctx, q); err != nil {
			return st, fmt.Errorf("export %s: %w", t.Name, err)
		}
		// Counted from the file written, so the README states what the file holds.
		rows, err := countRows(ctx, w, filepath.Join(absTmp, file), format)
		if err != nil {
			return st, fmt.Errorf("count %s: %w", t.Name, err)
		}
		st.Tables = append(st.Tables, Table{Name: t.Name, File: file, Rows: rows})
	}
	if err := writeReadme(filepath.Join(tmp, "README.md"), opts, format, documented, st); err != nil {
		return st, err
	}
	marker := fmt.Sprintf("written by localoffer export (format %s) at %s\nlocaloffer export replaces this directory on the next export to it.\n", opts.Format, opts.Now.Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(tmp, feed.MarkerFile), []byte(marker), 0o644); err != nil {
		return st, fmt.Errorf("write %s: %w", feed.MarkerFile, err)
	}
	if err := replaceDir(tmp, opts.Out); err != nil {
		return st, err
	}
	log.Info("table export written", "format", opts.Format, "out", opts.Out, "tables", len(st.Tables))
	return st, nil
}

// countRows counts the records in an exported file: Parquet from its
// metadata through the engine, CSV by reading it (an empty result is an empty
// file, which the engine cannot infer a structure from).
func countRows(ctx context.Context, w *warehouse.Warehouse, path, format string) (int64, error) {
	if format == "Parquet" {
		return warehouse.QueryScalar[int64](ctx, w, "SELECT count() FROM file("+warehouse.Quote(path)+", 'Parquet')")
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		n++
	}
	if n > 0 {
		n-- // the header
	}
	return n, nil
}

func writeReadme(path string, opts Options, format string, tables []dictionary.Table, st Stats) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write README: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Exported by `localoffer export --format %s` at %s. One %s file per table and view of the\n", opts.Format, opts.Now.Format(time.RFC3339), format)
	b.WriteString("warehouse, written by the engine itself. Tables keep every version of a record (the `*_current` views pick\n")
	b.WriteString("the latest); views hold their rows at the time of export. The dictionary below is generated from the\n")
	b.WriteString("warehouse's own column and table comments.\n\n| file | rows |\n|---|---|\n")
	for _, t := range st.Tables {
		fmt.Fprintf(&b, "| %s | %d |\n", t.File, t.Rows)
	}
	b.WriteString("\n")
	var dict strings.Builder
	if err := dictionary.WriteMarkdown(&dict, "Data dictionary", tables); err != nil {
		f.Close()
		return err
	}
	// The dictionary's title first, then the file list, then the tables.
	title, rest, _ := strings.Cut(dict.String(), "\n\n")
	if _, err := f.WriteString(title + "\n\n" + b.String() + rest); err != nil {
		f.Close()
		return fmt.Errorf("write README: %w", err)
	}
	return f.Close()
}

// replaceDir puts tmp at out, keeping the old out until the rename succeeded.
func replaceDir(tmp, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = out + ".old-" + fmt.Sprint(time.Now().UnixNano())
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("move the previous export aside: %w", err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("put the export in place: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
