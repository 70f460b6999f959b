// Package runner runs pipelines: one run streams collector → transform →
// validate → warehouse with bounded memory, writes in chunks, and records the
// run in the ledger. One failing pipeline never stops the others.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/runner/documents"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Collector fetches and parses one kind of source, emitting records.
type Collector interface {
	Collect(ctx context.Context, run *collect.Run) error
}

// Transformer normalises a record in place (ages, needs, categories, areas, flags).
type Transformer interface {
	Apply(rec *schema.Record)
}

// Validator checks a record against the schema; no problems means valid.
type Validator interface {
	Validate(rec *schema.Record) []schema.Problem
}

// Repairer keeps records whole (transform/repair): Repair applies explicit
// rules before the transform; Drop removes what still fails validation after
// it and returns the problems left, which send the record to quarantine.
type Repairer interface {
	Repair(rec *schema.Record) []schema.FieldIssue
	Drop(rec *schema.Record, problems []schema.Problem) ([]schema.FieldIssue, []schema.Problem)
}

// AfterRun is work done once a run's records are loaded (flag rules over the
// warehouse, cross-source matching). RuleFlags names the flags it evaluates for
// the whole pipeline, so the ones it no longer raises are closed.
type AfterRun interface {
	AfterRun(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) error
	RuleFlags() []string
}

// Settler is work done once after a group of runs that finish together
// (cross-source matching): one pass however many pipelines loaded.
type Settler interface {
	Settle(ctx context.Context, w *warehouse.Warehouse, runs []warehouse.Run) error
}

// RunObserver is told about every run once its ledger row is final, whatever
// its status (the health recorder measures the source then).
type RunObserver interface {
	RunFinished(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) error
}

// Job is one pipeline ready to run.
type Job struct {
	Pipeline  string
	Collector string // collector type, for the ledger
	Source    Collector
	Transform Transformer // may be nil
	// Origins are the URLs and paths pipelines.yaml gave the collector: the
	// fetch layer's URL policy checks every other address against them. Empty
	// means no policy (tests that build jobs by hand).
	Origins []string
	// MaxDuration bounds the collection (0: unbounded). Past it the collector
	// is cancelled, what it emitted is loaded, and the run fails saying so.
	MaxDuration time.Duration
	Repair      Repairer // may be nil: then any invalid record is quarantined whole
	// FailShare is the pipeline's quarantine_fail_share: a larger share of
	// quarantined records fails the run (nil: DefaultFailShare).
	FailShare *float64
}

// Run statuses (runs.status).
const (
	StatusRunning  = "running"
	StatusOK       = "ok"
	StatusDegraded = "degraded"
	StatusFailed   = "failed"
)

// DefaultFailShare is quarantine_fail_share when a job sets none.
const DefaultFailShare = 0.5

// DegradeShare: more than this share of records quarantined, or losing a
// field, makes a run degraded.
const DegradeShare = 0.05

// Runner runs jobs against one warehouse.
type Runner struct {
	W         *warehouse.Warehouse
	Fetch     *fetch.Client
	Validator Validator // may be nil
	After     []AfterRun
	Settle    []Settler // after RunAll, and after each group of scheduled runs
	Observers []RunObserver
	ChunkRows int
	Log       *slog.Logger
	// Progress, when set, is called with a pipeline's running record count.
	Progress func(pipeline string, records int)
}

// Result is what one run did.
type Result struct {
	warehouse.Run
	Err error
}

// RunAll runs jobs concurrently (at most parallel at once) and returns their
// results in job order. A failing job does not stop the others.
func (r *Runner) RunAll(ctx context.Context, jobs []Job, parallel int) []Result {
	if parallel <= 0 {
		parallel = 1
	}
	results := make([]Result, len(jobs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = r.Run(ctx, j)
		}()
	}
	wg.Wait()
	r.SettleRuns(ctx, results)
	return results
}

// SettleRuns runs the settle steps once for runs that finished together. A
// failing step is logged: the runs' data arrived whatever matching makes of it.
func (r *Runner) SettleRuns(ctx context.Context, results []Result) {
	if len(r.Settle) == 0 || len(results) == 0 {
		return
	}
	runs := make([]warehouse.Run, 0, len(results))
	for _, res := range results {
		runs = append(runs, res.Run)
	}
	for _, s := range r.Settle {
		if err := s.Settle(context.WithoutCancel(ctx), r.W, runs); err != nil {
			r.Log.Error("settle after runs", "err", err)
		}
	}
}

// Run runs one job once.
func (r *Runner) Run(ctx context.Context, job Job) (res Result) {
	log := r.Log.With("pipeline", job.Pipeline)
	run := warehouse.Run{
		RunID:     newRunID(),
		Pipeline:  job.Pipeline,
		Collector: job.Collector,
		StartedAt: time.Now().UTC(),
		Status:    StatusRunning,
	}
	res.Run = run
	if err := r.W.RecordRun(ctx, &run); err != nil {
		res.Status, res.Err = StatusFailed, fmt.Errorf("record start of run: %w", err)
		res.Error = res.Err.Error()
		return res
	}
	log.Info("run started", "run_id", run.RunID)
	err := r.execute(ctx, job, &run, log)
	finished := time.Now().UTC()
	run.FinishedAt = &finished
	if err != nil {
		// Classify's reason stands when it failed the run; any other
		// failure (collector, load, after-run work) is its own reason.
		if run.Status != StatusFailed || run.StatusReason == "" {
			run.StatusReason = firstLine(err.Error())
		}
		run.Status = StatusFailed
		run.Error = err.Error()
		log.Error("run failed", "run_id", run.RunID, "reason", run.StatusReason, "err", err)
	} else {
		args := []any{"run_id", run.RunID, "status", run.Status, "loaded", run.RecordsLoaded, "unchanged", run.RecordsUnchanged,
			"quarantined", run.RecordsQuarantined, "repaired", run.FieldsRepaired, "dropped", run.FieldsDropped,
			"flags", run.FlagsRaised, "warnings", run.Warnings, "took", finished.Sub(run.StartedAt).Round(time.Millisecond)}
		if run.Status == StatusDegraded {
			log.Warn("run degraded: "+run.StatusReason, args...)
		} else {
			log.Info("run finished", args...)
		}
	}
	// The ledger row is written even when the run's context was cancelled.
	recCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if rerr := r.W.RecordRun(recCtx, &run); rerr != nil && err == nil {
		err = fmt.Errorf("record end of run: %w", rerr)
		run.Status, run.Error, run.StatusReason = StatusFailed, err.Error(), err.Error()
	}
	for _, o := range r.Observers {
		// An observer measures the run; its failure is logged, never the run's.
		if oerr := o.RunFinished(recCtx, r.W, &run); oerr != nil {
			log.Error("after-run measurement", "run_id", run.RunID, "err", oerr)
		}
	}
	return Result{Run: run, Err: err}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// memState stages a run's state changes; collectors may use it from many goroutines.
type memState struct {
	mu        sync.Mutex
	committed map[string]string
	staged    map[string]string
}

func (s *memState) Get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.staged[k]; ok {
		return v, true
	}
	v, ok := s.committed[k]
	return v, ok
}

func (s *memState) Set(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staged[k] = v
}

func (r *Runner) execute(ctx context.Context, job Job, run *warehouse.Run, log *slog.Logger) (err error) {
	defer func() {
		// A collector bug must fail its own pipeline, not the process.
		if p := recover(); p != nil {
			err = fmt.Errorf("pipeline %s panicked: %v", job.Pipeline, p)
		}
	}()
	committed, err := r.W.LoadState(ctx, job.Pipeline)
	if err != nil {
		return err
	}
	state := &memState{committed: committed, staged: map[string]string{}}
	docs := documents.New(r.W, job.Pipeline)
	session := r.Fetch.Session(job.Pipeline, run.RunID, docs)
	if len(job.Origins) > 0 {
		session.WithOrigins(job.Origins...)
	}
	loader := r.W.NewLoader(job.Pipeline, run.RunID, r.ChunkRows)
	warns := newWarnings(r.W, job.Pipeline, run.RunID, log)
	c := &collect.Run{
		Pipeline: job.Pipeline,
		RunID:    run.RunID,
		Now:      run.StartedAt,
		Fetch:    session,
		Log:      log,
		State:    state,
		Warn: func(sourceURL, recordID, msg string) {
			warns.add(ctx, collect.KindOf(msg), sourceURL, recordID, msg)
		},
		WarnKind: func(kind, sourceURL, recordID, msg string) {
			warns.add(ctx, kind, sourceURL, recordID, msg)
		},
	}
	session.OnRefusal(func(u, msg string) { c.Warn(u, "", msg) })
	// Warnings are written however the run ends.
	defer func() {
		run.Warnings = warns.total()
		if werr := warns.finish(context.WithoutCancel(ctx)); werr != nil {
			log.Error("record warnings", "err", werr)
		}
	}()
	var checkMu sync.Mutex
	var checks [][]any
	c.Check = func(ch collect.Check) {
		checkMu.Lock()
		defer checkMu.Unlock()
		checks = append(checks, []any{run.RunID, job.Pipeline, time.Now().UTC(), ch.Name, uint8(ch.Level), boolByte(ch.Passed), r.W.Redactor.String(ch.Detail), r.W.Redactor.String(ch.URL)})
	}
	p := r.startPipeline(ctx, job, loader)
	c.Emit = p.emit
	collectCtx := ctx
	if job.MaxDuration > 0 {
		var cancel context.CancelFunc
		collectCtx, cancel = context.WithTimeoutCause(ctx, job.MaxDuration, &OvertimeError{Limit: job.MaxDuration})
		defer cancel()
	}
	collectErr := job.Source.Collect(collectCtx, c)
	if ctx.Err() == nil && collectCtx.Err() != nil {
		// Overtime, even if the collector swallowed the cancellation.
		collectErr = context.Cause(collectCtx)
	}
	if len(checks) > 0 {
		// Conformance is known even when the walk failed part way: keep it.
		checkMu.Lock()
		if err := r.W.Insert(context.WithoutCancel(ctx), "conformance", conformanceColumns, checks); err != nil {
			log.Error("record conformance checks", "err", err)
		}
		checkMu.Unlock()
	}
	loadErr := p.finish()
	st := session.Stats()
	run.DocumentsFetched, run.DocumentsUnchanged, run.DocumentsFailed = st.Fetched, st.Unchanged, st.Failed
	// What was collected before a failure is still written: nothing loaded is lost.
	flushCtx := context.WithoutCancel(ctx)
	if err := errors.Join(loadErr, loader.Flush(flushCtx)); err != nil {
		return errors.Join(collectErr, fmt.Errorf("write records: %w", err))
	}
	if err := docs.Flush(flushCtx); err != nil {
		return errors.Join(collectErr, err)
	}
	run.RecordsLoaded, run.RecordsUnchanged = loader.Stats.Loaded, loader.Stats.Unchanged
	run.RecordsQuarantined, run.FlagsRaised = loader.Stats.Quarantined, loader.Stats.Flags
	run.FieldsRepaired, run.FieldsDropped, run.RecordsWithDrops = loader.Stats.Repaired, loader.Stats.Dropped, loader.Stats.RecordsWithDrops
	if collectErr != nil {
		return fmt.Errorf("collect: %w", collectErr)
	}
	failShare := DefaultFailShare
	if job.FailShare != nil {
		failShare = *job.FailShare
	}
	counts, first := warns.byKind()
	run.Status, run.StatusReason = Classify(Outcome{Declared: c.Declared(), Stats: loader.Stats, Warnings: counts, FirstWarning: first}, failShare)
	if run.Status == StatusFailed {
		// A failed run is no sweep: nothing it missed is taken as gone.
		return errors.New(run.StatusReason)
	}
	run.FullSweep = c.FullSweep
	var ruleFlags []string
	for _, a := range r.After {
		if err := a.AfterRun(ctx, r.W, run); err != nil {
			return fmt.Errorf("after run: %w", err)
		}
		ruleFlags = append(ruleFlags, a.RuleFlags()...)
	}
	if err := r.W.ReconcileFlags(ctx, job.Pipeline, run.RunID, ruleFlags); err != nil {
		return err
	}
	if n, err := warehouse.QueryScalar[int](ctx, r.W, fmt.Sprintf(
		"SELECT count() FROM flag_observations WHERE pipeline = %s AND run_id = %s", warehouse.Quote(job.Pipeline), warehouse.Quote(run.RunID))); err == nil {
		run.FlagsRaised = n
	}
	// Incremental state moves forward only once the data it describes is loaded.
	return r.W.SaveState(ctx, job.Pipeline, state.staged)
}

// OvertimeError: a run passed its pipeline's max_duration.
type OvertimeError struct{ Limit time.Duration }

func (e *OvertimeError) Error() string {
	return fmt.Sprintf("stopped after max_duration %s; the records collected until then are loaded", e.Limit)
}

var conformanceColumns = []string{"run_id", "pipeline", "checked_at", "check", "level", "passed", "detail", "url"}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func newRunID() string {
	var b [6]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// pipeline moves emitted records through transform, validate and encode on a
// pool of workers (the costly, pure steps) to one goroutine that feeds the
// loader. Channels are bounded, so a fast collector waits for the warehouse
// and memory stays flat.
type pipeline struct {
	ctx     context.Context
	in      chan *schema.Record
	out     chan *warehouse.Prepared
	workers sync.WaitGroup
	loaded  chan struct{}
	failed  atomic.Pointer[error]
	count   atomic.Int64
	// closeMu lets emit and finish race safely: a send holds the read lock,
	// closing the input takes the write lock.
	closeMu sync.RWMutex
	closed  bool
}

func (r *Runner) startPipeline(ctx context.Context, job Job, loader *warehouse.Loader) *pipeline {
	n := runtime.GOMAXPROCS(0)
	p := &pipeline{ctx: ctx, in: make(chan *schema.Record, 256*n), out: make(chan *warehouse.Prepared, 256*n), loaded: make(chan struct{})}
	for range n {
		p.workers.Add(1)
		go func() {
			defer p.workers.Done()
			for rec := range p.in {
				if p.failed.Load() != nil {
					continue // drain after a failure
				}
				if pr := p.fail(r.prepare(job, loader, rec)); pr != nil {
					p.out <- pr
				}
			}
		}()
	}
	go func() {
		defer close(p.loaded)
		for pr := range p.out {
			if p.failed.Load() != nil {
				continue
			}
			if err := loader.AddPrepared(ctx, pr); err != nil {
				p.setFailed(err)
				continue
			}
			if n := p.count.Add(1); r.Progress != nil && n%1000 == 0 {
				r.Progress(job.Pipeline, int(n))
			}
		}
	}()
	return p
}

// prepare runs the per-record steps; it is safe on many goroutines because
// transforms are pure, the validator is compiled once, and Prepare only reads
// the loader's run constants.
func (r *Runner) prepare(job Job, loader *warehouse.Loader, rec *schema.Record) (*warehouse.Prepared, error) {
	if p := rec.Prov(); p != nil && p.Pipeline == "" {
		p.Pipeline = job.Pipeline
	}
	var issues []schema.FieldIssue
	if job.Repair != nil {
		issues = job.Repair.Repair(rec)
	}
	if job.Transform != nil {
		job.Transform.Apply(rec)
	}
	var encoded []byte
	if r.Validator != nil {
		var problems []schema.Problem
		if ev, ok := r.Validator.(encodingValidator); ok {
			problems, encoded = ev.ValidateJSON(rec)
		} else {
			problems = r.Validator.Validate(rec)
		}
		if len(problems) > 0 {
			// Drop changes the record: the loader encodes what is left.
			encoded = nil
			if job.Repair != nil {
				var dropped []schema.FieldIssue
				dropped, problems = job.Repair.Drop(rec, problems)
				issues = append(issues, dropped...)
			}
			if len(problems) > 0 {
				return loader.PrepareQuarantine(rec, problems), nil
			}
		}
	}
	return loader.PrepareEncoded(rec, encoded, issues)
}

// encodingValidator is a Validator that hands back the JSON it checked, so
// the record is encoded once for validation and the content hash. Nothing
// may change the record between the two.
type encodingValidator interface {
	ValidateJSON(rec *schema.Record) ([]schema.Problem, []byte)
}

func (p *pipeline) fail(pr *warehouse.Prepared, err error) *warehouse.Prepared {
	if err != nil {
		p.setFailed(err)
		return nil
	}
	return pr
}

func (p *pipeline) setFailed(err error) {
	p.failed.CompareAndSwap(nil, &err)
}

// emit is the collector's Emit: it hands the record to the workers.
func (p *pipeline) emit(ctx context.Context, rec *schema.Record) error {
	if errp := p.failed.Load(); errp != nil {
		return *errp
	}
	p.closeMu.RLock()
	defer p.closeMu.RUnlock()
	if p.closed {
		return errors.New("record emitted after the collector returned")
	}
	select {
	case p.in <- rec:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish waits for every emitted record to reach the loader.
func (p *pipeline) finish() error {
	p.closeMu.Lock()
	p.closed = true
	close(p.in)
	p.closeMu.Unlock()
	p.workers.Wait()
	close(p.out)
	<-p.loaded
	if errp := p.failed.Load(); errp != nil {
		return *errp
	}
	return nil
}
