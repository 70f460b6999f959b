package warehouse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// Migration 0100 renders for a single server and for a cluster: the
// quarantine table is rebuilt under a new Replicated path, the Distributed
// tables get the new columns, and old rows are copied only where one node
// holds them all.
func TestFidelityMigrationRenders(t *testing.T) {
	migs, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var m *warehouse.Migration
	for i := range migs {
		if migs[i].Version == 100 {
			m = &migs[i]
		}
	}
	if m == nil {
		t.Fatal("no migration 0100")
	}
	single, err := m.Statements(warehouse.Layout{Database: "lo"})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(single, "\n;\n")
	for _, want := range []string{"RENAME TABLE quarantine TO quarantine_0001", "CREATE TABLE IF NOT EXISTS field_issues (",
		"INSERT INTO quarantine (", "DROP TABLE quarantine_0001", "ReplacingMergeTree(_version)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("single server: no %q", want)
		}
	}
	if strings.Contains(joined, "ON CLUSTER") {
		t.Error("single server: ON CLUSTER rendered")
	}
	cluster, err := m.Statements(warehouse.Layout{Database: "lo", Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	joined = strings.Join(cluster, "\n;\n")
	for _, want := range []string{"DROP TABLE IF EXISTS quarantine ON CLUSTER 'c1' SYNC", "RENAME TABLE quarantine_local TO quarantine_0001_local ON CLUSTER 'c1'",
		"'/clickhouse/tables/{shard}/lo/quarantine_v2'", "ALTER TABLE runs ON CLUSTER 'c1'", "ALTER TABLE run_warnings ON CLUSTER 'c1'",
		"CREATE TABLE IF NOT EXISTS field_issues ON CLUSTER 'c1' AS field_issues_local ENGINE = Distributed"} {
		if !strings.Contains(joined, want) {
			t.Errorf("cluster: no %q in\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "INSERT INTO") {
		t.Error("cluster: rows copied from one node")
	}
}

// A warehouse with quarantine rows from before 0100 keeps them, one row per
// record and set of errors, with first and last sightings.
func TestFidelityMigrationKeepsOldQuarantine(t *testing.T) {
	ctx := context.Background()
	w := whtest.NewUnmigrated(t)
	migs, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// As Migrate creates it, so it takes the earlier migrations as applied.
	if err := w.Exec(ctx, "CREATE TABLE schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY version"); err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if m.Version >= 100 {
			break
		}
		stmts, err := m.Statements(w.Layout)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if err := w.Exec(ctx, s); err != nil {
				t.Fatalf("migration %04d: %v", m.Version, err)
			}
		}
		if err := w.Insert(ctx, "schema_migrations", []string{"version", "name", "checksum", "applied_at"},
			[][]any{{m.Version, m.Name, "", time.Now().UTC()}}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	old := [][]any{
		{"dir", "run-1", t0, "service", "dir/3", "https://x", `[{"pointer":"/name","message":"minLength"}]`, `{"id":"dir/3"}`},
		{"dir", "run-2", t0.Add(time.Hour), "service", "dir/3", "https://x", `[{"pointer":"/name","message":"minLength"}]`, `{"id":"dir/3"}`},
		{"dir", "run-2", t0.Add(time.Hour), "service", "", "https://x", `[{"pointer":"/id","message":"minLength"}]`, `{"name":"a"}`},
		{"dir", "run-2", t0.Add(time.Hour), "service", "", "https://x", `[{"pointer":"/id","message":"minLength"}]`, `{"name":"b"}`},
	}
	if err := w.Insert(ctx, "quarantine", []string{"pipeline", "run_id", "quarantined_at", "entity_type", "record_id", "source_url", "errors", "payload"}, old); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	type row struct {
		RecordID    string `json:"record_id"`
		First       string `json:"first_seen_run"`
		Last        string `json:"last_seen_run"`
		Fingerprint string `json:"fingerprint"`
		Errors      string `json:"errors"`
		Payload     string `json:"payload"`
	}
	rows, err := warehouse.QueryInto[row](ctx, w, "SELECT record_id, first_seen_run, last_seen_run, fingerprint, errors, payload FROM quarantine FINAL ORDER BY record_id, payload")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows after the migration, want 3 (two without id, one for dir/3): %+v", len(rows), rows)
	}
	if r := rows[2]; r.RecordID != "dir/3" || r.First != "run-1" || r.Last != "run-2" {
		t.Errorf("dir/3: %+v", r)
	}
	for _, r := range rows {
		if want := warehouse.QuarantineFingerprint(r.RecordID, r.Errors, r.Payload); r.Fingerprint != want {
			t.Errorf("%s: fingerprint %s, the loader would write %s (a rerun would add a row)", r.RecordID, r.Fingerprint, want)
		}
	}
}
