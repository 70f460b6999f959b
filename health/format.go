package health

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Formats are the output formats of `localoffer health`.
var Formats = []string{"table", "csv", "json", "html"}

// Write builds the report and writes it in one format: table (a summary per
// source), csv (the fix list, whole), json (everything) or html (the page).
func Write(ctx context.Context, c warehouse.Conn, o Options, format string, w io.Writer, now time.Time) error {
	o.Whole = format == "csv"
	r, err := Build(ctx, c, o, now)
	if err != nil {
		return err
	}
	switch format {
	case "table":
		return WriteTable(w, r)
	case "csv":
		return WriteFixCSV(w, r.Fixes)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "html":
		return WriteHTML(w, r)
	}
	return fmt.Errorf("unknown format %q (%s)", format, strings.Join(Formats, ", "))
}

// WriteFixCSV writes the fix list for data owners. Cells that a spreadsheet
// would run as formulas are defused.
func WriteFixCSV(w io.Writer, fixes []Fix) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FixColumns); err != nil {
		return err
	}
	for _, f := range fixes {
		vals := f.Values()
		for i, v := range vals {
			vals[i] = csvSafe(v)
		}
		if err := cw.Write(vals); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe stops a hostile cell (=HYPERLINK(…)) from running as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteTable prints one line per source, then the LA ranking and the size of the fix list.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tSEEN\tQUARANTINED\tREPAIRED\tDROPPED\tSTALE\tASSURED<3M\tMODIFIED<1Y\tMISSING\tP50/P95 MS\tPAGINATION\tORUK\tTREND\tREASON")
	for _, s := range r.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n",
			s.Pipeline, s.Status, s.RecordsSeen, pctOf(s.RecordsQuarantined, s.QuarantineRate), sum(s.FieldsRepaired), sum(s.FieldsDropped),
			share(s.StaleShare), share(s.AssuredShare), share(s.ModifiedShare), s.MissingFromSource,
			latency(s.P50ms, s.P95ms), s.PaginationAnomalies, conformance(s.Run), trend(s.History), oneLine(s.Reason, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.LAs) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LA\tSERVICES\tSTALE\tSTALE SHARE\tQUARANTINE RATE\tSTALE RANK")
		for _, l := range r.LAs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\n", l.LACode, l.Services, l.Stale, share(&l.StaleShare), share(l.QuarantineRate), l.StaleRank)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nFix list: %d records or fields need attention (localoffer health --format csv for the whole list).\n", r.FixesTotal)
	if kinds := fixKinds(r.Fixes); kinds != "" {
		fmt.Fprintf(w, "  %s\n", kinds)
	}
	return nil
}

func fixKinds(fixes []Fix) string {
	n := map[string]int{}
	for _, f := range fixes {
		n[f.Kind]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] || (n[keys[i]] == n[keys[j]] && keys[i] < keys[j]) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, n[k])
	}
	return strings.Join(parts, ", ")
}

func sum(m map[string]uint64) uint64 {
	var t uint64
	for _, v := range m {
		t += v
	}
	return t
}

func share(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(100**f, 'f', 0, 64) + "%"
}

func pctOf(n uint64, rate float64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s%%)", n, strconv.FormatFloat(100*rate, 'f', 1, 64))
}

func latency(p50, p95 float64) string {
	if p50 == 0 && p95 == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/%.0f", p50, p95)
}

// conformance renders the ORUK level reached: "L2" all passed, "L1" level 1
// only, "fail" a level 1 check failed; "-" for sources that are not APIs.
func conformance(r Run) string {
	if r.ConformanceChecks == 0 {
		return "-"
	}
	switch r.ConformanceLevel {
	case 2:
		return "L2"
	case 1:
		return "L1"
	}
	return "fail"
}

// trend shows the stale share over the runs shown, as text blocks.
func trend(h []Run) string {
	const blocks = "▁▂▃▄▅▆▇█"
	var b strings.Builder
	for _, r := range h {
		if r.StaleShare == nil {
			b.WriteRune('·')
			continue
		}
		i := int(*r.StaleShare * 7.999)
		b.WriteRune([]rune(blocks)[max(0, min(i, 7))])
	}
	return b.String()
}

// oneLine keeps table cells on one line and short; control characters from a
// source never reach the terminal.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
