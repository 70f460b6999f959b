package gaps

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/schema"
)

// The report is one html/template file with inline CSS and SVG charts drawn
// from geometry computed here: no JavaScript, no CDN, and every string that
// came from a source passes through html/template's contextual escaping.
//
//go:embed report.html.tmpl
var reportTemplate string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"need":   needName,
	"band":   bandLabel,
	"cat":    categoryName,
	"num":    fmtNum,
	"opt":    fmtOpt,
	"pct":    fmtPct,
	"period": PeriodLabel,
	"join":   strings.Join,
	"flag":   flagName,
}).Parse(reportTemplate))

// Okabe-Ito colours (colour-blind safe); black text on each meets WCAG AA.
var statusStyle = map[string]struct{ Fill, Label string }{
	StatusNone:         {"#D55E00", "No provision"},
	StatusStaleOnly:    {"#E69F00", "Stale only"},
	StatusOverCapacity: {"#CC79A7", "Over capacity"},
	StatusThin:         {"#F0E442", "Thin"},
	StatusUnknown:      {"#BBBBBB", "Unknown: no demand data"},
	StatusOK:           {"#009E73", "No gap found"},
}

var statusOrder = []string{StatusNone, StatusStaleOnly, StatusOverCapacity, StatusThin, StatusUnknown, StatusOK}

var seriesColours = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

type legendItem struct{ Status, Label, Fill string }

type htmlView struct {
	Generated       string
	ThinPct         string
	ProjectionYears int
	Scope           string
	Findings        []string
	MoreFindings    int
	Counts          []statusCount
	Legend          []legendItem
	LAs             []laView
	Sources         []Source
}

type statusCount struct {
	Status, Label, Fill string
	N                   int
}

type laView struct {
	*LAReport
	Anchor     string
	Findings   []string
	Heat       *heatmap
	Bars       *barChart
	Trend      *lineChart
	OutOfArea  string
	OOAPeriod  string
	Horizon    string
	Unknown    int
	HasRows    bool
	TrendNeeds []Projection
}

// WriteHTML renders the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{
		Generated:       r.Generated.Format("2 January 2006 15:04 MST"),
		ThinPct:         strconv.FormatFloat(100*r.Options.ThinShare, 'f', -1, 64),
		ProjectionYears: r.Options.ProjectionYears,
		Scope:           "all local authorities in the warehouse",
		Sources:         r.Sources,
	}
	if r.Options.LACode != "" {
		v.Scope = "local authority " + r.Options.LACode
	}
	for _, s := range statusOrder {
		st := statusStyle[s]
		v.Legend = append(v.Legend, legendItem{s, st.Label, st.Fill})
		n := 0
		for _, row := range r.Rows {
			if row.Status == s && row.Category == "all" {
				n++
			}
		}
		v.Counts = append(v.Counts, statusCount{s, st.Label, st.Fill, n})
	}
	var all []finding
	for i := range r.LAs {
		l := &r.LAs[i]
		lv := laView{LAReport: l, Anchor: "la-" + l.Code, HasRows: len(l.Rows) > 0}
		fs := laFindings(l, r.Options)
		all = append(all, fs...)
		for _, f := range fs {
			lv.Findings = append(lv.Findings, f.text)
		}
		for _, row := range l.Rows {
			if row.Status == StatusUnknown {
				lv.Unknown++
			}
			if row.OutOfAreaShare != nil && lv.OutOfArea == "" {
				lv.OutOfArea = fmtPct(row.OutOfAreaShare)
			}
		}
		lv.Heat = newHeatmap(l)
		lv.Bars = newBarChart(l.Settings)
		lv.TrendNeeds = l.Projections
		if len(lv.TrendNeeds) > len(seriesColours) {
			lv.TrendNeeds = lv.TrendNeeds[:len(seriesColours)]
		}
		lv.Trend = newLineChart(lv.TrendNeeds)
		if len(l.Projections) > 0 && len(l.Projections[0].Projected) > 0 {
			p := l.Projections[0].Projected
			lv.Horizon = p[len(p)-1].Label
		}
		v.LAs = append(v.LAs, lv)
	}
	sortFindings(all)
	const headline = 12
	for i, f := range all {
		if i == headline {
			v.MoreFindings = len(all) - headline
			break
		}
		v.Findings = append(v.Findings, f.text)
	}
	return tmpl.Execute(w, v)
}

// finding is one plain-English sentence with the severity that orders it.
type finding struct {
	severity int
	text     string
}

func sortFindings(fs []finding) {
	// Stable insertion sort keeps each LA's own order within a severity.
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].severity > fs[j-1].severity; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func laFindings(l *LAReport, o Options) []finding {
	name := l.Name
	if name == "" {
		name = l.Code
	}
	var out []finding
	unknown := 0
	// Rows of one status and need are told as one sentence across their bands.
	for _, g := range groupRows(l.Rows) {
		r := g[0]
		var bands, demands []string
		for _, x := range g {
			bands = append(bands, bandLabel(x.AgeBand))
			demands = append(demands, fmtOpt(x.Demand))
		}
		who := fmt.Sprintf("children and young people with %s aged %s", needName(r.NeedCode), joinList(bands))
		have := joinList(demands)
		if len(g) > 1 {
			have += " respectively"
		}
		switch r.Status {
		case StatusNone:
			out = append(out, finding{5, fmt.Sprintf("%s: no current service or specialist place for %s, where %s have EHC plans (%s).",
				name, who, have, PeriodLabel(r.Period))})
		case StatusStaleOnly:
			out = append(out, finding{4, fmt.Sprintf("%s: every service listed for %s is out of date; %s have EHC plans (%s).",
				name, who, have, PeriodLabel(r.Period))})
		case StatusOverCapacity:
			out = append(out, finding{3, fmt.Sprintf("%s: specialist places for %s are over-subscribed: %s on roll for %s places (%d of %d settings over capacity)%s.",
				name, who, fmtNum(r.NumberOnRoll), fmtNum(r.Places), r.SettingsOverCapacity, r.Settings, sameOrFirst(g))})
		case StatusThin:
			var per []string
			for _, x := range g {
				per = append(per, fmtOpt(x.ServicesPer100))
			}
			out = append(out, finding{2, fmt.Sprintf("%s: provision for %s is thin: %s services per 100 children with EHC plans, against an England median of %s.",
				name, who, joinList(per), fmtOpt(r.MedianServicesPer100))})
		case StatusUnknown:
			unknown += len(g)
		}
	}
	for _, c := range l.Coverage {
		if c.Status == "missing" && c.Category == schema.CatAdulthood && c.AgeBand == "19-25" {
			out = append(out, finding{2, fmt.Sprintf("%s: no current preparing-for-adulthood service for young people aged 19–25.", name)})
		}
	}
	if len(l.Projections) > 0 {
		p := l.Projections[0]
		if n := len(p.Projected); n > 0 && len(p.Points) > 1 && p.TrendPerYear != 0 {
			last := p.Points[len(p.Points)-1]
			dir := "rise"
			if p.TrendPerYear < 0 {
				dir = "fall"
			}
			out = append(out, finding{2, fmt.Sprintf("%s: EHC plans for %s are projected to %s from %s (%s) to %s by %s on the trend since %s.",
				name, needName(p.NeedCode), dir, fmtNum(last.Value), last.Label, fmtNum(math.Round(p.Projected[n-1].Value)),
				p.Projected[n-1].Label, p.Points[0].Label)})
		}
	}
	if c := l.Compliance; c != nil && c.Schools > 0 {
		out = append(out, finding{1, fmt.Sprintf("%s: SEN information reports found for %d of %d schools checked; %d out of date, %d missing required content.",
			name, c.ReportsFound, c.Schools, c.ReportsStale, c.ReportsMissingItems)})
	}
	if unknown > 0 {
		out = append(out, finding{1, fmt.Sprintf("%s: no EHC plan figures for %d need and age combinations with provision listed, so gaps there cannot be judged.", name, unknown)})
	}
	return out
}

// groupRows splits rows (sorted by severity, need, band) into runs of one
// status and need.
func groupRows(rows []Row) [][]Row {
	var out [][]Row
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1][0].Status == r.Status && out[n-1][0].NeedCode == r.NeedCode {
			out[n-1] = append(out[n-1], r)
			continue
		}
		out = append(out, []Row{r})
	}
	return out
}

// sameOrFirst qualifies figures quoted from the first band of a group when
// other bands' figures differ.
func sameOrFirst(g []Row) string {
	for _, x := range g[1:] {
		if x.NumberOnRoll != g[0].NumberOnRoll || x.Places != g[0].Places {
			return " in the " + bandLabel(g[0].AgeBand) + " band"
		}
	}
	return ""
}

// joinList writes "a", "a and b", "a, b and c".
func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// heatmap is need × age band, coloured by status, for an LA's all-category rows.
type heatmap struct {
	Width, Height int
	Cols          []axisLabel
	Rows          []axisLabel
	Cells         []heatCell
	Desc          string
}

type axisLabel struct {
	X, Y  int
	Label string
}

type heatCell struct {
	X, Y, W, H   int
	TX, TY       int
	Fill         string
	Short, Label string
	Title        string
}

const (
	heatLabelW = 290
	heatCellW  = 110
	heatCellH  = 34
	heatTop    = 28
)

func newHeatmap(l *LAReport) *heatmap {
	if len(l.Rows) == 0 {
		return nil
	}
	needs := map[string]bool{}
	byKey := map[[2]string]Row{}
	for _, r := range l.Rows {
		needs[r.NeedCode] = true
		byKey[[2]string{r.NeedCode, r.AgeBand}] = r
	}
	var needList []string
	for _, n := range schema.NeedCodes {
		if needs[n] {
			needList = append(needList, n)
			delete(needs, n)
		}
	}
	for n := range needs { // codes outside the vocabulary still show
		needList = append(needList, n)
	}
	h := &heatmap{Width: heatLabelW + heatCellW*len(schema.AgeBands) + 4, Height: heatTop + heatCellH*len(needList) + 4}
	for j, b := range schema.AgeBands {
		h.Cols = append(h.Cols, axisLabel{X: heatLabelW + j*heatCellW + heatCellW/2, Y: heatTop - 10, Label: bandLabel(b.Name)})
	}
	counts := map[string]int{}
	for i, n := range needList {
		y := heatTop + i*heatCellH
		h.Rows = append(h.Rows, axisLabel{X: heatLabelW - 8, Y: y + heatCellH/2 + 5, Label: shortNeed(n)})
		for j, b := range schema.AgeBands {
			r, ok := byKey[[2]string{n, b.Name}]
			c := heatCell{X: heatLabelW + j*heatCellW, Y: y, W: heatCellW - 2, H: heatCellH - 2, Fill: "#FFFFFF",
				TX: heatLabelW + j*heatCellW + heatCellW/2, TY: y + heatCellH/2 + 4, Short: "–",
				Title: fmt.Sprintf("%s, %s: no services, places or demand figures", n, b.Name)}
			if ok {
				st := statusStyle[r.Status]
				counts[r.Status]++
				c.Fill = st.Fill
				c.Short = fmt.Sprintf("%s %d/%s", shortStatus(r.Status), r.Services, fmtOpt(r.Demand))
				c.Title = fmt.Sprintf("%s, %s: %s. %s", n, b.Name, st.Label, r.Reason)
			}
			h.Cells = append(h.Cells, c)
		}
	}
	var parts []string
	for _, s := range statusOrder {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], strings.ToLower(statusStyle[s].Label)))
		}
	}
	h.Desc = fmt.Sprintf("Heatmap of %d needs by %d age bands. Cells show status, services / EHC plans: %s. The table below gives every figure.",
		len(needList), len(schema.AgeBands), strings.Join(parts, ", "))
	return h
}

func shortStatus(s string) string {
	switch s {
	case StatusNone:
		return "NONE"
	case StatusStaleOnly:
		return "STALE"
	case StatusOverCapacity:
		return "OVER"
	case StatusThin:
		return "THIN"
	case StatusUnknown:
		return "?"
	}
	return "OK"
}

// barChart shows places (light) against number on roll (dark) per setting.
type barChart struct {
	Width, Height int
	Bars          []bar
	Ticks         []axisLabel
	AxisY         int
	Desc          string
}

type bar struct {
	Y, LabelY        int
	Label            string
	PlacesW, RollW   string
	Over             bool
	NoteX            string
	Note             string
	HasPlaces, HasOn bool
}

const (
	barLabelW = 300
	barPlotW  = 420
	barRowH   = 30
)

func newBarChart(settings []Setting) *barChart {
	if len(settings) == 0 {
		return nil
	}
	maxV := 1.0
	for _, s := range settings {
		if s.Places != nil {
			maxV = math.Max(maxV, *s.Places)
		}
		if s.NumberOnRoll != nil {
			maxV = math.Max(maxV, *s.NumberOnRoll)
		}
	}
	step := niceStep(maxV)
	maxV = math.Ceil(maxV/step) * step
	scale := func(v float64) float64 { return v / maxV * barPlotW }
	c := &barChart{Width: barLabelW + barPlotW + 130, Height: 20 + barRowH*len(settings) + 30}
	over := 0
	for i, s := range settings {
		y := 10 + i*barRowH
		b := bar{Y: y, LabelY: y + 17, Label: s.Name, Over: s.OverCapacity == 1}
		if b.Over {
			over++
		}
		end := 0.0
		if s.Places != nil {
			b.HasPlaces, b.PlacesW = true, f1(scale(*s.Places))
			end = scale(*s.Places)
		}
		if s.NumberOnRoll != nil {
			b.HasOn, b.RollW = true, f1(scale(*s.NumberOnRoll))
			end = math.Max(end, scale(*s.NumberOnRoll))
		}
		b.NoteX = f1(barLabelW + end + 6)
		b.Note = fmt.Sprintf("%s / %s", fmtOpt(s.NumberOnRoll), fmtOpt(s.Places))
		if b.Over {
			b.Note += " over"
		}
		c.Bars = append(c.Bars, b)
	}
	c.AxisY = 10 + barRowH*len(settings) + 4
	for v := 0.0; v <= maxV+step/2; v += step {
		c.Ticks = append(c.Ticks, axisLabel{X: barLabelW + int(scale(v)), Y: c.AxisY + 16, Label: fmtNum(v)})
	}
	c.Desc = fmt.Sprintf("Bar chart of %d specialist settings: places (light bar) against pupils on roll (dark bar); %d over capacity. The table below gives every figure.", len(settings), over)
	return c
}

// lineChart: EHC plans per need over the loaded periods, dashed ahead.
type lineChart struct {
	Width, Height int
	Left, Right   int
	Bottom        int
	Series        []lineSeries
	XTicks        []axisLabel
	YTicks        []axisLabel
	Desc          string
	NowX          int
}

type lineSeries struct {
	Need, Colour string
	Path, Ahead  string
	Points       []linePoint
	Dash         string
}

type linePoint struct {
	X, Y  string
	Title string
	Ahead bool
}

const (
	lineW    = 640
	lineH    = 260
	lineLeft = 60
	lineTop  = 16
)

func newLineChart(ps []Projection) *lineChart {
	if len(ps) == 0 {
		return nil
	}
	minY, maxY := math.MaxInt, math.MinInt
	maxV := 1.0
	latestYear := math.MinInt
	for _, p := range ps {
		for _, pt := range append(append([]Point{}, p.Points...), p.Projected...) {
			minY, maxY = min(minY, pt.Year), max(maxY, pt.Year)
			maxV = math.Max(maxV, pt.Value)
		}
		if len(p.Points) > 0 {
			latestYear = max(latestYear, p.Points[len(p.Points)-1].Year)
		}
	}
	step := niceStep(maxV)
	maxV = math.Ceil(maxV/step) * step
	span := max(1, maxY-minY)
	plotW, plotH := lineW-lineLeft-50, lineH-lineTop-40
	x := func(y int) float64 { return float64(lineLeft) + float64(y-minY)/float64(span)*float64(plotW) }
	yv := func(v float64) float64 { return float64(lineTop) + float64(plotH) - v/maxV*float64(plotH) }
	c := &lineChart{Width: lineW, Height: lineH, Left: lineLeft, Right: lineLeft + plotW, Bottom: lineTop + plotH, NowX: int(x(latestYear))}
	labels := map[int]string{}
	for i, p := range ps {
		s := lineSeries{Need: p.NeedCode, Colour: seriesColours[i%len(seriesColours)], Dash: []string{"", "6 3", "2 3", "8 3 2 3"}[i%4]}
		var path, ahead []string
		for _, pt := range p.Points {
			labels[pt.Year] = pt.Label
			path = append(path, f1(x(pt.Year))+","+f1(yv(pt.Value)))
			s.Points = append(s.Points, linePoint{X: f1(x(pt.Year)), Y: f1(yv(pt.Value)), Title: fmt.Sprintf("%s %s: %s EHC plans", p.NeedCode, pt.Label, fmtNum(pt.Value))})
		}
		if len(p.Points) > 0 && len(p.Projected) > 0 {
			last := p.Points[len(p.Points)-1]
			ahead = append(ahead, f1(x(last.Year))+","+f1(yv(last.Value)))
			for _, pt := range p.Projected {
				labels[pt.Year] = pt.Label
				ahead = append(ahead, f1(x(pt.Year))+","+f1(yv(pt.Value)))
				s.Points = append(s.Points, linePoint{X: f1(x(pt.Year)), Y: f1(yv(pt.Value)), Ahead: true,
					Title: fmt.Sprintf("%s %s (projected): %s EHC plans", p.NeedCode, pt.Label, fmtNum(math.Round(pt.Value)))})
			}
		}
		if len(path) > 0 {
			s.Path = "M" + strings.Join(path, " L")
		}
		if len(ahead) > 0 {
			s.Ahead = "M" + strings.Join(ahead, " L")
		}
		c.Series = append(c.Series, s)
	}
	for y := minY; y <= maxY; y++ {
		if l, ok := labels[y]; ok {
			c.XTicks = append(c.XTicks, axisLabel{X: int(x(y)), Y: c.Bottom + 18, Label: l})
		}
	}
	for v := 0.0; v <= maxV+step/2; v += step {
		c.YTicks = append(c.YTicks, axisLabel{X: lineLeft - 6, Y: int(yv(v)) + 4, Label: fmtNum(v)})
	}
	c.Desc = fmt.Sprintf("Line chart of EHC plans for %d needs from %d to %d; solid lines are published figures, the part after the vertical rule is the linear projection. The table below gives every figure.",
		len(ps), minY, maxY)
	return c
}

// niceStep picks a 1-2-5 axis step giving about five ticks.
func niceStep(maxV float64) float64 {
	raw := maxV / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func needName(code string) string {
	if n, ok := schema.NeedNames[code]; ok {
		return strings.ToLower(n[:1]) + n[1:] + " (" + code + ")"
	}
	if code == "" {
		return "no specific need"
	}
	return code
}

// shortNeed fits a heatmap row label: the code, then the name cut to fit.
func shortNeed(code string) string {
	n, ok := schema.NeedNames[code]
	if !ok {
		return needName(code)
	}
	if r := []rune(n); len(r) > 30 {
		n = string(r[:29]) + "…"
	}
	return code + " – " + n
}

func bandLabel(b string) string { return strings.Replace(b, "-", "–", 1) }

func categoryName(c string) string {
	if n, ok := schema.CategoryNames[c]; ok {
		return n
	}
	if c == "all" {
		return "All categories"
	}
	return c
}

func flagName(f string) string { return strings.ReplaceAll(f, "_", " ") }

func fmtNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

func fmtOpt(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return fmtNum(*f)
}

func fmtPct(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return strconv.FormatFloat(100**f, 'f', 0, 64) + "%"
}
