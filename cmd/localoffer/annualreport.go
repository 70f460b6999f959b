package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/localoffer/localoffer/annual"
	"github.com/localoffer/localoffer/gaps"
)

// cmdAnnualReport writes the Local Offer annual report of one local
// authority and academic year as one self-contained HTML page, or JSON.
func cmdAnnualReport(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "annual-report", "annual-report [--config F] --la CODE --year YYYY [--format html|json] [--out FILE]")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	la := fs.String("la", "", "local authority: GSS code (E06000044) or DfE code (851)")
	year := fs.String("year", "", "academic year, by the year it ends in (August): 2025 is 2024/25")
	format := fs.String("format", "html", "output format: html, json")
	out := fs.String("out", "", "write to this file instead of standard output")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *la == "" {
		fmt.Fprintln(env.Stderr, "localoffer annual-report: --la is required (GSS code such as E06000044, or DfE code such as 851)")
		return exitUsage
	}
	y, err := annual.ParseYear(*year)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
		return exitUsage
	}
	if *format != "html" && *format != "json" {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: unknown --format %q (html, json)\n", *format)
		return exitUsage
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	opts := gaps.Options{ThinShare: cfg.Gaps.ThinShare, ProjectionYears: cfg.Gaps.ProjectionYears}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %s: %v\n", cfg.File, err)
		return exitUsage
	}
	log := newLogger(env, cfg.Secrets...)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	code, err := gaps.ResolveLA(ctx, w, *la)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
		return exitUsage
	}
	r, err := annual.Build(ctx, w, code, y, opts, time.Now())
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
		return exitFailed
	}
	write := func(f io.Writer) error {
		if *format == "json" {
			enc := json.NewEncoder(f)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		return annual.WriteHTML(f, r)
	}
	if *out == "" {
		if err := write(env.Stdout); err != nil {
			fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	if err := writeFileAtomic(*out, write); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
		return exitFailed
	}
	log.Info("annual report written", "file", *out, "la", code, "year", y.Label())
	return exitOK
}
