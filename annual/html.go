package annual

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/schema"
)

// One html/template page with inline CSS and SVG, in the gap report's style:
// no JavaScript, no CDN; every string from a source is escaped by
// html/template.
//
//go:embed report.html.tmpl
var reportTemplate string

var tmpl = template.Must(template.New("annual").Funcs(template.FuncMap{
	"pct":  pct,
	"cat":  categoryName,
	"need": needName,
	"band": func(b string) string { return strings.Replace(b, "-", "–", 1) },
	"who":  respondentName,
	"date": longDate,
	"join": strings.Join,
	"base": func(s string) string { return path.Base(strings.ReplaceAll(s, "\\", "/")) },
	"flag": func(f string) string { return strings.ReplaceAll(f, "_", " ") },
	"days": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', 0, 64)
	},
	"inc": func(i int) int { return i + 1 },
}).Parse(reportTemplate))

// Okabe–Ito colours, as the gap report uses.
const (
	blue   = "#0072B2"
	orange = "#E69F00"
	green  = "#009E73"
	sky    = "#56B4E9"
	grey   = "#BBBBBB"
	red    = "#D55E00"
)

type view struct {
	*Report
	Title        string
	GeneratedStr string
	AssuredPct   string
	AnsweredPct  string
	CategoryBars *hbars
	ThemeBars    *hbars
	NeedBars     *hbars
	MonthCols    *columns
	Heat         *heat
	Trend        *trend
	Findings     []string
	AssuredDays  int
}

// WriteHTML renders the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	name := r.LAName
	if name == "" {
		name = r.LACode
	}
	v := view{Report: r, Title: fmt.Sprintf("%s Local Offer annual report %s", name, r.YearLabel),
		GeneratedStr: r.Generated.Format("2 January 2006 15:04 MST"),
		AssuredPct:   pct(r.Coverage.AssuredShare()), AnsweredPct: pct(r.Feedback.AnsweredShare()), AssuredDays: AssuredWithinDays}
	var cats []bar
	for _, c := range r.Coverage.ByCategory {
		other := c.Services - c.Stale - c.AssuredFresh
		cats = append(cats, bar{Label: categoryName(c.Category), Parts: []float64{float64(c.AssuredFresh), float64(other), float64(c.Stale)},
			Title: fmt.Sprintf("%s: %d services, %d assured within three months, %d stale", categoryName(c.Category), c.Services, c.AssuredRecent, c.Stale)})
	}
	v.CategoryBars = newHBars("Services by Local Offer category", cats, []string{green, sky, orange})
	v.ThemeBars = newHBars("Comments by Local Offer category", themeBars(r.Feedback.Categories, categoryName), []string{blue, grey})
	v.NeedBars = newHBars("Comments by need", themeBars(r.Feedback.Needs, needName), []string{blue, grey})
	v.MonthCols = newColumns(r.Feedback.Months)
	v.Heat = newHeat(r.Gaps.Rows)
	v.Trend = newTrend(r.Gaps.Projections)
	v.Findings = findings(r)
	return tmpl.Execute(w, v)
}

// findings are the headline sentences, from figures already gathered.
func findings(r *Report) []string {
	var out []string
	c := r.Coverage
	if c.Services > 0 {
		out = append(out, fmt.Sprintf("%d services are listed; %s were assured by their owners in the three months to %s, and %d are flagged stale.",
			c.Services, pct(c.AssuredShare()), longDate(r.AsOf), c.Stale))
	}
	counts := map[string]int{}
	for _, row := range r.Gaps.Rows {
		counts[row.Status]++
	}
	if n := counts[gaps.StatusNone] + counts[gaps.StatusStaleOnly] + counts[gaps.StatusOverCapacity]; n > 0 {
		out = append(out, fmt.Sprintf("%d need and age combinations have no current provision, only stale records or settings over capacity (%d none, %d stale only, %d over capacity).",
			n, counts[gaps.StatusNone], counts[gaps.StatusStaleOnly], counts[gaps.StatusOverCapacity]))
	}
	if cp := r.Gaps.Compliance; cp != nil && cp.Schools > 0 {
		out = append(out, fmt.Sprintf("SEN information reports were found for %d of %d schools checked; %d lack at least one Schedule 1 item and %d are out of date.",
			cp.ReportsFound, cp.Schools, cp.ReportsMissingItems, cp.ReportsStale))
	}
	f := r.Feedback
	if f.Comments > 0 {
		s := fmt.Sprintf("%d comments were received in %s; %s have been answered", f.Comments, r.YearLabel, pct(f.AnsweredShare()))
		if f.MedianDays != nil {
			s += fmt.Sprintf(", in a median of %.0f days", *f.MedianDays)
		}
		out = append(out, s+".")
		if len(f.FamiliesSay) > 0 {
			out = append(out, fmt.Sprintf("Families' comments speak to %d of the gaps the data shows (see “Families say, the data shows”).", len(f.FamiliesSay)))
		}
	} else {
		out = append(out, "No feedback comments were loaded for this year.")
	}
	return out
}

func themeBars(ts []Theme, name func(string) string) []bar {
	var out []bar
	for i, t := range ts {
		if i == 10 {
			break
		}
		out = append(out, bar{Label: name(t.Value), Parts: []float64{float64(t.Answered), float64(t.Comments - t.Answered)},
			Title: fmt.Sprintf("%s: %d comments, %d answered", name(t.Value), t.Comments, t.Answered)})
	}
	return out
}

// hbars is a horizontal stacked bar chart.
type hbars struct {
	Title, Desc   string
	Width, Height int
	Rows          []hbarRow
	Ticks         []tick
	AxisY         int
}

type hbarRow struct {
	Label    string
	LY, Y, H int
	Segs     []seg
	Total    string
	TX       int
	Title    string
}

type seg struct {
	X, W int
	Fill string
}

type tick struct {
	X     int
	Label string
}

type bar struct {
	Label, Title string
	Parts        []float64
}

const (
	hbarLabelW = 230
	hbarPlotW  = 560
	hbarRowH   = 24
)

func newHBars(title string, bars []bar, fills []string) *hbars {
	if len(bars) == 0 {
		return nil
	}
	maxV := 0.0
	for _, b := range bars {
		t := 0.0
		for _, p := range b.Parts {
			t += p
		}
		maxV = math.Max(maxV, t)
	}
	step := niceStep(maxV)
	top := step * math.Ceil(maxV/step)
	if top == 0 {
		top = 1
	}
	h := &hbars{Title: title, Width: hbarLabelW + hbarPlotW + 60, Height: 10 + hbarRowH*len(bars) + 30}
	var desc []string
	for i, b := range bars {
		y := 10 + i*hbarRowH
		row := hbarRow{Label: b.Label, LY: y + 16, Y: y + 3, H: hbarRowH - 6, Title: b.Title}
		x, total := float64(hbarLabelW), 0.0
		for j, p := range b.Parts {
			w := p / top * hbarPlotW
			if w > 0 {
				row.Segs = append(row.Segs, seg{X: int(math.Round(x)), W: max(1, int(math.Round(w))), Fill: fills[j%len(fills)]})
			}
			x += w
			total += p
		}
		row.Total, row.TX = strconv.FormatFloat(total, 'f', -1, 64), int(math.Round(x))+6
		h.Rows = append(h.Rows, row)
		desc = append(desc, b.Title)
	}
	h.AxisY = 10 + hbarRowH*len(bars) + 16
	for v := 0.0; v <= top+1e-9; v += step {
		h.Ticks = append(h.Ticks, tick{X: hbarLabelW + int(math.Round(v/top*hbarPlotW)), Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	h.Desc = strings.Join(desc, "; ")
	return h
}

// columns is comments per month, answered and not.
type columns struct {
	Desc          string
	Width, Height int
	Cols          []col
	BaseY         int
}

type col struct {
	X, W, LabelX, LabelY int
	AY, AH, OY, OH       int
	Label, Title         string
}

func newColumns(ms []MonthCount) *columns {
	if len(ms) == 0 {
		return nil
	}
	maxV := 0
	for _, m := range ms {
		maxV = max(maxV, m.Comments)
	}
	const plotH, colW, gap, left = 160, 36, 10, 20
	c := &columns{Width: left + len(ms)*(colW+gap) + 20, Height: plotH + 50, BaseY: 10 + plotH}
	var desc []string
	for i, m := range ms {
		t, err := time.Parse(time.DateOnly, m.Month)
		label := m.Month
		if err == nil {
			label = t.Format("Jan 06")
		}
		x := left + i*(colW+gap)
		ah := int(math.Round(float64(m.Answered) / float64(maxV) * plotH))
		th := int(math.Round(float64(m.Comments) / float64(maxV) * plotH))
		c.Cols = append(c.Cols, col{X: x, W: colW, LabelX: x + colW/2, LabelY: c.BaseY + 16,
			AY: c.BaseY - ah, AH: ah, OY: c.BaseY - th, OH: th - ah, Label: label,
			Title: fmt.Sprintf("%s: %d comments, %d answered", label, m.Comments, m.Answered)})
		desc = append(desc, fmt.Sprintf("%s %d (%d answered)", label, m.Comments, m.Answered))
	}
	c.Desc = "Comments per month: " + strings.Join(desc, ", ")
	return c
}

// heat is the gap status of each need and age band (all categories).
type heat struct {
	Desc          string
	Width, Height int
	Cols          []tickLabel
	Rows          []tickLabel
	Cells         []heatCell
	Legend        []legend
}

type tickLabel struct {
	X, Y  int
	Label string
}

type heatCell struct {
	X, Y, W, H, TX, TY int
	Fill, Short, Title string
}

type legend struct{ Fill, Label string }

func newHeat(rows []gaps.Row) *heat {
	if len(rows) == 0 {
		return nil
	}
	var needs []string
	seen := map[string]bool{}
	cell := map[[2]string]gaps.Row{}
	for _, r := range rows {
		if r.Category != "all" {
			continue
		}
		if !seen[r.NeedCode] {
			seen[r.NeedCode] = true
			needs = append(needs, r.NeedCode)
		}
		cell[[2]string{r.NeedCode, r.AgeBand}] = r
	}
	const labelW, cw, ch, top = 330, 100, 26, 24
	h := &heat{Width: labelW + cw*len(schema.AgeBands) + 4, Height: top + ch*len(needs) + 4}
	for j, b := range schema.AgeBands {
		h.Cols = append(h.Cols, tickLabel{X: labelW + j*cw + cw/2, Y: 16, Label: strings.Replace(b.Name, "-", "–", 1)})
	}
	var desc []string
	for i, n := range needs {
		y := top + i*ch
		h.Rows = append(h.Rows, tickLabel{X: labelW - 8, Y: y + 17, Label: needName(n)})
		for j, b := range schema.AgeBands {
			r, ok := cell[[2]string{n, b.Name}]
			if !ok {
				continue
			}
			fill, label := gaps.StatusStyle(r.Status)
			x := labelW + j*cw
			h.Cells = append(h.Cells, heatCell{X: x, Y: y, W: cw, H: ch, TX: x + cw/2, TY: y + 17, Fill: fill,
				Short: shortStatus(r.Status), Title: fmt.Sprintf("%s, %s: %s. %s", needName(n), b.Name, label, r.Reason)})
			if r.Status == gaps.StatusNone || r.Status == gaps.StatusStaleOnly || r.Status == gaps.StatusOverCapacity {
				desc = append(desc, fmt.Sprintf("%s %s %s", needName(n), b.Name, label))
			}
		}
	}
	for _, s := range []string{gaps.StatusNone, gaps.StatusStaleOnly, gaps.StatusOverCapacity, gaps.StatusThin, gaps.StatusUnknown, gaps.StatusOK} {
		fill, label := gaps.StatusStyle(s)
		h.Legend = append(h.Legend, legend{fill, label})
	}
	h.Desc = "Gaps: " + strings.Join(desc, "; ")
	if len(desc) == 0 {
		h.Desc = "No need and age band without provision."
	}
	return h
}

func shortStatus(s string) string {
	switch s {
	case gaps.StatusNone:
		return "none"
	case gaps.StatusStaleOnly:
		return "stale"
	case gaps.StatusOverCapacity:
		return "over"
	case gaps.StatusThin:
		return "thin"
	case gaps.StatusUnknown:
		return "?"
	}
	return "ok"
}

// trend is EHC plans by need over the loaded years and the projection.
type trend struct {
	Desc          string
	Width, Height int
	Series        []series
	XTicks        []tickLabel
	YTicks        []tickLabel
	Left, Right   int
	Top, Bottom   int
}

type series struct {
	Label, Colour, Points, Projected string
	LX, LY                           int
	Dash                             bool
}

func newTrend(ps []gaps.Projection) *trend {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) > 5 {
		ps = ps[:5]
	}
	minY, maxY, maxV := math.MaxInt, 0, 0.0
	for _, p := range ps {
		for _, pt := range append(append([]gaps.Point{}, p.Points...), p.Projected...) {
			minY, maxY, maxV = min(minY, pt.Year), max(maxY, pt.Year), math.Max(maxV, pt.Value)
		}
	}
	if maxY == minY {
		maxY++
	}
	step := niceStep(maxV)
	top := step * math.Ceil(maxV/step)
	if top == 0 {
		top = 1
	}
	t := &trend{Width: 960, Height: 280, Left: 60, Right: 560, Top: 20, Bottom: 240}
	x := func(y int) int {
		return t.Left + int(math.Round(float64(y-minY)/float64(maxY-minY)*float64(t.Right-t.Left)))
	}
	yv := func(v float64) int { return t.Bottom - int(math.Round(v/top*float64(t.Bottom-t.Top))) }
	labels := map[int]string{}
	colours := []string{blue, orange, green, red, sky}
	var desc []string
	for i, p := range ps {
		s := series{Label: needName(p.NeedCode), Colour: colours[i%len(colours)]}
		var pts, proj []string
		for _, pt := range p.Points {
			pts = append(pts, fmt.Sprintf("%d,%d", x(pt.Year), yv(pt.Value)))
			labels[pt.Year] = pt.Label
		}
		if len(p.Points) > 0 && len(p.Projected) > 0 {
			proj = append(proj, pts[len(pts)-1])
		}
		for _, pt := range p.Projected {
			proj = append(proj, fmt.Sprintf("%d,%d", x(pt.Year), yv(pt.Value)))
			labels[pt.Year] = pt.Label
		}
		s.Points, s.Projected = strings.Join(pts, " "), strings.Join(proj, " ")
		s.LX, s.LY = t.Right+70, t.Top+10+i*20
		t.Series = append(t.Series, s)
		if n := len(p.Points); n > 0 {
			desc = append(desc, fmt.Sprintf("%s %s in %s, trend %+.0f a year", s.Label, strconv.FormatFloat(p.Points[n-1].Value, 'f', -1, 64), p.Points[n-1].Label, p.TrendPerYear))
		}
	}
	for y := minY; y <= maxY; y++ {
		l := labels[y]
		if l == "" {
			l = strconv.Itoa(y)
		}
		t.XTicks = append(t.XTicks, tickLabel{X: x(y), Y: t.Bottom + 18, Label: l})
	}
	for v := 0.0; v <= top+1e-9; v += step {
		t.YTicks = append(t.YTicks, tickLabel{X: t.Left - 6, Y: yv(v) + 4, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	t.Desc = "Children and young people with EHC plans by need: " + strings.Join(desc, "; ")
	return t
}

func niceStep(maxV float64) float64 {
	if maxV <= 0 {
		return 1
	}
	raw := maxV / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return math.Max(1, m*mag)
		}
	}
	return math.Max(1, 10*mag)
}

func pct(f float64) string { return strconv.FormatFloat(math.Round(100*f), 'f', 0, 64) + "%" }

func longDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

func respondentName(r string) string {
	switch r {
	case schema.RespondentParentCarer:
		return "Parent or carer"
	case schema.RespondentYoungPerson:
		return "Young person"
	case schema.RespondentProfessional:
		return "Professional"
	case "":
		return "Not given"
	}
	return "Other"
}

var categoryNames = map[string]string{
	"education": "Education", "health": "Health", "social_care": "Social care", "preparing_for_adulthood": "Preparing for adulthood",
	"short_breaks": "Short breaks", "leisure": "Leisure", "information_and_advice": "Information and advice", "transport": "Transport",
	"uncategorised": "No category",
}

func categoryName(c string) string {
	if n, ok := categoryNames[c]; ok {
		return n
	}
	return c
}

var needNames = map[string]string{
	"SPLD": "Specific learning difficulty", "MLD": "Moderate learning difficulty", "SLD": "Severe learning difficulty",
	"PMLD": "Profound and multiple learning difficulty", "SEMH": "Social, emotional and mental health",
	"SLCN": "Speech, language and communication", "HI": "Hearing impairment", "VI": "Visual impairment",
	"MSI": "Multi-sensory impairment", "PD": "Physical disability", "ASD": "Autism", "OTH": "Other difficulty or disability",
	"NSA": "SEN support but no specialist assessment", "": "No specific need",
}

func needName(c string) string {
	if n, ok := needNames[c]; ok {
		if c == "" {
			return n
		}
		return n + " (" + c + ")"
	}
	return c
}
