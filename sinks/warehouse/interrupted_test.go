package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func TestRecoverInterrupted(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	// A process that has ended: its pid names no one (or someone newer).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	host, _ := os.Hostname()
	owners := map[string]string{
		"dead":    fmt.Sprintf("%s/%d/1", host, cmd.Process.Pid),
		"remote":  "another-host/1234/99",
		"mine":    "", // filled by RecordRun with this process
		"unknown": "",
	}
	for id, owner := range owners {
		run := &warehouse.Run{RunID: id, Pipeline: "p", Collector: "fake", StartedAt: time.Now().UTC(), Status: "running"}
		if err := w.RecordRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if id == "mine" {
			continue
		}
		// Rewrite the owner as another process would have written it.
		if err := w.Exec(ctx, fmt.Sprintf("INSERT INTO runs SELECT * REPLACE (%s AS owner, _version + 1 AS _version) FROM runs FINAL WHERE run_id = %s",
			warehouse.Quote(owner), warehouse.Quote(id))); err != nil {
			t.Fatal(err)
		}
	}
	status := func() map[string]string {
		type row struct {
			RunID    string  `json:"run_id"`
			Status   string  `json:"status"`
			Finished *string `json:"finished_at"`
			Error    string  `json:"error"`
		}
		rows, err := warehouse.QueryInto[row](ctx, w, "SELECT run_id, status, finished_at, error FROM runs FINAL")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			out[r.RunID] = r.Status
			if r.Status == warehouse.StatusInterrupted && (r.Finished == nil || r.Error == "") {
				t.Errorf("run %s interrupted without finished_at or reason: %+v", r.RunID, r)
			}
		}
		return out
	}
	n, err := w.RecoverInterrupted(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	got := status()
	if n != 1 || got["dead"] != "interrupted" || got["remote"] != "running" || got["mine"] != "running" || got["unknown"] != "running" {
		t.Fatalf("shared warehouse: marked %d, statuses %v", n, got)
	}
	// Holding the warehouse alone (the embedded engine), every other
	// process's running run is dead; this process's own is not.
	n, err = w.RecoverInterrupted(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	got = status()
	if n != 2 || got["remote"] != "interrupted" || got["unknown"] != "interrupted" || got["mine"] != "running" {
		t.Fatalf("exclusive: marked %d, statuses %v", n, got)
	}
}
