package gaps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// The gap_*_snapshot tables hold the two aggregates that are slow at national
// scale (supply over every service, demand_summary over every period). They
// are rebuilt whenever the tables under them have changed, judged by a
// watermark of max(_version) and row count per input table: a load always
// writes a higher _version, so an unchanged watermark means unchanged data.
// entity_matches counts too: a matching pass that changes canonical ids
// changes supply (services are counted once per canonical id).

const watermarkQuery = `SELECT concat(
    (SELECT toString((max(_version), count())) FROM services), '|',
    (SELECT toString((max(_version), count())) FROM flags), '|',
    (SELECT toString((max(_version), count())) FROM demand), '|',
    (SELECT toString((max(_version), count())) FROM capacity), '|',
    (SELECT toString((max(_version), count())) FROM entity_matches)) AS watermark`

// The watermark's parts, in watermarkQuery's order, and which snapshot reads
// which: supply reads services, flags and entity_matches; demand reads demand.
// capacity is read live by the places view, so no snapshot waits on it.
const (
	wmServices = iota
	wmFlags
	wmDemand
	wmCapacity
	wmMatches
	wmParts
)

var supplyStatements = []string{
	"TRUNCATE TABLE gap_supply_snapshot",
	`INSERT INTO gap_supply_snapshot (la_code, need_code, age_band, category, services, stale_services, service_places, services_with_places, services_derived_ages)
	SELECT la_code, need_code, age_band, category, services, stale_services, service_places, services_with_places, services_derived_ages FROM supply`,
}

var demandStatements = []string{
	"TRUNCATE TABLE gap_demand_snapshot",
	`INSERT INTO gap_demand_snapshot (la_code, la_name, need_code, age_band, latest_period, latest_year, demand, suppressed_cells,
		periods, trend_per_year, projected_1y, projected_2y, projected_3y)
	SELECT d.la_code, ifNull(n.name, ''), d.need_code, d.age_band, d.latest_period, d.latest_year, d.demand, d.suppressed_cells,
		d.periods, d.trend_per_year, d.projected_1y, d.projected_2y, d.projected_3y
	FROM demand_summary AS d
	LEFT JOIN (SELECT CAST(la_code AS String) AS code, argMax(la_name, period) AS name FROM demand
		WHERE la_code != '' AND la_name != '' GROUP BY code) AS n ON n.code = d.la_code`,
}

// Refresh rebuilds the gap snapshots from the live views now.
func Refresh(ctx context.Context, c warehouse.Conn) error {
	wm, err := warehouse.QueryScalar[string](ctx, c, watermarkQuery)
	if err != nil {
		return fmt.Errorf("gap snapshot watermark: %w", err)
	}
	return refresh(ctx, c, wm, true, true)
}

// EnsureFresh rebuilds a snapshot only when the data under it changed since
// the last rebuild (the supply snapshot when services, flags or matches
// changed, the demand snapshot when demand did); it reports whether it
// rebuilt either.
func EnsureFresh(ctx context.Context, c warehouse.Conn) (bool, error) {
	wm, err := warehouse.QueryScalar[string](ctx, c, watermarkQuery)
	if err != nil {
		return false, fmt.Errorf("gap snapshot watermark: %w", err)
	}
	last, err := warehouse.QueryInto[struct {
		Watermark string `json:"watermark"`
	}](ctx, c, "SELECT watermark FROM gap_refreshes ORDER BY refreshed_at DESC LIMIT 1")
	if err != nil {
		return false, fmt.Errorf("gap snapshot state: %w", err)
	}
	var supply, demand bool
	if len(last) == 1 {
		supply, demand = stale(last[0].Watermark, wm)
	} else {
		// Never rebuilt: a snapshot is current only while it and its inputs
		// are empty (a fresh warehouse, its first run loading services only).
		empty, err := warehouse.QueryInto[struct {
			Supply int `json:"supply"`
			Demand int `json:"demand"`
		}](ctx, c, "SELECT (SELECT count() FROM gap_supply_snapshot) AS supply, (SELECT count() FROM gap_demand_snapshot) AS demand")
		if err != nil {
			return false, fmt.Errorf("gap snapshot state: %w", err)
		}
		if len(empty) != 1 {
			return false, fmt.Errorf("gap snapshot state: %d rows", len(empty))
		}
		supply, demand = stale(emptyWatermark, wm)
		supply = supply || empty[0].Supply > 0
		demand = demand || empty[0].Demand > 0
	}
	if !supply && !demand {
		return false, nil
	}
	return true, refresh(ctx, c, wm, supply, demand)
}

// emptyWatermark is watermarkQuery's answer when every input table is empty.
var emptyWatermark = strings.Repeat("(0,0)|", wmParts-1) + "(0,0)"

// stale compares the watermark of the last rebuild with the current one and
// says which snapshot's inputs moved. A watermark of another shape (an older
// format) makes both stale.
func stale(last, now string) (supply, demand bool) {
	if last == now {
		return false, false
	}
	a, b := strings.Split(last, "|"), strings.Split(now, "|")
	if len(a) != wmParts || len(b) != wmParts {
		return true, true
	}
	supply = a[wmServices] != b[wmServices] || a[wmFlags] != b[wmFlags] || a[wmMatches] != b[wmMatches]
	return supply, a[wmDemand] != b[wmDemand]
}

func refresh(ctx context.Context, c warehouse.Conn, wm string, supply, demand bool) error {
	start := time.Now()
	var stmts []string
	if supply {
		stmts = append(stmts, supplyStatements...)
	}
	if demand {
		stmts = append(stmts, demandStatements...)
	}
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("refresh gap snapshots: %w", err)
		}
	}
	// The whole watermark is kept: a snapshot not rebuilt had inputs equal
	// to the last rebuild's, so it is current for this watermark too.
	err := c.Insert(ctx, "gap_refreshes", []string{"refreshed_at", "watermark", "duration_ms"},
		[][]any{{time.Now().UTC(), wm, uint64(time.Since(start).Milliseconds())}})
	if err != nil {
		return fmt.Errorf("record gap snapshot refresh: %w", err)
	}
	return nil
}
