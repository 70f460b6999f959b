package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/localoffer/localoffer/feedcheck"
	"github.com/localoffer/localoffer/internal/redact"
)

// cmdValidate checks a feed for directory teams: exit 0 valid (warnings
// allowed), 1 level 1 problems, 2 bad usage or a target that cannot be read.
func cmdValidate(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "validate", "validate [--format text|json] TARGET\n\n"+
		"TARGET is a JSON file (one entity or a Page), an NDJSON file (.ndjson/.jsonl), an HSDS CSV\n"+
		"table, an HSDS tabular data package directory, or an HSDS 3.0 / Open Referral UK API base URL.")
	format := fs.String("format", "text", "report format: text or json")
	typ := fs.String("type", "auto", "entity type of records in a file (service, organization, location, …; auto detects)")
	sample := fs.Int("sample", 20, "API: services fetched in full from /services/{id}")
	perPage := fs.Int("per-page", 100, "API: page size asked of /services")
	maxPages := fs.Int("max-pages", 10000, "API: stop walking /services after this many pages")
	timeout := fs.Duration("timeout", 30*time.Second, "API: timeout per request")
	rps := fs.Float64("rps", 1, "API: requests per second to the API's host")
	assurance := fs.Int("assurance-days", 90, "warn when assured_date is older than this many days")
	if code, done := parseFlags(fs, env, args); done {
		return code
	}
	// Flags may also follow the target.
	rest := fs.Args()
	if len(rest) > 1 {
		if code, done := parseFlags(fs, env, rest[1:]); done {
			return code
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		fmt.Fprintln(env.Stderr, "localoffer validate: give exactly one TARGET (file, directory or API base URL)")
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(env.Stderr, "localoffer validate: unknown --format %q (text or json)\n", *format)
		return exitUsage
	}
	log := newLogger(env)
	const maxResponse = 64 << 20
	get, cleanup, err := apiFetcher(rest[0], *timeout, *rps, maxResponse, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer validate: %v\n", err)
		return exitFailed
	}
	defer cleanup()
	k, err := feedcheck.New(feedcheck.Options{
		Type: *typ, Sample: *sample, PerPage: *perPage, MaxPages: *maxPages, AssuranceDays: *assurance,
		MaxResponse: maxResponse, Fetch: get, Log: log,
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer validate: %v\n", err)
		return exitUsage
	}
	rep, err := k.Check(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer validate: %s\n", redact.Text(err.Error()))
		if errors.Is(err, feedcheck.ErrUnusable) {
			return exitUsage
		}
		return exitFailed
	}
	// The report names the URLs it fetched: an API key in the target's query
	// or userinfo is shown masked.
	var buf bytes.Buffer
	if *format == "json" {
		err = rep.WriteJSON(&buf)
	} else {
		err = rep.WriteText(&buf)
	}
	if err == nil {
		_, err = io.WriteString(env.Stdout, redact.Text(buf.String()))
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer validate: write report: %v\n", err)
		return exitFailed
	}
	if !rep.Valid() {
		return exitFailed
	}
	return exitOK
}
