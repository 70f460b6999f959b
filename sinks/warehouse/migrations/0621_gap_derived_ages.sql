-- Gap analysis may place a service in an age band on ages read from its
-- description (age_source = text, 0520); it says when it did: supply counts
-- those services per cell (services_derived_ages) and gap_analysis names the
-- count in its reason. The views are those of 0600 with that column added:
-- a change to them in 0600 must be made here too. (Numbered 0621: a first
-- version, 0620, copied 0600's views from before they counted services of
-- unknown status as open; this one also repairs a warehouse that ran it.)

CREATE OR REPLACE VIEW {{ref "supply_services"}}{{onCluster}}
COMMENT 'Real-world services after de-duplication: current service records not closed (services_current; an unknown status counts as open) grouped by canonical_id and LA, with the union of their needs and categories, the widest age range (unknown bounds are open: from birth, to 25), derived_ages = 1 when a record''s ages were read from free text (age_source text) rather than stated by the source, declared places, and fresh = 1 when at least one record carries no staleness flag (review_overdue, assurance_overdue, missing_from_source)'
AS SELECT
    s_la AS la_code,
    s_canonical AS canonical_id,
    any(s_name) AS name,
    arraySort(groupUniqArrayArray(s_needs)) AS need_codes,
    arraySort(groupUniqArrayArray(s_categories)) AS categories,
    min(ifNull(s_min_age, 0)) AS min_age,
    max(ifNull(s_max_age, 25)) AS max_age,
    max(s_derived) AS derived_ages,
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
        toUInt8(s.age_source = 'text') AS s_derived,
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
COMMENT 'Supply by LA × need_code × age_band × category: services = fresh de-duplicated services, stale_services = those whose every record is flagged stale, service_places = places declared by fresh services (services_with_places of them declare any), services_derived_ages = fresh services placed in the age band on ages read from free text. need_code is empty for services naming no specific need; category all counts each service once'
AS SELECT
    la_code,
    need_code,
    age_band,
    category,
    sum(n_fresh) AS services,
    sum(n_stale) AS stale_services,
    sum(n_places) AS service_places,
    sum(n_with_places) AS services_with_places,
    sum(n_derived) AS services_derived_ages
FROM (
    -- Services sharing LA, needs, categories and bands are counted together
    -- before the rows are multiplied out: far fewer rows to explode.
    SELECT la_code, need_codes, categories, bands,
        countIf(fresh = 1) AS n_fresh,
        countIf(fresh = 0) AS n_stale,
        sumIf(ifNull(places, 0), fresh = 1) AS n_places,
        countIf(fresh = 1 AND places IS NOT NULL) AS n_with_places,
        countIf(fresh = 1 AND derived_ages = 1) AS n_derived
    FROM (
        SELECT la_code, need_codes, categories, fresh, places, derived_ages,
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

ALTER TABLE {{table "gap_supply_snapshot"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS services_derived_ages UInt64 DEFAULT 0
    COMMENT 'of the services, how many were placed in this age band on ages read from free text';
{{if .Cluster}}
ALTER TABLE {{ref "gap_supply_snapshot"}}{{onCluster}}
    ADD COLUMN IF NOT EXISTS services_derived_ages UInt64 DEFAULT 0
    COMMENT 'of the services, how many were placed in this age band on ages read from free text';
{{end}}
CREATE OR REPLACE VIEW {{ref "gap_analysis"}}{{onCluster}}
COMMENT 'Gap analysis over the gap_*_snapshot tables (localoffer gaps refreshes them; run it, or gaps.Refresh, after loading) with thresholds as parameters: SELECT * FROM gap_analysis(thin_share=0.5, projection_years=3). One row per LA × need × age band × category (all, plus each category with supply): services, places, demand, rates per 100 children with EHC plans, ratio to the England median (median over LAs with demand), out-of-area share, status none | stale_only | over_capacity | thin | unknown | ok and its reason; services_derived_ages = how many of the services were placed in the age band on ages read from free text, which the reason then says'
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
            s.services_derived_ages AS services_derived_ages,
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
    services, stale_services, general_services, service_places, services_derived_ages,
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
    concat(multiIf(
        status = 'unknown' AND has_demand = 0, 'no EHC plan figures loaded for this LA, need and age band',
        status = 'unknown', format('EHC plan figures for this need and age band are suppressed in the source ({} cells, {})', toString(suppressed_cells), period),
        status = 'none', format('{} EHC plans ({}) and no current service or specialist place{}', toString(demand), period,
            if(general_services > 0, format(' naming this need ({} services name no specific need)', toString(general_services)), '')),
        status = 'stale_only', format('{} EHC plans ({}); the {} service(s) listed are all flagged stale (review or assurance overdue, or missing from source)', toString(demand), period, toString(stale_services)),
        status = 'over_capacity', format('{} on roll for {} specialist places; {} of {} setting(s) over capacity', toString(number_on_roll), toString(places), toString(settings_over_capacity), toString(settings)),
        status = 'thin', format('{} services per 100 children with EHC plans, {}% of the England median ({}); thin below {}%', toString(round(services_per_100, 2)), toString(round(100 * ratio_to_median)), toString(round(median_services_per_100, 2)), toString(round(100 * {thin_share:Float64}))),
        demand = 0, 'no EHC plans recorded for this need and age band',
        format('{} services per 100 children with EHC plans ({} EHC plans, {})', toString(round(services_per_100, 2)), toString(demand), period)),
        if(services_derived_ages > 0, format('; {} of the services counted on ages read from their descriptions, not stated by the source', toString(services_derived_ages)), '')) AS reason
FROM classified;

CREATE OR REPLACE VIEW {{ref "gaps"}}{{onCluster}}
COMMENT 'Gap analysis at the default thresholds (thin below 50% of the England median, projection 3 years ahead); localoffer gaps queries gap_analysis with the thresholds in pipelines.yaml'
AS SELECT * FROM {{ref "gap_analysis"}}(thin_share = 0.5, projection_years = 3);
