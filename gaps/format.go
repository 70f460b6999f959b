package gaps

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Formats the gaps verb writes.
var Formats = []string{"table", "csv", "json", "html"}

// WriteJSON writes the rows as one JSON array (an empty array, never null).
func WriteJSON(w io.Writer, rows []Row) error {
	if rows == nil {
		rows = []Row{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

var csvHeader = []string{"la_code", "la_name", "need_code", "age_band", "category", "services", "stale_services",
	"general_services", "service_places", "services_derived_ages", "settings", "places", "number_on_roll", "settings_over_capacity",
	"demand", "period", "suppressed_cells", "trend_per_year", "projected_demand", "services_per_100",
	"places_per_100", "median_services_per_100", "median_places_per_100", "ratio_to_median",
	"out_of_area_share", "status", "severity", "reason"}

// WriteCSV writes the rows with a header; empty cells are unknown values.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.LACode, csvSafe(r.LAName), r.NeedCode, r.AgeBand, r.Category, itoa(r.Services), itoa(r.StaleServices),
			itoa(r.GeneralServices), num(r.ServicePlaces), itoa(r.ServicesDerivedAges), itoa(r.Settings), num(r.Places), num(r.NumberOnRoll), itoa(r.SettingsOverCapacity),
			opt(r.Demand), r.Period, itoa(r.SuppressedCells), opt(r.TrendPerYear), opt(r.ProjectedDemand), opt(r.ServicesPer100),
			opt(r.PlacesPer100), opt(r.MedianServicesPer100), opt(r.MedianPlacesPer100), opt(r.RatioToMedian),
			opt(r.OutOfAreaShare), r.Status, itoa(r.Severity), csvSafe(r.Reason)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection in source strings: a cell
// starting with = + - @ is prefixed with an apostrophe (OWASP's advice).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteTable writes an aligned table for the terminal, most severe first.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tLA\tNEED\tAGES\tCATEGORY\tSERVICES\tPLACES\tDEMAND\tPER 100\tVS MEDIAN\tREASON")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Status, r.LACode, r.NeedCode, r.AgeBand, r.Category,
			r.Services, num(r.Places), dash(r.Demand), dash(r.ServicesPer100), pct(r.RatioToMedian), oneLine(r.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range []string{StatusNone, StatusStaleOnly, StatusOverCapacity, StatusThin, StatusUnknown, StatusOK} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		_, err := fmt.Fprintln(w, "no rows: load services and demand first (localoffer run)")
		return err
	}
	_, err := fmt.Fprintf(w, "%d rows: %s\n", len(rows), strings.Join(parts, ", "))
	return err
}

// oneLine keeps a source string from breaking the terminal table.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func itoa(i int) string { return strconv.Itoa(i) }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func opt(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}

func dash(f *float64) string {
	if f == nil {
		return "-"
	}
	return num(*f)
}

func pct(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(100**f, 'f', 0, 64) + "%"
}

// Write runs the gap analysis at o and writes it in format: table, csv, json
// or html (the full report).
func Write(ctx context.Context, c warehouse.Conn, o Options, format string, w io.Writer, now time.Time) error {
	switch format {
	case "html":
		r, err := Build(ctx, c, o, now)
		if err != nil {
			return err
		}
		return WriteHTML(w, r)
	case "table", "csv", "json":
	default:
		return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
	}
	rows, err := Rows(ctx, c, o)
	if err != nil {
		return err
	}
	rows = limited(rows, o)
	switch format {
	case "csv":
		return WriteCSV(w, rows)
	case "json":
		return WriteJSON(w, rows)
	}
	return WriteTable(w, rows)
}
