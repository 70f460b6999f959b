package warehouse

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A fresh warehouse gets its schema from fresh_schema.sql in one pass instead
// of replaying every migration: the final form of each table and view, as the
// engine itself stored them after the migrations ran one by one (views carry
// their column lists, so the engine does not analyse their queries again,
// which was most of a fresh start's cost). The file names the migrations and
// checksums it stands for and the engine version that produced it; it is used
// only when both match, for a single server, on a database with no tables.
// TestFreshSchemaEqualsStepwise keeps it equal to the stepwise result
// (regenerate with `go test ./sinks/warehouse -run TestFreshSchema -update`).
//
//go:embed fresh_schema.sql
var freshSchemaText string

// FreshSchemaFile is fresh_schema.sql's path inside this package.
const FreshSchemaFile = "fresh_schema.sql"

// LedgerEntry is one migration as schema_migrations records it.
type LedgerEntry struct {
	Version  int    `json:"version"`
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
}

// FreshSchema is a parsed fresh_schema.sql.
type FreshSchema struct {
	// Engine is the version() of the engine the schema was read from.
	Engine string
	// Migrations are the ledger rows the schema stands for, in order.
	Migrations []LedgerEntry
	// Statements create every table and view, tables first; names are
	// unqualified, so they land in the connection's database.
	Statements []string
}

const (
	freshEnginePrefix    = "-- engine: "
	freshMigrationPrefix = "-- migration: "
)

// ParseFreshSchema reads the fresh_schema.sql format: "-- engine: V" and
// "-- migration: NNNN name checksum" lines, other "--" lines as comments, and
// one statement a line ending in ";".
func ParseFreshSchema(text string) (*FreshSchema, error) {
	fs := &FreshSchema{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, freshEnginePrefix):
			fs.Engine = strings.TrimSpace(strings.TrimPrefix(line, freshEnginePrefix))
		case strings.HasPrefix(line, freshMigrationPrefix):
			f := strings.Fields(strings.TrimPrefix(line, freshMigrationPrefix))
			if len(f) != 3 {
				return nil, fmt.Errorf("%s line %d: want \"-- migration: NNNN name checksum\"", FreshSchemaFile, i+1)
			}
			v, err := strconv.Atoi(f[0])
			if err != nil {
				return nil, fmt.Errorf("%s line %d: migration version %q: %w", FreshSchemaFile, i+1, f[0], err)
			}
			fs.Migrations = append(fs.Migrations, LedgerEntry{Version: v, Name: f[1], Checksum: f[2]})
		case strings.HasPrefix(line, "--"):
		case strings.HasSuffix(line, ";"):
			fs.Statements = append(fs.Statements, strings.TrimSuffix(line, ";"))
		default:
			return nil, fmt.Errorf("%s line %d: a statement must be one line ending in \";\"", FreshSchemaFile, i+1)
		}
	}
	if fs.Engine == "" || len(fs.Migrations) == 0 || len(fs.Statements) == 0 {
		return nil, fmt.Errorf("%s: no engine, migrations or statements", FreshSchemaFile)
	}
	return fs, nil
}

// FormatFreshSchema writes fs in the format ParseFreshSchema reads.
func FormatFreshSchema(fs *FreshSchema) string {
	var b strings.Builder
	b.WriteString("-- The schema of a fresh warehouse: what applying the migrations below one by one to an\n")
	b.WriteString("-- empty database leaves, as the engine stores it. Generated: do not edit; regenerate with\n")
	b.WriteString("--   go test ./sinks/warehouse -run TestFreshSchema -update\n")
	b.WriteString(freshEnginePrefix + fs.Engine + "\n")
	for _, m := range fs.Migrations {
		fmt.Fprintf(&b, "%s%04d %s %s\n", freshMigrationPrefix, m.Version, m.Name, m.Checksum)
	}
	for _, s := range fs.Statements {
		b.WriteString(s)
		b.WriteString(";\n")
	}
	return b.String()
}

var loadFreshSchema = sync.OnceValues(func() (*FreshSchema, error) { return ParseFreshSchema(freshSchemaText) })

// ledgerOf returns the schema_migrations rows the migrations make for a layout.
func ledgerOf(migs []Migration, l Layout) ([]LedgerEntry, error) {
	out := make([]LedgerEntry, len(migs))
	for i, m := range migs {
		stmts, err := m.Statements(l)
		if err != nil {
			return nil, err
		}
		out[i] = LedgerEntry{Version: m.Version, Name: m.Name, Checksum: checksum(stmts)}
	}
	return out, nil
}

// dbState is what Migrate looks at first: the engine and the database's tables.
type dbState struct {
	Engine string   `json:"engine"`
	Tables []string `json:"tables"`
	// Rows is how many rows the tables hold together.
	Rows uint64 `json:"rows"`
}

// migrateFresh creates the whole schema of an empty database from
// fresh_schema.sql when it stands for exactly these migrations on this engine
// version; ok is false (nothing done) when it does not apply. A database
// whose tables are all ones the schema creates, every one empty (the ledger
// too), is a first migration that was interrupted: nothing can be lost, so
// those tables are dropped and the schema created whole.
func (w *Warehouse) migrateFresh(ctx context.Context, migs []Migration, st dbState) (applied int, ok bool, err error) {
	fs, err := loadFreshSchema()
	if err != nil || fs.Engine != st.Engine || w.Layout.Cluster != "" || st.Rows != 0 {
		return 0, false, nil
	}
	if len(st.Tables) > 0 {
		ours := map[string]bool{}
		for _, s := range fs.Statements {
			ours[freshObjectName(s)] = true
		}
		for _, t := range st.Tables {
			if !ours[t] {
				return 0, false, nil
			}
		}
	}
	ledger, err := ledgerOf(migs, w.Layout)
	if err != nil {
		return 0, false, err
	}
	if len(ledger) != len(fs.Migrations) {
		return 0, false, nil
	}
	for i := range ledger {
		if ledger[i] != fs.Migrations[i] {
			return 0, false, nil
		}
	}
	for _, t := range st.Tables {
		if err := w.Exec(ctx, "DROP TABLE IF EXISTS "+quoteIdent(t)); err != nil {
			return 0, true, fmt.Errorf("drop %s left by an interrupted first migration: %w", t, err)
		}
	}
	for _, s := range fs.Statements {
		if err := w.Exec(ctx, s); err != nil {
			// What was created stays, empty; the next start drops it and tries again.
			return 0, true, fmt.Errorf("create fresh schema: %w\nstatement: %s", err, firstLine(s))
		}
	}
	// The ledger last: it says the schema is complete.
	now := time.Now().UTC()
	rows := make([][]any, len(ledger))
	for i, m := range ledger {
		rows[i] = []any{m.Version, m.Name, m.Checksum, now}
	}
	if err := w.Insert(ctx, "schema_migrations", ledgerColumns, rows); err != nil {
		return 0, true, fmt.Errorf("record migrations: %w", err)
	}
	return len(ledger), true, nil
}

// freshObjectName is the table or view a fresh_schema.sql statement creates:
// "CREATE TABLE name (…" or "CREATE VIEW name (…".
func freshObjectName(stmt string) string {
	f := strings.Fields(stmt)
	if len(f) < 3 || f[0] != "CREATE" {
		return ""
	}
	name := f[2]
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	return strings.Trim(name, "`")
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
