package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/dictionary"
)

func cmdQuery(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "query", "query [--config F] [--format table|csv|json] [--out FILE] [--param N=V]... [--file F] [--write] [--describe] [--server URL] [SQL]")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	format := fs.String("format", "table", "output format: table, csv or json (a FORMAT clause in the SQL wins and is written as the engine produced it)")
	outPath := fs.String("out", "", "write the result to FILE instead of stdout")
	sqlFile := fs.String("file", "", "read the SQL from file F")
	write := fs.Bool("write", false, "allow statements that change data (the default is read-only)")
	describe := fs.Bool("describe", false, "list every table and view with its columns, types and comments (as text, or --format csv|json)")
	server := fs.String("server", "", "ask a running `localoffer serve` at this URL (its /clickhouse/ endpoint; password from ANALYST_PASSWORD)")
	var params stringList
	fs.Var(&params, "param", "bind a query parameter {name:Type} as name=value (repeatable; the value is text, as clickhouse-client's --param_name)")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	sql, bound, code := querySQL(env, fs.Args(), *sqlFile, params, *describe)
	if code != exitOK {
		return code
	}
	switch *format {
	case "table", "csv", "json":
	default:
		fmt.Fprintf(env.Stderr, "localoffer query: unknown --format %q (table, csv or json)\n", *format)
		return exitUsage
	}
	if *server != "" {
		return queryServer(ctx, env, *server, sql, bound, *format, *outPath, *write, *describe)
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	log := newLogger(env, cfg.Secrets...)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	out, err := openOutput(env, *outPath)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer query: %v\n", err)
		return exitUsage
	}
	if *describe {
		tables, err := dictionary.Load(ctx, w)
		if err == nil {
			err = writeDictionary(out, *format, tables)
		}
		return out.finish(env, err)
	}
	opts := warehouse.QueryOptions{Params: bound, ReadOnly: !*write}
	stmt, err := warehouse.ParseStatement(ctx, w, sql, bound)
	if err != nil {
		return out.finish(env, err)
	}
	if err := stmt.Check(opts); err != nil {
		return out.finish(env, fmt.Errorf("%w (run with --write to allow statements that change data)", err))
	}
	if stmt.Format != "" {
		// The user's FORMAT wins: the engine's bytes go out untouched.
		rq, ok := w.Conn.(warehouse.RawQuerier)
		if !ok {
			return out.finish(env, fmt.Errorf("a FORMAT clause needs the embedded warehouse; with the %s driver use --format table, csv or json", cfg.Warehouse.Driver))
		}
		if warehouse.IsBinaryFormat(stmt.Format) && *outPath == "" && isTerminal(env.Stdout) {
			return out.finish(env, fmt.Errorf("FORMAT %s is binary and stdout is a terminal: write it with --out FILE or redirect stdout (localoffer query … > file)", stmt.Format))
		}
		_, err := rq.QueryRaw(ctx, warehouse.RawQuery{SQL: sql, QueryOptions: opts}, out)
		return out.finish(env, err)
	}
	oq, ok := w.Conn.(warehouse.OptionQuerier)
	if !ok {
		return out.finish(env, fmt.Errorf("the %s driver cannot bind parameters or enforce read-only", cfg.Warehouse.Driver))
	}
	qw := newQueryWriter(out, *format)
	err = oq.QueryWith(ctx, sql, opts, qw.row)
	if err == nil {
		err = qw.finish()
	}
	return out.finish(env, err)
}

// queryServer asks a running serve, which holds the warehouse: its SQL
// endpoint is read-only and answers in rows this command formats as usual.
func queryServer(ctx context.Context, env *Env, server, sql string, params map[string]string, format, outPath string, write, describe bool) int {
	switch {
	case write:
		fmt.Fprintln(env.Stderr, "localoffer query: --write with --server: the server's SQL endpoint is read-only")
		return exitUsage
	case describe:
		fmt.Fprintf(env.Stderr, "localoffer query: --describe with --server: open %s/docs/warehouse instead\n", strings.TrimRight(server, "/"))
		return exitUsage
	}
	out, err := openOutput(env, outPath)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer query: %v\n", err)
		return exitUsage
	}
	qw := newQueryWriter(out, format)
	err = remoteQuery(ctx, server, env.Getenv("ANALYST_PASSWORD"), sql, params, qw.row)
	if err == nil {
		err = qw.finish()
	}
	return out.finish(env, err)
}

// writeDictionary renders --describe: aligned text, one CSV row per column, or JSON.
func writeDictionary(w io.Writer, format string, tables []dictionary.Table) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(tables)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"table", "kind", "table_comment", "column", "type", "comment"})
		for _, t := range tables {
			for _, c := range t.Columns {
				cw.Write([]string{t.Name, t.Kind(), t.Comment, c.Name, c.Type, c.Comment})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	return dictionary.WriteText(w, tables)
}

// querySQL takes the SQL from the arguments or --file and the --param values.
func querySQL(env *Env, args []string, file string, params []string, describe bool) (string, map[string]string, int) {
	var sql string
	switch {
	case describe && (len(args) > 0 || file != ""):
		fmt.Fprintln(env.Stderr, "localoffer query: --describe takes no SQL")
		return "", nil, exitUsage
	case describe:
	case file != "" && len(args) > 0:
		fmt.Fprintln(env.Stderr, "localoffer query: give the SQL either as arguments or with --file, not both")
		return "", nil, exitUsage
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(env.Stderr, "localoffer query: read SQL: %v\n", err)
			return "", nil, exitUsage
		}
		sql = string(b)
	default:
		sql = strings.Join(args, " ")
	}
	if !describe && strings.TrimSpace(sql) == "" {
		fmt.Fprintln(env.Stderr, "localoffer query: give the SQL to run, e.g. localoffer query \"SELECT count() FROM services_current\"")
		return "", nil, exitUsage
	}
	bound := map[string]string{}
	for _, p := range params {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !validParamName(name) {
			fmt.Fprintf(env.Stderr, "localoffer query: --param %q: want name=value, the name in letters, digits and _\n", p)
			return "", nil, exitUsage
		}
		bound[name] = value
	}
	return sql, bound, exitOK
}

func validParamName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// output is stdout or a file written beside its final name and renamed into
// place only when the query succeeds.
type output struct {
	io.Writer
	f    *os.File
	path string
}

func openOutput(env *Env, path string) (*output, error) {
	if path == "" {
		return &output{Writer: env.Stdout}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("--out %s: %w", path, err)
	}
	return &output{Writer: f, f: f, path: path}, nil
}

// finish reports err (exit 1) or puts the output file in place.
func (o *output) finish(env *Env, err error) int {
	if o.f != nil {
		if cerr := o.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(o.f.Name(), o.path)
		}
		if err != nil {
			os.Remove(o.f.Name())
		}
	}
	if err != nil {
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
