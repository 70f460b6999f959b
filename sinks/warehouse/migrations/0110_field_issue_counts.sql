-- Per-run counts of repairs and drops by rule (a migration of its own:
-- warehouses that applied 0100 before this table existed get it too).

CREATE TABLE IF NOT EXISTS {{table "field_issue_counts"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    run_id String COMMENT 'run',
    entity_type LowCardinality(String) COMMENT 'record kind',
    action LowCardinality(String) COMMENT 'repaired | dropped',
    rule LowCardinality(String) COMMENT 'rule that acted (see field_issues.rule)',
    fields UInt64 COMMENT 'how many fields this rule repaired or dropped in this run (unchanged records included)',
    counted_at DateTime64(3, 'UTC') COMMENT 'when the run counted them'
) ENGINE = {{engine "field_issue_counts" "MergeTree"}}
ORDER BY (pipeline, run_id, entity_type, action, rule)
COMMENT 'Per run, how many fields each rule repaired or dropped: the history field_issues (one row per issue, latest sighting) does not keep';
{{distributed "field_issue_counts" "cityHash64(run_id)"}}
