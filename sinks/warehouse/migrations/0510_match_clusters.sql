-- Incremental cross-source matching (transform/match, issue 20). Clusters are
-- stored as one row per record that is or was in a cluster: its canonical id
-- and the one link that joined it, so storage grows with the records, not
-- with the square of a cluster. A record that matches nothing has no row; its
-- canonical id is its own id. entity_canonical and entity_links (0500) are no
-- longer written.

CREATE TABLE IF NOT EXISTS {{table "entity_matches"}}{{onCluster}} (
    entity_type LowCardinality(String) COMMENT 'organization, service or location',
    entity_id String COMMENT 'namespaced id of the record',
    pipeline LowCardinality(String) COMMENT 'pipeline of the record',
    canonical_id String COMMENT 'id of the real-world entity: the smallest id in its cluster (its own id when it matches nothing)',
    linked_to String COMMENT 'the record whose link joined it to its cluster, one step towards the canonical record; empty for the canonical record itself and for records that match nothing',
    linked_pipeline LowCardinality(String) COMMENT 'pipeline of linked_to',
    score Float64 COMMENT 'score of that link: 1 for a shared identifier or a matches.yaml decision, else 0.75 x name similarity + 0.25 x place agreement',
    reason String COMMENT 'the evidence: urn:116213, name 0.96, same postcode PO4 3SE, matches.yaml: same, …',
    pass_id String COMMENT 'matching pass that set it',
    matched_at DateTime64(3, 'UTC') COMMENT 'when',
    _version UInt64 COMMENT 'pass time in nanoseconds; the latest row of a record wins'
) ENGINE = {{engine "entity_matches" "ReplacingMergeTree(_version)"}}
ORDER BY (entity_type, entity_id)
COMMENT 'Cross-source matching: each clustered record''s canonical id and the link (score, reason) that joined it';
{{distributed "entity_matches" "cityHash64(entity_id)"}}

CREATE TABLE IF NOT EXISTS {{table "match_passes"}}{{onCluster}} (
    pass_id String COMMENT 'id of the matching pass',
    entity_type LowCardinality(String) COMMENT 'organization, service or location',
    runs Array(String) COMMENT 'the runs whose loads the pass followed',
    matched_at DateTime64(3, 'UTC') COMMENT 'when the pass ran',
    threshold Float64 COMMENT 'score at or above which records link (transform.match_threshold)',
    watermark UInt64 COMMENT 'highest record _version the pass had read: the next pass reads only newer versions',
    full UInt8 COMMENT '1 when the index was built by comparing everything (first pass, or the previous state was unusable)',
    records UInt64 COMMENT 'records in the index',
    staged UInt64 COMMENT 'records new, changed or touched since the previous pass',
    compared UInt64 COMMENT 'pairs scored',
    changed UInt64 COMMENT 'records whose canonical id or link changed (rows written to entity_matches)',
    grouped UInt64 COMMENT 'records in a cluster of two or more',
    seconds Float64 COMMENT 'wall time of the pass for this entity type, reading and writing included',
    _version UInt64 COMMENT 'pass time in nanoseconds'
) ENGINE = {{engine "match_passes" "ReplacingMergeTree(_version)"}}
ORDER BY (entity_type, pass_id)
COMMENT 'One row per matching pass and entity type: what was read, compared and changed';
{{distributed "match_passes" "cityHash64(pass_id)"}}

CREATE OR REPLACE VIEW {{ref "entity_links_current"}}{{onCluster}}
COMMENT 'The links that hold the current clusters together, one per clustered record (each pair once, id_a < id_b)'
AS SELECT m.entity_type AS entity_type,
    least(m.entity_id, m.linked_to) AS id_a, greatest(m.entity_id, m.linked_to) AS id_b,
    if(m.entity_id < m.linked_to, m.pipeline, m.linked_pipeline) AS pipeline_a,
    if(m.entity_id < m.linked_to, m.linked_pipeline, m.pipeline) AS pipeline_b,
    m.score AS score, m.reason AS reason, m.canonical_id AS canonical_id, m.pass_id AS pass_id, m.matched_at AS matched_at
FROM {{ref "entity_matches"}} AS m FINAL
WHERE m.linked_to != '';

-- The *_current views carry the matching result as canonical_id, so grouping
-- by the column the README names groups real-world entities.
CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id, canonical_id from cross-source matching'
AS SELECT s.* REPLACE (if(c.canonical_id != '', c.canonical_id, if(s.canonical_id = '', s.id, s.canonical_id)) AS canonical_id)
FROM (SELECT * FROM {{ref "services"}} ORDER BY _version DESC LIMIT 1 BY id) AS s
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_matches"}} WHERE entity_type = 'service' GROUP BY entity_id
) AS c ON c.entity_id = s.id;

CREATE OR REPLACE VIEW {{ref "organizations_current"}}{{onCluster}}
COMMENT 'One row per current organisation, canonical_id from cross-source matching'
AS SELECT o.* REPLACE (if(c.canonical_id != '', c.canonical_id, if(o.canonical_id = '', o.id, o.canonical_id)) AS canonical_id)
FROM (SELECT * FROM {{ref "organizations"}} ORDER BY _version DESC LIMIT 1 BY id) AS o
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_matches"}} WHERE entity_type = 'organization' GROUP BY entity_id
) AS c ON c.entity_id = o.id;

CREATE OR REPLACE VIEW {{ref "locations_current"}}{{onCluster}}
COMMENT 'One row per current location, canonical_id from cross-source matching'
AS SELECT l.*, if(c.canonical_id != '', c.canonical_id, l.id) AS canonical_id
FROM (SELECT * FROM {{ref "locations"}} ORDER BY _version DESC LIMIT 1 BY id) AS l
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_matches"}} WHERE entity_type = 'location' GROUP BY entity_id
) AS c ON c.entity_id = l.id;

CREATE OR REPLACE VIEW {{ref "organizations_matched"}}{{onCluster}}
COMMENT 'Kept for existing queries: organizations_current now carries the matched canonical_id'
AS SELECT id, pipeline, name, organization_type, website, la_code, identifiers, canonical_id
FROM {{ref "organizations_current"}};
