package spreadsheet

import (
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/internal/sharedtest"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// TestDfERealFiles loads the published DfE files and checks the figures
// against the publication itself.
func TestDfERealFiles(t *testing.T) {
	needs := sharedtest.Path(t, "data", "dfe-ehcp-2025", "sen_needs_all_plans.csv")
	caseload := sharedtest.Path(t, "data", "dfe-ehcp-2025", "caseload.csv")
	w := whtest.New(t)
	res := runPipeline(t, w, "ehcp_needs", needs, Options{Preset: "dfe_ehcp_needs"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.RecordsQuarantined != 0 {
		t.Errorf("%d records quarantined", res.RecordsQuarantined)
	}
	// The national total as published: 638,745 EHC plans in England, January 2025.
	if n := scalar[float64](t, w, `SELECT sum(count) FROM demand_all_ages WHERE pipeline = 'ehcp_needs' AND period = '202425'
		AND geographic_level = 'National' AND need_code = '' AND placement = ''`); n != 638745 {
		t.Errorf("national all plans = %v, want 638745", n)
	}
	// LA totals are never suppressed: their sum is the national figure.
	if n := scalar[float64](t, w, `SELECT sum(count) FROM demand_all_ages WHERE pipeline = 'ehcp_needs' AND period = '202425'
		AND geographic_level = 'Local authority' AND need_code = '' AND placement = ''`); n != 638745 {
		t.Errorf("sum over LAs = %v, want 638745", n)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM demand_all_ages WHERE pipeline = 'ehcp_needs' AND period = '202425'
		AND geographic_level = 'Local authority' AND need_code = '' AND placement = ''`); n != 153 {
		t.Errorf("LA total rows = %d, want 153", n)
	}
	// Per need, the warehouse holds exactly what the file says: checked
	// against an independent encoding/csv read. (The publication itself is
	// not additive for every need: in 2024/25 the LA rows give SLD 25,025
	// and SPLD 15,030 against national 25,681 and 14,374, so the national
	// = sum-of-LAs test is made on the all-needs total above.)
	ref := readNeedTotals(t, needs)
	type needSum struct {
		Need     string  `json:"need_code"`
		National float64 `json:"national"`
		LAs      float64 `json:"las"`
	}
	rows, err := warehouse.QueryInto[needSum](context.Background(), w, `SELECT CAST(need_code AS String) AS need_code,
		sumIf(ifNull(count, 0), geographic_level = 'National') AS national,
		sumIf(ifNull(count, 0), geographic_level = 'Local authority') AS las
		FROM demand_all_ages WHERE pipeline = 'ehcp_needs' AND period = '202425' AND need_code != ''
		GROUP BY need_code ORDER BY need_code`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 {
		t.Fatalf("need rows = %d, want the 12 DfE need codes", len(rows))
	}
	for _, r := range rows {
		want := ref.need[r.Need]
		if r.National != want[0] || r.LAs != want[1] {
			t.Errorf("%s: national %v, LAs %v; the file says %v, %v", r.Need, r.National, r.LAs, want[0], want[1])
		}
	}
	// Suppressed cells load as NULL, never 0: as many NULLs as "x" cells in
	// the loaded breakdowns.
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM demand WHERE pipeline = 'ehcp_needs' AND count IS NULL`); n != ref.suppressed || n == 0 {
		t.Errorf("NULL counts = %d, want %d (and more than 0)", n, ref.suppressed)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM demand WHERE pipeline = 'ehcp_needs' AND count = 0`); n != ref.zeros {
		t.Errorf("zero counts = %d, want the file's %d", n, ref.zeros)
	}
	// Single-year age rows sum to no more than the all-ages total.
	if n := scalar[float64](t, w, `SELECT sum(count) FROM demand WHERE pipeline = 'ehcp_needs' AND period = '202425'
		AND geographic_level = 'National' AND need_code = '' AND age_min IS NOT NULL`); n > 638745 || n < 600000 {
		t.Errorf("national single ages sum to %v, want close to and at most 638745", n)
	}
	checkCaseload(t, caseload)
}

// checkCaseload maps the real caseload file (validating every record, no
// warehouse: the file has ~25,000 rows × 45 placements) and checks that the
// 2024/25 national placements add up to the published 638,745.
func checkCaseload(t *testing.T, path string) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	var placed, total float64
	portsmouth := 0
	run := &collect.Run{Pipeline: "ehcp_caseload", Emit: func(ctx context.Context, rec *schema.Record) error {
		if p := v.Validate(rec); len(p) > 0 {
			t.Fatalf("%s invalid: %v", rec.ID(), p)
		}
		d := rec.Demand
		if d.Period == "202425" && d.GeographicLevel == "National" && d.AgeMin == nil && d.Count != nil {
			if d.Placement == "" {
				total += *d.Count
			} else {
				placed += *d.Count
			}
		}
		if d.LACode == "E06000044" && d.LACodeOld == "851" && d.Placement == "special_la_maintained" {
			portsmouth++
		}
		return nil
	}}
	c := &Collector{Source: path, Options: Options{Preset: "dfe_ehcp_caseload"}}
	if err := c.read(context.Background(), run, path, schema.Provenance{}); err != nil {
		t.Fatal(err)
	}
	if total != 638745 || placed != 638745 {
		t.Errorf("2024/25 national caseload: total %v, placements %v; want 638745 both", total, placed)
	}
	if portsmouth == 0 {
		t.Error("no Portsmouth special_la_maintained caseload rows")
	}
}

type needTotals struct {
	need       map[string][2]float64 // national, sum over LAs (all ages, 202425)
	suppressed int                   // "x" cells in loaded breakdowns and need columns
	zeros      int
}

// readNeedTotals reads the DfE file with encoding/csv, independently of the
// collector, for the figures the test compares against.
func readNeedTotals(t *testing.T, path string) needTotals {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	out := needTotals{need: map[string][2]float64{}}
	codes := []string{"ASD", "HI", "MLD", "MSI", "OTH", "PD", "PMLD", "SEMH", "SLCN", "SLD", "SPLD", "VI"}
	for _, r := range recs[1:] {
		topic := r[col["breakdown_topic"]]
		if topic != "All EHC plans" && topic != "Child or young persons age" {
			continue
		}
		cells := []string{r[col["ehc_plans"]]}
		for _, c := range codes {
			cells = append(cells, r[col["number_"+strings.ToLower(c)]])
		}
		for _, v := range cells {
			switch v {
			case "x":
				out.suppressed++
			case "0":
				out.zeros++
			}
		}
		if topic != "All EHC plans" || r[col["time_period"]] != "202425" {
			continue
		}
		for _, c := range codes {
			n, _ := strconv.ParseFloat(r[col["number_"+strings.ToLower(c)]], 64)
			v := out.need[c]
			switch r[col["geographic_level"]] {
			case "National":
				v[0] += n
			case "Local authority":
				v[1] += n
			}
			out.need[c] = v
		}
	}
	return out
}
