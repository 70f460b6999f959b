-- Gap analysis: supply (current Local Offer services, specialist places) set
-- beside demand (EHC plans) by local authority × need code × age band × Local
-- Offer category. Views only: everything is derived from the core tables at
-- query time, so a load is visible in the next report with nothing to refresh.
--
-- The vocabularies below (age bands, categories) mirror schema/vocab.go; a test
-- in gaps/ keeps them in step. Age bands are listed once, in gap_age_bands, and
-- the other views read them from there.

CREATE OR REPLACE VIEW {{ref "gap_age_bands"}}{{onCluster}}
COMMENT 'Age bands gap analysis reports by (schema.AgeBands): age_band name, band_min and band_max in whole years; a range covers a band if it overlaps it'
AS SELECT t.1 AS age_band, toFloat64(t.2) AS band_min, toFloat64(t.3) AS band_max
FROM (SELECT arrayJoin([('0-4', 0, 4), ('5-10', 5, 10), ('11-15', 11, 15), ('16-18', 16, 18), ('19-25', 19, 25)]) AS t);

CREATE OR REPLACE VIEW {{ref "gap_categories"}}{{onCluster}}
COMMENT 'Local Offer categories (schema.Categories) with the SEND Regulations 2014 Schedule 2 content each stands for, and the youngest age band where its absence is a gap (preparing for adulthood starts at 11-15, Year 9)'
AS SELECT t.1 AS category, t.2 AS schedule2, t.3 AS from_age
FROM (SELECT arrayJoin([
    ('education', 'Special educational provision, in schools, colleges and early years settings (Sch. 2 para 3-6)', 0),
    ('health', 'Health care provision for children and young people with SEN or disabilities (Sch. 2 para 2(b))', 0),
    ('social_care', 'Social care provision (Sch. 2 para 2(c))', 0),
    ('preparing_for_adulthood', 'Preparing for adulthood: employment, independent living, participation in society (Sch. 2 para 12-13)', 11),
    ('short_breaks', 'Short breaks and respite for families (Sch. 2 para 2(c); Breaks for Carers Regulations 2011)', 0),
    ('leisure', 'Leisure activities (Sch. 2 para 14)', 0),
    ('information_and_advice', 'Sources of information, advice and support (Sch. 2 para 15)', 0),
    ('transport', 'Travel arrangements to schools, colleges and early years settings (Sch. 2 para 10)', 0)
]) AS t);

CREATE OR REPLACE VIEW {{ref "supply_services"}}{{onCluster}}
COMMENT 'Real-world services after de-duplication: current service records not closed (services_current; an unknown status counts as open) grouped by canonical_id and LA, with the union of their needs and categories, the widest age range (unknown bounds are open: from birth, to 25), declared places, and fresh = 1 when at least one record carries no staleness flag (review_overdue, assurance_overdue, missing_from_source)'
AS SELECT
    s_la AS la_code,
    s_canonical AS canonical_id,
    any(s_name) AS name,
    arraySort(groupUniqArrayArray(s_needs)) AS need_codes,
    arraySort(groupUniqArrayArray(s_categories)) AS categories,
    min(ifNull(s_min_age, 0)) AS min_age,
    max(ifNull(s_max_age, 25)) AS max_age,
    max(s_capacity) AS places,
    toUInt8(countIf(empty(s_flags)) > 0) AS fresh,
    count() AS records,
    arraySort(groupUniqArrayArray(s_flags)) AS stale_flags
FROM (
    SELECT
        CAST(s.la_code AS String) AS s_la,
        s.canonical_id AS s_canonical,
        s.name AS s_name,
        arrayMap(x -> CAST(x AS String), s.need_codes) AS s_needs,
        arrayMap(x -> CAST(x AS String), s.categories) AS s_categories,
        s.min_age AS s_min_age,
        s.max_age AS s_max_age,
        s.capacity_maximum AS s_capacity,
        f.flags AS s_flags
    FROM {{ref "services_current"}} AS s
    LEFT JOIN (
        SELECT entity_id, groupUniqArray(CAST(flag AS String)) AS flags
        FROM {{ref "flags_current"}}
        WHERE entity_type = 'service' AND flag IN ('review_overdue', 'assurance_overdue', 'missing_from_source')
        GROUP BY entity_id
    ) AS f ON f.entity_id = s.id
    WHERE s.status NOT IN ('inactive', 'defunct', 'temporarily closed')
)
GROUP BY s_la, s_canonical;

CREATE OR REPLACE VIEW {{ref "supply"}}{{onCluster}}
COMMENT 'Supply by LA × need_code × age_band × category: services = fresh de-duplicated services, stale_services = those whose every record is flagged stale, service_places = places declared by fresh services (services_with_places of them declare any). need_code is empty for services naming no specific need; category all counts each service once'
AS SELECT
    la_code,
    need_code,
    age_band,
    category,
    sum(n_fresh) AS services,
    sum(n_stale) AS stale_services,
    sum(n_places) AS service_places,
    sum(n_with_places) AS services_with_places
FROM (
    -- Services sharing LA, needs, categories and bands are counted together
    -- before the rows are multiplied out: far fewer rows to explode.
    SELECT la_code, need_codes, categories, bands,
        countIf(fresh = 1) AS n_fresh,
        countIf(fresh = 0) AS n_stale,
        sumIf(ifNull(places, 0), fresh = 1) AS n_places,
        countIf(fresh = 1 AND places IS NOT NULL) AS n_with_places
    FROM (
        SELECT la_code, need_codes, categories, fresh, places,
            arrayMap(b -> b.1, arrayFilter(b -> min_age < b.3 + 1 AND max_age >= b.2,
                (SELECT groupArray((age_band, band_min, band_max)) FROM {{ref "gap_age_bands"}}))) AS bands
        FROM {{ref "supply_services"}}
    )
    GROUP BY la_code, need_codes, categories, bands
)
ARRAY JOIN if(empty(need_codes), [''], need_codes) AS need_code
ARRAY JOIN arrayConcat(['all'], categories) AS category
ARRAY JOIN bands AS age_band
GROUP BY la_code, need_code, age_band, category;

CREATE OR REPLACE VIEW {{ref "demand_la"}}{{onCluster}}
COMMENT 'EHC plans by LA, need and single age (or age range) per period: LA-level all_plans figures (not placements), the latest revision of each, with year (first four digits of period) and the age band of age_min; count is NULL where the source suppressed it'
AS SELECT
    period,
    toUInt16OrZero(substring(period, 1, 4)) AS year,
    la_code,
    la_name,
    need_code,
    age_min,
    age_max,
    count,
    source,
    fetched_at,
    band.1 AS age_band
FROM (
    SELECT CAST(period AS String) AS period, CAST(la_code AS String) AS la_code, la_name, CAST(need_code AS String) AS need_code, age_min, age_max, count, source, fetched_at
    FROM {{ref "demand"}}
    WHERE geographic_level = 'Local authority' AND la_code != '' AND measure = 'all_plans' AND placement = ''
      AND need_code != '' AND (age_min IS NOT NULL OR age_max IS NOT NULL)
    ORDER BY _version DESC
    LIMIT 1 BY period, la_code, need_code, age_min, age_max
)
ARRAY JOIN arrayFilter(b -> ifNull(age_min, 0) >= b.2 AND ifNull(age_min, 0) <= b.3,
    (SELECT groupArray((age_band, band_min, band_max)) FROM {{ref "gap_age_bands"}})) AS band;

CREATE OR REPLACE VIEW {{ref "demand_series"}}{{onCluster}}
COMMENT 'EHC plans by LA × need × age band × period: plans (NULL when every figure in the band was suppressed), suppressed_cells, cells'
AS SELECT
    la_code, need_code, age_band, period, year,
    sum(count) AS plans,
    countIf(count IS NULL) AS suppressed_cells,
    count() AS cells,
    max(fetched_at) AS fetched_at
FROM {{ref "demand_la"}}
GROUP BY la_code, need_code, age_band, period, year;

CREATE OR REPLACE VIEW {{ref "demand_summary"}}{{onCluster}}
COMMENT 'Demand by LA × need × age band: demand = EHC plans in the latest period, the trend (least-squares slope in plans per year over the periods with figures) and projected_1y..3y = the fitted line at the latest year + 1..3, floored at 0 (flat when only one period is loaded)'
AS SELECT
    la_code, need_code, age_band, latest_period, latest_year, demand, suppressed_cells,
    first_period, first_demand, periods,
    if(periods >= 2, fit.1, 0) AS trend_per_year,
    if(periods >= 2, greatest(0, fit.1 * (latest_year + 1) + fit.2), demand) AS projected_1y,
    if(periods >= 2, greatest(0, fit.1 * (latest_year + 2) + fit.2), demand) AS projected_2y,
    if(periods >= 2, greatest(0, fit.1 * (latest_year + 3) + fit.2), demand) AS projected_3y,
    series,
    fetched_at
FROM (
    SELECT
        la_code, need_code, age_band,
        argMax(period, year) AS latest_period,
        max(year) AS latest_year,
        argMax(tuple(plans), year).1 AS demand,
        argMax(suppressed_cells, year) AS suppressed_cells,
        argMin(period, year) AS first_period,
        argMin(tuple(plans), year).1 AS first_demand,
        countIf(plans IS NOT NULL) AS periods,
        simpleLinearRegression(toFloat64(year), plans) AS fit,
        arraySort(x -> x.1, groupArray((year, period, plans))) AS series,
        max(fetched_at) AS fetched_at
    FROM {{ref "demand_series"}}
    GROUP BY la_code, need_code, age_band
);

-- Snapshots of the two expensive aggregates. At national scale (500,000
-- services, ten years of demand) computing supply and demand_summary takes
-- seconds, so `localoffer gaps` refreshes these tables when the data under them
-- has changed (a watermark of max(_version) and row counts, in gap_refreshes)
-- and gap_analysis reads them: the report then answers in well under 2 s.

CREATE TABLE IF NOT EXISTS {{table "gap_supply_snapshot"}}{{onCluster}} (
    la_code String COMMENT 'GSS LA code',
    need_code String COMMENT 'DfE need code; empty for services naming no specific need',
    age_band String COMMENT 'age band (gap_age_bands)',
    category String COMMENT 'Local Offer category, or all',
    services UInt64 COMMENT 'fresh de-duplicated services',
    stale_services UInt64 COMMENT 'services whose every record is flagged stale',
    service_places Float64 COMMENT 'places declared by fresh services',
    services_with_places UInt64 COMMENT 'fresh services declaring places'
) ENGINE = {{engine "gap_supply_snapshot" "MergeTree"}}
ORDER BY (la_code, need_code, age_band, category)
COMMENT 'Snapshot of the supply view, refreshed by localoffer gaps when services or flags change';
{{distributed "gap_supply_snapshot" "cityHash64(la_code)"}}

CREATE TABLE IF NOT EXISTS {{table "gap_demand_snapshot"}}{{onCluster}} (
    la_code String COMMENT 'GSS LA code',
    la_name String COMMENT 'LA name as last published',
    need_code String COMMENT 'DfE need code',
    age_band String COMMENT 'age band (gap_age_bands)',
    latest_period String COMMENT 'latest period with figures, as published',
    latest_year UInt16 COMMENT 'first year of latest_period',
    demand Nullable(Float64) COMMENT 'EHC plans in the latest period; NULL when suppressed',
    suppressed_cells UInt64 COMMENT 'suppressed figures in the latest period',
    periods UInt64 COMMENT 'periods with figures',
    trend_per_year Nullable(Float64) COMMENT 'least-squares slope, plans per year (0 with one period)',
    projected_1y Nullable(Float64) COMMENT 'fitted line at latest year + 1, floored at 0',
    projected_2y Nullable(Float64) COMMENT 'fitted line at latest year + 2',
    projected_3y Nullable(Float64) COMMENT 'fitted line at latest year + 3'
) ENGINE = {{engine "gap_demand_snapshot" "MergeTree"}}
ORDER BY (la_code, need_code, age_band)
COMMENT 'Snapshot of demand_summary, refreshed by localoffer gaps when demand changes';
{{distributed "gap_demand_snapshot" "cityHash64(la_code)"}}

CREATE TABLE IF NOT EXISTS {{table "gap_refreshes"}}{{onCluster}} (
    refreshed_at DateTime64(3, 'UTC') COMMENT 'when the snapshots were rebuilt',
    watermark String COMMENT 'max(_version) and row counts of services, flags, demand and capacity at the time',
    duration_ms UInt64 COMMENT 'how long the rebuild took'
) ENGINE = {{engine "gap_refreshes" "MergeTree"}}
ORDER BY refreshed_at
COMMENT 'Log of gap snapshot rebuilds; the latest watermark says whether the snapshots are current';
{{distributed "gap_refreshes" "cityHash64(watermark)"}}

CREATE OR REPLACE VIEW {{ref "specialist_settings"}}{{onCluster}}
COMMENT 'Special schools, resourced provision and SEN units: the latest figures per setting (deduplicated by URN and provision type across sources), with spare = places - number_on_roll and over_capacity = 1 when on roll exceeds places'
AS SELECT
    la_code, provision_type, urn, name, need_codes, age_min, age_max, places, number_on_roll,
    places - number_on_roll AS spare,
    toUInt8(ifNull(number_on_roll > places, 0)) AS over_capacity,
    as_of, source_url, fetched_at
FROM (
    SELECT CAST(la_code AS String) AS la_code, CAST(provision_type AS String) AS provision_type, urn, name,
        arrayMap(x -> CAST(x AS String), need_codes) AS need_codes, age_min, age_max, places, number_on_roll,
        as_of, source_url, fetched_at, _version, if(urn != '', urn, id) AS setting_key
    FROM {{ref "capacity"}}
    WHERE provision_type IN ('special_school', 'resourced_provision', 'sen_unit')
    ORDER BY _version DESC
    LIMIT 1 BY setting_key, provision_type
);

CREATE OR REPLACE VIEW {{ref "places"}}{{onCluster}}
COMMENT 'Specialist places by LA × provision_type × need_code × age_band: settings, places (capacity), number_on_roll, settings_over_capacity. A setting counts towards every need it names and every band its ages overlap, so places are places open to that need and age, not a partition'
AS SELECT
    la_code, provision_type, need_code, band.1 AS age_band,
    count() AS settings,
    sum(places) AS places,
    sum(number_on_roll) AS number_on_roll,
    sum(over_capacity) AS settings_over_capacity,
    max(as_of) AS as_of
FROM {{ref "specialist_settings"}}
ARRAY JOIN if(empty(need_codes), [''], need_codes) AS need_code
ARRAY JOIN arrayFilter(b -> ifNull(age_min, 0) < b.3 + 1 AND ifNull(age_max, 25) >= b.2,
    (SELECT groupArray((age_band, band_min, band_max)) FROM {{ref "gap_age_bands"}})) AS band
GROUP BY la_code, provision_type, need_code, age_band;

CREATE OR REPLACE VIEW {{ref "out_of_area"}}{{onCluster}}
COMMENT 'Out-of-area placement share per LA from the EHC plan caseload (measure caseload, latest period): placements in independent or non-maintained settings, specialist post-16 institutions or settings named out of area / other LA, divided by the caseload total (its placement-less row; the sum of placements when absent). The DfE caseload has no out-of-area column; independent and non-maintained placements are its nearest measure'
AS SELECT
    la_code,
    argMax(period, year) AS period,
    argMax(oa, year) AS out_of_area_placements,
    argMax(total, year) AS placements,
    if(argMax(total, year) > 0, argMax(oa, year) / argMax(total, year), NULL) AS out_of_area_share
FROM (
    SELECT la_code, period, toUInt16OrZero(substring(period, 1, 4)) AS year,
        sumIf(ifNull(count, 0), placement LIKE '%independent%' OR placement LIKE '%non_maintained%'
            OR placement LIKE '%out_of_area%' OR placement LIKE '%other_la%' OR placement = 'specialist_post_16_institutions') AS oa,
        if(countIf(placement = '' AND count IS NOT NULL) > 0, maxIf(ifNull(count, 0), placement = ''),
            sumIf(ifNull(count, 0), placement != '' AND placement NOT LIKE '%total%' AND NOT endsWith(placement, '_pc'))) AS total
    FROM (
        SELECT CAST(period AS String) AS period, CAST(la_code AS String) AS la_code, CAST(placement AS String) AS placement, count
        FROM {{ref "demand"}}
        WHERE geographic_level = 'Local authority' AND la_code != '' AND measure = 'caseload' AND need_code = ''
          AND age_min IS NULL AND age_max IS NULL
        ORDER BY _version DESC
        LIMIT 1 BY period, la_code, placement
    )
    GROUP BY la_code, period
    HAVING oa + total > 0
)
GROUP BY la_code;

CREATE OR REPLACE VIEW {{ref "gap_analysis"}}{{onCluster}}
COMMENT 'Gap analysis over the gap_*_snapshot tables (localoffer gaps refreshes them; run it, or gaps.Refresh, after loading) with thresholds as parameters: SELECT * FROM gap_analysis(thin_share=0.5, projection_years=3). One row per LA × need × age band × category (all, plus each category with supply): services, places, demand, rates per 100 children with EHC plans, ratio to the England median (median over LAs with demand), out-of-area share, status none | stale_only | over_capacity | thin | unknown | ok and its reason'
AS WITH
    keys AS (
        SELECT la_code, need_code, age_band, 'all' AS category FROM {{ref "gap_demand_snapshot"}}
        UNION DISTINCT
        SELECT la_code, need_code, age_band, category FROM {{ref "gap_supply_snapshot"}} WHERE need_code != ''
        UNION DISTINCT
        SELECT la_code, need_code, age_band, arrayJoin(['all', 'education']) AS category FROM {{ref "places"}} WHERE need_code != ''
    ),
    pl AS (
        SELECT la_code, need_code, age_band,
            sum(settings) AS settings, sum(places) AS places, sum(number_on_roll) AS number_on_roll,
            sum(settings_over_capacity) AS settings_over_capacity, 1 AS has_places
        FROM {{ref "places"}}
        WHERE need_code != ''
        GROUP BY la_code, need_code, age_band
    ),
    general AS (
        SELECT la_code, age_band, category, services AS general_services
        FROM {{ref "gap_supply_snapshot"}} WHERE need_code = ''
    ),
    names AS (
        SELECT la_code AS code, any(la_name) AS latest_name FROM {{ref "gap_demand_snapshot"}}
        WHERE la_name != '' GROUP BY code
    ),
    joined AS (
        SELECT
            k.la_code AS la_code, n.latest_name AS la_name,
            k.need_code AS need_code, k.age_band AS age_band, k.category AS category,
            s.services AS services, s.stale_services AS stale_services, s.service_places AS service_places,
            g.general_services AS general_services,
            if(k.category IN ('all', 'education') AND p.has_places = 1, p.settings, 0) AS settings,
            if(k.category IN ('all', 'education') AND p.has_places = 1, ifNull(p.places, 0), 0) AS places,
            if(k.category IN ('all', 'education') AND p.has_places = 1, ifNull(p.number_on_roll, 0), 0) AS number_on_roll,
            if(k.category IN ('all', 'education') AND p.has_places = 1, p.settings_over_capacity, 0) AS settings_over_capacity,
            d.has_demand AS has_demand,
            d.demand AS demand, d.latest_period AS period, d.suppressed_cells AS suppressed_cells,
            d.trend_per_year AS trend_per_year,
            multiIf({projection_years:UInt8} <= 1, d.projected_1y, {projection_years:UInt8} = 2, d.projected_2y, d.projected_3y) AS projected_demand,
            o.out_of_area_share AS out_of_area_share,
            if(d.demand > 0, s.services * 100 / d.demand, NULL) AS services_per_100,
            if(d.demand > 0 AND k.category IN ('all', 'education'), ifNull(p.places, 0) * 100 / d.demand, NULL) AS places_per_100
        FROM keys AS k
        LEFT JOIN {{ref "gap_supply_snapshot"}} AS s
            ON s.la_code = k.la_code AND s.need_code = k.need_code AND s.age_band = k.age_band AND s.category = k.category
        LEFT JOIN (SELECT *, 1 AS has_demand FROM {{ref "gap_demand_snapshot"}}) AS d
            ON d.la_code = k.la_code AND d.need_code = k.need_code AND d.age_band = k.age_band
        LEFT JOIN pl AS p ON p.la_code = k.la_code AND p.need_code = k.need_code AND p.age_band = k.age_band
        LEFT JOIN general AS g ON g.la_code = k.la_code AND g.age_band = k.age_band AND g.category = k.category
        LEFT JOIN {{ref "out_of_area"}} AS o ON o.la_code = k.la_code
        LEFT JOIN names AS n ON n.code = k.la_code
    ),
    rated AS (
        SELECT *,
            quantileExactIf(0.5)(services_per_100, demand > 0) OVER (PARTITION BY need_code, age_band, category) AS median_services_per_100,
            quantileExactIf(0.5)(places_per_100, demand > 0) OVER (PARTITION BY need_code, age_band, category) AS median_places_per_100
        FROM joined
    ),
    classified AS (
        SELECT *,
            if(median_services_per_100 > 0 AND demand > 0, services_per_100 / median_services_per_100, NULL) AS ratio_to_median,
            multiIf(
                has_demand = 0, 'unknown',
                demand IS NULL, 'unknown',
                demand = 0, 'ok',
                services = 0 AND stale_services = 0 AND places = 0, 'none',
                services = 0 AND stale_services > 0 AND places = 0, 'stale_only',
                settings_over_capacity > 0 OR number_on_roll > places AND places > 0, 'over_capacity',
                median_services_per_100 > 0 AND services_per_100 < {thin_share:Float64} * median_services_per_100, 'thin',
                'ok') AS status
        FROM rated
    )
SELECT
    la_code, la_name, need_code, age_band, category,
    services, stale_services, general_services, service_places,
    settings, places, number_on_roll, settings_over_capacity,
    demand, period, suppressed_cells, trend_per_year, projected_demand,
    round(services_per_100, 2) AS services_per_100,
    round(places_per_100, 2) AS places_per_100,
    round(median_services_per_100, 2) AS median_services_per_100,
    round(median_places_per_100, 2) AS median_places_per_100,
    round(ratio_to_median, 3) AS ratio_to_median,
    round(out_of_area_share, 3) AS out_of_area_share,
    status,
    multiIf(status = 'none', 5, status = 'stale_only', 4, status = 'over_capacity', 3, status = 'thin', 2, status = 'unknown', 1, 0) AS severity,
    multiIf(
        status = 'unknown' AND has_demand = 0, 'no EHC plan figures loaded for this LA, need and age band',
        status = 'unknown', format('EHC plan figures for this need and age band are suppressed in the source ({} cells, {})', toString(suppressed_cells), period),
        status = 'none', format('{} EHC plans ({}) and no current service or specialist place{}', toString(demand), period,
            if(general_services > 0, format(' naming this need ({} services name no specific need)', toString(general_services)), '')),
        status = 'stale_only', format('{} EHC plans ({}); the {} service(s) listed are all flagged stale (review or assurance overdue, or missing from source)', toString(demand), period, toString(stale_services)),
        status = 'over_capacity', format('{} on roll for {} specialist places; {} of {} setting(s) over capacity', toString(number_on_roll), toString(places), toString(settings_over_capacity), toString(settings)),
        status = 'thin', format('{} services per 100 children with EHC plans, {}% of the England median ({}); thin below {}%', toString(round(services_per_100, 2)), toString(round(100 * ratio_to_median)), toString(round(median_services_per_100, 2)), toString(round(100 * {thin_share:Float64}))),
        demand = 0, 'no EHC plans recorded for this need and age band',
        format('{} services per 100 children with EHC plans ({} EHC plans, {})', toString(round(services_per_100, 2)), toString(demand), period)) AS reason
FROM classified;

CREATE OR REPLACE VIEW {{ref "gaps"}}{{onCluster}}
COMMENT 'Gap analysis at the default thresholds (thin below 50% of the England median, projection 3 years ahead); localoffer gaps queries gap_analysis with the thresholds in pipelines.yaml'
AS SELECT * FROM {{ref "gap_analysis"}}(thin_share = 0.5, projection_years = 3);

CREATE OR REPLACE VIEW {{ref "demand_projection"}}{{onCluster}}
COMMENT 'Projected EHC plans 1-3 years ahead (linear trend per LA, need and age band; see demand_summary) against current specialist places open to that need and age'
AS SELECT
    d.la_code AS la_code, d.need_code AS need_code, d.age_band AS age_band,
    d.latest_period AS latest_period, d.periods AS periods, d.demand AS demand, d.trend_per_year AS trend_per_year,
    round(d.projected_1y, 1) AS projected_1y, round(d.projected_2y, 1) AS projected_2y, round(d.projected_3y, 1) AS projected_3y,
    ifNull(p.places, 0) AS places,
    ifNull(p.number_on_roll, 0) AS number_on_roll,
    d.series AS series
FROM {{ref "demand_summary"}} AS d
LEFT JOIN (
    SELECT la_code, need_code, age_band, sum(places) AS places, sum(number_on_roll) AS number_on_roll
    FROM {{ref "places"}} GROUP BY la_code, need_code, age_band
) AS p ON p.la_code = d.la_code AND p.need_code = d.need_code AND p.age_band = d.age_band;

CREATE OR REPLACE VIEW {{ref "gap_las"}}{{onCluster}}
COMMENT 'Every LA gap analysis knows of (from services, demand, specialist settings or SEN reports), with its name where a source gave one'
AS SELECT la_code, argMax(la_name, prio) AS la_name
FROM (
    SELECT CAST(la_code AS String) AS la_code, la_name, 1 AS prio FROM {{ref "demand"}} WHERE geographic_level = 'Local authority' AND la_code != ''
    UNION ALL SELECT CAST(la_code AS String), '', 0 FROM {{ref "supply_services"}} WHERE la_code != ''
    UNION ALL SELECT la_code, '', 0 FROM {{ref "specialist_settings"}} WHERE la_code != ''
    UNION ALL SELECT CAST(la_code AS String), '', 0 FROM {{ref "sen_reports_current"}} WHERE la_code != ''
)
GROUP BY la_code;

CREATE OR REPLACE VIEW {{ref "coverage"}}{{onCluster}}
COMMENT 'Local Offer coverage per LA × category × age band (from the category''s first band): services = fresh de-duplicated services, stale_services, status covered | stale_only | missing, with the Schedule 2 content the category stands for'
AS SELECT
    l.la_code AS la_code, c.category AS category, c.schedule2 AS schedule2, b.age_band AS age_band, b.band_min AS band_min,
    ifNull(s.services, 0) AS services, ifNull(s.stale_services, 0) AS stale_services,
    multiIf(ifNull(s.services, 0) > 0, 'covered', ifNull(s.stale_services, 0) > 0, 'stale_only', 'missing') AS status
FROM {{ref "gap_las"}} AS l
CROSS JOIN {{ref "gap_categories"}} AS c
CROSS JOIN {{ref "gap_age_bands"}} AS b
LEFT JOIN (
    SELECT la_code, category, band.1 AS age_band, countIf(fresh = 1) AS services, countIf(fresh = 0) AS stale_services
    FROM {{ref "supply_services"}}
    ARRAY JOIN categories AS category
    ARRAY JOIN arrayFilter(x -> min_age < x.3 + 1 AND max_age >= x.2,
        (SELECT groupArray((age_band, band_min, band_max)) FROM {{ref "gap_age_bands"}})) AS band
    GROUP BY la_code, category, age_band
) AS s ON s.la_code = l.la_code AND s.category = c.category AND s.age_band = b.age_band
WHERE b.band_max >= c.from_age;

CREATE OR REPLACE VIEW {{ref "sen_report_compliance"}}{{onCluster}}
COMMENT 'SEN information report compliance per LA (SEND Regulations 2014 reg. 51, Schedule 1): schools checked, reports found, stale (report_stale flag, or dated more than a year ago: reports must be updated annually), undated, with Schedule 1 items missing, and when the schools were last checked'
AS SELECT
    r.la_code AS la_code,
    count() AS schools,
    countIf(r.found = 1) AS reports_found,
    countIf(r.found = 0) AS reports_not_found,
    countIf(r.found = 1 AND (f.stale = 1 OR ifNull(r.report_date < today() - 365, 0))) AS reports_stale,
    countIf(r.found = 1 AND r.report_date IS NULL) AS reports_undated,
    countIf(r.found = 1 AND notEmpty(r.items_missing)) AS reports_missing_items,
    max(r.fetched_at) AS last_checked
FROM (SELECT id, CAST(la_code AS String) AS la_code, found, report_date, items_missing, fetched_at FROM {{ref "sen_reports_current"}}) AS r
LEFT JOIN (
    SELECT DISTINCT entity_id, 1 AS stale FROM {{ref "flags_current"}} WHERE entity_type = 'sen_report' AND flag = 'report_stale'
) AS f ON f.entity_id = r.id
GROUP BY r.la_code;

CREATE OR REPLACE VIEW {{ref "sen_report_missing_items"}}{{onCluster}}
COMMENT 'Per LA, each Schedule 1 item and how many found SEN reports lack it'
AS SELECT CAST(la_code AS String) AS la_code, CAST(item AS String) AS item, count() AS schools
FROM {{ref "sen_reports_current"}}
ARRAY JOIN items_missing AS item
WHERE found = 1
GROUP BY la_code, item;

CREATE OR REPLACE VIEW {{ref "service_staleness"}}{{onCluster}}
COMMENT 'Per LA and flag, how many current services not closed (unknown status counts as open) hold that flag now (all flag kinds, not just the staleness ones)'
AS SELECT CAST(s.la_code AS String) AS la_code, CAST(f.flag AS String) AS flag, uniqExact(s.id) AS services
FROM {{ref "services_current"}} AS s
INNER JOIN {{ref "flags_current"}} AS f ON f.entity_id = s.id AND f.entity_type = 'service'
WHERE s.status NOT IN ('inactive', 'defunct', 'temporarily closed')
GROUP BY la_code, flag;
