-- Cross-source matching (transform/match): which records from different
-- pipelines are the same real-world organisation or service, and the
-- canonical id of each. Every matching pass rewrites the canonical id of every
-- entity it saw; the latest pass wins.

CREATE TABLE IF NOT EXISTS {{table "entity_match_passes"}}{{onCluster}} (
    entity_type LowCardinality(String) COMMENT 'organization or service',
    pass_id String COMMENT 'id of the matching pass (the run after which it ran)',
    pipeline LowCardinality(String) COMMENT 'pipeline whose run triggered the pass',
    matched_at DateTime64(3, 'UTC') COMMENT 'when the pass ran',
    threshold Float64 COMMENT 'name + postcode score at or above which records were linked (transform.match_threshold)',
    entities UInt64 COMMENT 'records compared',
    links UInt64 COMMENT 'links found',
    groups UInt64 COMMENT 'records with another record in their group',
    _version UInt64 COMMENT 'pass time in nanoseconds'
) ENGINE = {{engine "entity_match_passes" "ReplacingMergeTree(_version)"}}
ORDER BY (entity_type, pass_id)
COMMENT 'One row per matching pass and entity type: what was compared and found';
{{distributed "entity_match_passes" "cityHash64(pass_id)"}}

CREATE TABLE IF NOT EXISTS {{table "entity_links"}}{{onCluster}} (
    entity_type LowCardinality(String) COMMENT 'organization or service',
    id_a String COMMENT 'namespaced id of one record (the smaller id of the pair)',
    id_b String COMMENT 'namespaced id of the other record',
    pipeline_a LowCardinality(String) COMMENT 'pipeline of id_a',
    pipeline_b LowCardinality(String) COMMENT 'pipeline of id_b',
    score Float64 COMMENT 'similarity 0-1: 1 for a shared identifier, else 0.75 x name similarity + 0.25 x postcode agreement',
    reason String COMMENT 'why they were linked: the shared key (urn:116614, domain:example.org) or the name score and postcodes',
    canonical_id String COMMENT 'canonical id of the group both records belong to',
    pass_id String COMMENT 'matching pass that found the link',
    matched_at DateTime64(3, 'UTC') COMMENT 'when',
    _version UInt64 COMMENT 'pass time in nanoseconds; the latest pass wins'
) ENGINE = {{engine "entity_links" "ReplacingMergeTree(_version)"}}
ORDER BY (entity_type, id_a, id_b)
COMMENT 'Pairs of records from different pipelines judged to be the same entity, with score and reason';
{{distributed "entity_links" "cityHash64(id_a)"}}

CREATE TABLE IF NOT EXISTS {{table "entity_canonical"}}{{onCluster}} (
    entity_type LowCardinality(String) COMMENT 'organization or service',
    entity_id String COMMENT 'namespaced id of the record',
    canonical_id String COMMENT 'id of the real-world entity: the smallest id in its group of linked records (its own id when unlinked)',
    pass_id String COMMENT 'matching pass that set it',
    _version UInt64 COMMENT 'pass time in nanoseconds; the latest pass wins'
) ENGINE = {{engine "entity_canonical" "ReplacingMergeTree(_version)"}}
ORDER BY (entity_type, entity_id)
COMMENT 'Canonical id of every matched record, so each real service is counted once';
{{distributed "entity_canonical" "cityHash64(entity_id)"}}

CREATE OR REPLACE VIEW {{ref "entity_links_current"}}{{onCluster}}
COMMENT 'Links found by the latest matching pass of each entity type'
AS SELECT l.entity_type AS entity_type, l.id_a AS id_a, l.id_b AS id_b, l.pipeline_a AS pipeline_a, l.pipeline_b AS pipeline_b,
    l.score AS score, l.reason AS reason, l.canonical_id AS canonical_id, l.pass_id AS pass_id, l.matched_at AS matched_at
FROM {{ref "entity_links"}} AS l FINAL
WHERE (l.entity_type, l.pass_id) IN (
    SELECT entity_type, argMax(pass_id, _version) FROM {{ref "entity_match_passes"}} GROUP BY entity_type);

-- services_current as in 0001, with canonical_id taken from the latest
-- matching pass when there is one.
CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id, with its canonical id from cross-source matching'
AS SELECT
    s.id AS id, s.pipeline AS pipeline, s.name AS name, s.status AS status, s.organization_id AS organization_id,
    s.description AS description, s.url AS url, s.email AS email,
    s.min_age AS min_age, s.max_age AS max_age, s.age_text AS age_text, s.need_codes AS need_codes,
    s.broad_areas AS broad_areas, s.categories AS categories, s.la_code AS la_code, s.postcode AS postcode,
    s.capacity_available AS capacity_available, s.capacity_maximum AS capacity_maximum, s.has_contact AS has_contact,
    s.assured_date AS assured_date, s.last_modified AS last_modified,
    if(c.canonical_id != '', c.canonical_id, if(s.canonical_id = '', s.id, s.canonical_id)) AS canonical_id,
    s.source_url AS source_url, s.source_id AS source_id, s.fetched_at AS fetched_at, s.document_sha256 AS document_sha256,
    s.run_id AS run_id, s.payload AS payload, s._version AS _version
FROM (SELECT * FROM {{ref "services"}} ORDER BY _version DESC LIMIT 1 BY id) AS s
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_canonical"}} WHERE entity_type = 'service' GROUP BY entity_id
) AS c ON c.entity_id = s.id;

CREATE OR REPLACE VIEW {{ref "organizations_matched"}}{{onCluster}}
COMMENT 'Current organisations with their canonical id from cross-source matching (organizations_current keeps the source''s own)'
AS SELECT o.id AS id, o.pipeline AS pipeline, o.name AS name, o.organization_type AS organization_type,
    o.website AS website, o.la_code AS la_code, o.identifiers AS identifiers,
    if(c.canonical_id != '', c.canonical_id, if(o.canonical_id = '', o.id, o.canonical_id)) AS canonical_id
FROM (SELECT * FROM {{ref "organizations"}} ORDER BY _version DESC LIMIT 1 BY id) AS o
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_canonical"}} WHERE entity_type = 'organization' GROUP BY entity_id
) AS c ON c.entity_id = o.id;
