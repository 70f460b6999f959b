package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Outcome is what a run's status is decided from once its records are loaded.
type Outcome struct {
	Declared int                 // records the source said it holds (collect.Run.Declare)
	Stats    warehouse.LoadStats // what the loader did
	Warnings map[string]int      // warnings met, by kind
	// FirstWarning is the first message of each kind: a collector that
	// aggregates (one warning per table, its count inside) is quoted.
	FirstWarning map[string]string
}

// Classify decides a finished run's status and says why, in words fit for
// the run summary. failed: the source declared records and yielded none, or
// more than failShare of its records were quarantined. degraded: the data
// arrived with named gaps: declared resources missing, dangling keys, more
// than DegradeShare of records quarantined or losing a field. Repairs alone
// never degrade a run. (A collector error fails the run before this.)
func Classify(o Outcome, failShare float64) (status, reason string) {
	st := o.Stats
	records := st.Loaded + st.Unchanged + st.Quarantined
	if records == 0 && o.Declared > 0 {
		return StatusFailed, fmt.Sprintf("the source declares %d records but none arrived", o.Declared)
	}
	if records > 0 && share(st.Quarantined, records) > failShare {
		return StatusFailed, fmt.Sprintf("%d of %d records quarantined (%s, above quarantine_fail_share %s)",
			st.Quarantined, records, percent(share(st.Quarantined, records)), percent(failShare))
	}
	var reasons []string
	for _, k := range collect.DegradingKinds {
		switch n := o.Warnings[k]; {
		case n == 1 && o.FirstWarning[k] != "":
			reasons = append(reasons, clip(o.FirstWarning[k], maxQuoted))
		case n > 0:
			reasons = append(reasons, fmt.Sprintf("%d %s", n, kindWords(k, n)))
		}
	}
	if records > 0 && share(st.Quarantined, records) > DegradeShare {
		reasons = append(reasons, fmt.Sprintf("%d of %d records quarantined (%s)", st.Quarantined, records, percent(share(st.Quarantined, records))))
	}
	if loaded := st.Loaded + st.Unchanged; loaded > 0 && share(st.RecordsWithDrops, loaded) > DegradeShare {
		reasons = append(reasons, fmt.Sprintf("%d of %d loaded records lost a field (%s; see field_issues)", st.RecordsWithDrops, loaded, percent(share(st.RecordsWithDrops, loaded))))
	}
	if len(reasons) > 0 {
		return StatusDegraded, strings.Join(reasons, "; ")
	}
	return StatusOK, ""
}

// maxQuoted bounds a warning quoted in a status reason.
const maxQuoted = 200

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut-- // not inside a UTF-8 sequence
	}
	return s[:cut] + "…"
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func percent(f float64) string {
	p := 100 * f
	if p == float64(int(p)) {
		return fmt.Sprintf("%d%%", int(p))
	}
	return fmt.Sprintf("%.1f%%", p)
}

func kindWords(kind string, n int) string {
	switch kind {
	case collect.KindMissingResource:
		if n == 1 {
			return "declared resource missing"
		}
		return "declared resources missing"
	case collect.KindDanglingKey:
		if n == 1 {
			return "dangling foreign key"
		}
		return "dangling foreign keys"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// sortedKinds lists kinds in a stable order for summaries.
func sortedKinds(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
