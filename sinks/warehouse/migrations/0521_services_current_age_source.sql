-- services_current again, exactly as 0510 and 0520 define it. The first
-- version of 0520 re-created the view from 0500's definition, which undid
-- 0510's canonical ids; this repairs a warehouse that ran it (elsewhere it
-- changes nothing). A change to services_current in 0510 must be made here too.

CREATE OR REPLACE VIEW {{ref "services_current"}}{{onCluster}}
COMMENT 'One row per current service: the latest version of each id, canonical_id from cross-source matching'
AS SELECT s.* REPLACE (if(c.canonical_id != '', c.canonical_id, if(s.canonical_id = '', s.id, s.canonical_id)) AS canonical_id)
FROM (SELECT * FROM {{ref "services"}} ORDER BY _version DESC LIMIT 1 BY id) AS s
LEFT JOIN (
    SELECT entity_id, argMax(canonical_id, _version) AS canonical_id
    FROM {{ref "entity_matches"}} WHERE entity_type = 'service' GROUP BY entity_id
) AS c ON c.entity_id = s.id;
