package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// fakeCollector emits n services; noContact lists ids that get a no_contact flag.
type fakeCollector struct {
	n         int
	fail      error
	panicMsg  string
	noContact map[int]bool
	state     map[string]string
	invalidAt int
}

func (f *fakeCollector) Collect(ctx context.Context, run *collect.Run) error {
	if f.panicMsg != "" {
		panic(f.panicMsg)
	}
	for k, v := range f.state {
		run.State.Set(k, v)
	}
	for i := 1; i <= f.n; i++ {
		s := &schema.Service{ID: fmt.Sprintf("%s/%d", run.Pipeline, i), Name: fmt.Sprintf("Service %d", i), Status: "active",
			Provenance: &schema.Provenance{SourceURL: "file://fixture", FetchedAt: run.Now}}
		if i == f.invalidAt {
			s.Status = "sort of open"
		}
		rec := &schema.Record{Kind: schema.KindService, Service: s}
		if f.noContact[i] {
			rec.Flags = append(rec.Flags, schema.Flag{Flag: "no_contact", Reason: "no email, phone or web page"})
		}
		if err := run.Emit(ctx, rec); err != nil {
			return err
		}
	}
	run.FullSweep = true
	return f.fail
}

// statusValidator rejects services whose status is not an HSDS status.
type statusValidator struct{}

func (statusValidator) Validate(rec *schema.Record) []schema.Problem {
	switch rec.Service.Status {
	case "active", "inactive", "defunct", "temporarily closed":
		return nil
	}
	return []schema.Problem{{Pointer: "/status", Message: fmt.Sprintf("value must be one of the HSDS statuses, not %q", rec.Service.Status)}}
}

func newRunner(t *testing.T, w *warehouse.Warehouse) *Runner {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 7, Log: log, Validator: statusValidator{}}
}

func TestRunLoadsQuarantinesAndRecords(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := newRunner(t, w)
	res := r.Run(ctx, Job{Pipeline: "dir", Collector: "fake", Source: &fakeCollector{n: 25, invalidAt: 3}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.RecordsLoaded != 24 || res.RecordsQuarantined != 1 || res.Status != "ok" {
		t.Fatalf("result %+v", res.Run)
	}
	n, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current")
	if n != 24 {
		t.Fatalf("services_current = %d, want 24", n)
	}
	errs, _ := warehouse.QueryScalar[string](ctx, w, "SELECT errors FROM quarantine WHERE record_id = 'dir/3'")
	if errs == "" || !strings.Contains(errs, "/status") {
		t.Fatalf("quarantine errors = %q", errs)
	}
	status, _ := warehouse.QueryScalar[string](ctx, w, "SELECT status FROM runs FINAL WHERE run_id = "+warehouse.Quote(res.RunID))
	if status != "ok" {
		t.Fatalf("ledger status = %q", status)
	}
	// The same source again changes nothing visible.
	res2 := r.Run(ctx, Job{Pipeline: "dir", Collector: "fake", Source: &fakeCollector{n: 25, invalidAt: 3}})
	if res2.RecordsLoaded != 0 || res2.RecordsUnchanged != 24 {
		t.Fatalf("second run %+v", res2.Run)
	}
	versions, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services FINAL")
	if versions != 24 {
		t.Fatalf("service versions after identical rerun = %d, want 24", versions)
	}
}

func TestOneFailingPipelineDoesNotStopOthers(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := newRunner(t, w)
	results := r.RunAll(ctx, []Job{
		{Pipeline: "broken", Collector: "fake", Source: &fakeCollector{n: 5, fail: errors.New("page 3: HTTP 500"), state: map[string]string{"cursor": "page3"}}},
		{Pipeline: "panics", Collector: "fake", Source: &fakeCollector{panicMsg: "nil map"}},
		{Pipeline: "fine", Collector: "fake", Source: &fakeCollector{n: 5}},
	}, 2)
	if results[0].Err == nil || results[1].Err == nil || results[2].Err != nil {
		t.Fatalf("errors: %v / %v / %v", results[0].Err, results[1].Err, results[2].Err)
	}
	if !strings.Contains(results[1].Error, "panicked") {
		t.Fatalf("panic not reported: %q", results[1].Error)
	}
	// What the failing run collected before it failed is kept…
	n, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current WHERE pipeline = 'broken'")
	if n != 5 {
		t.Fatalf("broken pipeline kept %d records, want 5", n)
	}
	// …but its incremental state does not move forward.
	st, _ := w.LoadState(ctx, "broken")
	if _, ok := st["cursor"]; ok {
		t.Fatal("state of a failed run was committed")
	}
	failed, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM runs FINAL WHERE status = 'failed'")
	if failed != 2 {
		t.Fatalf("failed runs in ledger = %d, want 2", failed)
	}
}

func TestStateCommittedOnSuccess(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := newRunner(t, w)
	r.Run(ctx, Job{Pipeline: "inc", Collector: "fake", Source: &fakeCollector{n: 1, state: map[string]string{"modified_after": "2026-11-01T00:00:00Z"}}})
	st, err := w.LoadState(ctx, "inc")
	if err != nil || st["modified_after"] != "2026-11-01T00:00:00Z" {
		t.Fatalf("state = %v, %v", st, err)
	}
}

func TestFlagsOpenAndClose(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := newRunner(t, w)
	r.Run(ctx, Job{Pipeline: "dir", Collector: "fake", Source: &fakeCollector{n: 3, noContact: map[int]bool{1: true, 2: true}}})
	open, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM flags_current WHERE flag = 'no_contact'")
	if open != 2 {
		t.Fatalf("open flags after run 1 = %d, want 2", open)
	}
	first, _ := warehouse.QueryScalar[string](ctx, w, "SELECT toString(first_detected) FROM flags_current WHERE entity_id = 'dir/1'")
	time.Sleep(10 * time.Millisecond)
	// Service 2 gained a contact: its flag closes; service 1's stays open with its first_detected.
	res := r.Run(ctx, Job{Pipeline: "dir", Collector: "fake", Source: &fakeCollector{n: 3, noContact: map[int]bool{1: true}}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	open, _ = warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM flags_current WHERE flag = 'no_contact'")
	closed, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM flags FINAL WHERE active = 0 AND entity_id = 'dir/2' AND closed_at IS NOT NULL")
	firstAgain, _ := warehouse.QueryScalar[string](ctx, w, "SELECT toString(first_detected) FROM flags_current WHERE entity_id = 'dir/1'")
	if open != 1 || closed != 1 {
		t.Fatalf("after run 2: open=%d closed=%d, want 1 and 1", open, closed)
	}
	if first != firstAgain {
		t.Fatalf("first_detected moved from %s to %s", first, firstAgain)
	}
}

func TestSchedulerNoOverlapAndGracefulStop(t *testing.T) {
	var started, finished, overlaps atomic.Int32
	var running atomic.Int32
	s := &Scheduler{Timezone: "Europe/London", ShutdownTimeout: 5 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.run = func(ctx context.Context, job Job) Result {
		if running.Add(1) > 1 {
			overlaps.Add(1)
		}
		started.Add(1)
		time.Sleep(1500 * time.Millisecond) // longer than the 1 s schedule
		running.Add(-1)
		finished.Add(1)
		return Result{Run: warehouse.Run{Pipeline: job.Pipeline, Status: "ok"}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() { done <- s.Run(ctx, []Entry{{Spec: "@every 1s", Job: Job{Pipeline: "slow"}}}) }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if overlaps.Load() != 0 {
		t.Fatalf("runs of one pipeline overlapped %d times", overlaps.Load())
	}
	if started.Load() == 0 || started.Load() != finished.Load() {
		t.Fatalf("started %d, finished %d: shutdown must let in-flight runs finish", started.Load(), finished.Load())
	}
}

func TestSchedulerRejectsBadSpec(t *testing.T) {
	s := &Scheduler{Timezone: "UTC", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), run: func(context.Context, Job) Result { return Result{} }}
	err := s.Run(context.Background(), []Entry{{Spec: "every tuesday", Job: Job{Pipeline: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "pipeline x") {
		t.Fatalf("err = %v", err)
	}
}

type settleRecorder struct {
	mu     sync.Mutex
	groups [][]string
}

func (s *settleRecorder) Settle(_ context.Context, _ *warehouse.Warehouse, runs []warehouse.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, r := range runs {
		names = append(names, r.Pipeline)
	}
	s.groups = append(s.groups, names)
	return nil
}

// Scheduled runs that finish together are settled (matched) once, when the
// last of them ends, not once per run.
func TestSchedulerSettlesEachGroupOnce(t *testing.T) {
	rec := &settleRecorder{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Scheduler{Timezone: "UTC", ShutdownTimeout: 5 * time.Second, Log: log, Runner: &Runner{Settle: []Settler{rec}, Log: log}}
	var finished atomic.Int32
	s.run = func(ctx context.Context, job Job) Result {
		d := 400 * time.Millisecond
		if job.Pipeline == "b" {
			d = 800 * time.Millisecond
		}
		time.Sleep(d)
		finished.Add(1)
		return Result{Run: warehouse.Run{Pipeline: job.Pipeline, Status: "ok"}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2300*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx, []Entry{{Spec: "@every 1s", Job: Job{Pipeline: "a"}}, {Spec: "@every 1s", Job: Job{Pipeline: "b"}}}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	settled := 0
	for _, g := range rec.groups {
		settled += len(g)
		if len(g) != 2 {
			t.Errorf("group %v: a and b start together and should be settled together", g)
		}
	}
	if settled != int(finished.Load()) || len(rec.groups) == 0 {
		t.Errorf("%d runs finished, %d settled in %d groups", finished.Load(), settled, len(rec.groups))
	}
}
