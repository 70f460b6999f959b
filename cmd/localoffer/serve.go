package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/feedcheck"
	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/serve"
	"github.com/localoffer/localoffer/serve/clickhouse"
	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/dictionary"
)

// snapshotWatch is how often serve checks the warehouse for changes it did
// not make itself (the refresh after each run is immediate).
const snapshotWatch = 30 * time.Second

// cmdServe serves the Open Referral UK API, the reports and the metrics, and
// runs the pipelines on their schedules: with the embedded warehouse only one
// process can hold it, so the process that serves is also the one that loads.
func cmdServe(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "serve", "serve [--config F] [--addr 127.0.0.1:8080] [--no-schedule] [--public-url URL]")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	noSchedule := fs.Bool("no-schedule", false, "only serve: do not run the pipelines on their schedules")
	publicURL := fs.String("public-url", "", "base URL clients reach this server at, for openapi_url (default: the request's host)")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	gopts := gaps.Options{ThinShare: cfg.Gaps.ThinShare, ProjectionYears: cfg.Gaps.ProjectionYears}
	if err := gopts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: %s: %v\n", cfg.File, err)
		return exitUsage
	}
	log := newLogger(env)
	a, code := newApp(ctx, env, cfg, log)
	if a == nil {
		return code
	}
	defer a.close()
	a.runner.Progress = nil
	pipelines, _ := cfg.Select(nil)
	jobs, err := a.jobs(pipelines)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: %v\n", err)
		return exitUsage
	}
	checker, err := feedcheck.New(feedcheck.Options{})
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: %v\n", err)
		return exitFailed
	}
	metrics := serve.NewMetrics()
	if err := metrics.LoadLedger(ctx, a.w); err != nil {
		log.Warn("read the runs ledger for metrics", "err", err)
	}
	if _, err := gaps.EnsureFresh(ctx, a.w); err != nil {
		log.Error("refresh gap analysis snapshots", "err", err)
	}
	snapDir, err := snapshotDir(cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: %v\n", err)
		return exitFailed
	}
	defer os.RemoveAll(snapDir)
	// Handlers other packages provide mount here: the ClickHouse-compatible
	// endpoint (/clickhouse/), the data dictionary (/docs/warehouse), the health report.
	mounts := []serve.Mount{
		{Pattern: "GET /docs/warehouse", Handler: dictionary.Handler(a.w, "localoffer warehouse")},
	}
	if rq, ok := a.w.Conn.(warehouse.RawQuerier); ok {
		// Answers 404 until serve.analyst_password is set.
		ch := clickhouse.New(rq, clickhouse.Options{Password: cfg.Serve.AnalystPassword, Database: cfg.Warehouse.Database})
		// Both paths: the JavaScript client posts to the bare path it was given.
		// Method-qualified: a bare "/clickhouse/" would conflict with the API's "GET /" (ServeMux panics).
		for _, p := range []string{"GET /clickhouse/", "POST /clickhouse/", "GET /clickhouse", "POST /clickhouse"} {
			mounts = append(mounts, serve.Mount{Pattern: p, Handler: ch})
		}
	} else {
		log.Info("the /clickhouse/ endpoint needs the embedded warehouse; with a ClickHouse server, analysts connect to it directly")
	}
	srv, err := serve.New(ctx, serve.Options{
		Warehouse: a.w, SnapshotDir: snapDir, Validator: checker, Postcodes: a.shared.Postcodes,
		Gaps: gopts, Metrics: metrics, Log: log, PublicURL: *publicURL, RequestTimeout: 30 * time.Second, Mounts: mounts,
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: %v\n", err)
		return exitFailed
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer serve: listen on %s: %v\n", *addr, err)
		return exitUsage
	}
	base := "http://" + ln.Addr().String()
	if err := embedded.Announce(base); err != nil {
		log.Warn("record the address in the warehouse lock file", "err", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("serving the Open Referral UK API", "url", base, "services", srv.Snapshot().Services(), "schedule", !*noSchedule)
	fmt.Fprintf(env.Stdout, "localoffer: serving %s\n", base)

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go srv.Watch(watchCtx, snapshotWatch)

	var wg sync.WaitGroup
	if !*noSchedule {
		entries := make([]runner.Entry, len(jobs))
		for i, j := range jobs {
			entries[i] = runner.Entry{Spec: pipelines[i].Schedule, Job: j}
		}
		sched := &runner.Scheduler{Runner: a.runner, Timezone: cfg.Schedule.Timezone, ShutdownTimeout: cfg.Schedule.ShutdownTimeout, Log: log,
			AfterEach: func(ctx context.Context, res runner.Result) {
				metrics.ObserveRun(res.Pipeline, res.Status, res.StartedAt, res.FinishedAt, res.RecordsLoaded, res.RecordsQuarantined)
				if _, err := gaps.EnsureFresh(ctx, a.w); err != nil {
					log.Error("refresh gap analysis snapshots", "err", err)
				}
				if _, err := srv.Refresh(ctx); err != nil {
					log.Error("refresh API snapshot", "err", err)
				}
			}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sched.Run(ctx, entries); err != nil {
				log.Error("scheduler", "err", err)
			}
		}()
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(env.Stderr, "localoffer serve: %v\n", err)
		return exitFailed
	}
	log.Info("stopping: no new connections; finishing requests and runs in progress", "timeout", cfg.Schedule.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Schedule.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		log.Warn("requests still in flight at the shutdown timeout were cut off", "err", err)
		hs.Close()
	}
	wg.Wait() // the scheduler bounds its runs by the same timeout
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("server", "err", err)
	}
	log.Info("stopped")
	return exitOK
}

// snapshotDir makes a directory for this process's API snapshots beside the
// warehouse, removing any a dead process left behind.
func snapshotDir(cfg *config.Config) (string, error) {
	parent := cfg.Resolve("var/serve")
	if cfg.Warehouse.Driver == "embedded" {
		parent = filepath.Join(filepath.Dir(cfg.Resolve(cfg.Warehouse.Path)), "serve")
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("snapshot directory: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(parent, "serve-*"))
	for _, d := range old {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), "serve-"), "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && !alive(pid) {
			os.RemoveAll(d)
		}
	}
	return os.MkdirTemp(parent, fmt.Sprintf("serve-%d-", os.Getpid()))
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
