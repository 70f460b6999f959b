package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/health"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/runner/afterrun"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/transform"
	"github.com/localoffer/localoffer/transform/repair"
)

func cmdRun(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "run", "run [--config F] [--pipeline NAME]...")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	var names stringList
	fs.Var(&names, "pipeline", "run only this pipeline (repeatable)")
	parallel := fs.Int("parallel", 4, "pipelines run at once")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	pipelines, err := cfg.Select(names)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer run: %v\n", err)
		return exitUsage
	}
	log := newLogger(env, cfg.Secrets...)
	app, code := newApp(ctx, env, cfg, log)
	if app == nil {
		return code
	}
	defer app.close()
	jobs, err := app.jobs(pipelines)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer run: %v\n", err)
		return exitUsage
	}
	results := app.runner.RunAll(ctx, jobs, *parallel)
	app.progressDone()
	// Matching is done: its index snapshot (Go work and file writes) is
	// written while the engine rebuilds the gap snapshots and the summary is read.
	app.saveSnapshotAsync()
	// The gap snapshots are rebuilt once here, after all loads, so the gaps
	// view is current for analysts querying it straight after a run.
	start := time.Now()
	if rebuilt, err := gaps.EnsureFresh(ctx, app.w); err != nil {
		log.Error("refresh gap analysis snapshots", "err", err)
	} else {
		log.Debug("gap analysis snapshots", "rebuilt", rebuilt, "took", time.Since(start).Round(time.Millisecond))
	}
	start = time.Now()
	printSummary(ctx, env.Stdout, app.w, results)
	log.Debug("summary printed", "took", time.Since(start).Round(time.Millisecond))
	for _, r := range results {
		if r.Err != nil {
			return exitFailed
		}
	}
	return exitOK
}

// app is what run and schedule share: the warehouse, fetch client and runner.
type app struct {
	cfg       *config.Config
	log       *slog.Logger
	w         *warehouse.Warehouse
	runner    *runner.Runner
	shared    *transform.Shared
	validator *schema.Validator
	// matcher keeps its index between passes; close saves it for the next process.
	matcher *afterrun.Matcher
	// snapshotSaved is closed once the matcher's snapshot is written.
	snapshotSaved chan struct{}

	progressMu   sync.Mutex
	progressSeen bool
	env          *Env
}

func newApp(ctx context.Context, env *Env, cfg *config.Config, log *slog.Logger) (*app, int) {
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return nil, exitFailed
	}
	// For the engine-floor benchmark (scripts/bench-feed.sh CAPTURE=1): keep
	// the run's insert files so they can be replayed without the run.
	if dir := env.Getenv("LOCALOFFER_CAPTURE_INSERTS"); dir != "" {
		if c, ok := w.Conn.(*embedded.Conn); ok {
			if err := c.CaptureInserts(dir); err != nil {
				w.Close(ctx)
				fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
				return nil, exitFailed
			}
		}
	}
	// The needs vocabulary, category rules and postcode lookup, loaded once per process.
	shared, err := transform.LoadShared(cfg)
	if err != nil {
		w.Close(ctx)
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return nil, exitUsage
	}
	validator, err := schema.NewValidator()
	if err != nil {
		w.Close(ctx)
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return nil, exitFailed
	}
	matcher, err := buildSettle(cfg, log)
	if err != nil {
		w.Close(ctx)
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return nil, exitUsage
	}
	client := fetch.New(fetchOptions(cfg.HTTP), &fetch.Blobs{Dir: blobDir(cfg)}, log)
	a := &app{cfg: cfg, log: log, w: w, shared: shared, env: env, validator: validator, matcher: matcher}
	a.runner = &runner.Runner{
		W:         w,
		Fetch:     client,
		Validator: validator,
		// The missing_from_source, status_conflict and broken_link flags.
		After:  []runner.AfterRun{afterrun.NewAfter(cfg, log)},
		Settle: []runner.Settler{matcher},
		Observers: []runner.RunObserver{&health.Recorder{
			AssuranceAfterDays: cfg.Staleness.AssuranceAfterDays, ReviewAfterDays: cfg.Staleness.ReviewAfterDays}},
		ChunkRows: cfg.Warehouse.ChunkRows,
		Log:       log,
	}
	if isTerminal(env.Stderr) {
		a.runner.Progress = a.progress
	}
	return a, exitOK
}

// saveSnapshotAsync starts writing the matching index snapshot once no more
// passes will run in this process; close waits for it.
func (a *app) saveSnapshotAsync() {
	done := make(chan struct{})
	a.snapshotSaved = done
	go func() {
		defer close(done)
		start := time.Now()
		a.matcher.SaveSnapshot()
		a.log.Debug("matching index snapshot saved", "took", time.Since(start).Round(time.Millisecond))
	}()
}

func (a *app) close() {
	if a.snapshotSaved == nil {
		a.saveSnapshotAsync()
	}
	start := time.Now()
	<-a.snapshotSaved
	a.log.Debug("waited for the matching index snapshot", "took", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	a.w.Close(context.Background())
	a.log.Debug("warehouse closed", "took", time.Since(start).Round(time.Millisecond))
}

// jobs wires each pipeline's collector and transform chain.
func (a *app) jobs(pipelines []config.Pipeline) ([]runner.Job, error) {
	var jobs []runner.Job
	for _, p := range pipelines {
		c, err := buildCollector(a.cfg, p)
		if err != nil {
			return nil, err
		}
		t, err := buildTransform(a.cfg, a.shared, p)
		if err != nil {
			return nil, fmt.Errorf("pipeline %s: %w", p.Name, err)
		}
		share := p.FailShare()
		jobs = append(jobs, runner.Job{Pipeline: p.Name, Collector: p.Collector.Type, Source: c, Transform: t,
			Origins: origins(a.cfg, p), MaxDuration: p.MaxDuration,
			Repair: repair.New(a.validator, repair.Options{DefaultStatus: p.DefaultStatus}), FailShare: &share})
	}
	return jobs, nil
}

// progress shows running record counts on a terminal; silent otherwise.
func (a *app) progress(pipeline string, n int) {
	a.progressMu.Lock()
	defer a.progressMu.Unlock()
	a.progressSeen = true
	fmt.Fprintf(a.env.Stderr, "\r\033[K%s: %d records…", pipeline, n)
}

func (a *app) progressDone() {
	a.progressMu.Lock()
	defer a.progressMu.Unlock()
	if a.progressSeen {
		fmt.Fprint(a.env.Stderr, "\r\033[K")
	}
}

// printSummary prints one line per pipeline, then the open flags by kind.
func printSummary(ctx context.Context, out io.Writer, w *warehouse.Warehouse, results []runner.Result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tSTATUS\tRECORDS\tNEW\tUNCHANGED\tQUARANTINED\tREPAIRED\tDROPPED\tFLAGS\tDOCS\tTOOK\tREASON")
	// Open flags by pipeline and kind in one query: it gives each run's
	// pipeline its count and the warehouse's totals by kind.
	type openFlags struct {
		Pipeline string `json:"pipeline"`
		Flag     string `json:"flag"`
		N        int    `json:"n"`
	}
	counts, err := warehouse.QueryInto[openFlags](ctx, w, "SELECT CAST(pipeline AS String) AS pipeline, CAST(flag AS String) AS flag, count() AS n FROM flags_current GROUP BY pipeline, flag")
	open := map[string]int{}
	byFlag := map[string]int{}
	for _, c := range counts {
		open[c.Pipeline] += c.N
		byFlag[c.Flag] += c.N
	}
	for _, r := range results {
		took := ""
		if r.FinishedAt != nil {
			took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		openFlags := open[r.Pipeline]
		reason := r.StatusReason
		if reason == "" {
			reason = r.Error
		}
		reason = strings.ReplaceAll(w.Redactor.String(reason), "\n", " ")
		if len(reason) > 160 {
			reason = reason[:160] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.Pipeline, r.Status,
			r.RecordsLoaded+r.RecordsUnchanged, r.RecordsLoaded, r.RecordsUnchanged, r.RecordsQuarantined,
			r.FieldsRepaired, r.FieldsDropped, openFlags, r.DocumentsFetched+r.DocumentsUnchanged, took, reason)
	}
	tw.Flush()
	if err != nil || len(byFlag) == 0 {
		return
	}
	flags := make([]string, 0, len(byFlag))
	for f := range byFlag {
		flags = append(flags, f)
	}
	// Most frequent first, ties by name.
	sort.Slice(flags, func(i, j int) bool {
		if byFlag[flags[i]] != byFlag[flags[j]] {
			return byFlag[flags[i]] > byFlag[flags[j]]
		}
		return flags[i] < flags[j]
	})
	parts := make([]string, len(flags))
	for i, f := range flags {
		parts[i] = fmt.Sprintf("%s %d", f, byFlag[f])
	}
	fmt.Fprintf(out, "\nOpen flags: %s\n", strings.Join(parts, ", "))
}
