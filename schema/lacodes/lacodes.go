// Package lacodes is the one place that knows local authority codes: it tells
// an ONS GSS code and a GSS local authority code from other text, and maps the
// DfE's three-digit local authority codes to GSS codes. The table
// (lacodes.csv) was derived from the DfE "Education, health and care plans"
// 2025 open data, which carries both codes for all 153 LAs.
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

// IsGSS reports whether code has the shape of an ONS GSS code: a country
// letter (E, W, S, N, or K for areas across nations) and eight digits, as the
// schema's gss_code pattern says. It does not say which kind of area.
func IsGSS(code string) bool {
	return len(code) == 9 && strings.IndexByte("EWSNK", code[0]) >= 0 && digits(code[1:])
}

// laEntities are the GSS entity codes (the letter and first two digits) of
// local authorities in the ONS Register of Geographic Codes: in England
// unitary authorities (E06), non-metropolitan districts (E07), metropolitan
// districts (E08), London boroughs (E09) and counties (E10); Welsh unitary
// authorities (W06), Scottish council areas (S12) and Northern Ireland local
// government districts (N09). Wards (E05), regions (E12), countries (E92) and
// the like are GSS codes but not local authorities.
var laEntities = []string{"E06", "E07", "E08", "E09", "E10", "W06", "S12", "N09"}

// IsLA reports whether code is a GSS local authority code, such as E06000044.
func IsLA(code string) bool {
	if !IsGSS(code) {
		return false
	}
	for _, e := range laEntities {
		if code[:3] == e {
			return true
		}
	}
	return false
}

// IsOld reports whether code has the shape of a DfE three-digit LA code, such
// as 851 (ByOld says whether it is a known one).
func IsOld(code string) bool { return len(code) == 3 && digits(code) }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
