package embedded_test

import (
	"context"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// libchdb ignores query-level settings given to chdb_connect, so the driver
// SETs them on the session: every one must read back from system.settings.
func TestSessionSettingsReachTheEngine(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	for _, kv := range embedded.SessionSettings {
		got, err := warehouse.QueryScalar[string](ctx, w, "SELECT value FROM system.settings WHERE name = "+warehouse.Quote(kv[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got != kv[1] {
			t.Errorf("setting %s = %q, want %q", kv[0], got, kv[1])
		}
	}
}

// With optimize_on_insert=0 an insert into a ReplacingMergeTree keeps its
// duplicate keys (collapsing is left to merges and the *_current views) and
// writes a level-0 part: the insert did not sort-and-collapse the block.
func TestInsertsDoNotCollapse(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	if err := w.Exec(ctx, "CREATE TABLE r (id String, v UInt64) ENGINE = ReplacingMergeTree(v) ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{{"a", uint64(1)}, {"a", uint64(2)}, {"b", uint64(1)}}
	if err := w.Insert(ctx, "r", []string{"id", "v"}, rows); err != nil {
		t.Fatal(err)
	}
	n, err := warehouse.QueryScalar[uint64](ctx, w, "SELECT count() FROM r")
	if err != nil || n != 3 {
		t.Fatalf("rows = %d (%v), want 3: the insert collapsed duplicates", n, err)
	}
	level, err := warehouse.QueryScalar[uint64](ctx, w, "SELECT max(level) FROM system.parts WHERE database = currentDatabase() AND table = 'r' AND active")
	if err != nil || level != 0 {
		t.Fatalf("part level = %d (%v), want 0", level, err)
	}
}

// The engine opens with EngineConfig: its MergeTree defaults read back from
// system.merge_tree_settings (chdb_connect arguments cannot set them).
func TestEngineConfigReachesTheEngine(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	for name, want := range map[string]string{
		"vertical_merge_algorithm_min_rows_to_activate":    "1",
		"vertical_merge_algorithm_min_columns_to_activate": "1",
	} {
		got, err := warehouse.QueryScalar[string](ctx, w, "SELECT value FROM system.merge_tree_settings WHERE name = "+warehouse.Quote(name))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("merge tree setting %s = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"global_profiler_real_time_period_ns", "global_profiler_cpu_time_period_ns"} {
		got, err := warehouse.QueryScalar[string](ctx, w, "SELECT value FROM system.server_settings WHERE name = "+warehouse.Quote(name))
		if err != nil {
			t.Fatal(err)
		}
		if got != "0" {
			t.Errorf("server setting %s = %q, want 0 (no sampling profiler signals on Go threads)", name, got)
		}
	}
}
