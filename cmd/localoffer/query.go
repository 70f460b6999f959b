package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func cmdQuery(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "query", "query [--config F] [--format table|csv|json] SQL")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	format := fs.String("format", "table", "output format: table, csv or json")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "localoffer query: give the SQL to run, e.g. localoffer query \"SELECT count() FROM services_current\"")
		return exitUsage
	}
	switch *format {
	case "table", "csv", "json":
	default:
		fmt.Fprintf(env.Stderr, "localoffer query: unknown --format %q (table, csv or json)\n", *format)
		return exitUsage
	}
	sql := strings.Join(fs.Args(), " ")
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	log := newLogger(env)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	out := newQueryWriter(env.Stdout, *format)
	if err := w.Query(ctx, sql, out.row); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer query: %v\n", err)
		return exitFailed
	}
	if err := out.finish(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer query: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// queryWriter renders rows as they stream in (table output is buffered to align columns).
type queryWriter struct {
	w      io.Writer
	format string
	cols   []string
	rows   int
	tw     *tabwriter.Writer
	cw     *csv.Writer
}

func newQueryWriter(w io.Writer, format string) *queryWriter {
	return &queryWriter{w: w, format: format}
}

func (q *queryWriter) row(cols []string, row []json.RawMessage) error {
	if q.cols == nil {
		q.cols = cols
		switch q.format {
		case "table":
			q.tw = tabwriter.NewWriter(q.w, 0, 0, 2, ' ', 0)
			head := make([]string, len(cols))
			for i, c := range cols {
				head[i] = terminalSafe(c)
			}
			fmt.Fprintln(q.tw, strings.Join(head, "\t"))
		case "csv":
			q.cw = csv.NewWriter(q.w)
			q.cw.Write(cols)
		case "json":
			io.WriteString(q.w, "[")
		}
	}
	q.rows++
	switch q.format {
	case "table":
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = terminalSafe(plain(v))
		}
		fmt.Fprintln(q.tw, strings.Join(cells, "\t"))
	case "csv":
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = plain(v)
		}
		return q.cw.Write(cells)
	case "json":
		var b bytes.Buffer
		if q.rows > 1 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(c)
			b.Write(k)
			b.WriteString(": ")
			b.Write(row[i])
		}
		b.WriteString("}")
		_, err := q.w.Write(b.Bytes())
		return err
	}
	return nil
}

func (q *queryWriter) finish() error {
	switch q.format {
	case "table":
		if q.tw == nil {
			fmt.Fprintln(q.w, "(no rows)")
			return nil
		}
		return q.tw.Flush()
	case "csv":
		if q.cw != nil {
			q.cw.Flush()
			return q.cw.Error()
		}
	case "json":
		if q.cols == nil {
			_, err := io.WriteString(q.w, "[]\n")
			return err
		}
		_, err := io.WriteString(q.w, "\n]\n")
		return err
	}
	return nil
}

// plain renders a JSON value for table and CSV cells: strings unquoted, NULL empty.
func plain(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}
