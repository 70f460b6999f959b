package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Options choose what a health report covers.
type Options struct {
	Pipelines []string // only these sources; empty means all
	LACode    string   // only sources with services in this LA (GSS code)
	Runs      int      // history: the last N runs of each source
	// FixLimit caps the fix list in table/JSON/HTML output (CSV is whole).
	FixLimit int
	// Whole: the fix list is not capped (CSV).
	Whole bool
}

// DefaultRuns is the history shown when --runs is not given.
const DefaultRuns = 12

// Validate checks the options.
func (o *Options) Validate() error {
	if o.Runs == 0 {
		o.Runs = DefaultRuns
	}
	if o.Runs < 1 || o.Runs > 1000 {
		return fmt.Errorf("--runs %d: want 1 to 1000", o.Runs)
	}
	if o.LACode != "" && !lacodes.IsLA(o.LACode) {
		return fmt.Errorf("--la %q: want a GSS local authority code (E06000044) or a DfE code (851)", o.LACode)
	}
	if o.FixLimit == 0 {
		o.FixLimit = 500
	}
	return nil
}

// Run is one run of a source with its quality figures (a health_runs row).
type Run struct {
	Pipeline            string            `json:"pipeline"`
	RunID               string            `json:"run_id"`
	Collector           string            `json:"collector"`
	StartedAt           string            `json:"started_at"`
	FinishedAt          *string           `json:"finished_at"`
	Status              string            `json:"status"`
	Reason              string            `json:"reason"`
	FullSweep           uint8             `json:"full_sweep"`
	RecordsSeen         uint64            `json:"records_seen"`
	RecordsLoaded       uint64            `json:"records_loaded"`
	RecordsUnchanged    uint64            `json:"records_unchanged"`
	RecordsQuarantined  uint64            `json:"records_quarantined"`
	QuarantineRate      float64           `json:"quarantine_rate"`
	DocumentsFetched    uint64            `json:"documents_fetched"`
	DocumentsUnchanged  uint64            `json:"documents_unchanged"`
	DocumentsFailed     uint64            `json:"documents_failed"`
	Warnings            uint64            `json:"warnings"`
	Measured            uint8             `json:"measured"`
	Services            uint64            `json:"services"`
	ServicesActive      uint64            `json:"services_active"`
	AssuredShare        *float64          `json:"assured_share"`
	ModifiedShare       *float64          `json:"modified_share"`
	StaleShare          *float64          `json:"stale_share"`
	MissingFromSource   uint64            `json:"missing_from_source"`
	OpenFlags           map[string]uint64 `json:"open_flags"`
	P50ms               float64           `json:"p50_ms"`
	P95ms               float64           `json:"p95_ms"`
	PaginationAnomalies uint64            `json:"pagination_anomalies"`
	FieldsRepaired      map[string]uint64 `json:"fields_repaired"`
	FieldsDropped       map[string]uint64 `json:"fields_dropped"`
	ConformanceChecks   uint64            `json:"conformance_checks"`
	ConformanceLevel    uint8             `json:"conformance_level"`
	ConformanceFailing  []string          `json:"conformance_failing"`
}

// Source is one source's latest run, its rank and its history.
type Source struct {
	Run
	StaleRank      uint64  `json:"stale_rank"`
	QuarantineRank uint64  `json:"quarantine_rank"`
	History        []Run   `json:"history"` // oldest first
	Checks         []Check `json:"conformance,omitempty"`
}

// Check is one conformance check of a source's latest run.
type Check struct {
	Check  string `json:"check"`
	Level  uint8  `json:"level"`
	Passed uint8  `json:"passed"`
	Detail string `json:"detail"`
	URL    string `json:"url"`
}

// LA is a local authority's freshness and quarantine ranking (a health_las row).
type LA struct {
	LACode         string   `json:"la_code"`
	Services       uint64   `json:"services"`
	Stale          uint64   `json:"stale"`
	StaleShare     float64  `json:"stale_share"`
	QuarantineRate *float64 `json:"quarantine_rate"`
	StaleRank      uint64   `json:"stale_rank"`
	QuarantineRank uint64   `json:"quarantine_rank"`
}

// Report is everything `localoffer health` shows.
type Report struct {
	Generated time.Time `json:"generated"`
	Scope     string    `json:"scope"`
	Runs      int       `json:"runs"`
	Sources   []Source  `json:"sources"`
	LAs       []LA      `json:"local_authorities"`
	Fixes     []Fix     `json:"fix_list"`
	// FixesTotal counts the fix list before FixLimit.
	FixesTotal int `json:"fix_list_total"`
}

// ErrNoRuns: nothing has run yet, so there is nothing to report.
var ErrNoRuns = errors.New("no finished runs in the warehouse yet: run `localoffer run` first")

// Build reads the report from the warehouse views.
func Build(ctx context.Context, c warehouse.Conn, o Options, now time.Time) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	pipelines, err := o.scope(ctx, c)
	if err != nil {
		return nil, err
	}
	r := &Report{Generated: now.UTC(), Runs: o.Runs, Scope: o.describe()}
	where := ""
	if pipelines != nil {
		where = " WHERE pipeline IN (" + quoteList(pipelines) + ")"
	}
	if pipelines != nil && len(pipelines) == 0 {
		return r, nil
	}
	if r.Sources, err = warehouse.QueryInto[Source](ctx, c, "SELECT * FROM health_sources"+where+" ORDER BY stale_rank, quarantine_rank, pipeline"); err != nil {
		return nil, fmt.Errorf("read health_sources: %w", err)
	}
	if len(r.Sources) == 0 {
		if pipelines == nil {
			return nil, ErrNoRuns
		}
		return r, nil
	}
	history, err := warehouse.QueryInto[Run](ctx, c, fmt.Sprintf(
		"SELECT * FROM health_runs%s ORDER BY started_at DESC LIMIT %d BY pipeline", where, o.Runs))
	if err != nil {
		return nil, fmt.Errorf("read health_runs: %w", err)
	}
	byPipeline := map[string][]Run{}
	for _, h := range history {
		byPipeline[h.Pipeline] = append(byPipeline[h.Pipeline], h)
	}
	latest := make([]string, 0, len(r.Sources))
	for i := range r.Sources {
		s := &r.Sources[i]
		s.History = byPipeline[s.Pipeline]
		slices.Reverse(s.History)
		latest = append(latest, s.RunID)
	}
	checks, err := warehouse.QueryInto[struct {
		Pipeline string `json:"pipeline"`
		Check
	}](ctx, c, "SELECT pipeline, CAST(check AS String) AS check, level, passed, detail, url FROM conformance FINAL WHERE run_id IN ("+quoteList(latest)+") ORDER BY pipeline, level, check")
	if err != nil {
		return nil, fmt.Errorf("read conformance: %w", err)
	}
	for _, ch := range checks {
		for i := range r.Sources {
			if r.Sources[i].Pipeline == ch.Pipeline {
				r.Sources[i].Checks = append(r.Sources[i].Checks, ch.Check)
			}
		}
	}
	laWhere := ""
	if o.LACode != "" {
		laWhere = " WHERE la_code = " + warehouse.Quote(o.LACode)
	}
	if r.LAs, err = warehouse.QueryInto[LA](ctx, c, "SELECT * FROM health_las"+laWhere+" ORDER BY stale_rank, la_code"); err != nil {
		return nil, fmt.Errorf("read health_las: %w", err)
	}
	all := make([]string, len(r.Sources))
	for i, s := range r.Sources {
		all[i] = s.Pipeline
	}
	limit := o.FixLimit
	if o.Whole {
		limit = 0
	}
	if r.Fixes, r.FixesTotal, err = FixList(ctx, c, all, o.LACode, limit); err != nil {
		return nil, err
	}
	return r, nil
}

// scope returns the pipelines the report covers, or nil for all of them.
func (o Options) scope(ctx context.Context, c warehouse.Conn) ([]string, error) {
	var pipelines []string
	if len(o.Pipelines) > 0 {
		pipelines = slices.Clone(o.Pipelines)
	}
	if o.LACode == "" {
		return pipelines, nil
	}
	inLA, err := warehouse.QueryInto[struct {
		Pipeline string `json:"pipeline"`
	}](ctx, c, "SELECT DISTINCT CAST(pipeline AS String) AS pipeline FROM services_current WHERE la_code = "+warehouse.Quote(o.LACode))
	if err != nil {
		return nil, fmt.Errorf("find the sources of %s: %w", o.LACode, err)
	}
	out := []string{}
	for _, p := range inLA {
		if pipelines == nil || slices.Contains(pipelines, p.Pipeline) {
			out = append(out, p.Pipeline)
		}
	}
	return out, nil
}

func (o Options) describe() string {
	var parts []string
	if len(o.Pipelines) > 0 {
		parts = append(parts, "sources "+strings.Join(o.Pipelines, ", "))
	} else {
		parts = append(parts, "all sources")
	}
	if o.LACode != "" {
		parts = append(parts, "with services in "+o.LACode)
	}
	return strings.Join(parts, " ")
}
