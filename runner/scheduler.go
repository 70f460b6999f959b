package runner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Entry is one pipeline on one cron schedule.
type Entry struct {
	Spec string
	Job  Job
}

// runnerFunc is the part of Runner the scheduler needs (a seam for tests).
type runnerFunc func(ctx context.Context, job Job) Result

// Scheduler runs jobs on cron schedules until its context ends.
type Scheduler struct {
	Runner          *Runner
	Timezone        string
	ShutdownTimeout time.Duration
	Log             *slog.Logger
	// AfterEach, when set, is called after every run (serve refreshes what it serves).
	AfterEach func(ctx context.Context, res Result)

	run runnerFunc // defaults to Runner.Run
}

// Run schedules the entries and blocks until ctx ends (SIGINT/SIGTERM). Then it
// stops scheduling, lets in-flight runs finish within ShutdownTimeout, cancels
// what is still running, and returns. Runs of one pipeline never overlap: a run
// due while the previous one is still going is skipped and logged.
func (s *Scheduler) Run(ctx context.Context, entries []Entry) error {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return fmt.Errorf("scheduler timezone %q: %w", s.Timezone, err)
	}
	run := s.run
	if run == nil {
		run = s.Runner.Run
	}
	// In-flight runs get their own context so a signal does not cut them off mid-write.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	c := cron.New(cron.WithLocation(loc), cron.WithParser(cron.NewParser(
		cron.Minute|cron.Hour|cron.Dom|cron.Month|cron.Dow|cron.Descriptor)))
	var wg sync.WaitGroup
	// Runs that finish while others are still going are settled together
	// (one matching pass) when the last of them ends.
	var groupMu sync.Mutex
	inFlight := 0
	var finished []Result
	ids := make([]cron.EntryID, len(entries))
	for i, e := range entries {
		job := e.Job
		var mu sync.Mutex
		running := false
		id, err := c.AddFunc(e.Spec, func() {
			mu.Lock()
			if running {
				mu.Unlock()
				s.Log.Warn("previous run still going; skipping this one", "pipeline", job.Pipeline)
				return
			}
			running = true
			mu.Unlock()
			wg.Add(1)
			groupMu.Lock()
			inFlight++
			groupMu.Unlock()
			defer func() {
				mu.Lock()
				running = false
				mu.Unlock()
				wg.Done()
			}()
			res := run(runCtx, job)
			groupMu.Lock()
			inFlight--
			finished = append(finished, res)
			var group []Result
			if inFlight == 0 {
				group, finished = finished, nil
			}
			groupMu.Unlock()
			if group != nil && s.Runner != nil {
				s.Runner.SettleRuns(runCtx, group)
			}
			if s.AfterEach != nil {
				s.AfterEach(runCtx, res)
			}
			s.Log.Info("scheduled run done", "pipeline", job.Pipeline, "status", res.Status, "next", c.Entry(ids[i]).Next.Format(time.RFC3339))
		})
		if err != nil {
			return fmt.Errorf("pipeline %s: schedule %q: %w", job.Pipeline, e.Spec, err)
		}
		ids[i] = id
	}
	c.Start()
	for i, e := range entries {
		s.Log.Info("scheduled", "pipeline", e.Job.Pipeline, "spec", e.Spec, "next", c.Entry(ids[i]).Next.Format(time.RFC3339), "timezone", loc.String())
	}
	<-ctx.Done()
	s.Log.Info("stopping: no new runs; waiting for runs in progress", "timeout", s.ShutdownTimeout.String())
	stopped := c.Stop() // done when running cron funcs return
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.Log.Info("all runs finished; scheduler stopped")
	case <-time.After(s.ShutdownTimeout):
		s.Log.Warn("shutdown timeout: cancelling runs still in progress")
		cancelRuns()
		<-done
	}
	return nil
}
