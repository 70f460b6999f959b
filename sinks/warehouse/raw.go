package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// QueryOptions shape how one user statement runs.
type QueryOptions struct {
	// Params bind {name:Type} placeholders; values are in ClickHouse's escaped
	// text form (as in the HTTP interface's param_name=value).
	Params map[string]string
	// ReadOnly refuses anything that is not a read.
	ReadOnly bool
	// Sandbox additionally refuses what reaches outside the warehouse: table
	// functions other than generators (file, url, s3, remote, executable, …)
	// and the file() function. For statements from the network.
	Sandbox bool
}

// RawQuery is one statement whose output is passed on as the engine writes it.
type RawQuery struct {
	SQL string
	// Format is the output format when the statement has no FORMAT clause of its own.
	Format string
	// Database, when set, is used instead of the connection's database.
	Database string
	QueryOptions
}

// RawStats is what the engine reports about a raw query.
type RawStats struct {
	RowsRead, BytesRead uint64
	ResultBytes         int64
	Elapsed             time.Duration
	// Format is the format the output was written in.
	Format string
}

// RawQuerier is a driver that can pass a statement's output through untouched.
type RawQuerier interface {
	QueryRaw(ctx context.Context, q RawQuery, w io.Writer) (RawStats, error)
}

// OptionQuerier is a driver that runs a user's statement with parameters and
// read-only enforcement, streaming typed rows like Conn.Query.
type OptionQuerier interface {
	QueryWith(ctx context.Context, q string, o QueryOptions, fn func(cols []string, row []json.RawMessage) error) error
}

// ErrNotRead is returned for a statement refused because the query is read-only.
var ErrNotRead = errors.New("read-only")

// Statement is what the engine's parser says about one statement.
type Statement struct {
	// Kind is the root of the engine's syntax tree: SelectWithUnionQuery,
	// InsertQuery, ShowTables, DescribeQuery, Set, "SYSTEM query", ….
	Kind string
	// Format is the statement's own FORMAT clause ("" when it has none).
	Format string
	// IntoOutfile is set for SELECT … INTO OUTFILE.
	IntoOutfile bool
	// TableFunctions and Functions name what the statement calls. A table
	// function called where a scalar would be (x IN url(…)) is in both.
	TableFunctions []string
	Functions      []string
	// Irregular is set when the tree had lines that are not nodes: a name or
	// alias with a line break spills onto lines of its own.
	Irregular bool
}

// IsSelect reports whether the statement is a SELECT (possibly with UNION/INTERSECT).
func (s Statement) IsSelect() bool { return strings.HasPrefix(s.Kind, "Select") }

// IsRead reports whether the statement only reads: SELECT, SHOW, DESCRIBE,
// EXPLAIN, EXISTS and CHECK. Everything else (INSERT, CREATE, ALTER, DROP,
// SYSTEM, SET, USE, OPTIMIZE, KILL, GRANT, …) is not.
func (s Statement) IsRead() bool {
	for _, p := range []string{"Select", "Show", "Describe", "Explain", "Exists", "Check"} {
		if strings.HasPrefix(s.Kind, p) {
			return true
		}
	}
	return false
}

// generators are the table functions a sandboxed statement may use: they make
// rows, they do not reach files, URLs or other servers.
var generators = map[string]bool{
	"numbers": true, "numbers_mt": true, "zeros": true, "zeros_mt": true, "generaterandom": true,
	"generate_series": true, "generateseries": true, "values": true, "view": true, "null": true,
	"format": true, // the table function parses inline data; the scalar formats strings
}

// readsFiles are scalar functions that read the engine host's files.
var readsFiles = map[string]bool{"file": true, "catboostevaluate": true}

// Check refuses a statement the options do not allow, with a sentence saying why.
func (s Statement) Check(o QueryOptions) error {
	if !o.ReadOnly && !o.Sandbox {
		return nil
	}
	if !s.IsRead() {
		return fmt.Errorf("%w: only reads (SELECT, SHOW, DESCRIBE, EXPLAIN, EXISTS) are allowed; this statement is %s", ErrNotRead, s.describeKind())
	}
	if s.IntoOutfile {
		return fmt.Errorf("%w: INTO OUTFILE writes a file; read-only queries may not", ErrNotRead)
	}
	if o.Sandbox {
		if s.Irregular {
			return fmt.Errorf("%w: names with line breaks are not accepted here", ErrNotRead)
		}
		for _, f := range s.TableFunctions {
			if !generators[strings.ToLower(f)] {
				return fmt.Errorf("%w: the table function %s() reaches outside the warehouse and is not allowed here", ErrNotRead, f)
			}
		}
		for _, f := range s.Functions {
			if readsFiles[strings.ToLower(f)] {
				return fmt.Errorf("%w: the function %s() reads the server's files and is not allowed here", ErrNotRead, f)
			}
		}
	}
	return nil
}

func (s Statement) describeKind() string {
	k := strings.TrimSuffix(strings.TrimSuffix(s.Kind, " query"), "Query")
	switch strings.ToLower(k) {
	case "set":
		return "SET (settings may not be changed)"
	case "use":
		return "USE"
	}
	k = strings.ToUpper(k)
	if k == "" {
		return "unknown"
	}
	if strings.ContainsAny(k[:1], "AEIOU") {
		return "an " + k + " statement"
	}
	return "a " + k + " statement"
}

// ParseStatement asks the engine to parse q (EXPLAIN AST) and summarises the
// tree. The engine refuses more than one statement, so what is checked is
// exactly what runs.
func ParseStatement(ctx context.Context, c Conn, q string, params map[string]string) (Statement, error) {
	var lines []string
	fn := func(cols []string, row []json.RawMessage) error {
		if len(row) == 0 {
			return nil
		}
		var s string
		if err := json.Unmarshal(row[0], &s); err != nil {
			return fmt.Errorf("read the parse tree: %w", err)
		}
		lines = append(lines, s)
		return nil
	}
	if w, ok := c.(*Warehouse); ok {
		c = w.Conn
	}
	var err error
	explain := "EXPLAIN AST " + q
	if oq, ok := c.(OptionQuerier); ok {
		err = oq.QueryWith(ctx, explain, QueryOptions{Params: params}, fn)
	} else {
		err = c.Query(ctx, explain, fn)
	}
	if err != nil {
		return Statement{}, err
	}
	st, err := parseAST(lines)
	if err != nil {
		return st, err
	}
	if len(st.Functions) > 0 {
		names, err := tableFunctionNames(ctx, c)
		if err != nil {
			return st, err
		}
		for _, f := range st.Functions {
			if names[strings.ToLower(f)] {
				st.TableFunctions = append(st.TableFunctions, f)
			}
		}
	}
	if st.Format == "" && !st.IsSelect() {
		// The tree of SHOW, DESCRIBE or EXPLAIN does not show a FORMAT clause.
		if m := trailingFormat.FindStringSubmatch(q); m != nil {
			st.Format = m[1]
		}
	}
	return st, err
}

var (
	tableFunctionsMu sync.Mutex
	tableFunctions   map[string]bool
)

// tableFunctionNames lists the engine's table functions (lower case), read
// once per process: the parse tree shows a table function called in scalar
// position (x IN url(…)) as an ordinary function.
func tableFunctionNames(ctx context.Context, c Conn) (map[string]bool, error) {
	tableFunctionsMu.Lock()
	defer tableFunctionsMu.Unlock()
	if tableFunctions != nil {
		return tableFunctions, nil
	}
	names := map[string]bool{}
	err := c.Query(ctx, "SELECT lower(name) FROM system.table_functions", func(_ []string, row []json.RawMessage) error {
		var n string
		if err := json.Unmarshal(row[0], &n); err != nil {
			return err
		}
		names[n] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the engine's table functions: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("list the engine's table functions: none listed")
	}
	tableFunctions = names
	return names, nil
}

var trailingFormat = regexp.MustCompile(`(?is)\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$`)

// parseAST reads EXPLAIN AST output: one node per line, indented one space per level.
func parseAST(lines []string) (Statement, error) {
	var st Statement
	if len(lines) == 0 {
		return st, errors.New("the engine returned no parse tree")
	}
	name := func(line string) string {
		n := strings.TrimLeft(line, " ")
		if i := strings.Index(n, " (children"); i >= 0 {
			n = n[:i]
		}
		return strings.TrimSpace(n)
	}
	st.Kind = name(lines[0])
	if i := strings.Index(st.Kind, " "); i >= 0 && st.Kind != "SYSTEM query" {
		st.Kind = st.Kind[:i] // "ShowCreateTableQuery  t" → "ShowCreateTableQuery"
	}
	var stack []string // node names by depth
	for _, line := range lines {
		depth := len(line) - len(strings.TrimLeft(line, " "))
		n := name(line)
		if depth > len(stack) || depth == 0 && len(stack) > 0 {
			// The rest of a name or alias holding a line break: not a node.
			st.Irregular = true
			continue
		}
		stack = append(stack[:depth], n)
		if depth == 1 && strings.HasPrefix(st.Kind, "Select") {
			// Beside the query list, the root's children are INTO OUTFILE's file name and the FORMAT.
			switch {
			case strings.HasPrefix(n, "Literal "):
				st.IntoOutfile = true
			case strings.HasPrefix(n, "Identifier "):
				st.Format = strings.TrimPrefix(n, "Identifier ")
			}
		}
		if f, ok := strings.CutPrefix(n, "Function "); ok {
			if i := strings.IndexByte(f, ' '); i >= 0 {
				f = f[:i] // "Function plus (alias x)"
			}
			if depth > 0 && strings.HasPrefix(stack[depth-1], "TableExpression") {
				st.TableFunctions = append(st.TableFunctions, f)
			} else {
				st.Functions = append(st.Functions, f)
			}
		}
	}
	return st, nil
}

// binaryFormats are output formats that are not text.
var binaryFormats = []string{"native", "rowbinary", "parquet", "arrow", "orc", "avro", "protobuf", "capnproto", "msgpack", "bson", "npy", "one"}

// IsBinaryFormat reports whether a ClickHouse output format writes bytes that are not text.
func IsBinaryFormat(f string) bool {
	f = strings.ToLower(f)
	for _, b := range binaryFormats {
		if strings.HasPrefix(f, b) {
			return true
		}
	}
	return false
}
