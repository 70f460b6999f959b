-- Where each service's ages came from (schema.AgeSource*): the source's own
-- age fields, a school's statutory ages, the source's age wording, or free
-- text. Export publishes only ages the source stated; gap analysis may use
-- derived ones and says so (0621_gap_derived_ages).

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
-- services_current as in 0510 (canonical_id from entity_matches), recreated
-- so its column list takes in age_source.
CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id, canonical_id from cross-source matching'
AS SELECT s.* REPLACE (if(c.canonical_id != '', c.canonical_id, if(s.canonical_id = '', s.id, s.canonical_id)) AS canonical_id)
FROM (SELECT * FROM {{ref "services"}} ORDER BY _version DESC LIMIT 1 BY id) AS s
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_matches"}} WHERE entity_type = 'service' GROUP BY entity_id
) AS c ON c.entity_id = s.id;
