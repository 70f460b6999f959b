package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

func fakeOpen(f *fakeConn, retries int) *Conn {
	return &Conn{conn: f, retries: retries, log: slog.New(slog.DiscardHandler), types: map[string]map[string]string{}}
}

func TestExecWrapsErrorsWithAShortQuery(t *testing.T) {
	f := newFakeConn()
	c := fakeOpen(f, 1)
	ctx := context.Background()
	if err := c.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	f.execErr = boom
	long := "INSERT INTO t SELECT " + strings.Repeat("x, ", 100) + "1"
	err := c.Exec(ctx, long)
	if !errors.Is(err, boom) {
		t.Fatalf("Exec error %v does not wrap the driver's", err)
	}
	want := fmt.Sprintf("exec %q: boom", long[:120]+"…")
	if err.Error() != want {
		t.Errorf("Exec error:\n got %s\nwant %s", err, want)
	}
	if got := f.execs; len(got) != 2 || got[0] != "SYSTEM FLUSH LOGS" || got[1] != long {
		t.Errorf("statements sent: %q", got)
	}
}

// The column types the loader converts to are read once per table and read
// again after DDL, which may have changed them.
func TestColumnTypesCachedUntilDDL(t *testing.T) {
	f := newFakeConn()
	f.columns["t"] = map[string]string{"a": "UInt32"}
	c := fakeOpen(f, 1)
	ctx := context.Background()
	insert := func() {
		t.Helper()
		if err := c.Insert(ctx, "t", []string{"a"}, [][]any{{1}}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		exec     string // run before the insert ("" for none)
		describe int    // system.columns lookups after the insert
	}{
		{"", 1},
		{"", 1},
		{"INSERT INTO t VALUES (2)", 1},
		{"  alter TABLE t ADD COLUMN b String", 2},
		{"", 2},
		{"CREATE TABLE u (x UInt8) ENGINE = Memory", 3},
	}
	for i, s := range steps {
		if s.exec != "" {
			if err := c.Exec(ctx, s.exec); err != nil {
				t.Fatal(err)
			}
		}
		insert()
		if f.describe != s.describe {
			t.Fatalf("step %d (%q): %d lookups of system.columns, want %d", i, s.exec, f.describe, s.describe)
		}
	}
}

func TestQueryEncodesRowsAsTheEmbeddedEngineDoes(t *testing.T) {
	f := newFakeConn()
	bst := time.FixedZone("BST", 3600)
	at := time.Date(2025, 9, 1, 9, 30, 0, 0, bst)
	later := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
	f.results["SELECT"] = fakeResult{
		cols:  []string{"id", "at", "closed", "reopened", "n", "codes"},
		types: []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[time.Time](), reflect.TypeFor[*time.Time](), reflect.TypeFor[*time.Time](), reflect.TypeFor[uint64](), reflect.TypeFor[[]string]()},
		rows: [][]any{
			{"a", at, nil, &later, uint64(7), []string{"ASD", "SLD"}},
			{"b <x>", at.Add(time.Millisecond), nil, nil, uint64(0), []string{}},
		},
	}
	c := fakeOpen(f, 1)
	var got [][]string
	var gotCols []string
	err := c.Query(context.Background(), "SELECT", func(cols []string, row []json.RawMessage) error {
		gotCols = cols
		r := make([]string, len(row))
		for i, v := range row {
			r[i] = string(v)
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{`"a"`, `"2025-09-01 08:30:00.000"`, `null`, `"2025-09-02 00:00:00.000"`, `7`, `["ASD","SLD"]`},
		{`"b \u003cx\u003e"`, `"2025-09-01 08:30:00.001"`, `null`, `null`, `0`, `[]`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
	if !reflect.DeepEqual(gotCols, f.results["SELECT"].cols) {
		t.Errorf("columns %v", gotCols)
	}
}

func TestQueryErrors(t *testing.T) {
	stop := errors.New("stop here")
	boom := errors.New("boom")
	strCol := []reflect.Type{reflect.TypeFor[string]()}
	cases := []struct {
		name    string
		result  fakeResult
		qErr    error
		fn      func([]string, []json.RawMessage) error
		want    string // the whole message
		wrapped error
	}{
		{name: "query refused", qErr: boom, want: `query "Q": boom`, wrapped: boom},
		{name: "scan", result: fakeResult{cols: []string{"s"}, types: strCol, rows: [][]any{{"x"}}, scanErr: boom}, want: `query "Q": scan: boom`, wrapped: boom},
		{name: "stream broke", result: fakeResult{cols: []string{"s"}, types: strCol, rows: [][]any{{"x"}}, err: io.ErrUnexpectedEOF},
			want: `query "Q": unexpected EOF`, wrapped: io.ErrUnexpectedEOF},
		{name: "callback error is passed through", result: fakeResult{cols: []string{"s"}, types: strCol, rows: [][]any{{"x"}}},
			fn: func([]string, []json.RawMessage) error { return stop }, want: "stop here", wrapped: stop},
		{name: "value JSON cannot hold", result: fakeResult{cols: []string{"z"}, types: []reflect.Type{reflect.TypeFor[complex128]()}, rows: [][]any{{complex(1, 2)}}},
			want: `query "Q": encode column z: json: unsupported type: complex128`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeConn()
			f.queryErr = tc.qErr
			f.results["Q"] = tc.result
			fn := tc.fn
			if fn == nil {
				fn = func([]string, []json.RawMessage) error { return nil }
			}
			err := fakeOpen(f, 1).Query(context.Background(), "Q", fn)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			if tc.wrapped != nil && !errors.Is(err, tc.wrapped) {
				t.Errorf("error %v does not wrap %v", err, tc.wrapped)
			}
		})
	}
}

// queryOptions sends parameters and the server-enforced readonly=2 only when asked.
func TestQueryOptions(t *testing.T) {
	apply := func(o warehouse.QueryOptions) string {
		var qo ch.QueryOptions
		for _, f := range queryOptions(o) {
			if err := f(&qo); err != nil {
				t.Fatal(err)
			}
		}
		v := reflect.ValueOf(qo)
		return fmt.Sprintf("settings=%v parameters=%v", v.FieldByName("settings"), v.FieldByName("parameters"))
	}
	cases := []struct {
		o    warehouse.QueryOptions
		want string
	}{
		{warehouse.QueryOptions{}, "settings=map[] parameters=map[]"},
		{warehouse.QueryOptions{ReadOnly: true}, "settings=map[readonly:2] parameters=map[]"},
		{warehouse.QueryOptions{Params: map[string]string{"la": "E06000044"}}, "settings=map[] parameters=map[la:E06000044]"},
		{warehouse.QueryOptions{Params: map[string]string{"a": "2"}, ReadOnly: true, Sandbox: true}, "settings=map[readonly:2] parameters=map[a:2]"},
	}
	for _, c := range cases {
		if got := apply(c.o); got != c.want {
			t.Errorf("%+v: %s, want %s", c.o, got, c.want)
		}
	}
}

// explain is EXPLAIN AST output as the engine writes it, one node a line.
func explain(lines ...string) fakeResult {
	r := fakeResult{cols: []string{"explain"}, types: []reflect.Type{reflect.TypeFor[string]()}}
	for _, l := range lines {
		r.rows = append(r.rows, []any{l})
	}
	return r
}

// A sandboxed statement is parsed by the server first (EXPLAIN AST, with the
// same parameters) and only run when the parse tree shows a read that stays
// inside the warehouse.
func TestQueryWithSandbox(t *testing.T) {
	f := newFakeConn()
	const fileQ = "SELECT * FROM file('/etc/passwd')"
	f.results["EXPLAIN AST "+fileQ] = explain(
		"SelectWithUnionQuery (children 1)",
		" ExpressionList (children 1)",
		"  SelectQuery (children 2)",
		"   ExpressionList (children 1)",
		"    Asterisk",
		"   TablesInSelectQuery (children 1)",
		"    TablesInSelectQueryElement (children 1)",
		"     TableExpression (children 1)",
		"      Function file (children 1)",
		"       ExpressionList (children 1)",
		"        Literal '/etc/passwd'",
	)
	const insertQ = "INSERT INTO t VALUES (1)"
	f.results["EXPLAIN AST "+insertQ] = explain("InsertQuery (children 1)", " Identifier t")
	const okQ = "SELECT s FROM t WHERE a = {a:UInt32}"
	f.results["EXPLAIN AST "+okQ] = explain(
		"SelectWithUnionQuery (children 1)",
		" ExpressionList (children 1)",
		"  SelectQuery (children 3)",
		"   ExpressionList (children 1)",
		"    Identifier s",
		"   TablesInSelectQuery (children 1)",
		"    TablesInSelectQueryElement (children 1)",
		"     TableExpression (children 1)",
		"      TableIdentifier t",
		"   Function equals (children 1)",
		"    ExpressionList (children 2)",
		"     Identifier a",
		"     QueryParameter a:UInt32",
	)
	f.results["SELECT lower(name) FROM system.table_functions"] = fakeResult{cols: []string{"lower(name)"}, types: []reflect.Type{reflect.TypeFor[string]()},
		rows: [][]any{{"file"}, {"url"}, {"numbers"}, {"remote"}}}
	f.results[okQ] = fakeResult{cols: []string{"s"}, types: []reflect.Type{reflect.TypeFor[string]()}, rows: [][]any{{"y"}}}
	c := fakeOpen(f, 1)
	ctx := context.Background()
	sandbox := warehouse.QueryOptions{Params: map[string]string{"a": "2"}, ReadOnly: true, Sandbox: true}
	nop := func([]string, []json.RawMessage) error { return nil }

	for _, q := range []string{fileQ, insertQ} {
		err := c.QueryWith(ctx, q, sandbox, nop)
		if !errors.Is(err, warehouse.ErrNotRead) {
			t.Errorf("%s: error %v, want a refusal", q, err)
		}
	}
	var got []string
	if err := c.QueryWith(ctx, okQ, sandbox, func(_ []string, row []json.RawMessage) error {
		got = append(got, string(row[0]))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != `"y"` {
		t.Errorf("rows %v", got)
	}
	for _, q := range f.queries {
		if q == fileQ || q == insertQ {
			t.Errorf("refused statement %q reached the server", q)
		}
	}
	// Without the sandbox nothing is parsed first.
	f.queries = nil
	if err := c.QueryWith(ctx, okQ, warehouse.QueryOptions{ReadOnly: true}, nop); err != nil {
		t.Fatal(err)
	}
	if len(f.queries) != 1 || f.queries[0] != okQ {
		t.Errorf("queries sent without the sandbox: %q", f.queries)
	}
}

func TestInsertConvertsToColumnTypes(t *testing.T) {
	f := newFakeConn()
	f.columns["services"] = map[string]string{"id": "String", "age": "Nullable(UInt8)", "at": "DateTime64(3, 'UTC')",
		"codes": "Array(LowCardinality(String))", "assured": "Nullable(Date)"}
	c := fakeOpen(f, 3)
	age := 11
	at := time.Date(2025, 9, 1, 9, 30, 0, 0, time.FixedZone("BST", 3600))
	rows := [][]any{
		{"a", &age, at, []string{"ASD"}, warehouse.Date("2026-01-31")},
		{"b", (*int)(nil), at, nil, warehouse.Date("")},
	}
	if err := c.Insert(context.Background(), "services", []string{"id", "age", "at", "codes", "assured"}, rows); err != nil {
		t.Fatal(err)
	}
	if want := "INSERT INTO `services` (`id`, `age`, `at`, `codes`, `assured`)"; len(f.prepared) != 1 || f.prepared[0] != want {
		t.Fatalf("prepared %q, want one %q", f.prepared, want)
	}
	u8 := uint8(11)
	utc := at.UTC()
	day := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	want := [][]any{
		{"a", &u8, utc, []string{"ASD"}, &day},
		{"b", nil, utc, []string{}, nil},
	}
	if !reflect.DeepEqual(f.appended[0], want) {
		t.Errorf("appended\n %#v\nwant\n %#v", f.appended[0], want)
	}
	// Nothing to insert: no round trip at all.
	if err := c.Insert(context.Background(), "services", []string{"id"}, nil); err != nil || len(f.prepared) != 1 {
		t.Errorf("empty insert: %v, %d batches", err, len(f.prepared))
	}
}

func TestInsertErrors(t *testing.T) {
	netErr := &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
	refused := &ch.Exception{Code: 60, Name: "DB::Exception", Message: "Table default.t does not exist"}
	cases := []struct {
		name     string
		table    string
		columns  []string
		row      []any
		retries  int
		sendErrs []error
		qErr     error
		want     string // substring of the message
		attempts int    // batches prepared
		rowsEach int    // rows appended to each batch
		wrapped  error
	}{
		{name: "unknown column", table: "t", columns: []string{"a", "nope"}, row: []any{1, 2}, retries: 3,
			want: `insert into t: no column "nope"`},
		{name: "table missing", table: "gone", columns: []string{"a"}, row: []any{1}, retries: 3,
			want: "describe gone: table not found"},
		{name: "describe fails", table: "t", columns: []string{"a"}, row: []any{1}, retries: 3, qErr: io.ErrClosedPipe,
			want: "describe t: io: read/write on closed pipe", wrapped: io.ErrClosedPipe},
		{name: "value does not fit: not retried", table: "t", columns: []string{"a", "s"}, row: []any{1, struct{}{}}, retries: 3,
			want: "insert 1 rows into t: row 0 column 1: value struct {} does not fit String", attempts: 1},
		{name: "server refuses: not retried", table: "t", columns: []string{"a"}, row: []any{1}, retries: 3, sendErrs: []error{refused},
			want: "insert 1 rows into t: ", attempts: 1, rowsEach: 1, wrapped: refused},
		{name: "network error then success", table: "t", columns: []string{"a"}, row: []any{1}, retries: 3, sendErrs: []error{netErr},
			attempts: 2, rowsEach: 1},
		{name: "retries used up", table: "t", columns: []string{"a"}, row: []any{1}, retries: 2,
			sendErrs: []error{errors.New("read: EOF"), errors.New("connection reset by peer")},
			want:     "insert 1 rows into t: connection reset by peer", attempts: 2, rowsEach: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeConn()
			f.columns["t"] = map[string]string{"a": "UInt32", "s": "String"}
			f.sendErrs = tc.sendErrs
			f.queryErr = tc.qErr
			c := fakeOpen(f, tc.retries)
			err := c.Insert(context.Background(), tc.table, tc.columns, [][]any{tc.row})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.wrapped != nil && !errors.Is(err, tc.wrapped) {
				t.Errorf("error %v does not wrap %v", err, tc.wrapped)
			}
			if len(f.prepared) != tc.attempts {
				t.Errorf("%d batches prepared, want %d", len(f.prepared), tc.attempts)
			}
			// Every attempt is a fresh batch holding every row that converted.
			for i, rows := range f.appended {
				if len(rows) != tc.rowsEach {
					t.Errorf("attempt %d appended %d rows, want %d", i, len(rows), tc.rowsEach)
				}
			}
		})
	}
}

// A deadline that falls while waiting to retry ends the insert at once.
func TestInsertStopsWaitingWhenCancelled(t *testing.T) {
	f := newFakeConn()
	f.columns["t"] = map[string]string{"a": "UInt32"}
	f.sendErrs = []error{&net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}}
	c := fakeOpen(f, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Insert(ctx, "t", []string{"a"}, [][]any{{1}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's", err)
	}
	if d := time.Since(start); d > 400*time.Millisecond {
		t.Errorf("returned after %v: the retry wait was not cut short", d)
	}
	if len(f.prepared) != 1 {
		t.Errorf("%d batches, want 1", len(f.prepared))
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{fmt.Errorf("send: %w", &net.DNSError{Err: "timeout", IsTimeout: true}), true},
		{&ch.Exception{Code: 241, Message: "Memory limit exceeded"}, false},
		{fmt.Errorf("row 3: %w", &ch.Exception{Code: 53, Message: "Type mismatch"}), false},
		{errors.New("write: connection reset by peer"), true},
		{io.EOF, true},
		{errors.New("value struct {} does not fit String"), false},
	}
	for _, c := range cases {
		if got := retryable(c.err); got != c.want {
			t.Errorf("retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestCloseClosesTheDriver(t *testing.T) {
	f := newFakeConn()
	if err := fakeOpen(f, 1).Close(context.Background()); err != nil || !f.closed {
		t.Errorf("Close: %v, closed %v", err, f.closed)
	}
}

// A server that is not there: the error names the address, never the password.
func TestOpenUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = Open(ctx, Options{DSN: "clickhouse://loader:hunter2@" + addr + "/send?dial_timeout=2s", Retries: 1})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	msg := err.Error()
	if !strings.Contains(msg, "connect to ClickHouse at "+addr) || !strings.Contains(msg, "create database send") {
		t.Errorf("error does not say what failed where: %s", msg)
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error leaks the password: %s", msg)
	}
}
