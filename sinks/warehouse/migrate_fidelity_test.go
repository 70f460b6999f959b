package warehouse

import (
	"strings"
	"testing"
)

// Migration 0100 renders for a single server and for a cluster: the
// quarantine table is rebuilt under a new Replicated path, the Distributed
// tables get the new columns, and old rows are copied only where one node
// holds them all.
func TestFidelityMigrationRenders(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var m *Migration
	for i := range migs {
		if migs[i].Version == 100 {
			m = &migs[i]
		}
	}
	if m == nil {
		t.Fatal("no migration 0100")
	}
	single, err := m.Statements(Layout{Database: "lo"})
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
	cluster, err := m.Statements(Layout{Database: "lo", Cluster: "c1"})
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
