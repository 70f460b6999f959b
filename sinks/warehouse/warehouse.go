// Package warehouse is the ClickHouse warehouse every driver shares: one
// schema (templated migrations), one SQL dialect, the loader that turns records
// into rows and the runs ledger.
package warehouse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/localoffer/localoffer/internal/redact"
)

// Conn is what a driver (embedded libchdb or a ClickHouse server) provides.
// Queries run in the warehouse's database, so SQL may name tables unqualified.
type Conn interface {
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, query string) error
	// Query streams a SELECT's rows: cols once per call, then each row's values as JSON.
	Query(ctx context.Context, query string, fn func(cols []string, row []json.RawMessage) error) error
	// Insert writes rows (values in column order; see AppendTSVRow for the Go types accepted).
	Insert(ctx context.Context, table string, columns []string, rows [][]any) error
	// Close releases the connection.
	Close(ctx context.Context) error
}

// Layout says how DDL is written for this deployment.
type Layout struct {
	Database string
	// Cluster, when set, makes DDL run ON CLUSTER with Replicated engines and a
	// Distributed table in front of every fact table.
	Cluster string
}

// Warehouse is a migrated ClickHouse database.
type Warehouse struct {
	Conn
	Layout Layout
	// Redactor masks secrets in what the ledger and provenance columns keep
	// (runs.error, run_warnings, documents URLs, records' source_url). Nil
	// still masks URL userinfo and credential parameters.
	Redactor *redact.Redactor
}

func (w *Warehouse) redact(s string) string { return w.Redactor.String(s) }

// New wraps a driver connection.
func New(c Conn, l Layout) *Warehouse { return &Warehouse{Conn: c, Layout: l} }

// Date is a calendar date (YYYY-MM-DD) for Date columns; "" is NULL.
type Date string

// QueryInto runs a query and decodes each row into T by column name (json tags).
func QueryInto[T any](ctx context.Context, c Conn, q string) ([]T, error) {
	var out []T
	err := QueryEach(ctx, c, q, func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// QueryEach streams a query's rows decoded into T by column name.
func QueryEach[T any](ctx context.Context, c Conn, q string, fn func(T) error) error {
	var buf bytes.Buffer
	return c.Query(ctx, q, func(cols []string, row []json.RawMessage) error {
		buf.Reset()
		buf.WriteByte('{')
		for i, col := range cols {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, _ := json.Marshal(col)
			buf.Write(b)
			buf.WriteByte(':')
			buf.Write(row[i])
		}
		buf.WriteByte('}')
		var v T
		if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
			return fmt.Errorf("decode row of %q: %w", firstLine(q), err)
		}
		return fn(v)
	})
}

// QueryScalar returns the first column of the first row, decoded into T.
func QueryScalar[T any](ctx context.Context, c Conn, q string) (T, error) {
	var v T
	found := false
	err := c.Query(ctx, q, func(cols []string, row []json.RawMessage) error {
		if found || len(row) == 0 {
			return nil
		}
		found = true
		return json.Unmarshal(row[0], &v)
	})
	if err == nil && !found {
		err = fmt.Errorf("query %q returned no rows", firstLine(q))
	}
	return v, err
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		q = q[:i]
	}
	if len(q) > 80 {
		q = q[:80] + "…"
	}
	return q
}

// Quote returns s as a ClickHouse string literal.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
