// Package lacodes maps the DfE's three-digit local authority codes to ONS GSS
// codes. The table (lacodes.csv) was derived from the DfE "Education, health
// and care plans" 2025 open data, which carries both codes for all 153 LAs.
package lacodes

import (
	_ "embed"
	"encoding/csv"
	"strings"
)

//go:embed lacodes.csv
var table string

// LA is one local authority.
type LA struct{ Old, GSS, Name string }

var byOld, byGSS = func() (map[string]LA, map[string]LA) {
	old, gss := map[string]LA{}, map[string]LA{}
	rows, err := csv.NewReader(strings.NewReader(table)).ReadAll()
	if err != nil {
		panic("lacodes.csv: " + err.Error()) // embedded at build time; a test reads it
	}
	for _, r := range rows[1:] {
		la := LA{Old: r[0], GSS: r[1], Name: r[2]}
		old[la.Old], gss[la.GSS] = la, la
	}
	return old, gss
}()

// ByOld looks up a DfE code such as "851".
func ByOld(code string) (LA, bool) {
	la, ok := byOld[strings.TrimSpace(code)]
	return la, ok
}

// ByGSS looks up a GSS code such as "E06000044".
func ByGSS(code string) (LA, bool) {
	la, ok := byGSS[strings.TrimSpace(code)]
	return la, ok
}

// Len is how many LAs the table has.
func Len() int { return len(byOld) }

// All lists every LA in the table's order (by DfE code).
func All() []LA {
	rows, _ := csv.NewReader(strings.NewReader(table)).ReadAll()
	out := make([]LA, 0, len(rows))
	for _, r := range rows[1:] {
		out = append(out, LA{Old: r[0], GSS: r[1], Name: r[2]})
	}
	return out
}
