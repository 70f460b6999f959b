package gaps

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// The gap_analysis view states the rules in SQL for analysts. The verb applies
// the same rules here, in Go, over four small inputs (the two snapshots, places
// and out-of-area shares): libchdb spends over a second planning the nested
// view even on an empty warehouse, while these reads take milliseconds.
// TestGoMatchesSQLView keeps the two implementations equal.

type supplyIn struct {
	LACode        string  `json:"la_code"`
	NeedCode      string  `json:"need_code"`
	AgeBand       string  `json:"age_band"`
	Category      string  `json:"category"`
	Services      int     `json:"services"`
	StaleServices int     `json:"stale_services"`
	ServicePlaces float64 `json:"service_places"`
	DerivedAges   int     `json:"services_derived_ages"`
}

type demandIn struct {
	LACode          string   `json:"la_code"`
	LAName          string   `json:"la_name"`
	NeedCode        string   `json:"need_code"`
	AgeBand         string   `json:"age_band"`
	Period          string   `json:"latest_period"`
	Demand          *float64 `json:"demand"`
	SuppressedCells int      `json:"suppressed_cells"`
	TrendPerYear    *float64 `json:"trend_per_year"`
	Projected1      *float64 `json:"projected_1y"`
	Projected2      *float64 `json:"projected_2y"`
	Projected3      *float64 `json:"projected_3y"`
}

type placesIn struct {
	LACode               string   `json:"la_code"`
	NeedCode             string   `json:"need_code"`
	AgeBand              string   `json:"age_band"`
	Settings             int      `json:"settings"`
	Places               *float64 `json:"places"`
	NumberOnRoll         *float64 `json:"number_on_roll"`
	SettingsOverCapacity int      `json:"settings_over_capacity"`
}

type oaIn struct {
	LACode string   `json:"la_code"`
	Share  *float64 `json:"out_of_area_share"`
}

type cellKey struct{ la, need, band, cat string }

// compute reads the inputs and classifies every key, for all LAs (medians
// are national); the caller filters by LA afterwards.
func compute(ctx context.Context, c warehouse.Conn, o Options) ([]Row, error) {
	supply, err := warehouse.QueryInto[supplyIn](ctx, c, `SELECT la_code, need_code, age_band, category, services,
		stale_services, service_places, services_derived_ages FROM gap_supply_snapshot`)
	if err != nil {
		return nil, fmt.Errorf("read supply snapshot: %w", err)
	}
	demand, err := warehouse.QueryInto[demandIn](ctx, c, `SELECT la_code, la_name, need_code, age_band, latest_period, demand,
		suppressed_cells, trend_per_year, projected_1y, projected_2y, projected_3y FROM gap_demand_snapshot`)
	if err != nil {
		return nil, fmt.Errorf("read demand snapshot: %w", err)
	}
	places, err := warehouse.QueryInto[placesIn](ctx, c, `SELECT la_code, need_code, age_band, sum(settings) AS settings,
		sum(places) AS places, sum(number_on_roll) AS number_on_roll, sum(settings_over_capacity) AS settings_over_capacity
		FROM places WHERE need_code != '' GROUP BY la_code, need_code, age_band`)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	oa, err := warehouse.QueryInto[oaIn](ctx, c, "SELECT la_code, out_of_area_share FROM out_of_area")
	if err != nil {
		return nil, fmt.Errorf("read out-of-area shares: %w", err)
	}

	keys := map[cellKey]bool{}
	sup := make(map[cellKey]supplyIn, len(supply))
	general := map[cellKey]int{}
	for _, s := range supply {
		if s.NeedCode == "" {
			general[cellKey{s.LACode, "", s.AgeBand, s.Category}] = s.Services
			continue
		}
		k := cellKey{s.LACode, s.NeedCode, s.AgeBand, s.Category}
		sup[k] = s
		keys[k] = true
	}
	dem := make(map[cellKey]demandIn, len(demand))
	names := map[string]string{}
	for _, d := range demand {
		dem[cellKey{d.LACode, d.NeedCode, d.AgeBand, ""}] = d
		keys[cellKey{d.LACode, d.NeedCode, d.AgeBand, "all"}] = true
		if d.LAName != "" {
			names[d.LACode] = d.LAName
		}
	}
	pl := make(map[cellKey]placesIn, len(places))
	for _, p := range places {
		pl[cellKey{p.LACode, p.NeedCode, p.AgeBand, ""}] = p
		keys[cellKey{p.LACode, p.NeedCode, p.AgeBand, "all"}] = true
		keys[cellKey{p.LACode, p.NeedCode, p.AgeBand, "education"}] = true
	}
	share := map[string]*float64{}
	for _, x := range oa {
		share[x.LACode] = x.Share
	}

	rows := make([]Row, 0, len(keys))
	for k := range keys {
		s := sup[k]
		r := Row{LACode: k.la, LAName: names[k.la], NeedCode: k.need, AgeBand: k.band, Category: k.cat,
			Services: s.Services, StaleServices: s.StaleServices, ServicePlaces: s.ServicePlaces, ServicesDerivedAges: s.DerivedAges,
			GeneralServices: general[cellKey{k.la, "", k.band, k.cat}], OutOfAreaShare: round(share[k.la], 3)}
		placesCat := k.cat == "all" || k.cat == "education"
		if p, ok := pl[cellKey{k.la, k.need, k.band, ""}]; ok && placesCat {
			r.Settings, r.SettingsOverCapacity = p.Settings, p.SettingsOverCapacity
			r.Places, r.NumberOnRoll = deref(p.Places), deref(p.NumberOnRoll)
		}
		d, hasDemand := dem[cellKey{k.la, k.need, k.band, ""}]
		if hasDemand {
			r.Demand, r.Period, r.SuppressedCells, r.TrendPerYear = d.Demand, d.Period, d.SuppressedCells, d.TrendPerYear
			r.ProjectedDemand = []*float64{d.Projected1, d.Projected2, d.Projected3}[o.ProjectionYears-1]
			if r.Demand != nil && *r.Demand > 0 {
				r.ServicesPer100 = ptr(float64(r.Services) * 100 / *r.Demand)
				if placesCat {
					r.PlacesPer100 = ptr(r.Places * 100 / *r.Demand)
				}
			}
		}
		rows = append(rows, r)
	}
	medians(rows)
	for i := range rows {
		classify(&rows[i], o, hasDemandRow(dem, rows[i]))
	}
	return rows, nil
}

func hasDemandRow(dem map[cellKey]demandIn, r Row) bool {
	_, ok := dem[cellKey{r.LACode, r.NeedCode, r.AgeBand, ""}]
	return ok
}

// medians sets the England medians per need × band × category over the rows
// with demand > 0, as ClickHouse's quantileExact(0.5): the element at
// position floor(n/2) of the sorted values.
func medians(rows []Row) {
	type part struct{ need, band, cat string }
	svc, plc := map[part][]float64{}, map[part][]float64{}
	for _, r := range rows {
		if r.Demand == nil || *r.Demand <= 0 {
			continue
		}
		p := part{r.NeedCode, r.AgeBand, r.Category}
		svc[p] = append(svc[p], *r.ServicesPer100)
		if r.PlacesPer100 != nil {
			plc[p] = append(plc[p], *r.PlacesPer100)
		}
	}
	med := func(xs []float64) *float64 {
		if len(xs) == 0 {
			return nil
		}
		sort.Float64s(xs)
		return ptr(xs[len(xs)/2])
	}
	ms, mp := map[part]*float64{}, map[part]*float64{}
	for p, xs := range svc {
		ms[p] = med(xs)
	}
	for p, xs := range plc {
		mp[p] = med(xs)
	}
	for i := range rows {
		p := part{rows[i].NeedCode, rows[i].AgeBand, rows[i].Category}
		rows[i].MedianServicesPer100, rows[i].MedianPlacesPer100 = ms[p], mp[p]
	}
}

// classify sets status, severity and reason: the multiIf of gap_analysis.
func classify(r *Row, o Options, hasDemand bool) {
	demandPos := r.Demand != nil && *r.Demand > 0
	var ratio *float64
	if r.MedianServicesPer100 != nil && *r.MedianServicesPer100 > 0 && demandPos {
		ratio = ptr(*r.ServicesPer100 / *r.MedianServicesPer100)
	}
	switch {
	case !hasDemand || r.Demand == nil:
		r.Status = StatusUnknown
	case *r.Demand == 0:
		r.Status = StatusOK
	case r.Services == 0 && r.StaleServices == 0 && r.Places == 0:
		r.Status = StatusNone
	case r.Services == 0 && r.StaleServices > 0 && r.Places == 0:
		r.Status = StatusStaleOnly
	case r.SettingsOverCapacity > 0 || r.NumberOnRoll > r.Places && r.Places > 0:
		r.Status = StatusOverCapacity
	case ratio != nil && *r.ServicesPer100 < o.ThinShare**r.MedianServicesPer100:
		r.Status = StatusThin
	default:
		r.Status = StatusOK
	}
	r.Severity = map[string]int{StatusNone: 5, StatusStaleOnly: 4, StatusOverCapacity: 3, StatusThin: 2, StatusUnknown: 1}[r.Status]
	r.Reason = reason(r, o, hasDemand, ratio)
	if r.ServicesDerivedAges > 0 {
		r.Reason += fmt.Sprintf("; %d of the services counted on ages read from their descriptions, not stated by the source", r.ServicesDerivedAges)
	}
	r.ServicesPer100 = round(r.ServicesPer100, 2)
	r.PlacesPer100 = round(r.PlacesPer100, 2)
	r.MedianServicesPer100 = round(r.MedianServicesPer100, 2)
	r.MedianPlacesPer100 = round(r.MedianPlacesPer100, 2)
	r.RatioToMedian = round(ratio, 3)
}

func reason(r *Row, o Options, hasDemand bool, ratio *float64) string {
	switch {
	case r.Status == StatusUnknown && !hasDemand:
		return "no EHC plan figures loaded for this LA, need and age band"
	case r.Status == StatusUnknown:
		return fmt.Sprintf("EHC plan figures for this need and age band are suppressed in the source (%d cells, %s)", r.SuppressedCells, r.Period)
	case r.Status == StatusNone:
		s := fmt.Sprintf("%s EHC plans (%s) and no current service or specialist place", chNum(*r.Demand), r.Period)
		if r.GeneralServices > 0 {
			s += fmt.Sprintf(" naming this need (%d services name no specific need)", r.GeneralServices)
		}
		return s
	case r.Status == StatusStaleOnly:
		return fmt.Sprintf("%s EHC plans (%s); the %d service(s) listed are all flagged stale (review or assurance overdue, or missing from source)",
			chNum(*r.Demand), r.Period, r.StaleServices)
	case r.Status == StatusOverCapacity:
		return fmt.Sprintf("%s on roll for %s specialist places; %d of %d setting(s) over capacity",
			chNum(r.NumberOnRoll), chNum(r.Places), r.SettingsOverCapacity, r.Settings)
	case r.Status == StatusThin:
		return fmt.Sprintf("%s services per 100 children with EHC plans, %s%% of the England median (%s); thin below %s%%",
			chNum(*round(r.ServicesPer100, 2)), chNum(*round(ptr(100**ratio), 0)), chNum(*round(r.MedianServicesPer100, 2)),
			chNum(*round(ptr(100*o.ThinShare), 0)))
	case *r.Demand == 0:
		return "no EHC plans recorded for this need and age band"
	}
	return fmt.Sprintf("%s services per 100 children with EHC plans (%s EHC plans, %s)", chNum(*round(r.ServicesPer100, 2)), chNum(*r.Demand), r.Period)
}

// round is ClickHouse's round(x, n) for floats: half to even.
func round(f *float64, n int) *float64 {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return nil
	}
	p := math.Pow(10, float64(n))
	return ptr(math.RoundToEven(*f*p) / p)
}

// chNum writes a float as ClickHouse's toString does for these magnitudes.
func chNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func ptr(f float64) *float64 { return &f }

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
