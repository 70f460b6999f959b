// Command localoffer collects the SEND Local Offer on schedules, normalises it
// to an Open Referral (HSDS 3.0) style schema, validates it, flags what is
// stale, and loads a ClickHouse warehouse where provision is set against need.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes: the CLI contract in the README ("Command line").
const (
	exitOK     = 0
	exitFailed = 1 // some pipeline failed, or the target is invalid
	exitUsage  = 2 // bad usage or configuration
)

// Env is what a verb gets from the process.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

const usage = `localoffer — collect, validate and analyse the SEND Local Offer

Usage:
  localoffer run      [--config F] [--pipeline NAME]...   one pass now
  localoffer schedule [--config F]                        run pipelines on their cron schedules
  localoffer query    [--config F] [--format table|csv|json] [--out FILE] [--param N=V]... [--file F] [--write] [--describe] [SQL]
  localoffer validate [--format text|json] TARGET         check a feed file, NDJSON, datapackage or API
  localoffer export   [--config F] --format hsds-json|ndjson|datapackage|parquet|csv --out DIR
  localoffer gaps     [--config F] [--la CODE] [--format table|csv|json|html] [--out FILE]
  localoffer health   [--config F] [--pipeline NAME]... [--la CODE] [--runs N] [--format table|csv|json|html] [--out FILE]
  localoffer annual-report [--config F] --la CODE --year YYYY [--format html|json] [--out FILE]   (YYYY: academic year ending in August)
  localoffer serve    [--config F] [--addr 127.0.0.1:8080] [--no-schedule]   Open Referral UK API, reports, metrics; also schedules

Run 'localoffer VERB --help' for a verb's options.
Exit codes: 0 ok, 1 some pipeline failed (or the target is invalid), 2 bad usage or configuration.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startCPUProfile(os.Getenv("LOCALOFFER_CPUPROFILE"), os.Stderr)
	code := runMain(ctx, os.Args[1:], &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stopProfile()
	stop()
	os.Exit(code)
}

func runMain(ctx context.Context, args []string, env *Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return exitUsage
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "run":
		return cmdRun(ctx, env, rest)
	case "schedule":
		return cmdSchedule(ctx, env, rest)
	case "query":
		return cmdQuery(ctx, env, rest)
	case "validate":
		return cmdValidate(ctx, env, rest)
	case "export":
		return cmdExport(ctx, env, rest)
	case "gaps":
		return cmdGaps(ctx, env, rest)
	case "health":
		return cmdHealth(ctx, env, rest)
	case "annual-report":
		return cmdAnnualReport(ctx, env, rest)
	case "serve":
		return cmdServe(ctx, env, rest)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return exitOK
	}
	fmt.Fprintf(env.Stderr, "localoffer: unknown verb %q\n\n%s", verb, usage)
	return exitUsage
}
