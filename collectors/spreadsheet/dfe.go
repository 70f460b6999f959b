package spreadsheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
)

// dfeMapper reads the DfE "Education, health and care plans" open data: one
// row per period × area × breakdown, counts in wide columns. Each count
// becomes a demand row; suppressed cells (x, z, c, low) load as NULL.
//
// Only the "All EHC plans" and "Child or young persons age" breakdowns fit
// the demand model (need × age × placement); the sex, ethnicity, years-in-plan
// and age-at-start breakdowns would double count and are skipped.
type dfeMapper struct {
	env      env
	caseload bool
	col      map[string]int
	counts   []countColumn
	skipped  map[string]int // breakdown topics skipped, for the summary
}

// countColumn is one wide column that becomes demand rows.
type countColumn struct {
	idx       int
	name      string
	need      string // need code; empty = all needs
	placement string // caseload setting; empty = all settings
}

var dfeKeyColumns = []string{"time_period", "geographic_level", "breakdown_topic", "breakdown"}

func newDFEMapper(header []string, e env, caseload bool) (*dfeMapper, error) {
	m := &dfeMapper{env: e, caseload: caseload, col: map[string]int{}, skipped: map[string]int{}}
	for i, h := range header {
		m.col[strings.ToLower(h)] = i
	}
	total := "ehc_plans"
	if caseload {
		total = "ehcplans"
	}
	for _, k := range append(append([]string{}, dfeKeyColumns...), total) {
		if _, ok := m.col[k]; !ok {
			return nil, missingColumn(e.source, "preset", k, header)
		}
	}
	m.counts = append(m.counts, countColumn{idx: m.col[total], name: total})
	if caseload {
		for i, h := range header {
			l := strings.ToLower(h)
			if i <= m.col[total] || strings.HasSuffix(l, "_pc") || strings.HasSuffix(l, "_total") || l == "ed_elsewhere" {
				continue // totals and percentages would double count
			}
			m.counts = append(m.counts, countColumn{idx: i, name: h, placement: l})
		}
	} else {
		for _, code := range schema.NeedCodes {
			if i, ok := m.col["number_"+strings.ToLower(code)]; ok {
				m.counts = append(m.counts, countColumn{idx: i, name: header[i], need: code})
			}
		}
	}
	return m, nil
}

func (m *dfeMapper) get(row []string, name string) string {
	if i, ok := m.col[name]; ok {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// ageRange reads the age breakdowns: "age 10", "under 3", "age 2 and under",
// "age 20 and over" (EHC plans end at 25).
func ageRange(b string) (lo, hi int, ok bool) {
	b = strings.ToLower(strings.TrimSpace(b))
	num := func(s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil && n >= 0 && n <= 25
	}
	switch {
	case strings.HasPrefix(b, "under age "), strings.HasPrefix(b, "under "):
		n, ok := num(b[strings.LastIndex(b, " ")+1:])
		return 0, n - 1, ok && n > 0
	case strings.HasSuffix(b, " and under"):
		n, ok := num(strings.TrimSuffix(strings.TrimPrefix(b, "age "), " and under"))
		return 0, n, ok
	case strings.HasSuffix(b, " and over"):
		n, ok := num(strings.TrimSuffix(strings.TrimPrefix(b, "age "), " and over"))
		return n, 25, ok
	case strings.HasPrefix(b, "age "):
		n, ok := num(strings.TrimPrefix(b, "age "))
		return n, n, ok
	}
	return 0, 0, false
}

func (m *dfeMapper) Map(row []string, line int) ([]*schema.Record, []cellError) {
	topic := strings.ToLower(m.get(row, "breakdown_topic"))
	var ageMin, ageMax *int
	switch {
	case topic == "all ehc plans":
	case topic == "child or young persons age":
		lo, hi, ok := ageRange(m.get(row, "breakdown"))
		if !ok {
			return nil, []cellError{{Column: "breakdown", Msg: fmt.Sprintf("age breakdown %q not understood; row skipped", m.get(row, "breakdown"))}}
		}
		ageMin, ageMax = &lo, &hi
	default:
		m.skipped[m.get(row, "breakdown_topic")]++
		return nil, nil
	}
	base := schema.Demand{
		Period: m.get(row, "time_period"), GeographicLevel: m.get(row, "geographic_level"),
		LAName: m.get(row, "la_name"), RegionCode: m.get(row, "region_code"),
		AgeMin: ageMin, AgeMax: ageMax, Measure: m.env.measure, Source: m.env.sourceLabel,
	}
	var errs []cellError
	if base.GeographicLevel == "Local authority" {
		base.LACode, base.LACodeOld = m.get(row, "new_la_code"), m.get(row, "old_la_code")
		if la, ok := lacodes.ByOld(base.LACodeOld); ok && base.LACode == "" {
			base.LACode = la.GSS
		}
	}
	recs := make([]*schema.Record, 0, len(m.counts))
	for _, c := range m.counts {
		d := base
		d.NeedCode, d.Placement = c.need, c.placement
		if !m.caseload {
			d.Placement = ""
		}
		n, err := parseNumber(row[c.idx])
		if err != nil {
			errs = append(errs, cellError{Column: c.name, Msg: err.Error()})
		}
		d.Count = n
		d.ID = m.env.id(demandKey(&d))
		recs = append(recs, &schema.Record{Kind: schema.KindDemand, Demand: &d})
	}
	return recs, errs
}

// measureFor infers the measure of a DfE file from its name.
func measureFor(source string, caseload bool) string {
	switch {
	case caseload:
		return "caseload"
	case strings.Contains(strings.ToLower(source), "newplan"):
		return "new_plans"
	}
	return "all_plans"
}
