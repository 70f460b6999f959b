-- Where each service's ages came from (schema.AgeSource*): the source's own
-- age fields, a school's statutory ages, the source's age wording, or free
-- text. Export publishes only ages the source stated; gap analysis may use
-- derived ones and says so (0621_gap_derived_ages). 0521 re-creates
-- services_current so that it carries the column.

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
