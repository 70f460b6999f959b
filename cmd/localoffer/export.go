package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/tables"
)

// cmdExport writes the warehouse's current records as an HSDS 3.0 feed.
func cmdExport(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "export", "export [--config F] --format hsds-json|ndjson|datapackage|parquet|csv --out DIR")
	cfgPath := fs.String("config", "pipelines.yaml", "configuration file")
	format := fs.String("format", "", "feed format: hsds-json (a file per service), ndjson (a service per line) or datapackage (CSV tables); or parquet / csv: every documented warehouse table and view, with a README data dictionary")
	out := fs.String("out", "", "output directory: new, empty, or a previous export's (replaced only when the export succeeds)")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(env.Stderr, "localoffer export: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	case *out == "":
		fmt.Fprintln(env.Stderr, "localoffer export: --out DIR is required")
		return exitUsage
	}
	switch *format {
	case feed.FormatHSDSJSON, feed.FormatNDJSON, feed.FormatDatapackage, tables.FormatParquet, tables.FormatCSV:
	default:
		fmt.Fprintf(env.Stderr, "localoffer export: --format must be hsds-json, ndjson, datapackage, parquet or csv (got %q)\n", *format)
		return exitUsage
	}
	if err := feed.CheckOut(*out); err != nil {
		fmt.Fprintf(env.Stderr, "localoffer export: %v\n", err)
		return exitUsage
	}
	cfg, ok := loadConfig(env, *cfgPath)
	if !ok {
		return exitUsage
	}
	log := newLogger(env, cfg.Secrets...)
	w, err := openWarehouse(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: %v\n", err)
		return exitFailed
	}
	defer w.Close(context.Background())
	if *format == tables.FormatParquet || *format == tables.FormatCSV {
		st, err := tables.Export(ctx, w, tables.Options{Format: *format, Out: *out}, log)
		if errors.Is(err, feed.ErrForeignDir) {
			fmt.Fprintf(env.Stderr, "localoffer export: %v\n", err)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "localoffer export: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(env.Stdout, "exported %d tables and views to %s (%s, data dictionary in README.md)\n", len(st.Tables), *out, *format)
		return exitOK
	}
	st, err := feed.Export(ctx, w, feed.Options{Format: *format, Out: *out}, log)
	if errors.Is(err, feed.ErrForeignDir) {
		fmt.Fprintf(env.Stderr, "localoffer export: %v\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer export: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(env.Stdout, "exported %d services and %d organisations to %s (%s, HSDS 3.0)\n", st.Services, st.Organizations, *out, *format)
	if n := len(st.Withheld); n > 0 {
		fmt.Fprintf(env.Stdout, "%d records withheld: they fail the official HSDS 3.0 schema (listed with the reasons in the index file)\n", n)
	}
	return exitOK
}
