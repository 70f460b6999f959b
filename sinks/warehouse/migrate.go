package warehouse

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Migrations live in migrations/NNNN_name.sql. Each is a text/template over the
// Layout, with statements ending in ";" at the end of a line:
//
//	{{table "services"}}        the physical table (services, or services_local ON CLUSTER)
//	{{ref "services"}}          the name queries use (services, or the Distributed table)
//	{{onCluster}}               " ON CLUSTER 'name'" or nothing
//	{{engine "services" "ReplacingMergeTree(_version)"}}  plain or Replicated engine
//	{{distributed "services" "cityHash64(id)"}}            the Distributed table, ON CLUSTER only
//	{{alterDistributed "documents" "ADD COLUMN …"}}         the same ALTER on the Distributed table, ON CLUSTER only
//
// A migration runs once; its version is recorded in schema_migrations. Number
// ranges keep parallel work apart: 0001–0099 core, 0100s schema/quarantine,
// 0200s fetch, 0300s SEN reports, 0400s spreadsheets, 0500s transform, 0600s gaps, 0700s health.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered DDL script.
type Migration struct {
	Version int
	Name    string
	Text    string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		text, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: m[2], Text: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Statements renders a migration for a layout and splits it into statements.
func (m Migration) Statements(l Layout) ([]string, error) {
	t, err := template.New(m.Name).Funcs(l.funcs()).Parse(m.Text)
	if err != nil {
		return nil, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, l); err != nil {
		return nil, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	return SplitStatements(b.String()), nil
}

// SplitStatements splits SQL on ";" at the end of a line, dropping "--" comment lines.
func SplitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, ";") {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(line, " \t"), ";"))
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func (l Layout) funcs() template.FuncMap {
	return template.FuncMap{
		"table": func(name string) string {
			if l.Cluster != "" {
				return name + "_local"
			}
			return name
		},
		"ref": func(name string) string { return name },
		"onCluster": func() string {
			if l.Cluster == "" {
				return ""
			}
			return " ON CLUSTER " + Quote(l.Cluster)
		},
		"engine": func(name, base string) string {
			if l.Cluster == "" {
				return base
			}
			// ReplacingMergeTree(_version) → ReplicatedReplacingMergeTree('/path', '{replica}', _version)
			open := strings.IndexByte(base, '(')
			kind, args := base, ""
			if open >= 0 {
				kind, args = base[:open], strings.TrimSuffix(base[open+1:], ")")
			}
			zk := Quote("/clickhouse/tables/{shard}/" + l.Database + "/" + name)
			rep := "ReplicatedMergeTree"
			if kind != "MergeTree" {
				rep = "Replicated" + kind
			}
			if args != "" {
				return fmt.Sprintf("%s(%s, '{replica}', %s)", rep, zk, args)
			}
			return fmt.Sprintf("%s(%s, '{replica}')", rep, zk)
		},
		// alterDistributed repeats an ALTER on the Distributed table, which
		// does not follow its local table's columns by itself.
		"alterDistributed": func(name, clause string) string {
			if l.Cluster == "" {
				return ""
			}
			return fmt.Sprintf("ALTER TABLE %s ON CLUSTER %s %s;", name, Quote(l.Cluster), clause)
		},
		"distributed": func(name, key string) string {
			if l.Cluster == "" {
				return ""
			}
			return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s ON CLUSTER %s AS %s_local ENGINE = Distributed(%s, %s, %s_local, %s);",
				name, Quote(l.Cluster), name, Quote(l.Cluster), Quote(l.Database), name, key)
		},
	}
}

// Migrate applies every migration not yet recorded. Running it twice is a no-op.
// An empty database on the engine version fresh_schema.sql was made with gets
// the whole schema at once (see migrateFresh); any other is migrated step by step.
func (w *Warehouse) Migrate(ctx context.Context) (applied int, err error) {
	migs, err := Migrations()
	if err != nil {
		return 0, err
	}
	n, ok, haveLedger, err := w.tryFresh(ctx, migs)
	if ok || err != nil {
		return n, err
	}
	return w.migrateStepwise(ctx, migs, haveLedger)
}

// tryFresh looks at the database once and, when fresh_schema.sql applies to
// it, creates the schema from it (ok). haveLedger says whether
// schema_migrations exists. On error the stepwise path, which needs no such
// look, reports whatever is wrong.
func (w *Warehouse) tryFresh(ctx context.Context, migs []Migration) (applied int, ok, haveLedger bool, err error) {
	if w.Layout.Cluster != "" {
		return 0, false, false, nil
	}
	st, err := QueryInto[dbState](ctx, w, "SELECT version() AS engine, groupArray(name) AS tables, sum(ifNull(total_rows, 0)) AS rows FROM system.tables WHERE database = currentDatabase()")
	if err != nil || len(st) != 1 {
		return 0, false, false, nil
	}
	applied, ok, err = w.migrateFresh(ctx, migs, st[0])
	return applied, ok, slices.Contains(st[0].Tables, "schema_migrations"), err
}

// migrateStepwise applies each migration not in the ledger, statement by statement.
func (w *Warehouse) migrateStepwise(ctx context.Context, migs []Migration, haveLedger bool) (applied int, err error) {
	if !haveLedger {
		if err := w.createLedger(ctx); err != nil {
			return 0, err
		}
	}
	done := map[int]bool{}
	type row struct {
		Version int `json:"version"`
	}
	rows, err := QueryInto[row](ctx, w, "SELECT version FROM schema_migrations FINAL")
	if err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, r := range rows {
		done[r.Version] = true
	}
	for _, m := range migs {
		if done[m.Version] {
			continue
		}
		stmts, err := m.Statements(w.Layout)
		if err != nil {
			return applied, err
		}
		for _, s := range stmts {
			if err := w.Exec(ctx, s); err != nil {
				return applied, fmt.Errorf("migration %04d_%s: %w\nstatement: %s", m.Version, m.Name, err, firstLine(s))
			}
		}
		if err := w.Insert(ctx, "schema_migrations", ledgerColumns,
			[][]any{{m.Version, m.Name, checksum(stmts), time.Now().UTC()}}); err != nil {
			return applied, fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		applied++
	}
	return applied, nil
}

var ledgerColumns = []string{"version", "name", "checksum", "applied_at"}

// createLedger creates schema_migrations, the record of applied migrations.
func (w *Warehouse) createLedger(ctx context.Context) error {
	onCluster := ""
	if w.Layout.Cluster != "" {
		onCluster = " ON CLUSTER " + Quote(w.Layout.Cluster)
	}
	if err := w.Exec(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations"+onCluster+` (
		version UInt32 COMMENT 'migration number (migrations/NNNN_name.sql)',
		name String COMMENT 'migration name',
		checksum String COMMENT 'sha256 of the rendered statements',
		applied_at DateTime64(3, 'UTC') COMMENT 'when it was applied'
	) ENGINE = ReplacingMergeTree ORDER BY version
	COMMENT 'Which schema migrations have been applied to this warehouse'`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// checksum is what the ledger keeps of a migration: the sha256 of its rendered statements.
func checksum(stmts []string) string {
	h := sha256.New()
	for _, s := range stmts {
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
