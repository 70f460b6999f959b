package gaps

import (
	"context"
	"fmt"
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

var refreshStatements = []string{
	"TRUNCATE TABLE gap_supply_snapshot",
	`INSERT INTO gap_supply_snapshot (la_code, need_code, age_band, category, services, stale_services, service_places, services_with_places, services_derived_ages)
	SELECT la_code, need_code, age_band, category, services, stale_services, service_places, services_with_places, services_derived_ages FROM supply`,
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
	return refresh(ctx, c, wm)
}

// EnsureFresh rebuilds the snapshots only when the data under them changed
// since the last rebuild; it reports whether it rebuilt.
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
	if len(last) == 1 && last[0].Watermark == wm {
		return false, nil
	}
	return true, refresh(ctx, c, wm)
}

func refresh(ctx context.Context, c warehouse.Conn, wm string) error {
	start := time.Now()
	for _, s := range refreshStatements {
		if err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("refresh gap snapshots: %w", err)
		}
	}
	err := c.Insert(ctx, "gap_refreshes", []string{"refreshed_at", "watermark", "duration_ms"},
		[][]any{{time.Now().UTC(), wm, uint64(time.Since(start).Milliseconds())}})
	if err != nil {
		return fmt.Errorf("record gap snapshot refresh: %w", err)
	}
	return nil
}
