package main

import (
	"context"
	"fmt"

	"github.com/localoffer/localoffer/runner"
)

func cmdSchedule(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "schedule", "schedule [--config F]")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer schedule: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	pipelines, _ := cfg.Select(nil)
	log := newLogger(env, cfg.Secrets...)
	a, code := newApp(ctx, env, cfg, log)
	if a == nil {
		return code
	}
	defer a.close()
	a.runner.Progress = nil // a long-running service logs; it draws no progress line
	jobs, err := a.jobs(pipelines)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer schedule: %v\n", err)
		return exitUsage
	}
	entries := make([]runner.Entry, len(jobs))
	for i, j := range jobs {
		entries[i] = runner.Entry{Spec: pipelines[i].Schedule, Job: j}
	}
	s := &runner.Scheduler{Runner: a.runner, Timezone: cfg.Schedule.Timezone, ShutdownTimeout: cfg.Schedule.ShutdownTimeout, Log: log}
	if err := s.Run(ctx, entries); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer schedule: %v\n", err)
		return exitFailed
	}
	return exitOK
}
