package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
)

// cmdGaps sets supply beside demand and writes the gap analysis as a terminal
// table, CSV, JSON or a self-contained HTML report.
func cmdGaps(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "gaps", "gaps [--config F] [--la CODE] [--format table|csv|json|html] [--out FILE] [--limit N] [--server URL]")
	rf := addReportFlags(fs, "gaps", "only this local authority: GSS code (E06000044) or DfE code (851)",
		"table", gaps.Formats, "output format: "+strings.Join(gaps.Formats, ", "))
	limit := fs.Int("limit", 0, "table, csv and json: only the N most severe rows (0 = all)")
	server := fs.String("server", "", "ask a running `localoffer serve` at this URL instead of opening the warehouse")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if !rf.check(fs, env) {
		return exitUsage
	}
	if *limit < 0 {
		fmt.Fprintf(env.Stderr, "localoffer gaps: --limit %d: want 0 (all) or more\n", *limit)
		return exitUsage
	}
	if *server != "" {
		return gapsRemote(ctx, env, *server, rf, *limit)
	}
	cfg, ok := loadConfig(env, *rf.config)
	if !ok {
		return exitUsage
	}
	opts := gaps.Options{ThinShare: cfg.Gaps.ThinShare, ProjectionYears: cfg.Gaps.ProjectionYears, Limit: *limit}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %s: %v\n", cfg.File, err)
		return exitUsage
	}
	log := newLogger(env, cfg.Secrets...)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	if opts.LACode, err = gaps.ResolveLA(ctx, w, *rf.la); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
		return exitUsage
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
		return exitUsage
	}
	if code := rf.write(env, func(f io.Writer) error {
		return gaps.Write(ctx, w, opts, *rf.format, f, time.Now())
	}); code != exitOK || *rf.out == "" {
		return code
	}
	log.Info("gap report written", "file", *rf.out, "format", *rf.format)
	return exitOK
}
