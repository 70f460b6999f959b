// Package clickhouse is the warehouse driver for a ClickHouse server or cluster,
// over the native protocol with clickhouse-go/v2: LZ4 compression, batched
// inserts (PrepareBatch/Append/Send) with a fresh batch on every retry.
package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Options configure the server connection.
type Options struct {
	DSN      string // clickhouse://user:password@host:9000/database?dial_timeout=10s
	Database string // overrides the DSN's database when set
	Retries  int    // insert attempts on network errors (default 3)
	Log      *slog.Logger
}

// Conn is a warehouse.Conn on a ClickHouse server.
type Conn struct {
	conn    driver.Conn
	retries int
	log     *slog.Logger

	mu    sync.Mutex
	types map[string]map[string]string // table → column → type
}

// Open connects, creating the database if needed.
func Open(ctx context.Context, o Options) (*Conn, error) {
	opts, err := ch.ParseDSN(o.DSN)
	if err != nil {
		// The DSN may hold a password: never echo it.
		return nil, errors.New("warehouse.dsn is not a valid ClickHouse DSN (clickhouse://user:password@host:9000/database)")
	}
	db := opts.Auth.Database
	if o.Database != "" {
		db = o.Database
	}
	if db == "" {
		db = "default"
	}
	opts.Compression = &ch.Compression{Method: ch.CompressionLZ4}
	if opts.Settings == nil {
		opts.Settings = ch.Settings{}
	}
	// As for the embedded engine: the loader skips unchanged records itself.
	opts.Settings["optimize_on_insert"] = 0
	// Create the database from a connection to "default" first.
	opts.Auth.Database = "default"
	boot, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to ClickHouse at %s: %w", strings.Join(opts.Addr, ","), err)
	}
	if err := boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+strings.ReplaceAll(db, "`", "``")+"`"); err != nil {
		boot.Close()
		return nil, fmt.Errorf("connect to ClickHouse at %s: create database %s: %w", strings.Join(opts.Addr, ","), db, err)
	}
	boot.Close()
	opts.Auth.Database = db
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to ClickHouse at %s: %w", strings.Join(opts.Addr, ","), err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping ClickHouse at %s: %w", strings.Join(opts.Addr, ","), err)
	}
	retries := o.Retries
	if retries <= 0 {
		retries = 3
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Conn{conn: conn, retries: retries, log: log, types: map[string]map[string]string{}}, nil
}

// Exec runs a statement.
func (c *Conn) Exec(ctx context.Context, q string) error {
	if err := c.conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("exec %q: %w", shorten(q), err)
	}
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "ALTER") || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "CREATE") {
		c.mu.Lock()
		clear(c.types)
		c.mu.Unlock()
	}
	return nil
}

// Query streams rows, each value encoded as JSON.
func (c *Conn) Query(ctx context.Context, q string, fn func(cols []string, row []json.RawMessage) error) error {
	rows, err := c.conn.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("query %q: %w", shorten(q), err)
	}
	defer rows.Close()
	cols := rows.Columns()
	ctypes := rows.ColumnTypes()
	dest := make([]any, len(cols))
	for i, t := range ctypes {
		dest[i] = reflect.New(t.ScanType()).Interface()
	}
	out := make([]json.RawMessage, len(cols))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("query %q: scan: %w", shorten(q), err)
		}
		for i, d := range dest {
			b, err := json.Marshal(jsonValue(reflect.ValueOf(d).Elem().Interface()))
			if err != nil {
				return fmt.Errorf("query %q: encode column %s: %w", shorten(q), cols[i], err)
			}
			out[i] = b
		}
		if err := fn(cols, out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query %q: %w", shorten(q), err)
	}
	return nil
}

// QueryWith runs a user's statement with server-side parameters. ReadOnly is
// enforced by the server: the query carries readonly=2 (reads and setting
// changes only, and readonly itself cannot be lowered; 1 would also refuse the
// settings this connection sends with every query).
func (c *Conn) QueryWith(ctx context.Context, q string, o warehouse.QueryOptions, fn func(cols []string, row []json.RawMessage) error) error {
	if o.Sandbox {
		st, err := warehouse.ParseStatement(ctx, c, q, o.Params)
		if err != nil {
			return err
		}
		if err := st.Check(o); err != nil {
			return err
		}
	}
	return c.Query(ch.Context(ctx, queryOptions(o)...), q, fn)
}

func queryOptions(o warehouse.QueryOptions) []ch.QueryOption {
	var opts []ch.QueryOption
	if len(o.Params) > 0 {
		opts = append(opts, ch.WithParameters(ch.Parameters(o.Params)))
	}
	if o.ReadOnly {
		opts = append(opts, ch.WithSettings(ch.Settings{"readonly": 2}))
	}
	return opts
}

// jsonValue renders values the way the embedded engine's JSON output does.
func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.000")
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format("2006-01-02 15:04:05.000")
	}
	return v
}

// Insert sends rows in one batch, retrying network failures with a fresh batch.
func (c *Conn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	types, err := c.columnTypes(ctx, table)
	if err != nil {
		return err
	}
	colTypes := make([]string, len(columns))
	for i, col := range columns {
		t, ok := types[col]
		if !ok {
			return fmt.Errorf("insert into %s: no column %q", table, col)
		}
		colTypes[i] = t
	}
	stmt := "INSERT INTO `" + table + "` (`" + strings.Join(columns, "`, `") + "`)"
	var lastErr error
	for attempt := 1; attempt <= c.retries; attempt++ {
		lastErr = c.sendBatch(ctx, stmt, colTypes, rows)
		if lastErr == nil {
			return nil
		}
		if !retryable(lastErr) || ctx.Err() != nil {
			break
		}
		wait := time.Duration(attempt*attempt) * 500 * time.Millisecond
		c.log.Warn("insert failed; retrying with a fresh batch", "table", table, "attempt", attempt, "wait", wait, "err", lastErr)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("insert %d rows into %s: %w", len(rows), table, lastErr)
}

func (c *Conn) sendBatch(ctx context.Context, stmt string, colTypes []string, rows [][]any) error {
	batch, err := c.conn.PrepareBatch(ctx, stmt)
	if err != nil {
		return err
	}
	defer batch.Abort()
	vals := make([]any, len(colTypes))
	for i, r := range rows {
		for j, v := range r {
			cv, err := Convert(v, colTypes[j])
			if err != nil {
				return fmt.Errorf("row %d column %d: %w", i, j, err)
			}
			vals[j] = cv
		}
		if err := batch.Append(vals...); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return batch.Send()
}

func retryable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ex *ch.Exception
	if errors.As(err, &ex) {
		return false // the server understood and refused: retrying will not help
	}
	return strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF")
}

func (c *Conn) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	c.mu.Lock()
	t, ok := c.types[table]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	t = map[string]string{}
	rows, err := c.conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ?", table)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("describe %s: %w", table, err)
		}
		t[name] = typ
	}
	if len(t) == 0 {
		return nil, fmt.Errorf("describe %s: table not found", table)
	}
	c.mu.Lock()
	c.types[table] = t
	c.mu.Unlock()
	return t, nil
}

// Close closes the connection.
func (c *Conn) Close(ctx context.Context) error { return c.conn.Close() }

func shorten(q string) string {
	if len(q) > 120 {
		return q[:120] + "…"
	}
	return q
}
