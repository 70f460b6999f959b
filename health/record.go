// Package health measures each source's data quality and conformance on every
// run and reports it over time: per source and run, a ranking of sources and
// local authorities, ORUK conformance levels, and a fix list for data owners
// (`localoffer health`, served at /reports/health).
package health

import (
	"context"
	"encoding/json"
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
	marks := make([]string, len(paginationMarks))
	for i, m := range paginationMarks {
		marks[i] = "position(message, " + warehouse.Quote(m) + ") > 0"
	}
	// One query of scalar subqueries, not one a figure: the per-statement
	// cost is most of it, paid after every run. The services are the
	// pipeline's current ones, read from its own rows only.
	rows, err := warehouse.QueryInto[measured](ctx, c, fmt.Sprintf(`SELECT
  (SELECT [count(),
    countIf(status IN ('active', '')),
    countIf(assured_date IS NOT NULL AND assured_date >= toDate(%[3]s) - %[4]d),
    countIf(last_modified IS NOT NULL AND last_modified >= toDateTime64(%[5]s, 3, 'UTC') - INTERVAL %[6]d DAY)]
   FROM (SELECT status, assured_date, last_modified FROM services WHERE pipeline = %[1]s ORDER BY _version DESC LIMIT 1 BY id)) AS services,
  (SELECT groupArray((k, n)) FROM (SELECT CAST(flag AS String) AS k, count() AS n FROM flags FINAL WHERE pipeline = %[1]s AND active = 1 GROUP BY k)) AS open_flags,
  (SELECT uniqExact(entity_id) FROM flags FINAL WHERE pipeline = %[1]s AND active = 1 AND entity_type = 'service' AND flag IN (%[7]s)) AS stale,
  (SELECT [toFloat64(quantileExactInclusive(0.5)(elapsed_ms)), toFloat64(quantileExactInclusive(0.95)(elapsed_ms))]
   FROM documents WHERE pipeline = %[1]s AND run_id = %[2]s AND elapsed_ms > 0) AS response_ms,
  (SELECT groupArray((action, rule, n)) FROM (SELECT CAST(action AS String) AS action, CAST(rule AS String) AS rule, count() AS n
   FROM field_issues FINAL WHERE pipeline = %[1]s AND run_id = %[2]s GROUP BY action, rule)) AS issues,
  (SELECT count() FROM run_warnings WHERE pipeline = %[1]s AND run_id = %[2]s AND (%[8]s)) AS pagination`,
		p, rid, warehouse.Quote(now.Format("2006-01-02")), r.AssuranceAfterDays,
		warehouse.Quote(now.Format("2006-01-02 15:04:05.000")), r.ReviewAfterDays, quoteList(schema.StaleFlags), strings.Join(marks, " OR ")))
	if err != nil {
		return nil, fmt.Errorf("measure: %w", err)
	}
	if len(rows) != 1 || len(rows[0].Services) != 4 || len(rows[0].ResponseMS) != 2 {
		return nil, fmt.Errorf("measure: unexpected result %+v", rows)
	}
	m := rows[0]
	s.Services, s.ServicesActive, s.AssuredRecent, s.ModifiedRecent = m.Services[0], m.Services[1], m.Services[2], m.Services[3]
	for _, kv := range m.OpenFlags {
		var k string
		var n uint64
		if err := decodeTuple(kv, &k, &n); err != nil {
			return nil, fmt.Errorf("open flags: %w", err)
		}
		s.OpenFlags[k] = n
	}
	s.MissingFromSource = s.OpenFlags[schema.FlagMissingFromSource]
	s.Stale = m.Stale
	s.P50ms, s.P95ms = m.ResponseMS[0], m.ResponseMS[1]
	for _, t := range m.Issues {
		var action, rule string
		var n uint64
		if err := decodeTuple(t, &action, &rule, &n); err != nil {
			return nil, fmt.Errorf("field issues: %w", err)
		}
		if action == "repaired" {
			s.FieldsRepaired[rule] = n
		} else {
			s.FieldsDropped[rule] = n
		}
	}
	s.PaginationAnomalie = m.Pagination
	return s, nil
}

// measured is Measure's one row.
type measured struct {
	Services   []uint64            `json:"services"`
	OpenFlags  [][]json.RawMessage `json:"open_flags"`
	Stale      uint64              `json:"stale"`
	ResponseMS []float64           `json:"response_ms"`
	Issues     [][]json.RawMessage `json:"issues"`
	Pagination uint64              `json:"pagination"`
}

// decodeTuple decodes a tuple written as a JSON array into dst, in order.
func decodeTuple(t []json.RawMessage, dst ...any) error {
	if len(t) != len(dst) {
		return fmt.Errorf("tuple of %d values, want %d", len(t), len(dst))
	}
	for i, v := range t {
		if err := json.Unmarshal(v, dst[i]); err != nil {
			return err
		}
	}
	return nil
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
