-- Core tables: the run ledger, fetched documents, and the entity tables.
-- Entity tables keep every distinct version of a record: the sort key includes
-- content_hash, so loading the same content twice collapses to one row
-- (ReplacingMergeTree on _version) while a change adds exactly one new row.
-- The *_current views pick the latest version of each id.

CREATE TABLE IF NOT EXISTS {{table "runs"}}{{onCluster}} (
    run_id String COMMENT 'unique id of one run of one pipeline',
    pipeline LowCardinality(String) COMMENT 'pipeline name from pipelines.yaml',
    collector LowCardinality(String) COMMENT 'collector type',
    started_at DateTime64(3, 'UTC') COMMENT 'when the run started',
    finished_at Nullable(DateTime64(3, 'UTC')) COMMENT 'when it finished; NULL while running',
    status LowCardinality(String) COMMENT 'running | ok | failed',
    full_sweep UInt8 COMMENT '1 when the collector walked the whole source (deletions can be inferred)',
    documents_fetched UInt64 COMMENT 'documents fetched with a new body',
    documents_unchanged UInt64 COMMENT 'documents answered 304 or identical to the stored copy',
    documents_failed UInt64 COMMENT 'fetches that failed',
    records_loaded UInt64 COMMENT 'records written as new versions',
    records_unchanged UInt64 COMMENT 'records identical to their current version (nothing written)',
    records_quarantined UInt64 COMMENT 'records that failed validation (see quarantine)',
    flags_raised UInt64 COMMENT 'flag observations made in this run',
    warnings UInt64 COMMENT 'warnings recorded in run_warnings',
    error String COMMENT 'why the run failed; empty when ok',
    _version UInt64 COMMENT 'row version (nanoseconds); the latest row of a run wins'
) ENGINE = {{engine "runs" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, run_id)
COMMENT 'Ledger of pipeline runs: one row per run, updated when it finishes';
{{distributed "runs" "cityHash64(run_id)"}}

CREATE TABLE IF NOT EXISTS {{table "run_warnings"}}{{onCluster}} (
    run_id String COMMENT 'run that recorded the warning',
    pipeline LowCardinality(String) COMMENT 'pipeline name',
    at DateTime64(3, 'UTC') COMMENT 'when it was recorded',
    source_url String COMMENT 'document or page concerned',
    record_id String COMMENT 'record concerned, if any',
    message String COMMENT 'what was wrong (e.g. pagination metadata disagrees with what was received)'
) ENGINE = {{engine "run_warnings" "MergeTree"}}
ORDER BY (pipeline, run_id, at)
COMMENT 'Non-fatal problems met during runs';
{{distributed "run_warnings" "cityHash64(run_id)"}}

CREATE TABLE IF NOT EXISTS {{table "documents"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline that fetched it',
    run_id String COMMENT 'run that fetched it',
    url String COMMENT 'URL or file path as requested',
    final_url String COMMENT 'URL after redirects',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when it was fetched',
    status UInt16 COMMENT 'HTTP status (200 for files, 304 when unchanged)',
    content_type String COMMENT 'Content-Type as served',
    etag String COMMENT 'ETag validator for conditional GETs',
    last_modified String COMMENT 'Last-Modified validator for conditional GETs',
    sha256 String COMMENT 'SHA-256 of the body: the blob store key',
    size UInt64 COMMENT 'body size in bytes',
    not_modified UInt8 COMMENT '1 when the body is unchanged since the last fetch',
    blob_path String COMMENT 'where the raw body is kept (content-addressed)'
) ENGINE = {{engine "documents" "MergeTree"}}
ORDER BY (pipeline, url, fetched_at)
COMMENT 'Provenance of every fetched document; raw bodies are kept content-addressed in the blob store';
{{distributed "documents" "cityHash64(url)"}}

CREATE TABLE IF NOT EXISTS {{table "organizations"}}{{onCluster}} (
    id String COMMENT 'namespaced id: pipeline/source id',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote this version',
    name String COMMENT 'organisation name',
    organization_type LowCardinality(String) COMMENT 'school, local_authority, provider, …',
    website String COMMENT 'website URL',
    email String COMMENT 'contact email',
    la_code LowCardinality(String) COMMENT 'GSS code of its local authority',
    identifiers Array(String) COMMENT 'third-party identifiers as scheme:value (GB-URN:100000, GB-UKPRN:…)',
    canonical_id String COMMENT 'id of the real-world entity after cross-source matching',
    source_url String COMMENT 'document it came from',
    source_id String COMMENT 'id as the source had it',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the source document was fetched',
    document_sha256 String COMMENT 'source document hash',
    content_hash String COMMENT 'hash of the normalised record; equal hashes mean no change',
    payload String COMMENT 'the full normalised record as JSON' CODEC(ZSTD(1)),
    _version UInt64 COMMENT 'load time in nanoseconds; the latest version wins'
) ENGINE = {{engine "organizations" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id, content_hash)
COMMENT 'Organisations (HSDS organization): every distinct version';
{{distributed "organizations" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "services"}}{{onCluster}} (
    id String COMMENT 'namespaced id: pipeline/source id',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote this version',
    name String COMMENT 'service name',
    status LowCardinality(String) COMMENT 'active | inactive | defunct | temporarily closed',
    organization_id String COMMENT 'namespaced id of the organisation providing it',
    description String COMMENT 'description',
    url String COMMENT 'service web page',
    email String COMMENT 'contact email',
    min_age Nullable(Float64) COMMENT 'youngest age served, years; NULL when unknown',
    max_age Nullable(Float64) COMMENT 'oldest age served, years; NULL when unknown',
    age_text String COMMENT 'source wording the ages came from',
    need_codes Array(LowCardinality(String)) COMMENT 'DfE need codes served (SPLD, MLD, …, ASD, OTH, NSA)',
    broad_areas Array(LowCardinality(String)) COMMENT 'Code of Practice broad areas served',
    categories Array(LowCardinality(String)) COMMENT 'Local Offer categories (education, health, …)',
    la_code LowCardinality(String) COMMENT 'GSS code of the LA it serves',
    postcode String COMMENT 'postcode of its first physical location',
    capacity_available Nullable(Float64) COMMENT 'places available (HSDS 3.1 service_capacity)',
    capacity_maximum Nullable(Float64) COMMENT 'maximum places',
    has_contact UInt8 COMMENT '1 when it has an email, phone, URL or contact',
    assured_date Nullable(Date) COMMENT 'when the record was last assured by its owner',
    last_modified Nullable(DateTime64(3, 'UTC')) COMMENT 'when the source last changed it',
    canonical_id String COMMENT 'id of the real-world service after cross-source matching',
    source_url String COMMENT 'document it came from',
    source_id String COMMENT 'id as the source had it',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the source document was fetched',
    document_sha256 String COMMENT 'source document hash',
    content_hash String COMMENT 'hash of the normalised record; equal hashes mean no change',
    payload String COMMENT 'the full normalised record as JSON (HSDS service with SEND profile)' CODEC(ZSTD(1)),
    _version UInt64 COMMENT 'load time in nanoseconds; the latest version wins'
) ENGINE = {{engine "services" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id, content_hash)
COMMENT 'Services (HSDS service with the SEND profile): every distinct version';
{{distributed "services" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "locations"}}{{onCluster}} (
    id String COMMENT 'namespaced id: pipeline/source id',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote this version',
    organization_id String COMMENT 'namespaced organisation id',
    name String COMMENT 'location name',
    location_type LowCardinality(String) COMMENT 'physical | postal | virtual',
    address String COMMENT 'first address on one line',
    postcode String COMMENT 'postcode, normalised (AB1 2CD)',
    latitude Nullable(Float64) COMMENT 'WGS84 latitude',
    longitude Nullable(Float64) COMMENT 'WGS84 longitude',
    la_code LowCardinality(String) COMMENT 'GSS code of its local authority',
    la_code_old LowCardinality(String) COMMENT 'DfE three-digit LA code',
    ward_code String COMMENT 'GSS ward code',
    lsoa_code String COMMENT 'GSS LSOA code',
    source_url String COMMENT 'document it came from',
    source_id String COMMENT 'id as the source had it',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the source document was fetched',
    content_hash String COMMENT 'hash of the normalised record',
    payload String COMMENT 'the full normalised record as JSON' CODEC(ZSTD(1)),
    _version UInt64 COMMENT 'load time in nanoseconds'
) ENGINE = {{engine "locations" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id, content_hash)
COMMENT 'Locations (HSDS location) with area codes: every distinct version';
{{distributed "locations" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "service_at_locations"}}{{onCluster}} (
    id String COMMENT 'namespaced id',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote it',
    service_id String COMMENT 'namespaced service id',
    location_id String COMMENT 'namespaced location id',
    _version UInt64 COMMENT 'load time in nanoseconds'
) ENGINE = {{engine "service_at_locations" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, service_id, location_id)
COMMENT 'Which service is delivered at which location';
{{distributed "service_at_locations" "cityHash64(service_id)"}}

CREATE TABLE IF NOT EXISTS {{table "sen_reports"}}{{onCluster}} (
    id String COMMENT 'namespaced id: pipeline/URN',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote this version',
    urn String COMMENT 'school URN (GIAS)',
    school_name String COMMENT 'school name',
    la_code LowCardinality(String) COMMENT 'GSS code of the school''s LA',
    site_url String COMMENT 'school website searched',
    report_url String COMMENT 'URL of the SEN information report found',
    report_format LowCardinality(String) COMMENT 'html | pdf | docx',
    found UInt8 COMMENT '1 when a report was found',
    discovery_score Float64 COMMENT 'score of the chosen link',
    runners_up Array(String) COMMENT 'next-best candidate URLs',
    report_date Nullable(Date) COMMENT 'the report''s own date (reviewed/updated/year)',
    report_date_source LowCardinality(String) COMMENT 'where the date came from (text, title, url, pdf_metadata, http_last_modified = weak)',
    senco_name String COMMENT 'SENCO named in the report',
    senco_email String COMMENT 'SENCO email',
    senco_phone String COMMENT 'SENCO phone',
    items_present Array(LowCardinality(String)) COMMENT 'Schedule 1 items the report covers',
    items_missing Array(LowCardinality(String)) COMMENT 'Schedule 1 items it lacks',
    need_codes Array(LowCardinality(String)) COMMENT 'kinds of need named, as DfE codes',
    legacy_terms Array(String) COMMENT 'pre-2014 terms found (School Action, Statement of SEN)',
    local_offer_url String COMMENT 'link to the LA Local Offer',
    problem String COMMENT 'why no report was found (dead site, robots, caps)',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the report was fetched',
    document_sha256 String COMMENT 'hash of the report document',
    content_hash String COMMENT 'hash of the extracted record',
    payload String COMMENT 'the full record as JSON, with evidence excerpts' CODEC(ZSTD(1)),
    _version UInt64 COMMENT 'load time in nanoseconds'
) ENGINE = {{engine "sen_reports" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id, content_hash)
COMMENT 'School SEN information reports: one row per school per change';
{{distributed "sen_reports" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "demand"}}{{onCluster}} (
    id String COMMENT 'deterministic id from the dimensions',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote it',
    period LowCardinality(String) COMMENT 'time period as published, e.g. 202425',
    geographic_level LowCardinality(String) COMMENT 'National | Regional | Local authority',
    la_code LowCardinality(String) COMMENT 'GSS LA code (empty above LA level)',
    la_code_old LowCardinality(String) COMMENT 'DfE three-digit LA code',
    la_name String COMMENT 'LA name as published',
    region_code LowCardinality(String) COMMENT 'GSS region code',
    need_code LowCardinality(String) COMMENT 'DfE need code; empty for all needs',
    age_min Nullable(UInt8) COMMENT 'youngest age in the row; NULL for all ages',
    age_max Nullable(UInt8) COMMENT 'oldest age; equal to age_min for a single year',
    measure LowCardinality(String) COMMENT 'all_plans, new_plans, caseload, …',
    placement LowCardinality(String) COMMENT 'setting type for caseload rows; empty otherwise',
    count Nullable(Float64) COMMENT 'the published count; NULL where suppressed (x, z, c)',
    source String COMMENT 'publication the figure comes from',
    source_url String COMMENT 'file it was read from',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the file was fetched',
    content_hash String COMMENT 'hash of the normalised record',
    _version UInt64 COMMENT 'load time in nanoseconds; revisions replace older figures'
) ENGINE = {{engine "demand" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id)
COMMENT 'Need: EHC plans and placements by area, need, age and period';
{{distributed "demand" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "capacity"}}{{onCluster}} (
    id String COMMENT 'namespaced id',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote it',
    organization_id String COMMENT 'namespaced organisation id of the setting',
    urn String COMMENT 'school URN',
    name String COMMENT 'setting name',
    la_code LowCardinality(String) COMMENT 'GSS LA code',
    provision_type LowCardinality(String) COMMENT 'special_school | resourced_provision | sen_unit | other',
    need_codes Array(LowCardinality(String)) COMMENT 'needs the places are for',
    age_min Nullable(UInt8) COMMENT 'youngest age',
    age_max Nullable(UInt8) COMMENT 'oldest age',
    places Nullable(Float64) COMMENT 'capacity (places)',
    number_on_roll Nullable(Float64) COMMENT 'pupils on roll',
    as_of Nullable(Date) COMMENT 'date the figures refer to',
    source_url String COMMENT 'file it was read from',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the file was fetched',
    content_hash String COMMENT 'hash of the normalised record',
    _version UInt64 COMMENT 'load time in nanoseconds'
) ENGINE = {{engine "capacity" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id)
COMMENT 'Specialist places: capacity against number on roll';
{{distributed "capacity" "cityHash64(id)"}}

CREATE TABLE IF NOT EXISTS {{table "flag_observations"}}{{onCluster}} (
    run_id String COMMENT 'run that observed it',
    pipeline LowCardinality(String) COMMENT 'pipeline',
    entity_type LowCardinality(String) COMMENT 'service, organization, location, sen_report, …',
    entity_id String COMMENT 'namespaced entity id',
    flag LowCardinality(String) COMMENT 'flag name',
    reason String COMMENT 'readable reason',
    evidence String COMMENT 'what was seen',
    observed_at DateTime64(3, 'UTC') COMMENT 'when'
) ENGINE = {{engine "flag_observations" "MergeTree"}}
ORDER BY (pipeline, run_id, entity_type, entity_id, flag)
TTL toDateTime(observed_at) + INTERVAL 90 DAY
COMMENT 'Raw flag observations per run; reconciled into flags at the end of each run';
{{distributed "flag_observations" "cityHash64(entity_id)"}}

CREATE TABLE IF NOT EXISTS {{table "flags"}}{{onCluster}} (
    entity_type LowCardinality(String) COMMENT 'service, organization, location, sen_report, …',
    entity_id String COMMENT 'namespaced entity id',
    pipeline LowCardinality(String) COMMENT 'pipeline whose data raised it',
    flag LowCardinality(String) COMMENT 'stable snake_case name: assurance_overdue, review_overdue, missing_from_source, no_contact, broken_link, report_stale, …',
    reason String COMMENT 'readable reason',
    evidence String COMMENT 'what was seen: a date, a URL, a status',
    first_detected DateTime64(3, 'UTC') COMMENT 'first run that raised it',
    last_detected DateTime64(3, 'UTC') COMMENT 'latest run that raised it',
    active UInt8 COMMENT '1 while it holds; 0 once cleared (closed, not deleted)',
    closed_at Nullable(DateTime64(3, 'UTC')) COMMENT 'when it cleared',
    run_id String COMMENT 'run that wrote this state',
    _version UInt64 COMMENT 'row version; the latest state wins'
) ENGINE = {{engine "flags" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, entity_type, entity_id, flag)
COMMENT 'Data-quality and staleness flags with their history';
{{distributed "flags" "cityHash64(entity_id)"}}

CREATE TABLE IF NOT EXISTS {{table "quarantine"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    run_id String COMMENT 'run',
    quarantined_at DateTime64(3, 'UTC') COMMENT 'when',
    entity_type LowCardinality(String) COMMENT 'record kind',
    record_id String COMMENT 'record id (may be empty when the record had none)',
    source_url String COMMENT 'document it came from',
    errors String COMMENT 'JSON array of {pointer, message}',
    payload String COMMENT 'the rejected record as JSON' CODEC(ZSTD(1))
) ENGINE = {{engine "quarantine" "MergeTree"}}
ORDER BY (pipeline, run_id, record_id)
COMMENT 'Records that failed validation, with the reasons; never silently dropped';
{{distributed "quarantine" "cityHash64(record_id)"}}

CREATE TABLE IF NOT EXISTS {{table "entity_seen"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    run_id String COMMENT 'run that saw it',
    entity_type LowCardinality(String) COMMENT 'record kind',
    entity_id String COMMENT 'namespaced id',
    seen_at DateTime64(3, 'UTC') COMMENT 'when'
) ENGINE = {{engine "entity_seen" "ReplacingMergeTree"}}
ORDER BY (pipeline, entity_type, entity_id, run_id)
COMMENT 'Which entities each run saw, changed or not: the basis of missing_from_source';
{{distributed "entity_seen" "cityHash64(entity_id)"}}

CREATE TABLE IF NOT EXISTS {{table "pipeline_state"}}{{onCluster}} (
    pipeline LowCardinality(String) COMMENT 'pipeline',
    key String COMMENT 'state key, e.g. last_full_sweep, modified_after',
    value String COMMENT 'state value',
    updated_at DateTime64(3, 'UTC') COMMENT 'when it was last set',
    _version UInt64 COMMENT 'row version'
) ENGINE = {{engine "pipeline_state" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, key)
COMMENT 'Incremental state of each pipeline, committed only when a run succeeds';
{{distributed "pipeline_state" "cityHash64(pipeline)"}}

CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id'
AS SELECT
    id, pipeline, name, status, organization_id, description, url, email,
    min_age, max_age, age_text, need_codes, broad_areas, categories, la_code, postcode,
    capacity_available, capacity_maximum, has_contact, assured_date, last_modified,
    if(canonical_id = '', id, canonical_id) AS canonical_id,
    source_url, source_id, fetched_at, document_sha256, run_id, payload, _version
FROM {{ref "services"}}
ORDER BY _version DESC
LIMIT 1 BY id;

CREATE OR REPLACE VIEW {{ref "organizations_current"}}{{onCluster}}
COMMENT 'One row per current organisation'
AS SELECT * FROM {{ref "organizations"}} ORDER BY _version DESC LIMIT 1 BY id;

CREATE OR REPLACE VIEW {{ref "locations_current"}}{{onCluster}}
COMMENT 'One row per current location'
AS SELECT * FROM {{ref "locations"}} ORDER BY _version DESC LIMIT 1 BY id;

CREATE OR REPLACE VIEW {{ref "sen_reports_current"}}{{onCluster}}
COMMENT 'One row per school: its latest SEN report record'
AS SELECT * FROM {{ref "sen_reports"}} ORDER BY _version DESC LIMIT 1 BY id;

CREATE OR REPLACE VIEW {{ref "flags_current"}}{{onCluster}}
COMMENT 'Flags that hold now'
AS SELECT entity_type, entity_id, pipeline, flag, reason, evidence, first_detected, last_detected
FROM {{ref "flags"}} FINAL
WHERE active = 1;

CREATE OR REPLACE VIEW {{ref "runs_latest"}}{{onCluster}}
COMMENT 'The latest run of each pipeline'
AS SELECT * FROM {{ref "runs"}} FINAL ORDER BY started_at DESC LIMIT 1 BY pipeline;
