// Package health measures each source's data quality and conformance on every
// run and reports it over time: per source and run, a ranking of sources and
// local authorities, ORUK conformance levels, and a fix list for data owners
// (`localoffer health`, served at /reports/health).
package health

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// paginationMarks pick the pagination anomalies out of a run's warnings (the
// API walker's wording).
var paginationMarks = []string{"total_items says", "total_pages said", "only repeats items already seen", "was already on page"}

// Recorder measures a source when each of its runs ends and keeps the figures
// in source_health. It satisfies runner.RunObserver.
type Recorder struct {
	AssuranceAfterDays int // staleness.assurance_after_days
	ReviewAfterDays    int // staleness.review_after_days
	Now                func() time.Time
}

// Snapshot is one row of source_health.
type Snapshot struct {
	RunID              string            `json:"run_id"`
	Pipeline           string            `json:"pipeline"`
	Services           uint64            `json:"services"`
	ServicesActive     uint64            `json:"services_active"`
	AssuredRecent      uint64            `json:"assured_recent"`
	ModifiedRecent     uint64            `json:"modified_recent"`
	Stale              uint64            `json:"stale"`
	MissingFromSource  uint64            `json:"missing_from_source"`
	OpenFlags          map[string]uint64 `json:"open_flags"`
	P50ms, P95ms       float64
	PaginationAnomalie uint64
	FieldsRepaired     map[string]uint64
	FieldsDropped      map[string]uint64
}

var snapshotColumns = []string{"run_id", "pipeline", "measured_at", "services", "services_active", "assured_recent",
	"modified_recent", "stale", "missing_from_source", "open_flags", "documents_p50_ms", "documents_p95_ms",
	"pagination_anomalies", "fields_repaired", "fields_dropped", "assurance_after_days", "review_after_days", "_version"}

// RunFinished measures the run's pipeline as it stands now.
func (r *Recorder) RunFinished(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) error {
	s, err := r.Measure(ctx, w, run.Pipeline, run.RunID)
	if err != nil {
		return fmt.Errorf("measure health of %s run %s: %w", run.Pipeline, run.RunID, err)
	}
	now := r.now()
	// One row, written as a literal INSERT: the Map columns have no place in
	// the bulk row encoders, and a row per run is no load to speak of.
	vals := []string{warehouse.Quote(s.RunID), warehouse.Quote(s.Pipeline),
		"toDateTime64(" + warehouse.Quote(now.Format("2006-01-02 15:04:05.000")) + ", 3, 'UTC')",
		u(s.Services), u(s.ServicesActive), u(s.AssuredRecent), u(s.ModifiedRecent), u(s.Stale), u(s.MissingFromSource),
		mapLiteral(s.OpenFlags), f(s.P50ms), f(s.P95ms), u(s.PaginationAnomalie), mapLiteral(s.FieldsRepaired),
		mapLiteral(s.FieldsDropped), u(uint64(r.AssuranceAfterDays)), u(uint64(r.ReviewAfterDays)), u(uint64(now.UnixNano()))}
	q := "INSERT INTO source_health (" + strings.Join(snapshotColumns, ", ") + ") SELECT " + strings.Join(vals, ", ")
	if err := w.Exec(ctx, q); err != nil {
		return fmt.Errorf("record health of %s run %s: %w", run.Pipeline, run.RunID, err)
	}
	p := warehouse.Quote(run.Pipeline)
	byLA := fmt.Sprintf(`INSERT INTO source_health_las (run_id, pipeline, la_code, services, stale, _version)
SELECT %s, %s, la, count(), countIf(f.entity_id != ''), %d
FROM (SELECT id, CAST(argMax(la_code, _version) AS String) AS la FROM services WHERE pipeline = %s GROUP BY id) AS s
LEFT JOIN (SELECT DISTINCT entity_id FROM flags FINAL
           WHERE pipeline = %s AND active = 1 AND entity_type = 'service' AND flag IN (%s)) AS f ON f.entity_id = s.id
GROUP BY la`, warehouse.Quote(run.RunID), p, now.UnixNano(), p, p, quoteList(schema.StaleFlags))
	if err := w.Exec(ctx, byLA); err != nil {
		return fmt.Errorf("record health by LA of %s run %s: %w", run.Pipeline, run.RunID, err)
	}
	return nil
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// Measure computes a source's figures after one of its runs.
func (r *Recorder) Measure(ctx context.Context, c warehouse.Conn, pipeline, runID string) (*Snapshot, error) {
	p, rid := warehouse.Quote(pipeline), warehouse.Quote(runID)
	now := r.now()
	s := &Snapshot{RunID: runID, Pipeline: pipeline, OpenFlags: map[string]uint64{},
		FieldsRepaired: map[string]uint64{}, FieldsDropped: map[string]uint64{}}
	// The pipeline's current services, read from its own rows only.
	svc, err := warehouse.QueryInto[Snapshot](ctx, c, fmt.Sprintf(`SELECT count() AS services,
    countIf(status IN ('active', '')) AS services_active,
    countIf(assured_date IS NOT NULL AND assured_date >= toDate(%s) - %d) AS assured_recent,
    countIf(last_modified IS NOT NULL AND last_modified >= toDateTime64(%s, 3, 'UTC') - INTERVAL %d DAY) AS modified_recent
FROM (SELECT status, assured_date, last_modified FROM services WHERE pipeline = %s ORDER BY _version DESC LIMIT 1 BY id)`,
		warehouse.Quote(now.Format("2006-01-02")), r.AssuranceAfterDays,
		warehouse.Quote(now.Format("2006-01-02 15:04:05.000")), r.ReviewAfterDays, p))
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	if len(svc) == 1 {
		s.Services, s.ServicesActive, s.AssuredRecent, s.ModifiedRecent = svc[0].Services, svc[0].ServicesActive, svc[0].AssuredRecent, svc[0].ModifiedRecent
	}
	type kv struct {
		K string `json:"k"`
		N uint64 `json:"n"`
	}
	flags, err := warehouse.QueryInto[kv](ctx, c, fmt.Sprintf(
		"SELECT CAST(flag AS String) AS k, count() AS n FROM flags FINAL WHERE pipeline = %s AND active = 1 GROUP BY k", p))
	if err != nil {
		return nil, fmt.Errorf("open flags: %w", err)
	}
	for _, f := range flags {
		s.OpenFlags[f.K] = f.N
	}
	s.MissingFromSource = s.OpenFlags[schema.FlagMissingFromSource]
	if s.Stale, err = warehouse.QueryScalar[uint64](ctx, c, fmt.Sprintf(
		"SELECT uniqExact(entity_id) FROM flags FINAL WHERE pipeline = %s AND active = 1 AND entity_type = 'service' AND flag IN (%s)",
		p, quoteList(schema.StaleFlags))); err != nil {
		return nil, fmt.Errorf("stale services: %w", err)
	}
	type pq struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
	}
	q, err := warehouse.QueryInto[pq](ctx, c, fmt.Sprintf(
		"SELECT toFloat64(quantileExactInclusive(0.5)(elapsed_ms)) AS p50, toFloat64(quantileExactInclusive(0.95)(elapsed_ms)) AS p95 FROM documents WHERE pipeline = %s AND run_id = %s AND elapsed_ms > 0",
		p, rid))
	if err != nil {
		return nil, fmt.Errorf("response times: %w", err)
	}
	if len(q) == 1 {
		s.P50ms, s.P95ms = q[0].P50, q[0].P95
	}
	type issue struct {
		Action string `json:"action"`
		Rule   string `json:"rule"`
		N      uint64 `json:"n"`
	}
	issues, err := warehouse.QueryInto[issue](ctx, c, fmt.Sprintf(
		"SELECT CAST(action AS String) AS action, CAST(rule AS String) AS rule, count() AS n FROM field_issues FINAL WHERE pipeline = %s AND run_id = %s GROUP BY action, rule",
		p, rid))
	if err != nil {
		return nil, fmt.Errorf("field issues: %w", err)
	}
	for _, is := range issues {
		if is.Action == "repaired" {
			s.FieldsRepaired[is.Rule] = is.N
		} else {
			s.FieldsDropped[is.Rule] = is.N
		}
	}
	marks := make([]string, len(paginationMarks))
	for i, m := range paginationMarks {
		marks[i] = "position(message, " + warehouse.Quote(m) + ") > 0"
	}
	if s.PaginationAnomalie, err = warehouse.QueryScalar[uint64](ctx, c, fmt.Sprintf(
		"SELECT count() FROM run_warnings WHERE pipeline = %s AND run_id = %s AND (%s)", p, rid, strings.Join(marks, " OR "))); err != nil {
		return nil, fmt.Errorf("pagination anomalies: %w", err)
	}
	return s, nil
}

func u(n uint64) string  { return strconv.FormatUint(n, 10) }
func f(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// mapLiteral writes a Map(String, UInt64) value in sorted key order.
func mapLiteral(m map[string]uint64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, warehouse.Quote(k), u(m[k]))
	}
	return "CAST(map(" + strings.Join(parts, ", ") + "), 'Map(String, UInt64)')"
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = warehouse.Quote(x)
	}
	return strings.Join(q, ", ")
}
