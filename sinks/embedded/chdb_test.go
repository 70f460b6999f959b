package embedded_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func TestQueryStreamsManyBlocks(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	var rows, sum int64
	err := w.Query(ctx, "SELECT number FROM numbers(3000000)", func(cols []string, row []json.RawMessage) error {
		if len(cols) != 1 || cols[0] != "number" {
			t.Fatalf("cols = %v", cols)
		}
		var n int64
		if err := json.Unmarshal(row[0], &n); err != nil {
			return err
		}
		rows++
		sum += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3000000 || sum != 2999999*3000000/2 {
		t.Fatalf("rows=%d sum=%d", rows, sum)
	}
	// Rows identical to the header line must still be rows.
	rows = 0
	err = w.Query(ctx, "SELECT 'x' AS x FROM numbers(300000)", func(cols []string, row []json.RawMessage) error {
		rows++
		return nil
	})
	if err != nil || rows != 300000 {
		t.Fatalf("rows=%d err=%v", rows, err)
	}
	rows = 0
	if err := w.Query(ctx, "SELECT 1 WHERE 0", func([]string, []json.RawMessage) error { rows++; return nil }); err != nil || rows != 0 {
		t.Fatalf("empty result: rows=%d err=%v", rows, err)
	}
}

func TestErrorsAreClear(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	err := w.Exec(context.Background(), "SELEC 1")
	if err == nil || !strings.Contains(err.Error(), "Syntax error") {
		t.Fatalf("err = %v", err)
	}
	err = w.Query(context.Background(), "SELECT * FROM no_such_table", func([]string, []json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("err = %v", err)
	}
}

func TestSecondPathRefused(t *testing.T) {
	whtest.NewUnmigrated(t) // the engine is open at the test path
	_, err := embedded.Open(context.Background(), t.TempDir(), "other")
	if err == nil || !strings.Contains(err.Error(), "one data path per process") {
		t.Fatalf("err = %v", err)
	}
}
