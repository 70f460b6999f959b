-- Feed health: per-source data quality and conformance over time.
-- A run's quality figures are measured once, when the run ends, into
-- source_health (one row per run), so a year of weekly history for every
-- source is a small table to read, not a re-scan of documents and flags.
-- conformance keeps the ORUK checks an API source passed or failed on each run.

ALTER TABLE {{table "documents"}}{{onCluster}} ADD COLUMN IF NOT EXISTS elapsed_ms UInt32 DEFAULT 0 COMMENT 'time from request to the whole body received, milliseconds (0 for files and before this column existed)';
{{alterDistributed "documents" "ADD COLUMN IF NOT EXISTS elapsed_ms UInt32 DEFAULT 0 COMMENT 'time from request to the whole body received, milliseconds'"}}

CREATE TABLE IF NOT EXISTS {{table "source_health"}}{{onCluster}} (
    run_id String COMMENT 'run measured',
    pipeline LowCardinality(String) COMMENT 'pipeline (source)',
    measured_at DateTime64(3, 'UTC') COMMENT 'when the run ended and was measured',
    services UInt64 COMMENT 'current services of this source after the run',
    services_active UInt64 COMMENT 'of those, with status active or no status (not closed)',
    assured_recent UInt64 COMMENT 'services whose assured_date is within staleness.assurance_after_days (ORUK three-month rule)',
    modified_recent UInt64 COMMENT 'services whose last_modified is within staleness.review_after_days',
    stale UInt64 COMMENT 'services with an open staleness flag (review_overdue, assurance_overdue, missing_from_source)',
    missing_from_source UInt64 COMMENT 'entities flagged missing_from_source (open)',
    open_flags Map(String, UInt64) COMMENT 'open flags of this source by kind after the run',
    documents_p50_ms Float64 COMMENT 'median response time of this run''s HTTP fetches, ms (0 when none)',
    documents_p95_ms Float64 COMMENT '95th percentile response time of this run''s HTTP fetches, ms',
    pagination_anomalies UInt64 COMMENT 'warnings of this run about pagination (wrong totals, repeated pages, duplicates across pages)',
    fields_repaired Map(String, UInt64) COMMENT 'fields repaired in this run, by rule (field_issues)',
    fields_dropped Map(String, UInt64) COMMENT 'fields dropped in this run, by rule (field_issues)',
    assurance_after_days UInt32 COMMENT 'the staleness.assurance_after_days the shares were measured with',
    review_after_days UInt32 COMMENT 'the staleness.review_after_days the shares were measured with',
    _version UInt64 COMMENT 'row version; the latest measurement of a run wins'
) ENGINE = {{engine "source_health" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, run_id)
COMMENT 'Quality of each source as measured at the end of each of its runs';
{{distributed "source_health" "cityHash64(pipeline)"}}

CREATE TABLE IF NOT EXISTS {{table "source_health_las"}}{{onCluster}} (
    run_id String COMMENT 'run measured',
    pipeline LowCardinality(String) COMMENT 'pipeline (source)',
    la_code LowCardinality(String) COMMENT 'GSS code of the LA the services serve',
    services UInt64 COMMENT 'current services of this source in this LA after the run',
    stale UInt64 COMMENT 'of those, with an open staleness flag (review_overdue, assurance_overdue, missing_from_source)',
    _version UInt64 COMMENT 'row version'
) ENGINE = {{engine "source_health_las" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, run_id, la_code)
COMMENT 'Each source''s services and stale services by local authority, measured at the end of each run';
{{distributed "source_health_las" "cityHash64(pipeline)"}}

CREATE TABLE IF NOT EXISTS {{table "conformance"}}{{onCluster}} (
    run_id String COMMENT 'run that made the check',
    pipeline LowCardinality(String) COMMENT 'pipeline (API source)',
    checked_at DateTime64(3, 'UTC') COMMENT 'when',
    check LowCardinality(String) COMMENT 'check name: root_endpoint, services_endpoint, service_detail_endpoint, page_envelope, pagination_totals, detail_matches_list, optional_endpoint:<path>',
    level UInt8 COMMENT 'ORUK validator level the check belongs to: 1 = required, 2 = recommended',
    passed UInt8 COMMENT '1 when the source passed it',
    detail String COMMENT 'what was seen when it failed',
    url String COMMENT 'URL checked (secrets masked)'
) ENGINE = {{engine "conformance" "ReplacingMergeTree"}}
ORDER BY (pipeline, run_id, check)
COMMENT 'Open Referral UK conformance checks of API sources, recorded on every run';
{{distributed "conformance" "cityHash64(pipeline)"}}

CREATE OR REPLACE VIEW {{ref "health_runs"}}{{onCluster}}
COMMENT 'One row per run with its quality figures: records, quarantine rate, field repairs and drops, open flags, freshness shares, response times, pagination anomalies, conformance level and status with its reason'
AS SELECT
    r.pipeline AS pipeline,
    r.run_id AS run_id,
    r.collector AS collector,
    r.started_at AS started_at,
    r.finished_at AS finished_at,
    r.status AS status,
    if(r.status_reason != '', r.status_reason, r.error) AS reason,
    r.full_sweep AS full_sweep,
    r.records_loaded + r.records_unchanged + r.records_quarantined AS records_seen,
    r.records_loaded AS records_loaded,
    r.records_unchanged AS records_unchanged,
    r.records_quarantined AS records_quarantined,
    if(records_seen = 0, 0, r.records_quarantined / records_seen) AS quarantine_rate,
    r.documents_fetched AS documents_fetched,
    r.documents_unchanged AS documents_unchanged,
    r.documents_failed AS documents_failed,
    r.warnings AS warnings,
    h.run_id != '' AS measured,
    h.services AS services,
    h.services_active AS services_active,
    if(h.services = 0, NULL, h.assured_recent / h.services) AS assured_share,
    if(h.services = 0, NULL, h.modified_recent / h.services) AS modified_share,
    if(h.services = 0, NULL, h.stale / h.services) AS stale_share,
    h.missing_from_source AS missing_from_source,
    h.open_flags AS open_flags,
    h.documents_p50_ms AS p50_ms,
    h.documents_p95_ms AS p95_ms,
    h.pagination_anomalies AS pagination_anomalies,
    h.fields_repaired AS fields_repaired,
    h.fields_dropped AS fields_dropped,
    c.checks AS conformance_checks,
    c.level AS conformance_level,
    c.failing AS conformance_failing
FROM (SELECT * FROM {{ref "runs"}} FINAL WHERE status != 'running') AS r
LEFT JOIN (SELECT * FROM {{ref "source_health"}} FINAL) AS h ON h.pipeline = r.pipeline AND h.run_id = r.run_id
LEFT JOIN (
    SELECT pipeline, run_id, count() AS checks,
        multiIf(countIf(level = 1 AND passed = 0) > 0, 0, countIf(level = 2 AND passed = 0) > 0, 1, 2) AS level,
        arraySort(groupArrayIf(CAST(check AS String), passed = 0)) AS failing
    FROM {{ref "conformance"}} FINAL
    GROUP BY pipeline, run_id
) AS c ON c.pipeline = r.pipeline AND c.run_id = r.run_id;

CREATE OR REPLACE VIEW {{ref "health_sources"}}{{onCluster}}
COMMENT 'Each source''s latest finished run with its quality figures, ranked: stale_rank by share of stale services (1 = most stale), quarantine_rank by quarantine rate (1 = highest)'
AS SELECT *,
    rank() OVER (ORDER BY ifNull(stale_share, -1) DESC) AS stale_rank,
    rank() OVER (ORDER BY quarantine_rate DESC) AS quarantine_rank
FROM (SELECT * FROM {{ref "health_runs"}} ORDER BY started_at DESC LIMIT 1 BY pipeline);

CREATE OR REPLACE VIEW {{ref "health_las"}}{{onCluster}}
COMMENT 'Local authorities ranked by the share of their current services that carry an open staleness flag (stale_rank 1 = most stale), as measured at each source''s latest run, with the quarantine rate of the sources that list services there'
AS SELECT
    l.la_code AS la_code,
    sum(l.services) AS services,
    sum(l.stale) AS stale,
    stale / services AS stale_share,
    sum(r.records_quarantined) / greatest(sum(r.records_loaded + r.records_unchanged + r.records_quarantined), 1) AS quarantine_rate,
    rank() OVER (ORDER BY stale_share DESC) AS stale_rank,
    rank() OVER (ORDER BY quarantine_rate DESC) AS quarantine_rank
FROM (SELECT * FROM {{ref "source_health_las"}} FINAL) AS l
INNER JOIN (
    SELECT pipeline, argMax(run_id, measured_at) AS run_id FROM {{ref "source_health"}} GROUP BY pipeline
) AS m ON m.pipeline = l.pipeline AND m.run_id = l.run_id
LEFT JOIN (SELECT * FROM {{ref "runs"}} FINAL) AS r ON r.pipeline = l.pipeline AND r.run_id = l.run_id
WHERE l.la_code != ''
GROUP BY l.la_code;
