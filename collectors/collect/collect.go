// Package collect is the small contract between the runner and every collector:
// what a collector is handed for one run.
package collect

import (
	"context"
	"log/slog"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// Emit hands one record to the run (transform → validate → load). It returns
// an error only when the run must stop (the context ended or the warehouse failed).
type Emit func(ctx context.Context, rec *schema.Record) error

// State is a pipeline's incremental state (dlt style: stored next to the data).
// Values set during a run are committed only if the run succeeds. It is safe
// for concurrent use: collectors may crawl many sites at once.
type State interface {
	Get(key string) (string, bool)
	Set(key, value string)
}

// Run is everything a collector gets for one run of its pipeline.
type Run struct {
	Pipeline string
	RunID    string
	Now      time.Time
	Fetch    *fetch.Session
	Log      *slog.Logger
	State    State
	Emit     Emit
	// Warn records a non-fatal problem (in run_warnings and the run's summary).
	Warn func(sourceURL, recordID, message string)
	// Check records the outcome of one conformance check of the source (the
	// ORUK validator's level 1 and 2 checks); API collectors make them on
	// every run. Nil-safe through Run.Checked.
	Check func(Check)
	// FullSweep is set by the collector when it walked the whole source, so
	// entities it did not see can be counted as missing.
	FullSweep bool
}

// Check is one conformance check of a source on one run.
type Check struct {
	Name   string // e.g. root_endpoint, page_envelope, optional_endpoint:/taxonomies
	Level  int    // 1 required, 2 recommended (as the ORUK validator grades them)
	Passed bool
	Detail string // what was seen when it failed
	URL    string
}

// Checked records a check when the run collects them.
func (r *Run) Checked(c Check) {
	if r.Check != nil {
		r.Check(c)
	}
}
