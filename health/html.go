package health

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("health").Funcs(template.FuncMap{
	"share": share, "sum": sum, "latency": latency, "conformance": conformance,
	"pct":    func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" },
	"minute": func(ts string) string { return ts[:min(16, len(ts))] },
}).Parse(pageTemplate))

// spark is a small inline line chart of one measure over a source's runs.
type spark struct {
	Title, Desc string
	Points      string // SVG polyline points, computed from numbers only
	Dots        []dot
	W, H        int
}

type dot struct {
	X, Y  string
	Label string
}

type sourceView struct {
	Source
	Stale, Quarantine spark
	Failing           string
}

type htmlView struct {
	*Report
	Generated string
	Views     []sourceView
	APIs      []sourceView
	MoreFixes int
}

// WriteHTML writes the offline, accessible, printable health page.
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{Report: r, Generated: r.Generated.Format("2 January 2006 15:04 MST"), MoreFixes: r.FixesTotal - len(r.Fixes)}
	for _, s := range r.Sources {
		sv := sourceView{Source: s, Failing: strings.Join(s.ConformanceFailing, ", ")}
		sv.Stale = newSpark(s.History, "share of services stale", func(h Run) (float64, bool) {
			if h.StaleShare == nil {
				return 0, false
			}
			return *h.StaleShare, true
		})
		sv.Quarantine = newSpark(s.History, "quarantine rate", func(h Run) (float64, bool) { return h.QuarantineRate, h.RecordsSeen > 0 })
		v.Views = append(v.Views, sv)
		if s.ConformanceChecks > 0 {
			v.APIs = append(v.APIs, sv)
		}
	}
	return page.Execute(w, v)
}

// newSpark plots a share (0–1) over the runs, oldest on the left.
func newSpark(h []Run, what string, value func(Run) (float64, bool)) spark {
	const width, height, pad = 120, 28, 3
	s := spark{W: width, H: height, Title: what + " over the last " + strconv.Itoa(len(h)) + " runs"}
	var pts, words []string
	n := len(h)
	for i, r := range h {
		v, ok := value(r)
		if !ok {
			words = append(words, r.StartedAt[:min(10, len(r.StartedAt))]+": not measured")
			continue
		}
		x := float64(pad)
		if n > 1 {
			x = pad + float64(i)*float64(width-2*pad)/float64(n-1)
		}
		y := float64(height-pad) - v*float64(height-2*pad)
		xs, ys := strconv.FormatFloat(x, 'f', 1, 64), strconv.FormatFloat(y, 'f', 1, 64)
		pts = append(pts, xs+","+ys)
		label := fmt.Sprintf("%s: %s", r.StartedAt[:min(10, len(r.StartedAt))], strconv.FormatFloat(100*v, 'f', 1, 64)+"%")
		s.Dots = append(s.Dots, dot{X: xs, Y: ys, Label: label})
		words = append(words, label)
	}
	s.Points = strings.Join(pts, " ")
	s.Desc = strings.Join(words, "; ")
	return s
}
