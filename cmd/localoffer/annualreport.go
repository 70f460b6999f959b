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
	rf := addReportFlags(fs, "annual-report", "local authority: GSS code (E06000044) or DfE code (851)",
		"html", []string{"html", "json"}, "output format: html, json")
	year := fs.String("year", "", "academic year, by the year it ends in (August): 2025 is 2024/25")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	if !rf.check(fs, env) {
		return exitUsage
	}
	if *rf.la == "" {
		fmt.Fprintln(env.Stderr, "localoffer annual-report: --la is required (GSS code such as E06000044, or DfE code such as 851)")
		return exitUsage
	}
	y, err := annual.ParseYear(*year)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer annual-report: %v\n", err)
		return exitUsage
	}
	cfg, ok := loadConfig(env, *rf.config)
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
	code, err := gaps.ResolveLA(ctx, w, *rf.la)
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
		if *rf.format == "json" {
			enc := json.NewEncoder(f)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		return annual.WriteHTML(f, r)
	}
	if code := rf.write(env, write); code != exitOK || *rf.out == "" {
		return code
	}
	log.Info("annual report written", "file", *rf.out, "la", code, "year", y.Label())
	return exitOK
}
