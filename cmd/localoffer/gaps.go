package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
)

// cmdGaps sets supply beside demand and writes the gap analysis as a terminal
// table, CSV, JSON or a self-contained HTML report.
func cmdGaps(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "gaps", "gaps [--config F] [--la CODE] [--format table|csv|json|html] [--out FILE] [--limit N] [--server URL]")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	la := fs.String("la", "", "only this local authority: GSS code (E06000044) or DfE code (851)")
	format := fs.String("format", "table", "output format: "+strings.Join(gaps.Formats, ", "))
	out := fs.String("out", "", "write to this file instead of standard output")
	limit := fs.Int("limit", 0, "table, csv and json: only the N most severe rows (0 = all)")
	server := fs.String("server", "", "ask a running `localoffer serve` at this URL instead of opening the warehouse")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer gaps: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if !slices.Contains(gaps.Formats, *format) {
		fmt.Fprintf(env.Stderr, "localoffer gaps: unknown --format %q (%s)\n", *format, strings.Join(gaps.Formats, ", "))
		return exitUsage
	}
	if *limit < 0 {
		fmt.Fprintf(env.Stderr, "localoffer gaps: --limit %d: want 0 (all) or more\n", *limit)
		return exitUsage
	}
	if *server != "" {
		return gapsRemote(ctx, env, *server, *la, *format, *out, *limit)
	}
	cfg, ok := loadConfig(env, *cfgPath)
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
	if opts.LACode, err = gaps.ResolveLA(ctx, w, *la); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
		return exitUsage
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
		return exitUsage
	}
	if *out == "" {
		if err := gaps.Write(ctx, w, opts, *format, env.Stdout, time.Now()); err != nil {
			fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	if err := writeFileAtomic(*out, func(f io.Writer) error {
		return gaps.Write(ctx, w, opts, *format, f, time.Now())
	}); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer gaps: %v\n", err)
		return exitFailed
	}
	log.Info("gap report written", "file", *out, "format", *format)
	return exitOK
}

// writeFileAtomic writes through a temporary file and renames it into place,
// so a failed run never leaves half a report where the last good one was.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
