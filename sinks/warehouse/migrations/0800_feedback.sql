-- Feedback on the Local Offer (spreadsheet collector, entity: feedback):
-- comments from survey and mailbox exports, personal data removed by the
-- collector before the record exists (transform/pii), with the needs, age
-- bands and categories each mentions. The 0800s are feedback and the annual
-- report.
CREATE TABLE IF NOT EXISTS {{table "feedback"}}{{onCluster}} (
    id String COMMENT 'namespaced id: pipeline/feedback/<source id, or hash of date and scrubbed comment>',
    pipeline LowCardinality(String) COMMENT 'pipeline that produced it',
    run_id String COMMENT 'run that wrote this version',
    la_code LowCardinality(String) COMMENT 'GSS code of the LA whose Local Offer the comment is about',
    received_date Date COMMENT 'when the comment was received',
    comment String COMMENT 'the comment, with emails, phone numbers, postcodes, ID numbers and names replaced by [email], [phone], [postcode], [number], [name]',
    respondent LowCardinality(String) COMMENT 'parent_carer | young_person | professional | other; empty when not asked',
    about String COMMENT 'the service or page the comment names (scrubbed), empty when not given',
    response String COMMENT 'the reply published or sent (scrubbed), empty when none',
    response_date Nullable(Date) COMMENT 'when the reply was given',
    status LowCardinality(String) COMMENT 'open | answered | closed (answered when a response is given and the source states no status)',
    need_codes Array(LowCardinality(String)) COMMENT 'DfE need codes the comment mentions (transform/needs vocabulary)',
    age_bands Array(LowCardinality(String)) COMMENT 'age bands the comment mentions: 0-4, 5-10, 11-15, 16-18, 19-25',
    categories Array(LowCardinality(String)) COMMENT 'Local Offer categories the comment mentions (transform/categories rules)',
    redactions UInt16 COMMENT 'how many personal data items were replaced in comment, about and response',
    source_url String COMMENT 'file it was read from (the file itself is not kept)',
    fetched_at DateTime64(3, 'UTC') COMMENT 'when the file was fetched',
    content_hash String COMMENT 'hash of the normalised record',
    _version UInt64 COMMENT 'load time in nanoseconds'
) ENGINE = {{engine "feedback" "ReplacingMergeTree(_version)"}}
ORDER BY (pipeline, id)
COMMENT 'Comments on the Local Offer from families, young people and professionals, personal data removed before loading';
{{distributed "feedback" "cityHash64(id)"}}

CREATE OR REPLACE VIEW {{ref "feedback_current"}}{{onCluster}}
COMMENT 'One row per comment, latest version, with days_to_response and service_id: the canonical id of the LA''s current service whose name is what the comment is about (case-insensitive), empty when none matches'
AS SELECT
    f.id AS id, f.pipeline AS pipeline, f.la_code AS la_code, f.received_date AS received_date,
    toStartOfMonth(f.received_date) AS month,
    f.comment AS comment, f.respondent AS respondent, f.about AS about, f.response AS response,
    f.response_date AS response_date, f.status AS status,
    if(f.response_date IS NULL, NULL, dateDiff('day', f.received_date, assumeNotNull(f.response_date))) AS days_to_response,
    f.need_codes AS need_codes, f.age_bands AS age_bands, f.categories AS categories,
    s.service_id AS service_id,
    f.redactions AS redactions, f.source_url AS source_url, f.fetched_at AS fetched_at, f.run_id AS run_id, f._version AS _version
FROM (SELECT * FROM {{ref "feedback"}} ORDER BY _version DESC LIMIT 1 BY id) AS f
LEFT JOIN (
    SELECT la_code, lowerUTF8(trimBoth(name)) AS name_key, min(canonical_id) AS service_id
    FROM {{ref "services_current"}}
    GROUP BY la_code, name_key
) AS s ON s.la_code = f.la_code AND s.name_key = lowerUTF8(trimBoth(f.about));

CREATE OR REPLACE VIEW {{ref "feedback_themes"}}{{onCluster}}
COMMENT 'Comments by LA × category × need_code × age_band × month: comments, answered (status answered or closed), answered_share, median_days_to_response. A comment mentioning several categories, needs or bands counts once in each; empty means it mentioned none. Sum over one dimension at a time only'
AS SELECT
    la_code, category, need_code, age_band, month,
    count() AS comments,
    countIf(status IN ('answered', 'closed')) AS answered,
    round(answered / comments, 3) AS answered_share,
    quantileExactIf(0.5)(days_to_response, days_to_response IS NOT NULL) AS median_days_to_response
FROM {{ref "feedback_current"}}
ARRAY JOIN if(empty(categories), [''], categories) AS category
ARRAY JOIN if(empty(need_codes), [''], need_codes) AS need_code
ARRAY JOIN if(empty(age_bands), [''], age_bands) AS age_band
GROUP BY la_code, category, need_code, age_band, month;

CREATE OR REPLACE VIEW {{ref "feedback_monthly"}}{{onCluster}}
COMMENT 'Comments by LA × month, each counted once: comments, answered, answered_share, median_days_to_response, by respondent kind'
AS SELECT
    la_code, month,
    count() AS comments,
    countIf(status IN ('answered', 'closed')) AS answered,
    round(answered / comments, 3) AS answered_share,
    quantileExactIf(0.5)(days_to_response, days_to_response IS NOT NULL) AS median_days_to_response,
    countIf(respondent = 'parent_carer') AS parent_carers,
    countIf(respondent = 'young_person') AS young_people,
    countIf(respondent = 'professional') AS professionals
FROM {{ref "feedback_current"}}
GROUP BY la_code, month;

CREATE OR REPLACE VIEW {{ref "feedback_gaps"}}{{onCluster}}
COMMENT 'Families say / the data shows: each comment mentioning a need and an age band where the gap analysis (all categories, default thresholds) is none, stale_only or over_capacity, beside that gap''s status, severity and reason'
AS SELECT
    g.la_code AS la_code, g.la_name AS la_name, g.need_code AS need_code, g.age_band AS age_band,
    g.status AS gap_status, g.severity AS severity, g.reason AS gap_reason, g.demand AS demand, g.services AS services,
    f.id AS feedback_id, f.received_date AS received_date, f.respondent AS respondent, f.comment AS comment,
    f.status AS feedback_status, f.response AS response
FROM (
    SELECT id, la_code, received_date, respondent, comment, status, response, need_code, age_band
    FROM {{ref "feedback_current"}}
    ARRAY JOIN need_codes AS need_code
    ARRAY JOIN age_bands AS age_band
) AS f
INNER JOIN (
    SELECT la_code, la_name, need_code, age_band, status, severity, reason, demand, services
    FROM {{ref "gaps"}}
    WHERE category = 'all' AND status IN ('none', 'stale_only', 'over_capacity')
) AS g ON g.la_code = f.la_code AND g.need_code = f.need_code AND g.age_band = f.age_band;
