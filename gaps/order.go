package gaps

import (
	"sort"

	"github.com/localoffer/localoffer/schema"
)

// Orders from the shared vocabularies, so bands sort 0-4 … 19-25 rather than
// as strings, and needs in the DfE's publication order.
var (
	bandOrder     = indexOf(bandNames())
	needOrder     = indexOf(schema.NeedCodes)
	categoryOrder = indexOf(append([]string{"all"}, schema.Categories...))
)

func bandNames() []string {
	out := make([]string, len(schema.AgeBands))
	for i, b := range schema.AgeBands {
		out[i] = b.Name
	}
	return out
}

func indexOf(xs []string) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[x] = i
	}
	return m
}

// rank orders known values by their vocabulary position and unknown ones after.
func rank(m map[string]int, v string) int {
	if i, ok := m[v]; ok {
		return i
	}
	return len(m)
}

// sortRows: most severe first, then LA, the all-categories row before its
// breakdown, need, age band, category.
func sortRows(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.LACode != b.LACode {
			return a.LACode < b.LACode
		}
		if ca, cb := a.Category == "all", b.Category == "all"; ca != cb {
			return ca
		}
		if x, y := rank(needOrder, a.NeedCode), rank(needOrder, b.NeedCode); x != y {
			return x < y
		}
		if x, y := rank(bandOrder, a.AgeBand), rank(bandOrder, b.AgeBand); x != y {
			return x < y
		}
		return rank(categoryOrder, a.Category) < rank(categoryOrder, b.Category)
	})
}
