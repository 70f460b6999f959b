-- Where each service's ages came from (schema.AgeSource*): the source's own
-- age fields, a school's statutory ages, the source's age wording, or free
-- text. Export publishes only ages the source stated; gap analysis may use
-- derived ones and says so (0620_gap_derived_ages).

ALTER TABLE {{table "services"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS age_source LowCardinality(String) DEFAULT ''
    COMMENT 'where min_age/max_age came from: source (the source''s age fields) | school (statutory ages of the school, GIAS or sites list) | age_text (read from the source''s age wording) | text (read from free text that says who the service is for) | empty when no ages'
    AFTER age_text;
{{if .Cluster}}
ALTER TABLE {{ref "services"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS age_source LowCardinality(String) DEFAULT ''
    COMMENT 'where min_age/max_age came from (see services_local)'
    AFTER age_text;
{{end}}
-- services_current as in 0500, with age_source.
CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id, with its canonical id from cross-source matching'
AS SELECT
    s.id AS id, s.pipeline AS pipeline, s.name AS name, s.status AS status, s.organization_id AS organization_id,
    s.description AS description, s.url AS url, s.email AS email,
    s.min_age AS min_age, s.max_age AS max_age, s.age_text AS age_text, s.age_source AS age_source, s.need_codes AS need_codes,
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
