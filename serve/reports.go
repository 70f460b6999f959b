package serve

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/health"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// gapOptions reads ?la= (GSS or DfE code) and, for the JSON, ?limit=.
func (s *Server) gapOptions(r *http.Request, allowed ...string) (gaps.Options, error) {
	o := s.opts.Gaps
	v := r.URL.Query()
	for name, vals := range v {
		if !contains(allowed, name) {
			return o, &badParam{name, "unknown parameter (this report takes " + strings.Join(allowed, ", ") + ")"}
		}
		if len(vals) > 1 {
			return o, &badParam{name, "given more than once"}
		}
	}
	if la := strings.TrimSpace(v.Get("la")); la != "" {
		q, err := parseQuery(url.Values{"la_code": {la}}, []string{"la_code"}, nil)
		if err != nil {
			return o, &badParam{"la", "want a GSS local authority code (E06000044) or a DfE code (851)"}
		}
		o.LACode = q.la
	}
	if l := v.Get("limit"); l != "" {
		n, err := intIn("limit", l, 0, 1000000)
		if err != nil {
			return o, err
		}
		o.Limit = n
	}
	if err := o.Validate(); err != nil {
		return o, &badParam{"la", err.Error()}
	}
	return o, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// gapsHTML is the commissioners' gap report (the same page `localoffer gaps --format html` writes).
func (s *Server) gapsHTML(w http.ResponseWriter, r *http.Request) {
	o, err := s.gapOptions(r, "la")
	if err != nil {
		badRequest(w, err)
		return
	}
	s.gapReport(w, r, o, "html", "text/html; charset=utf-8")
}

// gapsJSON is the gap analysis rows as JSON (what `localoffer gaps --format json` prints).
func (s *Server) gapsJSON(w http.ResponseWriter, r *http.Request) {
	o, err := s.gapOptions(r, "la", "limit")
	if err != nil {
		badRequest(w, err)
		return
	}
	s.gapReport(w, r, o, "json", "application/json")
}

func (s *Server) gapReport(w http.ResponseWriter, r *http.Request, o gaps.Options, format, ctype string) {
	var buf bytes.Buffer
	if err := gaps.Write(r.Context(), s.opts.Warehouse, o, format, &buf, time.Now()); err != nil {
		s.log.Error("gap report", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "the gap analysis could not be computed now; see the server log")
		return
	}
	if notModified(w, r, etag(hash(buf.Bytes()))) {
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	if format == "html" {
		// The report is self-contained: no scripts, inline styles only.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// Health is what /healthz answers.
type Health struct {
	Status    string           `json:"status"` // ok | unavailable
	Warehouse WarehouseHealth  `json:"warehouse"`
	Snapshot  SnapshotHealth   `json:"snapshot"`
	Pipelines []PipelineHealth `json:"pipelines"`
}

// WarehouseHealth says whether the warehouse answered.
type WarehouseHealth struct {
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
}

// SnapshotHealth describes what the API serves.
type SnapshotHealth struct {
	BuiltAt  time.Time      `json:"built_at"`
	Services int            `json:"services"`
	LeftOut  map[string]int `json:"left_out,omitempty"`
}

// PipelineHealth is a pipeline's latest run.
type PipelineHealth struct {
	Pipeline   string     `json:"pipeline"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Error      string     `json:"error,omitempty"`
}

// healthz: 200 when the warehouse answers, 503 when it does not. A load holds
// the embedded engine, so a slow answer during a run is not a failure: the
// request's timeout bounds the wait.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	h := Health{Status: "ok", Pipelines: []PipelineHealth{}}
	if snap := s.snap.Load(); snap != nil {
		h.Snapshot = SnapshotHealth{BuiltAt: snap.BuiltAt, Services: len(snap.services), LeftOut: snap.LeftOut}
	}
	rows, err := warehouse.QueryInto[PipelineHealth](r.Context(), s.opts.Warehouse,
		"SELECT pipeline, status, started_at, finished_at, error FROM runs_latest ORDER BY pipeline")
	if err != nil {
		h.Status = "unavailable"
		h.Warehouse.Error = err.Error()
	} else {
		h.Warehouse.Reachable = true
		h.Pipelines = append(h.Pipelines, rows...)
	}
	body, _ := json.MarshalIndent(h, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write(append(body, '\n'))
}

//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI document of this API: the ORUK 3.0 paths and
// parameters with our extensions, the servers entry naming this host.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	doc := bytes.Replace(openAPIDoc, []byte("{{BASE_URL}}"), []byte(jsonString(s.baseURL(r))), 1)
	if notModified(w, r, etag(hash(doc))) {
		return
	}
	writeJSONBody(w, r, doc)
}

// jsonString escapes s for use inside a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// healthOptions reads ?pipeline= (repeatable), ?la= and ?runs=.
func healthOptions(r *http.Request) (health.Options, error) {
	var o health.Options
	for name, vals := range r.URL.Query() {
		switch name {
		case "pipeline":
			for _, p := range vals {
				if !pipeName.MatchString(p) {
					return o, &badParam{"pipeline", "want a pipeline name"}
				}
				o.Pipelines = append(o.Pipelines, p)
			}
		case "la", "runs":
			if len(vals) > 1 {
				return o, &badParam{name, "given more than once"}
			}
		default:
			return o, &badParam{name, "unknown parameter (this report takes pipeline, la, runs)"}
		}
	}
	if la := strings.TrimSpace(r.URL.Query().Get("la")); la != "" {
		q, err := parseQuery(url.Values{"la_code": {la}}, []string{"la_code"}, nil)
		if err != nil {
			return o, &badParam{"la", "want a GSS local authority code (E06000044) or a DfE code (851)"}
		}
		o.LACode = q.la
	}
	if s := r.URL.Query().Get("runs"); s != "" {
		n, err := intIn("runs", s, 1, 1000)
		if err != nil {
			return o, err
		}
		o.Runs = n
	}
	if err := o.Validate(); err != nil {
		return o, &badParam{"runs", err.Error()}
	}
	return o, nil
}

// healthReport serves the feed health report (`localoffer health`): the
// page, everything as JSON, or the fix list as CSV.
func (s *Server) healthReport(format, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, err := healthOptions(r)
		if err != nil {
			badRequest(w, err)
			return
		}
		var buf bytes.Buffer
		if err := health.Write(r.Context(), s.opts.Warehouse, o, format, &buf, time.Now()); err != nil {
			if errors.Is(err, health.ErrNoRuns) {
				apiError(w, http.StatusNotFound, "no_runs", err.Error())
				return
			}
			s.log.Error("health report", "err", err)
			apiError(w, http.StatusServiceUnavailable, "unavailable", "the health report could not be computed now; see the server log")
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		if format == "html" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		}
		if format == "csv" {
			w.Header().Set("Content-Disposition", `attachment; filename="localoffer-fix-list.csv"`)
		}
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(buf.Bytes())
		}
	}
}
