package warehouse_test

import (
	"context"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

var update = flag.Bool("update", false, "rewrite fresh_schema.sql from the migrations applied one by one")

type tableDef struct {
	Name   string `json:"name"`
	Engine string `json:"engine"`
	Create string `json:"create_table_query"`
}

type columnDef struct {
	Table    string `json:"table"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	Type     string `json:"type"`
	Default  string `json:"default_kind"`
	Expr     string `json:"default_expression"`
	Comment  string `json:"comment"`
	Codec    string `json:"compression_codec"`
	Sorting  int    `json:"is_in_sorting_key"`
	Primary  int    `json:"is_in_primary_key"`
}

// schemaOf reads what a database holds: its tables and views as the engine
// stores them (the database's own name taken out), every column, and the ledger.
func schemaOf(t *testing.T, w *warehouse.Warehouse) ([]tableDef, []columnDef, []warehouse.LedgerEntry) {
	t.Helper()
	ctx := context.Background()
	tables, err := warehouse.QueryInto[tableDef](ctx, w, "SELECT name, engine, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for i := range tables {
		tables[i].Create = strings.ReplaceAll(tables[i].Create, w.Layout.Database+".", "")
	}
	cols, err := warehouse.QueryInto[columnDef](ctx, w, `SELECT table, name, position, type, default_kind, default_expression, comment,
		compression_codec, is_in_sorting_key, is_in_primary_key FROM system.columns WHERE database = currentDatabase() ORDER BY table, position`)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := warehouse.QueryInto[warehouse.LedgerEntry](ctx, w, "SELECT version, name, checksum FROM schema_migrations FINAL ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	return tables, cols, ledger
}

var createdName = regexp.MustCompile(`(?m)^CREATE (?:OR REPLACE )?(?:TABLE|VIEW) (?:IF NOT EXISTS )?([A-Za-z0-9_]+)`)

// TestFreshSchemaEqualsStepwise: a fresh warehouse created from
// fresh_schema.sql in one pass has exactly the tables, views, columns, types,
// engines and ledger of one migrated step by step. With -update it rewrites
// fresh_schema.sql from the stepwise result.
func TestFreshSchemaEqualsStepwise(t *testing.T) {
	ctx := context.Background()
	step := whtest.NewUnmigrated(t)
	if _, err := step.MigrateStepwise(ctx); err != nil {
		t.Fatal(err)
	}
	stepTables, stepCols, stepLedger := schemaOf(t, step)
	if *update {
		writeFreshSchema(t, step, stepTables, stepLedger)
	}

	fresh := whtest.NewUnmigrated(t)
	fs, err := warehouse.ParseFreshSchema(warehouse.FreshSchemaText())
	if err != nil {
		t.Fatal(err)
	}
	engine, err := warehouse.QueryScalar[string](ctx, fresh, "SELECT version()")
	if err != nil {
		t.Fatal(err)
	}
	if fs.Engine != engine || !slices.Equal(fs.Migrations, stepLedger) {
		t.Fatalf("%s stands for engine %s and migrations %v, not engine %s and %v: regenerate it with go test ./sinks/warehouse -run TestFreshSchema -update",
			warehouse.FreshSchemaFile, fs.Engine, fs.Migrations, engine, stepLedger)
	}
	n, ok, err := fresh.MigrateFresh(ctx)
	if err != nil || !ok {
		t.Fatalf("the fresh path did not apply to an empty database: %v", err)
	}
	if n != len(stepLedger) {
		t.Errorf("fresh migrate applied %d, want %d", n, len(stepLedger))
	}
	freshTables, freshCols, freshLedger := schemaOf(t, fresh)
	compareSchemas(t, stepTables, stepCols, stepLedger, freshTables, freshCols, freshLedger)
	// A migrated warehouse is never fresh again, even with every table empty
	// (the ledger holds rows), and Migrate does nothing more to it.
	if _, ok, err := fresh.MigrateFresh(ctx); err != nil || ok {
		t.Fatalf("fresh path taken on a migrated warehouse: %v", err)
	}
	if n, err := fresh.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second migrate: %d, %v", n, err)
	}

	// A first migration interrupted part way (the process killed) leaves
	// some of the schema's tables, all empty, maybe the ledger without rows:
	// the next start drops them and creates the schema whole.
	for _, k := range []int{1, 2, len(fs.Statements) / 2, len(fs.Statements)} {
		w := whtest.NewUnmigrated(t)
		for _, s := range fs.Statements[:k] {
			if err := w.Exec(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		n, err := w.Migrate(ctx)
		if err != nil || n != len(stepLedger) {
			t.Fatalf("after %d of %d statements: migrate applied %d, %v", k, len(fs.Statements), n, err)
		}
		tables, cols, ledger := schemaOf(t, w)
		compareSchemas(t, stepTables, stepCols, stepLedger, tables, cols, ledger)
	}
}

// A database holding anything the fresh schema does not create, or any row,
// is migrated step by step and keeps what it holds.
func TestFreshSchemaNotOverOthers(t *testing.T) {
	ctx := context.Background()
	fs, err := warehouse.ParseFreshSchema(warehouse.FreshSchemaText())
	if err != nil {
		t.Fatal(err)
	}
	runsTable := ""
	for _, s := range fs.Statements {
		if strings.HasPrefix(s, "CREATE TABLE runs ") {
			runsTable = s
		}
	}
	for name, setup := range map[string][]string{
		"a table of its own":        {"CREATE TABLE mine (a UInt8) ENGINE = MergeTree ORDER BY a"},
		"one of ours holding a row": {runsTable, "INSERT INTO runs (run_id) VALUES ('r1')"},
	} {
		t.Run(name, func(t *testing.T) {
			w := whtest.NewUnmigrated(t)
			for _, s := range setup {
				if err := w.Exec(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if _, ok, err := w.MigrateFresh(ctx); err != nil || ok {
				t.Fatalf("fresh path taken: %v", err)
			}
			if n, err := w.Migrate(ctx); err != nil || n == 0 {
				t.Fatalf("migrate: %d, %v", n, err)
			}
			rows, err := warehouse.QueryScalar[int](ctx, w, "SELECT sum(ifNull(total_rows, 0)) FROM system.tables WHERE database = currentDatabase() AND name != 'schema_migrations'")
			if err != nil {
				t.Fatal(err)
			}
			mine, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'mine'")
			if want := len(setup) - 1; rows != want || (name == "a table of its own") != (mine == 1) {
				t.Errorf("rows %d (want %d), mine %d", rows, want, mine)
			}
		})
	}
}

func compareSchemas(t *testing.T, aTables []tableDef, aCols []columnDef, aLedger []warehouse.LedgerEntry, bTables []tableDef, bCols []columnDef, bLedger []warehouse.LedgerEntry) {
	t.Helper()
	if len(aTables) != len(bTables) {
		t.Errorf("%d tables and views, want %d", len(bTables), len(aTables))
	}
	byName := map[string]tableDef{}
	for _, x := range bTables {
		byName[x.Name] = x
	}
	for _, want := range aTables {
		got, ok := byName[want.Name]
		if !ok {
			t.Errorf("no %s", want.Name)
			continue
		}
		if got.Engine != want.Engine || got.Create != want.Create {
			t.Errorf("%s differs:\n got %s %s\nwant %s %s", want.Name, got.Engine, got.Create, want.Engine, want.Create)
		}
	}
	if !slices.Equal(aCols, bCols) {
		t.Errorf("columns differ: %d against %d", len(bCols), len(aCols))
		for i := range min(len(aCols), len(bCols)) {
			if aCols[i] != bCols[i] {
				t.Errorf("first difference: got %+v, want %+v", bCols[i], aCols[i])
				break
			}
		}
	}
	if !slices.Equal(aLedger, bLedger) {
		t.Errorf("ledger %v, want %v", bLedger, aLedger)
	}
}

// writeFreshSchema writes fresh_schema.sql: every table, then every view, each
// in the order of its last creation by the migrations.
func writeFreshSchema(t *testing.T, w *warehouse.Warehouse, tables []tableDef, ledger []warehouse.LedgerEntry) {
	t.Helper()
	migs, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int{"schema_migrations": -1}
	i := 0
	for _, m := range migs {
		stmts, err := m.Statements(w.Layout)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if m := createdName.FindStringSubmatch(s); m != nil {
				last[m[1]] = i
			}
			i++
		}
	}
	ordered := slices.Clone(tables)
	slices.SortStableFunc(ordered, func(a, b tableDef) int {
		if av, bv := a.Engine == "View", b.Engine == "View"; av != bv {
			if av {
				return 1
			}
			return -1
		}
		return last[a.Name] - last[b.Name]
	})
	engine, err := warehouse.QueryScalar[string](context.Background(), w, "SELECT version()")
	if err != nil {
		t.Fatal(err)
	}
	fs := &warehouse.FreshSchema{Engine: engine, Migrations: ledger}
	for _, x := range ordered {
		if _, ok := last[x.Name]; !ok {
			t.Fatalf("%s is in the database but no migration creates it", x.Name)
		}
		if strings.Contains(x.Create, "\n") {
			t.Fatalf("%s: the engine's statement spans lines", x.Name)
		}
		fs.Statements = append(fs.Statements, x.Create)
	}
	if err := os.WriteFile(warehouse.FreshSchemaFile, []byte(warehouse.FormatFreshSchema(fs)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("wrote %s (%d statements): rebuild and run the test again without -update", warehouse.FreshSchemaFile, len(fs.Statements))
}

// BenchmarkMigrateEmpty: the schema of a fresh warehouse, from fresh_schema.sql
// and step by step. cpu-ms/op is the whole process's CPU (libchdb's threads
// included) while migrating; ns/op is wall time, which the machine's load sways.
func BenchmarkMigrateEmpty(b *testing.B) {
	ctx := context.Background()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, path := range []string{"fresh", "stepwise"} {
		b.Run(path, func(b *testing.B) {
			var used time.Duration
			defer func() { b.ReportMetric(float64(used.Milliseconds())/float64(b.N), "cpu-ms/op") }()
			for range b.N {
				b.StopTimer()
				w := whtest.NewUnmigrated(b)
				b.StartTimer()
				start := cpu()
				var err error
				if path == "fresh" {
					_, err = w.Migrate(ctx)
				} else {
					_, err = w.MigrateStepwise(ctx)
				}
				used += cpu() - start
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
