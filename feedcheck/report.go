package feedcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Issue is one problem found.
type Issue struct {
	Level   int    `json:"level"`   // 1 must fix, 2 warning
	Code    string `json:"code"`    // schema, pagination, endpoint, duplicate_id, syntax, assurance_overdue, …
	Pointer string `json:"pointer"` // JSON pointer inside the record
	Message string `json:"message"`
	Record  string `json:"record,omitempty"` // entity type and id
	Where   string `json:"where,omitempty"`  // file:line, byte offset or URL
}

// Group is the issues that share a level, code, field and kind of message.
type Group struct {
	Level    int     `json:"level"`
	Code     string  `json:"code"`
	Field    string  `json:"field"` // pointer with array indexes as *
	Message  string  `json:"message"`
	Count    int     `json:"count"`
	Examples []Issue `json:"examples"`
}

// Endpoint is what an API endpoint did.
type Endpoint struct {
	Path      string    `json:"path"`
	Required  bool      `json:"required"`
	Requests  int       `json:"requests"`
	Failures  int       `json:"failures"`
	LastCode  int       `json:"last_status"`
	MinMS     float64   `json:"min_ms"`
	MedianMS  float64   `json:"median_ms"`
	MaxMS     float64   `json:"max_ms"`
	durations []float64 // milliseconds
}

// Report is the outcome of one check.
type Report struct {
	Target    string         `json:"target"`
	Format    string         `json:"format"`
	Profile   string         `json:"profile"`
	CheckedAt time.Time      `json:"checked_at"`
	Duration  time.Duration  `json:"duration_ns"`
	Records   int            `json:"records"`
	Invalid   int            `json:"invalid_records"`
	Types     map[string]int `json:"types"`
	Level1    int            `json:"level1_problems"`
	Level2    int            `json:"level2_problems"`
	Groups    []*Group       `json:"groups"`
	Endpoints []*Endpoint    `json:"endpoints,omitempty"`
	Pages     int            `json:"pages,omitempty"`

	examples int
	index    map[string]*Group
	ends     map[string]*Endpoint
}

func newReport(target string, o Options) *Report {
	return &Report{Target: target, Profile: "HSDS 3.0 (Open Referral UK 3.0 where the feed claims it)", CheckedAt: o.Now,
		Types: map[string]int{}, examples: o.Examples, index: map[string]*Group{}, ends: map[string]*Endpoint{}}
}

var (
	indexRE  = regexp.MustCompile(`/[0-9]+(/|$)`)
	quotedRE = regexp.MustCompile(`'[^']*'|"[^"]*"|[0-9]+(\.[0-9]+)?`)
)

// field generalises a pointer: /phones/3/number → /phones/*/number.
func field(p string) string {
	for {
		q := indexRE.ReplaceAllString(p, "/*$1")
		if q == p {
			return p
		}
		p = q
	}
}

func (r *Report) add(is Issue) {
	if is.Level == 1 {
		r.Level1++
	} else {
		r.Level2++
	}
	f := field(is.Pointer)
	// Group messages that differ only in quoted values or numbers.
	shape := quotedRE.ReplaceAllStringFunc(is.Message, func(s string) string {
		if strings.HasPrefix(s, `"`) && is.Code == "schema" {
			return s // field names in "missing required field" messages stay distinct
		}
		return "…"
	})
	key := fmt.Sprintf("%d|%s|%s|%s", is.Level, is.Code, f, shape)
	g := r.index[key]
	if g == nil {
		g = &Group{Level: is.Level, Code: is.Code, Field: f, Message: is.Message}
		r.index[key] = g
		r.Groups = append(r.Groups, g)
	}
	g.Count++
	if len(g.Examples) < r.examples {
		g.Examples = append(g.Examples, is)
	}
}

func (r *Report) endpoint(path string, required bool) *Endpoint {
	e := r.ends[path]
	if e == nil {
		e = &Endpoint{Path: path, Required: required}
		r.ends[path] = e
		r.Endpoints = append(r.Endpoints, e)
	}
	return e
}

func (e *Endpoint) observe(status int, d time.Duration, failed bool) {
	e.Requests++
	e.LastCode = status
	if failed {
		e.Failures++
	}
	e.durations = append(e.durations, float64(d.Microseconds())/1000)
}

func (r *Report) finish() {
	sort.SliceStable(r.Groups, func(i, j int) bool {
		a, b := r.Groups[i], r.Groups[j]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.Count > b.Count
	})
	for _, e := range r.Endpoints {
		if len(e.durations) == 0 {
			continue
		}
		d := append([]float64(nil), e.durations...)
		sort.Float64s(d)
		e.MinMS, e.MedianMS, e.MaxMS = d[0], d[len(d)/2], d[len(d)-1]
	}
}

// Valid reports whether the target has no level 1 problems.
func (r *Report) Valid() bool { return r.Level1 == 0 }

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for people: grouped problems with counts and
// the first examples, then endpoints and the verdict.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "localoffer validate %s\n", r.Target)
	fmt.Fprintf(&b, "  format:  %s\n  checked: %s\n", r.Format, r.Profile)
	types := make([]string, 0, len(r.Types))
	for _, t := range sortedKeys(r.Types) {
		types = append(types, fmt.Sprintf("%d %s", r.Types[t], t))
	}
	fmt.Fprintf(&b, "  records: %d checked, %d valid, %d with level 1 problems", r.Records, r.Records-r.Invalid, r.Invalid)
	if len(types) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(types, ", "))
	}
	b.WriteString("\n")
	if r.Pages > 0 {
		fmt.Fprintf(&b, "  pages:   %d\n", r.Pages)
	}
	for _, level := range []int{1, 2} {
		title := "LEVEL 1 — must fix"
		n := r.Level1
		if level == 2 {
			title, n = "LEVEL 2 — warnings", r.Level2
		}
		if n == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d %s)\n", title, n, plural(n, "problem", "problems"))
		for _, g := range r.Groups {
			if g.Level != level {
				continue
			}
			f := g.Field
			if f == "" {
				f = "/"
			}
			fmt.Fprintf(&b, "  %5d × %-28s %s\n", g.Count, f, g.Message)
			for _, e := range g.Examples {
				parts := []string{}
				if e.Where != "" {
					parts = append(parts, e.Where)
				}
				if e.Record != "" {
					parts = append(parts, e.Record)
				}
				fmt.Fprintf(&b, "          e.g. %s", strings.Join(parts, " — "))
				if e.Message != g.Message {
					fmt.Fprintf(&b, ": %s", e.Message)
				}
				b.WriteString("\n")
			}
		}
	}
	if len(r.Endpoints) > 0 {
		b.WriteString("\nENDPOINTS\n")
		for _, e := range r.Endpoints {
			req := "optional"
			if e.Required {
				req = "required"
			}
			fmt.Fprintf(&b, "  GET %-24s %-8s %3d requests, %d failed, last status %d; %.1f / %.1f / %.1f ms (min / median / max)\n",
				e.Path, req, e.Requests, e.Failures, e.LastCode, e.MinMS, e.MedianMS, e.MaxMS)
		}
	}
	if r.Valid() {
		fmt.Fprintf(&b, "\nRESULT: PASS — no level 1 problems (%d %s)\n", r.Level2, plural(r.Level2, "warning", "warnings"))
	} else {
		fmt.Fprintf(&b, "\nRESULT: FAIL — %d level 1 %s\n", r.Level1, plural(r.Level1, "problem", "problems"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
