-- Real-world fidelity: run statuses with reasons, repairs and drops of single
-- fields (field_issues), one quarantine row per record and set of errors, and
-- warnings grouped by kind.

ALTER TABLE {{table "runs"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS status_reason String COMMENT 'why the run is degraded or failed, in words (empty when ok)' AFTER status,
    ADD COLUMN IF NOT EXISTS fields_repaired UInt64 COMMENT 'field values repaired in this run (see field_issues)' AFTER records_quarantined,
    ADD COLUMN IF NOT EXISTS fields_dropped UInt64 COMMENT 'invalid fields and nested objects dropped from loaded records in this run (see field_issues)' AFTER fields_repaired,
    ADD COLUMN IF NOT EXISTS records_with_drops UInt64 COMMENT 'loaded records that lost at least one field' AFTER fields_dropped,
    MODIFY COLUMN status LowCardinality(String) COMMENT 'running | ok | degraded (data arrived, with named problems) | failed | interrupted';
{{if .Cluster}}ALTER TABLE runs{{onCluster}}
    ADD COLUMN IF NOT EXISTS status_reason String AFTER status,
    ADD COLUMN IF NOT EXISTS fields_repaired UInt64 AFTER records_quarantined,
    ADD COLUMN IF NOT EXISTS fields_dropped UInt64 AFTER fields_repaired,
    ADD COLUMN IF NOT EXISTS records_with_drops UInt64 AFTER fields_dropped;{{end}}

-- SELECT * views fix their columns when created: recreate over the new ones.
CREATE OR REPLACE VIEW {{ref "runs_latest"}}{{onCluster}}
COMMENT 'The latest run of each pipeline'
AS SELECT * FROM {{ref "runs"}} FINAL ORDER BY started_at DESC LIMIT 1 BY pipeline;

ALTER TABLE {{table "run_warnings"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS kind LowCardinality(String) COMMENT 'what kind of problem (missing_resource, dangling_key, or the message with its values blanked); at most 50 rows of a kind per run, then one row with the count' AFTER at;
{{if .Cluster}}ALTER TABLE run_warnings{{onCluster}} ADD COLUMN IF NOT EXISTS kind LowCardinality(String) AFTER at;{{end}}

CREATE TABLE IF NOT EXISTS {{table "field_issues"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    entity_type LowCardinality(String) COMMENT 'record kind: service, organization, location, …',
    record_id String COMMENT 'namespaced id of the record that was repaired or lost a field',
    pointer String COMMENT 'RFC 6901 JSON pointer of the field within the record, e.g. /organization/website or /service_at_locations/0/location',
    original_value String COMMENT 'the value as the source gave it (JSON for a dropped object); the raw document keeps it too',
    action LowCardinality(String) COMMENT 'repaired (the record holds repaired_value) or dropped (the record loaded without it)',
    repaired_value String COMMENT 'the value loaded instead; empty when dropped',
    rule LowCardinality(String) COMMENT 'rule that acted: url_scheme, email_cleanup, phone_format, time_format, enum_spelling, location_type_inferred, address_type_inferred, country_code, default_status, whitespace, phone_without_digits, invalid_field, invalid_nested_object, invalid_array_item, invalid_range',
    reason String COMMENT 'for a drop, what the validator said was wrong',
    source_url String COMMENT 'document the record came from',
    first_seen_run String COMMENT 'first run that met this issue',
    run_id String COMMENT 'last run that met this issue (the latest row wins)',
    first_seen_at DateTime64(3, 'UTC') COMMENT 'when it was first met',
    last_seen_at DateTime64(3, 'UTC') COMMENT 'when it was last met',
    _version UInt64 COMMENT 'row version (nanoseconds): the latest sighting wins'
) ENGINE = {{engine "field_issues" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, entity_type, record_id, pointer, rule)
COMMENT 'Every repair and drop of a single field: the record loaded, this says what was changed and why. One row per record, field and rule; reruns refresh last_seen_at';
{{distributed "field_issues" "cityHash64(record_id)"}}

-- quarantine becomes one row per record and set of errors: a rerun that meets
-- the same invalid record refreshes last_seen_run instead of adding a row.
{{if .Cluster}}DROP TABLE IF EXISTS quarantine{{onCluster}} SYNC;{{end}}
RENAME TABLE {{table "quarantine"}} TO {{table "quarantine_0001"}}{{onCluster}};

CREATE TABLE IF NOT EXISTS {{table "quarantine"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    entity_type LowCardinality(String) COMMENT 'record kind',
    record_id String COMMENT 'record id (empty when the record had none)',
    fingerprint String COMMENT 'hash of the errors (and of the payload when there is no id): one row per record and set of errors',
    source_url String COMMENT 'document it came from',
    errors String COMMENT 'JSON array of {pointer, message}',
    payload String COMMENT 'the rejected record as JSON' CODEC(ZSTD(1)),
    first_seen_run String COMMENT 'first run that quarantined it',
    last_seen_run String COMMENT 'last run that quarantined it (the latest row wins)',
    quarantined_at DateTime64(3, 'UTC') COMMENT 'when it was first quarantined',
    last_seen_at DateTime64(3, 'UTC') COMMENT 'when it was last quarantined',
    _version UInt64 COMMENT 'row version (nanoseconds): the latest sighting wins'
) ENGINE = {{engine "quarantine_v2" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, entity_type, record_id, fingerprint)
COMMENT 'Records without a usable identity (no id or name), with every reason; never silently dropped. One row per record and set of errors';
{{distributed "quarantine" "cityHash64(record_id)"}}

{{if not .Cluster}}INSERT INTO quarantine (pipeline, entity_type, record_id, fingerprint, source_url, errors, payload, first_seen_run, last_seen_run, quarantined_at, last_seen_at, _version)
SELECT pipeline, entity_type, record_id, lower(hex(MD5(concat(errors, if(record_id = '', payload, ''))))), argMax(source_url, quarantined_at),
       any(errors), argMax(payload, quarantined_at), argMin(run_id, quarantined_at), argMax(run_id, quarantined_at),
       min(quarantined_at), max(quarantined_at), toUInt64(toUnixTimestamp64Nano(max(quarantined_at)))
FROM quarantine_0001
GROUP BY pipeline, entity_type, record_id, errors, if(record_id = '', payload, '');
DROP TABLE quarantine_0001;{{end}}
