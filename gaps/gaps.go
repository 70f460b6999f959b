// Package gaps sets supply (Local Offer services, specialist places) beside
// demand (EHC plans) by local authority, need, age band and Local Offer
// category, over the warehouse views of migrations/0600_gaps.sql, and renders
// the result as a terminal table, CSV, JSON or a self-contained HTML report.
package gaps

import (
	"context"
	"fmt"
	"strconv"

	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Options are the thresholds and filter of one gap analysis.
type Options struct {
	// ThinShare: services per 100 children below this share of the England
	// median is "thin" (pipelines.yaml gaps.thin_share).
	ThinShare float64
	// ProjectionYears: how many years ahead projected_demand looks (1–3).
	ProjectionYears int
	// LACode limits the rows to one LA (GSS code); empty for all. England
	// medians are always computed over every LA.
	LACode string
	// Limit, when above 0, keeps only the most severe rows (table, CSV, JSON;
	// the HTML report always covers every row).
	Limit int
}

// Validate checks the thresholds and the LA code.
func (o Options) Validate() error {
	if !(o.ThinShare > 0 && o.ThinShare <= 1) {
		return fmt.Errorf("gaps.thin_share %v: want a share above 0 and at most 1", o.ThinShare)
	}
	if o.ProjectionYears < 1 || o.ProjectionYears > 3 {
		return fmt.Errorf("gaps.projection_years %d: want 1, 2 or 3", o.ProjectionYears)
	}
	if o.LACode != "" && !lacodes.IsLA(o.LACode) {
		return fmt.Errorf("--la %q is not a GSS LA code (like E06000044)", o.LACode)
	}
	return nil
}

// Statuses in order of severity, most severe first.
const (
	StatusNone         = "none"          // demand > 0 and no service or place
	StatusStaleOnly    = "stale_only"    // every service listed is flagged stale
	StatusOverCapacity = "over_capacity" // a specialist setting has more on roll than places
	StatusThin         = "thin"          // services per 100 below thin_share × England median
	StatusUnknown      = "unknown"       // no demand figures (none loaded, or suppressed)
	StatusOK           = "ok"
)

// Row is one LA × need × age band × category of the gap analysis.
type Row struct {
	LACode               string   `json:"la_code"`
	LAName               string   `json:"la_name"`
	NeedCode             string   `json:"need_code"`
	AgeBand              string   `json:"age_band"`
	Category             string   `json:"category"`
	Services             int      `json:"services"`
	StaleServices        int      `json:"stale_services"`
	GeneralServices      int      `json:"general_services"`
	ServicePlaces        float64  `json:"service_places"`
	ServicesDerivedAges  int      `json:"services_derived_ages"` // of Services, placed in this age band on ages read from free text (the reason says so)
	Settings             int      `json:"settings"`
	Places               float64  `json:"places"`
	NumberOnRoll         float64  `json:"number_on_roll"`
	SettingsOverCapacity int      `json:"settings_over_capacity"`
	Demand               *float64 `json:"demand"`
	Period               string   `json:"period"`
	SuppressedCells      int      `json:"suppressed_cells"`
	TrendPerYear         *float64 `json:"trend_per_year"`
	ProjectedDemand      *float64 `json:"projected_demand"`
	ServicesPer100       *float64 `json:"services_per_100"`
	PlacesPer100         *float64 `json:"places_per_100"`
	MedianServicesPer100 *float64 `json:"median_services_per_100"`
	MedianPlacesPer100   *float64 `json:"median_places_per_100"`
	RatioToMedian        *float64 `json:"ratio_to_median"`
	OutOfAreaShare       *float64 `json:"out_of_area_share"`
	Status               string   `json:"status"`
	Severity             int      `json:"severity"`
	Reason               string   `json:"reason"`
}

// ViewQuery is the SQL for the same rows from the gap_analysis view, at o's
// thresholds: what an analyst would run.
func ViewQuery(o Options) string {
	q := "SELECT * FROM gap_analysis(thin_share = " + strconv.FormatFloat(o.ThinShare, 'g', -1, 64) +
		", projection_years = " + strconv.Itoa(o.ProjectionYears) + ")"
	if o.LACode != "" {
		q += " WHERE la_code = " + warehouse.Quote(o.LACode)
	}
	return q
}

// Rows runs the gap analysis, most severe first, first rebuilding the
// snapshots if the data under them changed (see EnsureFresh).
func Rows(ctx context.Context, c warehouse.Conn, o Options) ([]Row, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if _, err := EnsureFresh(ctx, c); err != nil {
		return nil, err
	}
	all, err := compute(ctx, c, o)
	if err != nil {
		return nil, fmt.Errorf("gap analysis: %w", err)
	}
	rows := all[:0]
	for _, r := range all {
		if o.LACode == "" || r.LACode == o.LACode {
			rows = append(rows, r)
		}
	}
	sortRows(rows)
	return rows, nil
}

// limited applies o.Limit to sorted rows.
func limited(rows []Row, o Options) []Row {
	if o.Limit > 0 && len(rows) > o.Limit {
		return rows[:o.Limit]
	}
	return rows
}

// ResolveLA turns a DfE three-digit LA code (851) into its GSS code
// (E06000044): from schema/lacodes' table of all 153 LAs (as serve's la_code
// does), else from the codes the demand figures carry (an LA newer than the
// table). A GSS code, or anything else, is returned as given for Validate to
// judge.
func ResolveLA(ctx context.Context, c warehouse.Conn, code string) (string, error) {
	if !lacodes.IsOld(code) {
		return code, nil
	}
	if la, ok := lacodes.ByOld(code); ok {
		return la.GSS, nil
	}
	codes, err := warehouse.QueryInto[struct {
		LACode string `json:"la_code"`
	}](ctx, c, "SELECT DISTINCT CAST(la_code AS String) AS la_code FROM demand WHERE la_code_old = "+warehouse.Quote(code)+" AND la_code != ''")
	if err != nil {
		return "", fmt.Errorf("look up DfE LA code %s: %w", code, err)
	}
	if len(codes) != 1 {
		return "", fmt.Errorf("DfE LA code %s: %d GSS codes in the demand figures; give the GSS code (like E06000044)", code, len(codes))
	}
	return codes[0].LACode, nil
}
