package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/health"
)

// cmdHealth reports each source's data quality and conformance over its
// recent runs, ranks sources and LAs, and writes the fix list for data owners.
func cmdHealth(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "health", "health [--config F] [--pipeline NAME]... [--la CODE] [--runs N] [--format table|csv|json|html] [--out FILE] [--server URL]")
	rf := addReportFlags(fs, "health", "only sources with services in this local authority: GSS code (E06000044) or DfE code (851)",
		"table", health.Formats, "output format: table (summary), csv (the fix list), json (everything), html (the page)")
	var names stringList
	fs.Var(&names, "pipeline", "only this source (repeatable)")
	runs := fs.Int("runs", health.DefaultRuns, "history: the last N runs of each source")
	server := fs.String("server", "", "ask a running `localoffer serve` at this URL instead of opening the warehouse")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if !rf.check(fs, env) {
		return exitUsage
	}
	if *server != "" {
		if *runs < 1 {
			fmt.Fprintf(env.Stderr, "localoffer health: --runs %d: want 1 or more\n", *runs)
			return exitUsage
		}
		return healthRemote(ctx, env, *server, names, *runs, rf)
	}
	cfg, ok := loadConfig(env, *rf.config)
	if !ok {
		return exitUsage
	}
	if _, err := cfg.Select(names); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer health: %v\n", err)
		return exitUsage
	}
	opts := health.Options{Pipelines: names, Runs: *runs}
	if *runs < 1 {
		fmt.Fprintf(env.Stderr, "localoffer health: --runs %d: want 1 or more\n", *runs)
		return exitUsage
	}
	log := newLogger(env)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	if opts.LACode, err = gaps.ResolveLA(ctx, w, *rf.la); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer health: %v\n", err)
		return exitUsage
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer health: %v\n", err)
		return exitUsage
	}
	if code := rf.write(env, func(f io.Writer) error {
		return health.Write(ctx, w, opts, *rf.format, f, time.Now())
	}); code != exitOK || *rf.out == "" {
		return code
	}
	log.Info("health report written", "file", *rf.out, "format", *rf.format)
	return exitOK
}
