package hsdsapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// TestIdempotentRuns: an unchanged source costs only 304s and writes no new
// versions; one changed service writes exactly one; a service gone from a
// full sweep is not seen in that run.
func TestIdempotentRuns(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	f := newFeed(12)
	srv := httptest.NewServer(f)
	defer srv.Close()
	client := testClient(t)
	r := runner.Runner{W: w, Fetch: client, ChunkRows: 1000, Log: slog.New(slog.DiscardHandler)}
	job := runner.Job{Pipeline: "pcc-directory", Collector: "hsds_api", Source: New(srv.URL+"/api", apiOpts(5))}

	first := r.Run(ctx, job)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	// 12 services, 12 organizations, 12 locations; 3 pages, plus the root and
	// one service detail read for the conformance checks.
	if first.RecordsLoaded != 36 || first.DocumentsFetched != 5 || !first.FullSweep {
		t.Fatalf("first run %+v", first.Run)
	}

	second := r.Run(ctx, job)
	if second.Err != nil {
		t.Fatal(second.Err)
	}
	if second.DocumentsUnchanged != 5 || second.DocumentsFetched != 0 || f.notModified != 5 {
		t.Errorf("second run fetched %d, unchanged %d, 304s served %d: want only 304s", second.DocumentsFetched, second.DocumentsUnchanged, f.notModified)
	}
	if second.RecordsLoaded != 0 || second.RecordsUnchanged != 36 {
		t.Errorf("second run loaded %d unchanged %d", second.RecordsLoaded, second.RecordsUnchanged)
	}
	count := func(q string) int {
		n, err := warehouse.QueryScalar[int](ctx, w, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count() FROM services FINAL WHERE pipeline = 'pcc-directory'"); n != 12 {
		t.Errorf("%d service versions after two identical runs, want 12", n)
	}

	f.mu.Lock()
	f.services[6]["name"] = "Autism Outreach (renamed)"
	f.services = append(f.services[:9], f.services[10:]...) // svc-10 withdrawn
	f.mu.Unlock()
	third := r.Run(ctx, job)
	if third.Err != nil {
		t.Fatal(third.Err)
	}
	if third.RecordsLoaded != 1 {
		t.Errorf("third run loaded %d records, want exactly 1 (the renamed service)", third.RecordsLoaded)
	}
	if n := count("SELECT count() FROM services FINAL WHERE id = 'pcc-directory/svc-7'"); n != 2 {
		t.Errorf("svc-7 has %d versions, want 2", n)
	}
	if n := count(fmt.Sprintf("SELECT count() FROM entity_seen WHERE run_id = %s AND entity_type = 'service'", warehouse.Quote(third.RunID))); n != 11 {
		t.Errorf("%d services seen in the third run, want 11", n)
	}
	if n := count(fmt.Sprintf("SELECT count() FROM entity_seen WHERE run_id = %s AND entity_id = 'pcc-directory/svc-10'", warehouse.Quote(third.RunID))); n != 0 {
		t.Error("withdrawn service marked seen")
	}
	if n := count(fmt.Sprintf("SELECT toUInt8(full_sweep) FROM runs FINAL WHERE run_id = %s", warehouse.Quote(third.RunID))); n != 1 {
		t.Error("third run not recorded as a full sweep")
	}
}

// A failing page ends the pipeline with an error but keeps what was loaded.
func TestFailedPageKeepsLoadedRecords(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	f := newFeed(10)
	f.htmlPage = 2
	srv := httptest.NewServer(f)
	defer srv.Close()
	r := runner.Runner{W: w, Fetch: fetch.New(fetch.Options{PerHostRPS: -1, Retries: -1, Timeout: 5 * time.Second}, &fetch.Blobs{Dir: t.TempDir()}, nil),
		ChunkRows: 1000, Log: slog.New(slog.DiscardHandler)}
	res := r.Run(ctx, runner.Job{Pipeline: "pcc", Collector: "hsds_api", Source: New(srv.URL+"/api", apiOpts(5))})
	if res.Err == nil || res.Status != "failed" || res.FullSweep {
		t.Fatalf("want a failed, partial run: %+v", res.Run)
	}
	n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services WHERE pipeline = 'pcc'")
	if err != nil || n != 5 {
		t.Errorf("%d services kept (%v), want the first page's 5", n, err)
	}
}
