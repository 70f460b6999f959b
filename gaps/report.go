package gaps

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Report is everything the HTML report shows: the gap rows and, per LA, the
// figures behind each chart, with the sources and their dates.
type Report struct {
	Generated time.Time
	Options   Options
	Rows      []Row
	LAs       []LAReport
	Sources   []Source
}

// LAReport is one local authority's section.
type LAReport struct {
	Code, Name    string
	Rows          []Row // category "all" rows: the heatmap
	Settings      []Setting
	Coverage      []CoverageGap
	Compliance    *Compliance
	MissingItems  []ItemCount
	FlagCounts    []FlagCount
	StaleServices []StaleService
	Projections   []Projection
}

// Setting is one special school, resourced provision or SEN unit.
type Setting struct {
	LACode        string   `json:"la_code"`
	ProvisionType string   `json:"provision_type"`
	URN           string   `json:"urn"`
	Name          string   `json:"name"`
	NeedCodes     []string `json:"need_codes"`
	Places        *float64 `json:"places"`
	NumberOnRoll  *float64 `json:"number_on_roll"`
	OverCapacity  int      `json:"over_capacity"`
	AsOf          *string  `json:"as_of"`
}

// CoverageGap is a Local Offer category with no fresh service for an age band.
type CoverageGap struct {
	LACode        string `json:"la_code"`
	Category      string `json:"category"`
	Schedule2     string `json:"schedule2"`
	AgeBand       string `json:"age_band"`
	StaleServices int    `json:"stale_services"`
	Status        string `json:"status"`
}

// Compliance is SEN information report compliance for one LA.
type Compliance struct {
	LACode              string `json:"la_code"`
	Schools             int    `json:"schools"`
	ReportsFound        int    `json:"reports_found"`
	ReportsNotFound     int    `json:"reports_not_found"`
	ReportsStale        int    `json:"reports_stale"`
	ReportsUndated      int    `json:"reports_undated"`
	ReportsMissingItems int    `json:"reports_missing_items"`
	LastChecked         string `json:"last_checked"`
}

// ItemCount is a Schedule 1 item and how many reports lack it.
type ItemCount struct {
	LACode  string `json:"la_code"`
	Item    string `json:"item"`
	Schools int    `json:"schools"`
}

// FlagCount is how many current services of an LA hold a flag.
type FlagCount struct {
	LACode   string `json:"la_code"`
	Flag     string `json:"flag"`
	Services int    `json:"services"`
}

// StaleService is a service whose every record is flagged stale.
type StaleService struct {
	LACode     string   `json:"la_code"`
	Name       string   `json:"name"`
	NeedCodes  []string `json:"need_codes"`
	StaleFlags []string `json:"stale_flags"`
}

// Projection is one need's EHC plans over the loaded periods and ahead.
type Projection struct {
	LACode       string
	NeedCode     string
	Points       []Point // loaded periods, oldest first
	Projected    []Point // latest year + 1 … + ProjectionYears
	TrendPerYear float64
	Places       float64
}

// Point is one year's figure; Label is the period as published (2024/25).
type Point struct {
	Year  int
	Label string
	Value float64
}

// Source is one input and the dates its figures refer to.
type Source struct {
	Table     string `json:"table"`
	Source    string `json:"source"`
	Rows      int    `json:"rows"`
	Periods   string `json:"periods"`
	FetchedAt string `json:"fetched_at"`
}

// maxListed caps the per-LA lists (stale services) so a report stays readable.
const maxListed = 50

// Build gathers a report at o's thresholds.
func Build(ctx context.Context, c warehouse.Conn, o Options, now time.Time) (*Report, error) {
	rows, err := Rows(ctx, c, o)
	if err != nil {
		return nil, err
	}
	r := &Report{Generated: now.UTC(), Options: o, Rows: rows}
	where := ""
	if o.LACode != "" {
		where = " WHERE la_code = " + warehouse.Quote(o.LACode)
	}
	type la struct {
		Code string `json:"la_code"`
		Name string `json:"la_name"`
	}
	las, err := warehouse.QueryInto[la](ctx, c, "SELECT la_code, la_name FROM gap_las"+where+" ORDER BY la_code")
	if err != nil {
		return nil, fmt.Errorf("report LAs: %w", err)
	}
	idx := map[string]*LAReport{}
	for _, l := range las {
		r.LAs = append(r.LAs, LAReport{Code: l.Code, Name: l.Name})
	}
	for i := range r.LAs {
		idx[r.LAs[i].Code] = &r.LAs[i]
	}
	for _, row := range rows {
		if l := idx[row.LACode]; l != nil && row.Category == "all" {
			if l.Name == "" {
				l.Name = row.LAName
			}
			l.Rows = append(l.Rows, row)
		}
	}
	if err := collect(ctx, c, "specialist settings", `SELECT la_code, provision_type, urn, name, need_codes, places, number_on_roll,
		over_capacity, toString(as_of) AS as_of FROM specialist_settings`+where+` ORDER BY la_code, over_capacity DESC, name`,
		idx, func(l *LAReport, v Setting) { l.Settings = append(l.Settings, v) }, func(v Setting) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := collect(ctx, c, "coverage", `SELECT la_code, category, schedule2, age_band, stale_services, status FROM coverage
		WHERE status != 'covered'`+and(where)+` ORDER BY la_code, category, band_min`,
		idx, func(l *LAReport, v CoverageGap) { l.Coverage = append(l.Coverage, v) }, func(v CoverageGap) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := collect(ctx, c, "SEN report compliance", `SELECT la_code, schools, reports_found, reports_not_found, reports_stale,
		reports_undated, reports_missing_items, toString(last_checked) AS last_checked FROM sen_report_compliance`+where,
		idx, func(l *LAReport, v Compliance) { l.Compliance = &v }, func(v Compliance) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := collect(ctx, c, "SEN report missing items", `SELECT la_code, item, schools FROM sen_report_missing_items`+where+
		` ORDER BY la_code, schools DESC, item`,
		idx, func(l *LAReport, v ItemCount) { l.MissingItems = append(l.MissingItems, v) }, func(v ItemCount) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := collect(ctx, c, "service flags", `SELECT la_code, flag, services FROM service_staleness`+where+` ORDER BY la_code, services DESC, flag`,
		idx, func(l *LAReport, v FlagCount) { l.FlagCounts = append(l.FlagCounts, v) }, func(v FlagCount) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := collect(ctx, c, "stale services", `SELECT la_code, name, need_codes, stale_flags FROM supply_services
		WHERE fresh = 0`+and(where)+` ORDER BY la_code, name LIMIT `+fmt.Sprint(maxListed)+` BY la_code`,
		idx, func(l *LAReport, v StaleService) { l.StaleServices = append(l.StaleServices, v) }, func(v StaleService) string { return v.LACode }); err != nil {
		return nil, err
	}
	if err := r.projections(ctx, c, where, idx); err != nil {
		return nil, err
	}
	sources, err := warehouse.QueryInto[Source](ctx, c, sourcesQuery)
	if err != nil {
		return nil, fmt.Errorf("report sources: %w", err)
	}
	r.Sources = sources
	return r, nil
}

func and(where string) string {
	if where == "" {
		return ""
	}
	return " AND" + where[len(" WHERE"):]
}

// collect runs q and hands each row to its LA's section.
func collect[T any](ctx context.Context, c warehouse.Conn, what, q string, idx map[string]*LAReport, add func(*LAReport, T), key func(T) string) error {
	err := warehouse.QueryEach(ctx, c, q, func(v T) error {
		if l := idx[key(v)]; l != nil {
			add(l, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report %s: %w", what, err)
	}
	return nil
}

// projections sums each need's EHC plans over the age bands per year and
// extends the per-band linear fits ahead (the sum of the fitted lines is the
// fitted line of the sum, so the chart agrees with demand_summary).
func (r *Report) projections(ctx context.Context, c warehouse.Conn, where string, idx map[string]*LAReport) error {
	type row struct {
		LACode   string  `json:"la_code"`
		NeedCode string  `json:"need_code"`
		Year     int     `json:"year"`
		Period   string  `json:"period"`
		Plans    float64 `json:"plans"`
	}
	series, err := warehouse.QueryInto[row](ctx, c, `SELECT la_code, need_code, year, period, sum(ifNull(plans, 0)) AS plans
		FROM demand_series`+where+` GROUP BY la_code, need_code, year, period ORDER BY la_code, need_code, year`)
	if err != nil {
		return fmt.Errorf("report demand series: %w", err)
	}
	type fit struct {
		LACode   string  `json:"la_code"`
		NeedCode string  `json:"need_code"`
		Latest   int     `json:"latest_year"`
		Trend    float64 `json:"trend"`
		P1       float64 `json:"p1"`
		P2       float64 `json:"p2"`
		P3       float64 `json:"p3"`
		Places   float64 `json:"places"`
	}
	fits, err := warehouse.QueryInto[fit](ctx, c, `SELECT d.la_code AS la_code, d.need_code AS need_code,
		max(d.latest_year) AS latest_year, sum(d.trend_per_year) AS trend,
		sum(ifNull(d.projected_1y, 0)) AS p1, sum(ifNull(d.projected_2y, 0)) AS p2, sum(ifNull(d.projected_3y, 0)) AS p3,
		max(p.places) AS places
		FROM demand_summary AS d
		LEFT JOIN (SELECT la_code, need_code, sum(places) AS places FROM specialist_settings ARRAY JOIN need_codes AS need_code
			GROUP BY la_code, need_code) AS p ON p.la_code = d.la_code AND p.need_code = d.need_code`+
		prefixed(where, "d.")+` GROUP BY la_code, need_code`)
	if err != nil {
		return fmt.Errorf("report projections: %w", err)
	}
	byKey := map[[2]string]*Projection{}
	var order []*Projection
	for _, s := range series {
		if idx[s.LACode] == nil {
			continue
		}
		k := [2]string{s.LACode, s.NeedCode}
		p := byKey[k]
		if p == nil {
			p = &Projection{LACode: s.LACode, NeedCode: s.NeedCode}
			byKey[k] = p
			order = append(order, p)
		}
		p.Points = append(p.Points, Point{Year: s.Year, Label: PeriodLabel(s.Period), Value: s.Plans})
	}
	for _, f := range fits {
		p := byKey[[2]string{f.LACode, f.NeedCode}]
		if p == nil {
			continue
		}
		p.TrendPerYear, p.Places = f.Trend, f.Places
		for h, v := range []float64{f.P1, f.P2, f.P3}[:r.Options.ProjectionYears] {
			y := f.Latest + h + 1
			p.Projected = append(p.Projected, Point{Year: y, Label: yearLabel(y, p.Points), Value: v})
		}
	}
	// Largest need first: the chart shows the needs that drive demand.
	sort.SliceStable(order, func(a, b int) bool { return latest(*order[a]) > latest(*order[b]) })
	for _, p := range order {
		l := idx[p.LACode]
		l.Projections = append(l.Projections, *p)
	}
	return nil
}

func prefixed(where, p string) string {
	if where == "" {
		return ""
	}
	return " WHERE " + p + where[len(" WHERE "):]
}

func latest(p Projection) float64 {
	if len(p.Points) == 0 {
		return 0
	}
	return p.Points[len(p.Points)-1].Value
}

// PeriodLabel writes a DfE period for people: 202425 → 2024/25; 2024 stays.
func PeriodLabel(p string) string {
	if len(p) == 6 {
		return p[:4] + "/" + p[4:]
	}
	return p
}

// yearLabel labels a projected year in the style of the loaded periods.
func yearLabel(y int, pts []Point) string {
	if len(pts) > 0 && len(pts[len(pts)-1].Label) == 7 {
		return fmt.Sprintf("%d/%02d", y, (y+1)%100)
	}
	return fmt.Sprint(y)
}

// sourcesQuery lists each input table's sources with their data dates.
const sourcesQuery = `SELECT * FROM (
SELECT 'demand' AS table, source, toInt64(count()) AS rows,
    arrayStringConcat(arraySort(groupUniqArray(CAST(period AS String))), ', ') AS periods,
    toString(max(fetched_at)) AS fetched_at
FROM demand FINAL GROUP BY source
UNION ALL
SELECT 'services', CAST(pipeline AS String), toInt64(count()), '', toString(max(fetched_at)) FROM services_current GROUP BY pipeline
UNION ALL
SELECT 'capacity', CAST(pipeline AS String), toInt64(count()),
    arrayStringConcat(arraySort(groupUniqArray(toString(as_of))), ', '), toString(max(fetched_at)) FROM capacity FINAL GROUP BY pipeline
UNION ALL
SELECT 'sen_reports', CAST(pipeline AS String), toInt64(count()), '', toString(max(fetched_at)) FROM sen_reports_current GROUP BY pipeline
) ORDER BY table, source`
