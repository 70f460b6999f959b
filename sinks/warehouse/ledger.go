package warehouse

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Run is one row of the runs ledger.
type Run struct {
	RunID              string     `json:"run_id"`
	Pipeline           string     `json:"pipeline"`
	Collector          string     `json:"collector"`
	StartedAt          time.Time  `json:"-"`
	FinishedAt         *time.Time `json:"-"`
	Status             string     `json:"status"`
	StatusReason       string     `json:"status_reason"` // why degraded or failed
	FullSweep          bool       `json:"-"`
	DocumentsFetched   int        `json:"documents_fetched"`
	DocumentsUnchanged int        `json:"documents_unchanged"`
	DocumentsFailed    int        `json:"documents_failed"`
	RecordsLoaded      int        `json:"records_loaded"`
	RecordsUnchanged   int        `json:"records_unchanged"`
	RecordsQuarantined int        `json:"records_quarantined"`
	FieldsRepaired     int        `json:"fields_repaired"`
	FieldsDropped      int        `json:"fields_dropped"`
	RecordsWithDrops   int        `json:"records_with_drops"`
	FlagsRaised        int        `json:"flags_raised"`
	Warnings           int        `json:"warnings"`
	Error              string     `json:"error"`
}

var runColumns = []string{"run_id", "pipeline", "collector", "started_at", "finished_at", "status", "status_reason", "full_sweep",
	"documents_fetched", "documents_unchanged", "documents_failed", "records_loaded", "records_unchanged",
	"records_quarantined", "fields_repaired", "fields_dropped", "records_with_drops", "flags_raised", "warnings", "error", "owner", "_version"}

// RecordRun writes the run's current state to the ledger (the latest row wins).
func (w *Warehouse) RecordRun(ctx context.Context, r *Run) error {
	return w.Insert(ctx, "runs", runColumns, [][]any{{r.RunID, r.Pipeline, r.Collector, r.StartedAt, r.FinishedAt, r.Status, w.redact(r.StatusReason),
		boolInt(r.FullSweep), uint64(r.DocumentsFetched), uint64(r.DocumentsUnchanged), uint64(r.DocumentsFailed),
		uint64(r.RecordsLoaded), uint64(r.RecordsUnchanged), uint64(r.RecordsQuarantined),
		uint64(r.FieldsRepaired), uint64(r.FieldsDropped), uint64(r.RecordsWithDrops), uint64(r.FlagsRaised),
		uint64(r.Warnings), w.redact(r.Error), processOwner(), uint64(time.Now().UnixNano())}})
}

// Warning is one non-fatal problem of a run, as run_warnings keeps it.
type Warning struct {
	At        time.Time
	Kind      string
	SourceURL string
	RecordID  string
	Message   string
}

// RecordWarnings keeps a batch of a run's warnings in one insert (URLs and
// messages redacted).
func (w *Warehouse) RecordWarnings(ctx context.Context, pipeline, runID string, ws []Warning) error {
	if len(ws) == 0 {
		return nil
	}
	rows := make([][]any, len(ws))
	for i, x := range ws {
		rows[i] = []any{runID, pipeline, x.At, x.Kind, w.redact(x.SourceURL), x.RecordID, w.redact(x.Message)}
	}
	return w.Insert(ctx, "run_warnings", []string{"run_id", "pipeline", "at", "kind", "source_url", "record_id", "message"}, rows)
}

// LoadState reads a pipeline's committed incremental state.
func (w *Warehouse) LoadState(ctx context.Context, pipeline string) (map[string]string, error) {
	type kv struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	rows, err := QueryInto[kv](ctx, w, "SELECT key, value FROM pipeline_state FINAL WHERE pipeline = "+Quote(pipeline))
	if err != nil {
		return nil, fmt.Errorf("load state of %s: %w", pipeline, err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Key] = r.Value
	}
	return m, nil
}

// SaveState commits state values for a pipeline.
func (w *Warehouse) SaveState(ctx context.Context, pipeline string, values map[string]string) error {
	if len(values) == 0 {
		return nil
	}
	now := time.Now().UTC()
	v := uint64(now.UnixNano())
	rows := make([][]any, 0, len(values))
	for k, val := range values {
		rows = append(rows, []any{pipeline, k, val, now, v})
	}
	return w.Insert(ctx, "pipeline_state", []string{"pipeline", "key", "value", "updated_at", "_version"}, rows)
}

// ReconcileFlags turns a run's flag observations into flag states: observed
// flags are opened or refreshed (keeping first_detected); open flags of this
// pipeline that were not observed are closed, when the run looked at them: the
// entity was seen in this run, or the flag comes from a rule evaluated for the
// whole pipeline (ruleFlags, e.g. missing_from_source).
func (w *Warehouse) ReconcileFlags(ctx context.Context, pipeline, runID string, ruleFlags []string) error {
	return w.reconcileFlags(ctx, pipeline, runID, ruleFlags, false)
}

// reconcileFlags is ReconcileFlags; always makes it skip the shortcut for a
// pipeline without open flags (tests compare the two).
func (w *Warehouse) reconcileFlags(ctx context.Context, pipeline, runID string, ruleFlags []string, always bool) error {
	now := time.Now().UTC()
	version := uint64(now.UnixNano())
	p, r := Quote(pipeline), Quote(runID)
	rules := "[]"
	if len(ruleFlags) > 0 {
		q := make([]string, len(ruleFlags))
		for i, f := range ruleFlags {
			q[i] = Quote(f)
		}
		rules = "[" + strings.Join(q, ",") + "]"
	}
	// A pipeline with no open flag (its first run, or every flag closed) has
	// nothing to close and no first detection to keep: its observations go
	// in as they are, without reading the flags twice and building the two
	// sets the closing half needs (a third of the statement's cost). Any
	// version with active = 1 counts, so this errs only towards the full statement.
	anyOpen := uint8(1)
	if !always {
		var err error
		if anyOpen, err = QueryScalar[uint8](ctx, w, fmt.Sprintf("SELECT count() > 0 FROM (SELECT 1 FROM flags WHERE pipeline = %s AND active = 1 LIMIT 1)", p)); err != nil {
			return fmt.Errorf("look for open flags of %s: %w", pipeline, err)
		}
	}
	if anyOpen == 0 {
		q := fmt.Sprintf(`INSERT INTO flags (entity_type, entity_id, pipeline, flag, reason, evidence, first_detected, last_detected, active, closed_at, run_id, _version)
SELECT o.entity_type, o.entity_id, o.pipeline, o.flag, any(o.reason), any(o.evidence), min(o.observed_at),
       max(o.observed_at), 1, CAST(NULL AS Nullable(DateTime64(3, 'UTC'))), %[2]s, %[3]d
FROM flag_observations AS o
WHERE o.pipeline = %[1]s AND o.run_id = %[2]s
GROUP BY o.entity_type, o.entity_id, o.pipeline, o.flag`, p, r, version)
		if err := w.Exec(ctx, q); err != nil {
			return fmt.Errorf("open flags for run %s: %w", runID, err)
		}
		return nil
	}
	// One statement opens and closes: the two sets are disjoint (observed,
	// not observed) and both read the flags as they were before it, so this
	// is the two inserts in one part, at half the per-statement cost.
	q := fmt.Sprintf(`INSERT INTO flags (entity_type, entity_id, pipeline, flag, reason, evidence, first_detected, last_detected, active, closed_at, run_id, _version)
SELECT o.entity_type, o.entity_id, o.pipeline, o.flag, any(o.reason), any(o.evidence),
       if(any(f.active) = 1 AND any(f.first_detected) > toDateTime64(0, 3, 'UTC'), any(f.first_detected), min(o.observed_at)),
       max(o.observed_at), 1, CAST(NULL AS Nullable(DateTime64(3, 'UTC'))), %[2]s, %[3]d
FROM flag_observations AS o
LEFT JOIN (SELECT entity_type, entity_id, flag, first_detected, active FROM flags FINAL WHERE pipeline = %[1]s) AS f
  ON f.entity_type = o.entity_type AND f.entity_id = o.entity_id AND f.flag = o.flag
WHERE o.pipeline = %[1]s AND o.run_id = %[2]s
GROUP BY o.entity_type, o.entity_id, o.pipeline, o.flag
UNION ALL
SELECT f.entity_type, f.entity_id, f.pipeline, f.flag, f.reason, f.evidence, f.first_detected, f.last_detected, 0, %[4]s, %[2]s, %[5]d
FROM (SELECT * FROM flags FINAL WHERE pipeline = %[1]s AND active = 1) AS f
WHERE (f.entity_type, f.entity_id, f.flag) NOT IN (SELECT entity_type, entity_id, flag FROM flag_observations WHERE pipeline = %[1]s AND run_id = %[2]s)
  AND ((f.entity_type, f.entity_id) IN (SELECT entity_type, entity_id FROM entity_seen WHERE pipeline = %[1]s AND run_id = %[2]s)
       OR has(%[6]s, f.flag))`,
		p, r, version, "toDateTime64("+Quote(now.Format("2006-01-02 15:04:05.000"))+", 3, 'UTC')", version+1, rules)
	if err := w.Exec(ctx, q); err != nil {
		return fmt.Errorf("open and close flags for run %s: %w", runID, err)
	}
	return nil
}
