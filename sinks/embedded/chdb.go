// Package embedded is the warehouse driver for libchdb, the ClickHouse engine
// as a shared library, loaded at run time with purego so that a binary without
// libchdb still starts (only commands that need the warehouse fail).
//
// libchdb holds one engine per process, bound to one data path. This package
// therefore keeps one engine per process and hands out handles that each work
// in their own database, serialising queries on the engine.
package embedded

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// ChdbVersion is the libchdb release `make setup` installs.
const ChdbVersion = "26.5.3"

// ErrNoLibrary means libchdb could not be found or loaded.
var ErrNoLibrary = errors.New("the embedded warehouse needs libchdb: run `make setup`, or set LOCALOFFER_CHDB_LIB to the path of libchdb.so")

// LibraryCandidates lists where libchdb is looked for, in order.
func LibraryCandidates() []string {
	var out []string
	if p := os.Getenv("LOCALOFFER_CHDB_LIB"); p != "" {
		out = append(out, p)
	}
	out = append(out, filepath.Join(CacheDir(), "chdb-"+ChdbVersion, "libchdb.so"), "/usr/local/lib/libchdb.so")
	return out
}

// CacheDir is where `make setup` keeps libchdb: $XDG_CACHE_HOME/localoffer or ~/.cache/localoffer.
func CacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "localoffer")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "localoffer")
	}
	return filepath.Join(os.TempDir(), "localoffer-cache")
}

type lib struct {
	connect      func(argc int32, argv **byte) *uintptr
	closeConn    func(connp *uintptr)
	queryN       func(conn uintptr, q *byte, qlen uintptr, f *byte, flen uintptr) uintptr
	streamQueryN func(conn uintptr, q *byte, qlen uintptr, f *byte, flen uintptr) uintptr
	streamFetch  func(conn uintptr, res uintptr) uintptr
	streamCancel func(conn uintptr, res uintptr)
	resultBuffer func(res uintptr) *byte
	resultLength func(res uintptr) uintptr
	resultError  func(res uintptr) *byte
	destroy      func(res uintptr)

	queryParamsN       func(conn uintptr, q *byte, qlen uintptr, f *byte, flen uintptr, names **byte, nameLens *uintptr, values **byte, valueLens *uintptr, count uintptr) uintptr
	streamQueryParamsN func(conn uintptr, q *byte, qlen uintptr, f *byte, flen uintptr, names **byte, nameLens *uintptr, values **byte, valueLens *uintptr, count uintptr) uintptr
	resultRowsRead     func(res uintptr) uint64
	resultBytesRead    func(res uintptr) uint64
	resultElapsed      func(res uintptr) float64
}

var (
	loadOnce sync.Once
	loaded   *lib
	loadErr  error
)

func load() (*lib, error) {
	loadOnce.Do(func() {
		var tried []string
		for _, p := range LibraryCandidates() {
			if _, err := os.Stat(p); err != nil {
				tried = append(tried, p)
				continue
			}
			h, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
			if err != nil {
				loadErr = fmt.Errorf("%w (loading %s: %v)", ErrNoLibrary, p, err)
				return
			}
			l := &lib{}
			for name, fn := range map[string]any{
				"chdb_connect": &l.connect, "chdb_close_conn": &l.closeConn, "chdb_query_n": &l.queryN,
				"chdb_stream_query_n": &l.streamQueryN, "chdb_stream_fetch_result": &l.streamFetch,
				"chdb_stream_cancel_query": &l.streamCancel, "chdb_result_buffer": &l.resultBuffer,
				"chdb_result_length": &l.resultLength, "chdb_result_error": &l.resultError,
				"chdb_destroy_query_result": &l.destroy,
				"chdb_query_with_params_n":  &l.queryParamsN, "chdb_stream_query_with_params_n": &l.streamQueryParamsN,
				"chdb_result_rows_read": &l.resultRowsRead, "chdb_result_bytes_read": &l.resultBytesRead,
				"chdb_result_elapsed": &l.resultElapsed,
			} {
				sym, err := purego.Dlsym(h, name)
				if err != nil {
					loadErr = fmt.Errorf("%w (%s lacks %s: an older libchdb? want %s)", ErrNoLibrary, p, name, ChdbVersion)
					return
				}
				purego.RegisterFunc(fn, sym)
			}
			loaded = l
			return
		}
		loadErr = fmt.Errorf("%w (looked in %v)", ErrNoLibrary, tried)
	})
	return loaded, loadErr
}

// InsertTempDir, under the warehouse path, holds the files inserts load
// (never the system temp directory, where a killed run would leave them).
const InsertTempDir = "localoffer-tmp"

// engine is the process's one libchdb connection.
type engine struct {
	mu      sync.Mutex
	l       *lib
	connp   *uintptr // chdb_connection*
	conn    uintptr  // *connp
	path    string
	tmp     string // insert files; under the warehouse, emptied at open
	refs    int
	current string // database of the last USE
	lock    *dirLock

	// encoders caches binary insert encoders by database, table and columns.
	typesMu  sync.Mutex
	encoders map[string]*warehouse.RowBinaryEncoder
}

var (
	engineMu sync.Mutex
	theOne   *engine
)

// Conn is a handle on the engine working in one database.
type Conn struct {
	e      *engine
	db     string
	closed bool
	// capture, when set, keeps every insert's file (CaptureInserts).
	capture *insertCapture
	// InsertFormat "TabSeparated" makes every insert use TSV (to compare the
	// formats); otherwise RowBinaryWithDefaults is used wherever it can be.
	InsertFormat string
}

// Open connects to the embedded engine at path (creating it) and to database db
// (created if missing). A second Open with the same path shares the engine; with
// another path it fails, because libchdb binds one path per process.
func Open(ctx context.Context, path, db string) (*Conn, error) {
	l, err := load()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("warehouse path %s: %w", path, err)
	}
	engineMu.Lock()
	defer engineMu.Unlock()
	if theOne == nil {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("create warehouse directory %s: %w", abs, err)
		}
		lock, err := lockDir(abs)
		if err != nil {
			return nil, err
		}
		confPath := filepath.Join(abs, EngineConfigFile)
		if err := os.WriteFile(confPath, []byte(EngineConfig), 0o644); err != nil {
			lock.release()
			return nil, fmt.Errorf("write %s: %w", confPath, err)
		}
		args := []string{"clickhouse", "--path=" + abs, "--config-file=" + confPath}
		cargs := make([]*byte, len(args))
		keep := make([][]byte, len(args))
		for i, a := range args {
			keep[i] = append([]byte(a), 0)
			cargs[i] = &keep[i][0]
		}
		goHandlers, err := currentHandlers()
		if err != nil {
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: %w", abs, err)
		}
		connp := l.connect(int32(len(cargs)), &cargs[0])
		// libchdb installs ClickHouse's crash handlers while connecting;
		// the fault signals go back to the Go runtime (see faultSignals).
		if err := goHandlers.restore(); err != nil {
			if connp != nil && *connp != 0 {
				l.closeConn(connp)
			}
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: %w", abs, err)
		}
		if connp == nil {
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: libchdb refused the connection (is another process using it?)", abs)
		}
		conn := *connp
		if conn == 0 {
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: libchdb returned no connection", abs)
		}
		// The engine holds the data path's lock now, so files left in tmp
		// belong to a process that died mid-insert (kill -9).
		tmp := filepath.Join(abs, InsertTempDir)
		if err := os.RemoveAll(tmp); err != nil {
			l.closeConn(connp)
			lock.release()
			return nil, fmt.Errorf("clear %s: %w", tmp, err)
		}
		if err := os.MkdirAll(tmp, 0o700); err != nil {
			l.closeConn(connp)
			lock.release()
			return nil, fmt.Errorf("create %s: %w", tmp, err)
		}
		e := &engine{l: l, connp: connp, conn: conn, path: abs, tmp: tmp, lock: lock}
		if _, err := e.query(setSessionSettings(), "TabSeparated", nil); err != nil {
			l.closeConn(connp)
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: session settings: %w", abs, err)
		}
		// In case the first statement set up more of the engine: check again.
		if err := goHandlers.restore(); err != nil {
			l.closeConn(connp)
			lock.release()
			return nil, fmt.Errorf("open embedded warehouse at %s: %w", abs, err)
		}
		theOne = e
	} else if theOne.path != abs {
		return nil, fmt.Errorf("open embedded warehouse at %s: this process already has the one at %s open (libchdb allows one data path per process)", abs, theOne.path)
	}
	theOne.refs++
	c := &Conn{e: theOne, db: db}
	if err := c.e.run(ctx, "", "CREATE DATABASE IF NOT EXISTS "+quoteIdent(db), "TabSeparated", nil); err != nil {
		c.Close(ctx)
		return nil, fmt.Errorf("create database %s: %w", db, err)
	}
	return c, nil
}

// EngineConfigFile, under the warehouse path, holds EngineConfig; it is
// written at every open, so the file always matches this binary.
const EngineConfigFile = "localoffer-engine.xml"

// EngineConfig is the server configuration libchdb opens with (MergeTree
// defaults cannot be given as chdb_connect arguments, only in a file).
//
// Vertical merges for every merge: by default a merge of parts under 131,072
// rows (every merge of a run's 10,000-row chunks) reads and writes all
// columns at once, holding a read and a write buffer for each column of each
// part. Merging the key columns first and then one column at a time holds one
// column's buffers: in a 100,000-row provider list's load the process peaked
// 120–140 MB lower (610–620 → 470–490 MB) for the same CPU. The parts and
// rows are the same either way.
//
// No global sampling profiler: ClickHouse's profilers interrupt threads with
// signals and unwind their stacks. This process's threads are Go's too (every
// statement runs on the calling Go thread), and nothing here reads trace_log.
const EngineConfig = `<clickhouse>
  <global_profiler_real_time_period_ns>0</global_profiler_real_time_period_ns>
  <global_profiler_cpu_time_period_ns>0</global_profiler_cpu_time_period_ns>
  <merge_tree>
    <vertical_merge_algorithm_min_rows_to_activate>1</vertical_merge_algorithm_min_rows_to_activate>
    <vertical_merge_algorithm_min_columns_to_activate>1</vertical_merge_algorithm_min_columns_to_activate>
  </merge_tree>
</clickhouse>
`

// SessionSettings are the query-level settings every statement of the
// engine's one session runs with. libchdb applies server settings given as
// arguments to chdb_connect but silently ignores query-level ones there, so
// these are SET on the session once it is open (read back by a test).
//
// optimize_on_insert=0: the loader already skips unchanged records and the
// *_current views pick the latest version, so collapsing duplicates while
// inserting is redundant; it costs the engine about a third of a services
// insert's CPU and a third more memory (a sorted, collapsed copy of the block).
// The JSON and date settings match libchdb's defaults today and are pinned
// because the drivers' readers depend on them.
//
// The query profilers are off: by default a statement running over a second
// arms POSIX timers that send SIGUSR1/SIGUSR2 to the thread executing it,
// which here is a Go thread calling libchdb, and nothing reads the samples
// (trace_log); memory_profiler_step=0 stops the allocation samples too.
var SessionSettings = [][2]string{
	{"optimize_on_insert", "0"},
	{"query_profiler_real_time_period_ns", "0"},
	{"query_profiler_cpu_time_period_ns", "0"},
	{"memory_profiler_step", "0"},
	{"output_format_json_quote_64bit_integers", "0"},
	{"output_format_json_quote_decimals", "0"},
	{"date_time_input_format", "best_effort"},
}

func setSessionSettings() string {
	var b strings.Builder
	b.WriteString("SET ")
	for i, kv := range SessionSettings {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv[0] + " = " + warehouse.Quote(kv[1]))
	}
	return b.String()
}

func quoteIdent(s string) string {
	return "`" + string(bytes.ReplaceAll([]byte(s), []byte("`"), []byte("``"))) + "`"
}

// run executes one query in db (switching with USE when needed) and hands the
// result bytes to fn, all under the engine lock.
func (e *engine) run(ctx context.Context, db, q, format string, fn func([]byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == 0 {
		return errors.New("embedded warehouse is closed")
	}
	if db != "" && db != e.current {
		if _, err := e.query("USE "+quoteIdent(db), "TabSeparated", nil); err != nil {
			return err
		}
		e.current = db
	}
	_, err := e.query(q, format, fn)
	return err
}

func (e *engine) query(q, format string, fn func([]byte) error) (int, error) {
	if q == "" {
		return 0, errors.New("empty query")
	}
	qb := unsafe.Slice(unsafe.StringData(q), len(q))
	fb := []byte(format)
	res := e.l.queryN(e.conn, &qb[0], uintptr(len(qb)), &fb[0], uintptr(len(fb)))
	if res == 0 {
		return 0, errors.New("libchdb returned no result")
	}
	defer e.l.destroy(res)
	if p := e.l.resultError(res); p != nil {
		return 0, &QueryError{Msg: cString(p)}
	}
	n := int(e.l.resultLength(res))
	if fn != nil && n > 0 {
		buf := unsafe.Slice(e.l.resultBuffer(res), n)
		if err := fn(buf); err != nil {
			return n, err
		}
	}
	return n, nil
}

// QueryError is an error reported by the engine.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

func cString(p *byte) string {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// Exec runs a statement.
func (c *Conn) Exec(ctx context.Context, q string) error {
	if !isInsert(q) {
		c.e.forgetTypes()
	}
	if err := c.e.run(ctx, c.db, q, "TabSeparated", nil); err != nil {
		return fmt.Errorf("exec %q: %w", shorten(q), err)
	}
	return nil
}

// Query streams a SELECT's rows. Results are read block by block so a large
// result never sits in memory whole. Statements libchdb cannot stream
// (DESCRIBE, SHOW, EXPLAIN, EXISTS, …) run buffered: their results are small.
func (c *Conn) Query(ctx context.Context, q string, fn func(cols []string, row []json.RawMessage) error) error {
	return c.queryRows(ctx, q, nil, fn)
}

// QueryWith runs a user's statement with bound parameters, refusing what the
// options do not allow. libchdb has no per-query settings, so ClickHouse's
// readonly setting cannot be used here: the engine parses the statement first
// and anything that is not a read is refused.
func (c *Conn) QueryWith(ctx context.Context, q string, o warehouse.QueryOptions, fn func(cols []string, row []json.RawMessage) error) error {
	if o.ReadOnly || o.Sandbox {
		st, err := warehouse.ParseStatement(ctx, c, q, o.Params)
		if err != nil {
			return err
		}
		if err := st.Check(o); err != nil {
			return err
		}
	}
	defer c.forgetDatabase()
	c.e.forgetTypes()
	return c.queryRows(ctx, q, o.Params, fn)
}

// forgetDatabase makes the next query switch database again: a user's
// statement may have been a USE.
func (c *Conn) forgetDatabase() {
	c.e.mu.Lock()
	c.e.current = ""
	c.e.mu.Unlock()
}

// lockIn takes the engine lock and switches to db; the caller unlocks.
func (c *Conn) lockIn(db string) error {
	e := c.e
	e.mu.Lock()
	if e.conn == 0 {
		e.mu.Unlock()
		return errors.New("embedded warehouse is closed")
	}
	if db != e.current {
		if _, err := e.query("USE "+quoteIdent(db), "TabSeparated", nil); err != nil {
			e.mu.Unlock()
			return err
		}
		e.current = db
	}
	return nil
}

func (c *Conn) queryRows(ctx context.Context, q string, params map[string]string, fn func(cols []string, row []json.RawMessage) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(q) == "" {
		return errors.New("empty query")
	}
	if err := c.lockIn(c.db); err != nil {
		return err
	}
	defer c.e.mu.Unlock()
	dec := &rowDecoder{q: q, fn: fn}
	p := newParamArrays(params)
	var st warehouse.RawStats
	err := c.e.streamRaw(ctx, q, "JSONCompactEachRowWithNames", p, dec, &st)
	var qe *QueryError
	if errors.As(err, &qe) && notStreamable(qe.Msg) && dec.written == 0 {
		err = c.e.bufferedRaw(q, "JSONCompactEachRowWithNames", p, dec, &st)
	}
	if err == nil {
		err = dec.flush()
	}
	if errors.As(err, &qe) {
		return fmt.Errorf("query %q: %w", shorten(q), err)
	}
	return err
}

// rowDecoder turns JSONCompactEachRowWithNames output, chunk by chunk, into
// rows. Every chunk libchdb hands out starts with the names line again, so the
// first whole line of each chunk is a header.
type rowDecoder struct {
	q       string
	fn      func(cols []string, row []json.RawMessage) error
	cols    []string
	pending []byte
	header  bool
	written int
}

func (d *rowDecoder) Write(chunk []byte) (int, error) {
	d.written += len(chunk)
	if len(d.pending) == 0 {
		d.header = true
	}
	d.pending = append(d.pending, chunk...)
	// Only whole lines are decoded; a tail without its newline waits for the next chunk.
	end := bytes.LastIndexByte(d.pending, '\n')
	if end >= 0 {
		for _, line := range bytes.Split(d.pending[:end], []byte{'\n'}) {
			if err := d.line(line); err != nil {
				return 0, err
			}
		}
		d.pending = append(d.pending[:0], d.pending[end+1:]...)
	}
	return len(chunk), nil
}

func (d *rowDecoder) flush() error {
	if len(d.pending) == 0 {
		return nil
	}
	err := d.line(d.pending)
	d.pending = nil
	return err
}

func (d *rowDecoder) line(line []byte) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if d.header {
		d.header = false
		if d.cols == nil {
			if err := json.Unmarshal(line, &d.cols); err != nil {
				return fmt.Errorf("query %q: decode column names: %w", shorten(d.q), err)
			}
		}
		return nil
	}
	var row []json.RawMessage
	if err := json.Unmarshal(line, &row); err != nil {
		return fmt.Errorf("query %q: decode row: %w", shorten(d.q), err)
	}
	return d.fn(d.cols, row)
}

// Insert writes rows through a temporary file loaded with INSERT … FROM
// INFILE: the engine parses a file several times faster than data inline in
// the query text, and the rows are streamed to disk, not held in one large
// buffer. The file is RowBinaryWithDefaults when every column type and value
// has a binary form (warehouse.RowBinaryEncoder), TabSeparated otherwise:
// binary rows cost the engine less to read and Go less to write, the JSON
// payloads above all (copied, not escaped).
func (c *Conn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	for i, r := range rows {
		if len(r) != len(columns) {
			return fmt.Errorf("insert into %s: row %d has %d values for %d columns", table, i, len(r), len(columns))
		}
	}
	if c.InsertFormat != "TabSeparated" {
		enc, err := c.e.rowBinaryEncoder(ctx, c.db, table, columns)
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		if enc != nil {
			err := c.insertFile(ctx, table, columns, len(rows), "RowBinaryWithDefaults", func(dst []byte, i int) ([]byte, error) {
				return enc.AppendRow(dst, rows[i])
			})
			if !errors.Is(err, warehouse.ErrRowBinary) {
				return err
			}
		}
	}
	return c.insertFile(ctx, table, columns, len(rows), "TabSeparated", func(dst []byte, i int) ([]byte, error) {
		return warehouse.AppendTSVRow(dst, rows[i])
	})
}

// insertFile writes n rows with appendRow into a temporary file and loads it.
func (c *Conn) insertFile(ctx context.Context, table string, columns []string, n int, format string,
	appendRow func(dst []byte, i int) ([]byte, error)) error {
	f, err := os.CreateTemp(c.e.tmp, "insert-*."+format)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	for i := range n {
		if line, err = appendRow(line[:0], i); err != nil {
			f.Close()
			return fmt.Errorf("insert into %s: row %d: %w", table, i, err)
		}
		bw.Write(line)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("insert into %s: write rows: %w", table, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("insert into %s: write rows: %w", table, err)
	}
	return c.loadFile(ctx, table, columns, f.Name(), format, n)
}

// loadFile loads a file of n rows in format into table with INSERT … FROM INFILE.
func (c *Conn) loadFile(ctx context.Context, table string, columns []string, path, format string, n int) error {
	var q strings.Builder
	q.WriteString("INSERT INTO ")
	q.WriteString(quoteIdent(table))
	q.WriteString(" (")
	for i, col := range columns {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(quoteIdent(col))
	}
	q.WriteString(") FROM INFILE ")
	q.WriteString(warehouse.Quote(path))
	q.WriteString(" FORMAT ")
	q.WriteString(format)
	var kept *CapturedInsert
	var err error
	if c.capture != nil {
		if kept, err = c.capture.keep(path, table, columns, format, n); err != nil {
			return err
		}
	}
	if kept == nil {
		if err := c.e.run(ctx, c.db, q.String(), "TabSeparated", nil); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", n, table, err)
		}
		return nil
	}
	// Captured: the engine call is measured apart from the wait for the
	// engine (another statement running), which is no part of its cost.
	if err := ctx.Err(); err != nil {
		return err
	}
	queued := time.Now()
	if err := c.lockIn(c.db); err != nil {
		return err
	}
	kept.Waited = time.Since(queued).Seconds()
	took, cpu, err := MeasureEngineCall(func() error {
		_, err := c.e.query(q.String(), "TabSeparated", nil)
		return err
	})
	c.e.mu.Unlock()
	if err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", n, table, err)
	}
	kept.CPU = cpu.Seconds()
	return c.capture.done(kept, took)
}

// rowBinaryEncoder returns the encoder for these columns of db.table, or nil
// when one of their types has no binary form here. Column types are read once
// and kept until the next statement that may change a table.
func (e *engine) rowBinaryEncoder(ctx context.Context, db, table string, columns []string) (*warehouse.RowBinaryEncoder, error) {
	key := db + "\x00" + table + "\x00" + strings.Join(columns, "\x00")
	e.typesMu.Lock()
	enc, ok := e.encoders[key]
	e.typesMu.Unlock()
	if ok {
		return enc, nil
	}
	types := map[string]string{}
	q := "SELECT name, type FROM system.columns WHERE database = " + warehouse.Quote(db) + " AND table = " + warehouse.Quote(table) + " FORMAT TSVRaw"
	err := e.run(ctx, "", q, "TabSeparated", func(b []byte) error {
		for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if name, typ, ok := strings.Cut(line, "\t"); ok {
				types[name] = typ
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read column types: %w", err)
	}
	colTypes := make([]string, len(columns))
	for i, col := range columns {
		colTypes[i] = types[col]
	}
	enc, err = warehouse.NewRowBinaryEncoder(colTypes)
	if err != nil {
		enc = nil // a type with no binary form here (or no such column): TSV says what the engine makes of it
	}
	e.typesMu.Lock()
	if e.encoders == nil {
		e.encoders = map[string]*warehouse.RowBinaryEncoder{}
	}
	e.encoders[key] = enc
	e.typesMu.Unlock()
	return enc, nil
}

// isInsert: an INSERT (… SELECT) changes rows, never a table's columns, so
// the column types read for binary inserts stay valid. Keeping them spares
// the after-run steps' INSERT … SELECTs a read of system.columns for every
// table at the next load (about ten a pipeline).
func isInsert(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n")
	return len(q) > 6 && strings.EqualFold(q[:6], "INSERT") && strings.ContainsRune(" \t\r\n", rune(q[6]))
}

// forgetTypes drops the column types read for binary inserts: the statement
// about to run may change a table.
func (e *engine) forgetTypes() {
	e.typesMu.Lock()
	e.encoders = nil
	e.typesMu.Unlock()
}

// DropDatabase removes this handle's database (used by tests to clean up).
func (c *Conn) DropDatabase(ctx context.Context) error {
	c.e.forgetTypes()
	return c.e.run(ctx, "", "DROP DATABASE IF EXISTS "+quoteIdent(c.db), "TabSeparated", nil)
}

// Close releases the handle; the engine closes with its last handle.
func (c *Conn) Close(ctx context.Context) error {
	if c.closed {
		return nil
	}
	c.closed = true
	engineMu.Lock()
	defer engineMu.Unlock()
	c.e.refs--
	if c.e.refs > 0 {
		return nil
	}
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	if c.e.connp != nil {
		c.e.l.closeConn(c.e.connp)
		c.e.connp, c.e.conn = nil, 0
	}
	if c.e.lock != nil {
		c.e.lock.release()
		c.e.lock = nil
	}
	if theOne == c.e {
		theOne = nil
	}
	return nil
}

func shorten(q string) string {
	if len(q) > 120 {
		return q[:120] + "…"
	}
	return q
}
