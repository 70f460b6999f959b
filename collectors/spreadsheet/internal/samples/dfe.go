package samples

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// Area is one geography in the DfE files.
type Area struct {
	Level, RegionCode, RegionName, GSS, Old, Name string
	Totals                                        []int // EHC plans per period, oldest first
}

// Periods are the academic years of the sample demand files.
var Periods = []string{"202021", "202122", "202223", "202324", "202425"}

// DemandAreas: England and Portsmouth with invented, steadily rising totals.
var DemandAreas = []Area{
	{Level: "National", Totals: []int{431500, 474200, 518900, 574300, 629800}},
	{Level: "Local authority", RegionCode: "E12000008", RegionName: "South East", GSS: "E06000044", Old: "851", Name: "Portsmouth",
		Totals: []int{1985, 2120, 2265, 2430, 2604}},
}

var needOrder = []string{"asd", "hi", "mld", "msi", "oth", "pd", "pmld", "semh", "slcn", "sld", "spld", "vi"}

// Invented need shares (they leave about 1% as need unknown).
var needShare = map[string]float64{"asd": 0.305, "hi": 0.013, "mld": 0.104, "msi": 0.003, "oth": 0.012, "pd": 0.038,
	"pmld": 0.013, "semh": 0.205, "slcn": 0.212, "sld": 0.041, "spld": 0.024, "vi": 0.009}

func ageWeights() (labels []string, w []float64) {
	labels = append(labels, "under 3")
	w = append(w, 0.3)
	for a := 3; a <= 25; a++ {
		labels = append(labels, "age "+strconv.Itoa(a))
		switch {
		case a < 5:
			w = append(w, 1.5+float64(a-3))
		case a <= 16:
			w = append(w, 6.5-math.Abs(float64(a)-11)*0.3)
		case a <= 19:
			w = append(w, 4.5-float64(a-16))
		default:
			w = append(w, 1.2-float64(a-20)*0.18)
		}
	}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	for i := range w {
		w[i] /= sum
	}
	return labels, w
}

var dfeLead = []string{"time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
	"region_name", "new_la_code", "old_la_code", "la_name", "breakdown_topic", "breakdown"}

func lead(a Area, period, topic, breakdown string) []string {
	return []string{period, "Academic year", a.Level, "E92000001", "England", a.RegionCode, a.RegionName, a.GSS, a.Old, a.Name, topic, breakdown}
}

func pct(n, total int) string {
	if total == 0 {
		return "z"
	}
	return strconv.FormatFloat(math.Round(float64(n)*1000/float64(total))/10, 'f', -1, 64)
}

// cell writes a count, suppressing small LA figures as the DfE does ("x").
func cell(a Area, n int) string {
	if a.Level == "Local authority" && n > 0 && n < 3 {
		return "x"
	}
	return strconv.Itoa(n)
}

// WriteNeeds writes a sen_needs_all_plans.csv-shaped file (UTF-8 with BOM,
// CRLF): all plans and single years of age, by need, per period and area.
func WriteNeeds(w io.Writer) error {
	r := rand.New(rand.NewPCG(2025, 851))
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := append([]string{}, dfeLead...)
	header = append(header, "ehc_plans")
	for _, n := range needOrder {
		header = append(header, "number_"+n)
	}
	header = append(header, "number_need_unknown")
	for _, n := range needOrder {
		header = append(header, n+"_pc")
	}
	header = append(header, "unknown_pc")
	cw.Write(header)
	labels, weights := ageWeights()
	for pi, period := range Periods {
		for _, a := range DemandAreas {
			total := a.Totals[pi]
			write := func(topic, breakdown string, t int) {
				row := lead(a, period, topic, breakdown)
				counts := make([]int, len(needOrder))
				known := 0
				for i, n := range needOrder {
					// Autism and SEMH grow a little faster than the rest.
					drift := 1.0
					if n == "asd" || n == "semh" {
						drift = 0.96 + 0.02*float64(pi)
					}
					counts[i] = int(math.Round(float64(t) * needShare[n] * drift * (0.97 + 0.06*r.Float64())))
					known += counts[i]
				}
				if known > t {
					counts[0] -= known - t
					known = t
				}
				row = append(row, strconv.Itoa(t))
				for _, c := range counts {
					row = append(row, cell(a, c))
				}
				row = append(row, cell(a, t-known))
				for _, c := range counts {
					if cell(a, c) == "x" {
						row = append(row, "x")
					} else {
						row = append(row, pct(c, t))
					}
				}
				row = append(row, pct(t-known, t))
				cw.Write(row)
			}
			write("All EHC plans", "All EHC plans", total)
			for i, l := range labels {
				write("Child or young persons age", l, int(math.Round(float64(total)*weights[i])))
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// Caseload placement columns in the DfE file's order, with invented shares;
// "" marks subtotals and percentages computed from the others.
var caseloadColumns = []struct {
	name  string
	share float64
}{
	{"mainstream_la_maintained", 0.150}, {"mainstream_la_maintained_resourced_provision", 0.011}, {"mainstream_la_maintained_senunit", 0.005},
	{"mainstream_academy", 0.221}, {"mainstream_academy_resourced_provision", 0.013}, {"mainstream_academy_senunit", 0.009},
	{"mainstream_free_school", 0.014}, {"mainstream_free_school_resourced_provision", 0.0004}, {"mainstream_free_school_senunit", 0.0001},
	{"mainstream_independent", 0.011}, {"mainstream_total", -1}, {"mainstream_total_pc", -2},
	{"special_la_maintained", 0.134}, {"special_academy_free", 0.116}, {"special_independent", 0.047}, {"special_non_maintained", 0.007},
	{"special_total", -1}, {"special_total_pc", -2},
	{"ap_pru_academy", 0.003}, {"ap_pru_free_school", 0.001}, {"ap_pru_la_maintained", 0.0036}, {"ap_pru_total", -1}, {"AP_PRU_total_pc", -2},
	{"general_fe_tertiary_colleges", 0.111}, {"specialist_post_16_institutions", 0.015}, {"ukrlp_provider", 0.012}, {"fe_total", -1}, {"fe_total_pc", -2},
	{"elective_home_education", 0.011}, {"other_arrangements_la", 0.018}, {"other_arrangements_parents", 0.0016}, {"online_provider", 0.0002},
	{"w_settings", 0.0006}, {"other_schools", 0.0003}, {"other_placement_settings", 0.0063}, {"neet", 0.028}, {"neet_ntci", 0.0028},
	{"neet_other", 0.0047}, {"neet_other_csa", 0.0038}, {"ed_elsewhere", -1}, {"ed_elsewhere_pc", -2},
	{"nm_early_years", 0.007}, {"nm_early_years_pc", -2}, {"placement_unknown", 0}, {"placement_unknown_pc", -2},
	{"await_prov_2022", 0}, {"perm_ex_2022", 0},
}

// WriteCaseload writes a caseload.csv-shaped file: placements by setting
// type for each period and area (all ages).
func WriteCaseload(w io.Writer) error {
	r := rand.New(rand.NewPCG(2019, 44))
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := append(append([]string{}, dfeLead...), "ehcplans")
	for _, c := range caseloadColumns {
		header = append(header, c.name)
	}
	cw.Write(header)
	for pi, period := range Periods {
		for _, a := range DemandAreas {
			total := a.Totals[pi]
			row := append(lead(a, period, "All EHC plans", "All EHC plans"), strconv.Itoa(total))
			vals := make([]string, len(caseloadColumns))
			sub, placed := 0, 0
			for i, c := range caseloadColumns {
				switch {
				case c.share == -1:
					vals[i] = strconv.Itoa(sub)
					sub = 0
				case c.share == -2:
					vals[i] = ""
				case c.name == "placement_unknown":
					vals[i] = "" // filled below
				case c.name == "await_prov_2022" || c.name == "perm_ex_2022":
					vals[i] = "x"
				default:
					n := int(math.Round(float64(total) * c.share * (0.95 + 0.1*r.Float64())))
					if c.name == "nm_early_years" {
						sub = 0
					}
					vals[i] = cell(a, n)
					sub += n
					placed += n
				}
			}
			for i, c := range caseloadColumns {
				if c.name == "placement_unknown" {
					vals[i] = cell(a, max(total-placed, 0))
				}
			}
			for i, c := range caseloadColumns {
				if c.share == -2 {
					base := vals[i-1]
					n, err := strconv.Atoi(base)
					if err != nil {
						vals[i] = "x"
					} else {
						vals[i] = pct(n, total)
					}
				}
			}
			cw.Write(append(row, vals...))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// Check is a guard for the generator: the areas have a total per period.
func Check() error {
	for _, a := range DemandAreas {
		if len(a.Totals) != len(Periods) {
			return fmt.Errorf("area %q has %d totals for %d periods", a.Name, len(a.Totals), len(Periods))
		}
	}
	return nil
}
