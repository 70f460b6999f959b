// Package afterrun holds the steps that run on the warehouse after records are
// loaded: the warehouse-level flags after each run (After) and cross-source
// matching after a group of runs (Matcher). They are SQL over stored rows, not
// transforms of records, so they live beside the runner rather than in
// transform/.
package afterrun

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// After is the work done once a run's records are loaded: the flags that need
// other runs or other sources (missing_from_source, status_conflict,
// broken_link) for the run's pipeline. It satisfies runner.AfterRun.
// Cross-source matching is not here: it runs once after all the runs
// (Matcher), and status_conflict uses the clusters of the latest pass.
type After struct {
	Staleness config.Staleness
	Log       *slog.Logger
	Now       func() time.Time
}

// NewAfter builds the after-run step from the configuration.
func NewAfter(cfg *config.Config, log *slog.Logger) *After {
	return &After{Staleness: cfg.Staleness, Log: log, Now: time.Now}
}

// RuleFlags names the flags evaluated for the whole pipeline on every run, so
// an open one that is not raised again is closed. missing_from_source and
// broken_link are not listed: they close when their entity is seen again
// without them, and stay open while it is not seen (an incremental run says
// nothing about it).
func (a *After) RuleFlags() []string { return []string{schema.FlagStatusConflict} }

// AfterRun raises the warehouse-level flags for run's pipeline.
func (a *After) AfterRun(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) error {
	now := a.Now().UTC()
	var obs [][]any
	for _, rule := range []func(context.Context, *warehouse.Warehouse, *warehouse.Run) ([]observation, error){
		a.missingFromSource, a.statusConflicts, a.brokenLinks,
	} {
		o, err := rule(ctx, w, run)
		if err != nil {
			return err
		}
		for _, x := range o {
			obs = append(obs, []any{run.RunID, run.Pipeline, x.EntityType, x.EntityID, x.Flag, x.Reason, x.Evidence, now})
		}
	}
	if len(obs) == 0 {
		return nil
	}
	if err := w.Insert(ctx, "flag_observations", []string{"run_id", "pipeline", "entity_type", "entity_id", "flag", "reason", "evidence", "observed_at"}, obs); err != nil {
		return fmt.Errorf("record warehouse-level flags for run %s: %w", run.RunID, err)
	}
	return nil
}

type observation struct {
	EntityType string `json:"entity_type"`
	EntityID   string `json:"entity_id"`
	Flag       string `json:"flag"`
	Reason     string `json:"reason"`
	Evidence   string `json:"evidence"`
}

// missingFromSource: after a full sweep, entities this pipeline has seen
// before but not in any of its last missing_after_runs full sweeps (this run
// included). With fewer full sweeps than that on record, nothing is flagged.
func (a *After) missingFromSource(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) ([]observation, error) {
	n := a.Staleness.MissingAfterRuns
	if !run.FullSweep || n <= 0 {
		return nil, nil
	}
	p := warehouse.Quote(run.Pipeline)
	type sweep struct {
		RunID string `json:"run_id"`
	}
	prev, err := warehouse.QueryInto[sweep](ctx, w, fmt.Sprintf(`SELECT run_id FROM runs FINAL
WHERE pipeline = %s AND full_sweep = 1 AND status IN ('ok', 'degraded') AND run_id != %s
ORDER BY started_at DESC LIMIT %d`, p, warehouse.Quote(run.RunID), n-1))
	if err != nil {
		return nil, fmt.Errorf("missing_from_source: read full sweeps of %s: %w", run.Pipeline, err)
	}
	if len(prev)+1 < n {
		return nil, nil
	}
	ids := []string{warehouse.Quote(run.RunID)}
	for _, r := range prev {
		ids = append(ids, warehouse.Quote(r.RunID))
	}
	q := fmt.Sprintf(`SELECT entity_type, entity_id, %s AS flag,
  concat('not in the last ', toString(%d), ' full sweeps of ', %s, ' (staleness.missing_after_runs)') AS reason,
  concat('last seen ', formatDateTime(max(seen_at), '%%Y-%%m-%%d'), ' in run ', argMax(run_id, seen_at)) AS evidence
FROM entity_seen
WHERE pipeline = %s AND entity_type IN ('service', 'organization', 'location', 'sen_report')
GROUP BY entity_type, entity_id
HAVING countIf(run_id IN (%s)) = 0`, warehouse.Quote(schema.FlagMissingFromSource), n, p, p, strings.Join(ids, ","))
	obs, err := warehouse.QueryInto[observation](ctx, w, q)
	if err != nil {
		return nil, fmt.Errorf("missing_from_source for %s: %w", run.Pipeline, err)
	}
	return obs, nil
}

// statusConflicts: a service of this pipeline that is active while a matched
// record from another pipeline says inactive or defunct, or the reverse.
func (a *After) statusConflicts(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) ([]observation, error) {
	return statusConflicts(ctx, w, run.Pipeline)
}

func statusConflicts(ctx context.Context, w *warehouse.Warehouse, pipeline string) ([]observation, error) {
	if linked, err := mayShareCluster(ctx, w, pipeline); err != nil || !linked {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT 'service' AS entity_type, s.id AS entity_id, %s AS flag,
  concat('status is ', s.status, ' here but ', o.status, ' in ', o.pipeline) AS reason,
  concat(o.id, ' status ', o.status) AS evidence
FROM (SELECT id, status, canonical_id FROM services_current WHERE pipeline = %s) AS s
INNER JOIN (SELECT id, pipeline, status, canonical_id FROM services_current WHERE pipeline != %s) AS o
  ON o.canonical_id = s.canonical_id
WHERE (s.status = 'active' AND o.status IN ('inactive', 'defunct'))
   OR (s.status IN ('inactive', 'defunct') AND o.status = 'active')
ORDER BY entity_id, evidence
LIMIT 1 BY entity_id`, warehouse.Quote(schema.FlagStatusConflict), warehouse.Quote(pipeline), warehouse.Quote(pipeline))
	obs, err := warehouse.QueryInto[observation](ctx, w, q)
	if err != nil {
		return nil, fmt.Errorf("status_conflict for %s: %w", pipeline, err)
	}
	return obs, nil
}

// mayShareCluster reports whether a current service of pipeline can share
// its canonical id with a service of another pipeline; when it cannot, there
// is no status conflict to look for, and the whole-warehouse join is skipped.
// Two services share a canonical id only if matching gave one of them
// another's id (an entity_matches row whose canonical_id is not its own id,
// and one end is the pipeline's) or a source gave a canonical id of its own.
// Every version counts, so the answer errs only towards looking.
func mayShareCluster(ctx context.Context, w *warehouse.Warehouse, pipeline string) (bool, error) {
	linked, err := pipelinesMayShareCluster(ctx, w, []string{pipeline})
	if err != nil {
		return false, fmt.Errorf("status_conflict for %s: %w", pipeline, err)
	}
	return linked[pipeline], nil
}

// pipelinesMayShareCluster is mayShareCluster for many pipelines in one
// query (the matching pass asks it for every run of a group at once).
func pipelinesMayShareCluster(ctx context.Context, w *warehouse.Warehouse, pipelines []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(pipelines) == 0 {
		return out, nil
	}
	names := make([]string, len(pipelines))
	for i, p := range pipelines {
		names[i] = warehouse.Quote(p)
	}
	type row struct {
		Pipeline string `json:"pipeline"`
	}
	rows, err := warehouse.QueryInto[row](ctx, w, fmt.Sprintf(`SELECT DISTINCT CAST(pipeline AS String) AS pipeline FROM services
WHERE pipeline IN (%[1]s) AND (
  (SELECT count() FROM (SELECT 1 FROM services WHERE canonical_id != '' AND canonical_id != id LIMIT 1)) > 0
  OR id IN (SELECT entity_id FROM entity_matches WHERE entity_type = 'service' AND canonical_id != entity_id)
  OR id IN (SELECT canonical_id FROM entity_matches WHERE entity_type = 'service' AND canonical_id != entity_id))`, strings.Join(names, ", ")))
	if err != nil {
		return nil, fmt.Errorf("look for linked services: %w", err)
	}
	for _, r := range rows {
		out[r.Pipeline] = true
	}
	return out, nil
}

// brokenLinks: a service page, organisation website or SEN report URL of this
// pipeline that answered 404 or 410 when this run fetched it (the documents
// table). Collectors that meet a dead link raise broken_link on the record
// themselves too; both end up in the same flag.
func (a *After) brokenLinks(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) ([]observation, error) {
	p, r := warehouse.Quote(run.Pipeline), warehouse.Quote(run.RunID)
	// Only when one of the pipeline's own rows (any version) names a URL
	// that answered 404 or 410 in this run is the whole-warehouse join run:
	// the checks read the run's documents and the pipeline's rows only.
	type deadURL struct {
		URL string `json:"url"`
	}
	dead, err := warehouse.QueryInto[deadURL](ctx, w, fmt.Sprintf(`SELECT url FROM documents WHERE pipeline = %s AND run_id = %s
GROUP BY url HAVING argMax(status, fetched_at) IN (404, 410)`, p, r))
	if err != nil {
		return nil, fmt.Errorf("broken_link for %s: read dead documents: %w", run.Pipeline, err)
	}
	if len(dead) == 0 {
		return nil, nil
	}
	urls := make([]string, len(dead))
	for i, d := range dead {
		urls[i] = warehouse.Quote(d.URL)
	}
	list := strings.Join(urls, ", ")
	n, err := warehouse.QueryScalar[int](ctx, w, fmt.Sprintf(`SELECT
  (SELECT count() FROM services WHERE pipeline = %[1]s AND url IN (%[2]s))
  + (SELECT count() FROM organizations WHERE pipeline = %[1]s AND website IN (%[2]s))
  + (SELECT count() FROM sen_reports WHERE pipeline = %[1]s AND report_url IN (%[2]s))`, p, list))
	if err != nil {
		return nil, fmt.Errorf("broken_link for %s: look for dead links: %w", run.Pipeline, err)
	}
	if n == 0 {
		return nil, nil
	}
	q := fmt.Sprintf(`SELECT e.entity_type AS entity_type, e.id AS entity_id, %s AS flag,
  concat(e.field, ' answered HTTP ', toString(d.last_status)) AS reason,
  concat(d.url, ' ', toString(d.last_status), ' at ', formatDateTime(d.last_at, '%%Y-%%m-%%d %%H:%%i')) AS evidence
FROM (
  SELECT 'service' AS entity_type, id, 'service url' AS field, url AS u FROM services_current WHERE pipeline = %s AND url != ''
  UNION ALL
  SELECT 'organization', id, 'website', website FROM organizations_current WHERE pipeline = %s AND website != ''
  UNION ALL
  SELECT 'sen_report', id, 'report url', report_url FROM sen_reports_current WHERE pipeline = %s AND report_url != ''
) AS e
INNER JOIN (
  SELECT url, argMax(status, fetched_at) AS last_status, max(fetched_at) AS last_at
  FROM documents WHERE pipeline = %s AND run_id = %s GROUP BY url
) AS d ON d.url = e.u
WHERE d.last_status IN (404, 410)`, warehouse.Quote(schema.FlagBrokenLink), p, p, p, p, r)
	obs, err := warehouse.QueryInto[observation](ctx, w, q)
	if err != nil {
		return nil, fmt.Errorf("broken_link for %s: %w", run.Pipeline, err)
	}
	return obs, nil
}
