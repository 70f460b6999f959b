package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// fakeConn is a driver.Conn that answers from tables held in memory and
// records what was sent. It embeds the interface, as clickhouse-go asks of
// test fakes, so a method the driver calls that is not overridden here panics
// and shows up in the test.
type fakeConn struct {
	driver.Conn

	mu       sync.Mutex
	execs    []string
	execErr  error
	queries  []string
	results  map[string]fakeResult        // by exact query
	columns  map[string]map[string]string // table → column → type, for system.columns
	describe int                          // system.columns lookups
	queryErr error                        // returned by every Query
	prepared []string                     // PrepareBatch statements, one per attempt
	sendErrs []error                      // Send results, one per attempt; nil when used up
	appended [][][]any                    // rows appended, per attempt
	closed   bool
}

// fakeResult is a result set: column names, the Go types the driver would
// scan into, and rows.
type fakeResult struct {
	cols    []string
	types   []reflect.Type
	rows    [][]any
	scanErr error // returned by Scan of the first row
	err     error // returned by Err after the last row
}

func newFakeConn() *fakeConn {
	return &fakeConn{results: map[string]fakeResult{}, columns: map[string]map[string]string{}}
}

func (f *fakeConn) Exec(ctx context.Context, q string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.execs = append(f.execs, q)
	return f.execErr
}

func (f *fakeConn) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	if strings.Contains(q, "FROM system.columns") {
		f.describe++
		table, _ := args[0].(string)
		var r fakeResult
		r.cols = []string{"name", "type"}
		r.types = []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[string]()}
		for name, typ := range f.columns[table] {
			r.rows = append(r.rows, []any{name, typ})
		}
		return &fakeRows{r: r}, nil
	}
	r, ok := f.results[q]
	if !ok {
		return nil, fmt.Errorf("fake: no result for %q", q)
	}
	return &fakeRows{r: r}, nil
}

func (f *fakeConn) PrepareBatch(ctx context.Context, q string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prepared = append(f.prepared, q)
	f.appended = append(f.appended, nil)
	var err error
	if len(f.sendErrs) > 0 {
		err, f.sendErrs = f.sendErrs[0], f.sendErrs[1:]
	}
	return &fakeBatch{conn: f, attempt: len(f.prepared) - 1, sendErr: err}, nil
}

func (f *fakeConn) Close() error {
	f.closed = true
	return nil
}

type fakeBatch struct {
	driver.Batch
	conn    *fakeConn
	attempt int
	sendErr error
}

func (b *fakeBatch) Append(v ...any) error {
	b.conn.mu.Lock()
	defer b.conn.mu.Unlock()
	b.conn.appended[b.attempt] = append(b.conn.appended[b.attempt], append([]any(nil), v...))
	return nil
}

func (b *fakeBatch) Send() error  { return b.sendErr }
func (b *fakeBatch) Abort() error { return nil }

type fakeRows struct {
	driver.Rows
	r fakeResult
	i int
}

func (r *fakeRows) Columns() []string { return r.r.cols }

func (r *fakeRows) ColumnTypes() []driver.ColumnType {
	out := make([]driver.ColumnType, len(r.r.types))
	for i, t := range r.r.types {
		out[i] = fakeColumnType{name: r.r.cols[i], t: t}
	}
	return out
}

func (r *fakeRows) Next() bool {
	if r.i >= len(r.r.rows) {
		return false
	}
	r.i++
	return true
}

// Scan sets each destination pointer to the row's value, as the driver does.
func (r *fakeRows) Scan(dest ...any) error {
	if r.r.scanErr != nil {
		return r.r.scanErr
	}
	row := r.r.rows[r.i-1]
	if len(dest) != len(row) {
		return fmt.Errorf("fake: scan %d values into %d destinations", len(row), len(dest))
	}
	for i, d := range dest {
		dv := reflect.ValueOf(d)
		if dv.Kind() != reflect.Pointer {
			return errors.New("fake: scan into a non-pointer")
		}
		if row[i] == nil {
			dv.Elem().SetZero()
			continue
		}
		dv.Elem().Set(reflect.ValueOf(row[i]))
	}
	return nil
}

func (r *fakeRows) Err() error   { return r.r.err }
func (r *fakeRows) Close() error { return nil }

type fakeColumnType struct {
	driver.ColumnType
	name string
	t    reflect.Type
}

func (c fakeColumnType) Name() string           { return c.name }
func (c fakeColumnType) ScanType() reflect.Type { return c.t }
