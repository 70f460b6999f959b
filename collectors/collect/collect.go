// Package collect is the small contract between the runner and every collector:
// what a collector is handed for one run.
package collect

import (
	"context"
	"log/slog"
	"regexp"
	"sync/atomic"
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
	// The runner groups warnings by kind (KindOf the message) and keeps at
	// most 50 of each kind per run, then one row with the count, so a
	// collector reports every problem and never caps them itself.
	Warn func(sourceURL, recordID, message string)
	// WarnKind is Warn with an explicit kind; use Warning, which falls back
	// to Warn. Some kinds make the run degraded (see DegradingKinds).
	WarnKind func(kind, sourceURL, recordID, message string)
	// Check records the outcome of one conformance check of the source (the
	// ORUK validator's level 1 and 2 checks); API collectors make them on
	// every run. Nil-safe through Run.Checked.
	Check func(Check)
	// FullSweep is set by the collector when it walked the whole source, so
	// entities it did not see can be counted as missing.
	FullSweep bool

	declared atomic.Int64
}

// Warning kinds a collector names explicitly. The runner marks a run
// degraded when it met any of these (the data arrived, with gaps).
const (
	// KindMissingResource: a resource the source declares (a data package
	// table, an endpoint) is absent; what it would have held is not loaded.
	KindMissingResource = "missing_resource"
	// KindDanglingKey: a record refers to another that the source lacks
	// (service → organization, service_at_location → location).
	KindDanglingKey = "dangling_key"
)

// DegradingKinds are the warning kinds that make a run degraded.
var DegradingKinds = []string{KindMissingResource, KindDanglingKey}

// Warning records a non-fatal problem of a named kind.
func (r *Run) Warning(kind, sourceURL, recordID, message string) {
	switch {
	case r.WarnKind != nil:
		r.WarnKind(kind, sourceURL, recordID, message)
	case r.Warn != nil:
		r.Warn(sourceURL, recordID, message)
	}
}

// Declare tells the runner how many records the source says it holds (a
// page's total_items, a table's rows). A run whose source declares records
// but yields none has failed, whatever else it says.
func (r *Run) Declare(n int) {
	if n > 0 {
		r.declared.Add(int64(n))
	}
}

// Declared is the sum of what Declare was told.
func (r *Run) Declared() int { return int(r.declared.Load()) }

var (
	kindPrefix    = regexp.MustCompile(`^([a-z][a-z0-9]*(?:_[a-z0-9]+)+): `)
	quotedValue   = regexp.MustCompile(`"[^"]*"|'[^']*'|%q`)
	idBeforeColon = regexp.MustCompile(`^(\w+) [^\s:]+:`)
	// A token with a digit or a URL is a value (an id, a count, an address).
	valueToken = regexp.MustCompile(`[^\s,;()]*[0-9][^\s,;()]*|[a-z]+://[^\s,;()]+`)
)

// maxKindLen bounds a derived kind.
const maxKindLen = 120

// KindOf is the kind of an untyped warning: a leading snake_case kind and
// colon ("missing_resource: …", as the data package collector writes them),
// else the message with quoted values, URLs, tokens holding digits and a
// leading "<entity> <id>:" blanked, so "service 12: url "x" is not a URL"
// and "service a7f3: url "y" is not a URL" are one kind.
func KindOf(message string) string {
	if m := kindPrefix.FindStringSubmatch(message); m != nil {
		return m[1]
	}
	k := idBeforeColon.ReplaceAllString(message, "$1 …:")
	k = quotedValue.ReplaceAllString(k, "…")
	k = valueToken.ReplaceAllString(k, "#")
	if len(k) > maxKindLen {
		k = k[:maxKindLen]
	}
	return k
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

// OptionError is a problem with one collector option, named by its YAML key
// so the configuration error can point at that key's line.
type OptionError struct{ Key, Msg string }
