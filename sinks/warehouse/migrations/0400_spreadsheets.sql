-- Views over what the spreadsheet collector loads (GIAS and DfE presets).
-- Demand files mix all-ages rows with single-age rows for the same area and
-- need, so summing the demand table double counts; demand_all_ages keeps only
-- the all-ages rows (latest revision of each). Totals are the rows with
-- need_code = '' and placement = ''.
CREATE OR REPLACE VIEW {{ref "demand_all_ages"}}{{onCluster}}
COMMENT 'Demand rows covering all ages (age_min and age_max NULL), latest revision of each id: sum over need_code = '''' AND placement = '''' for totals, or over one need or placement dimension at a time, never both'
AS SELECT
    id, pipeline, period, geographic_level, la_code, la_code_old, la_name, region_code,
    need_code, measure, placement, count, source, source_url, fetched_at, _version
FROM {{ref "demand"}}
WHERE age_min IS NULL AND age_max IS NULL
ORDER BY _version DESC
LIMIT 1 BY id;

CREATE OR REPLACE VIEW {{ref "schools"}}{{onCluster}}
COMMENT 'Schools from GIAS (organizations with organization_type school), current version, with the GIAS fields kept as attributes in the payload: URN, establishment status, type, phase, statutory ages, open and close dates, and the location''s postcode and point'
AS SELECT
    o.id AS id,
    o.pipeline AS pipeline,
    o.name AS name,
    o.la_code AS la_code,
    o.website AS website,
    arrayFirst(x -> startsWith(x, 'GB-URN:'), o.identifiers) AS urn_identifier,
    JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:establishment_status', JSONExtractArrayRaw(o.payload, 'attributes')), 'value') AS establishment_status,
    JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:type_of_establishment', JSONExtractArrayRaw(o.payload, 'attributes')), 'value') AS type_of_establishment,
    JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:phase_of_education', JSONExtractArrayRaw(o.payload, 'attributes')), 'value') AS phase_of_education,
    toUInt8OrNull(JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:statutory_low_age', JSONExtractArrayRaw(o.payload, 'attributes')), 'value')) AS statutory_low_age,
    toUInt8OrNull(JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:statutory_high_age', JSONExtractArrayRaw(o.payload, 'attributes')), 'value')) AS statutory_high_age,
    toDateOrNull(JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:open_date', JSONExtractArrayRaw(o.payload, 'attributes')), 'value')) AS open_date,
    toDateOrNull(JSONExtractString(arrayFirst(a -> JSONExtractString(a, 'taxonomy_term_id') = 'gias:close_date', JSONExtractArrayRaw(o.payload, 'attributes')), 'value')) AS close_date,
    l.postcode AS postcode,
    l.latitude AS latitude,
    l.longitude AS longitude,
    l.ward_code AS ward_code,
    l.lsoa_code AS lsoa_code
FROM {{ref "organizations_current"}} AS o
LEFT JOIN {{ref "locations_current"}} AS l ON l.id = concat(o.id, '/location')
WHERE o.organization_type = 'school';
