package serve

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Metrics is what /metrics exposes, through the Prometheus Go client.
type Metrics struct {
	reg *prometheus.Registry

	runs               *prometheus.CounterVec
	recordsLoaded      *prometheus.CounterVec
	recordsQuarantined *prometheus.CounterVec
	runDuration        *prometheus.HistogramVec
	lastSuccess        *prometheus.GaugeVec
	lastStatus         *prometheus.GaugeVec

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	snapshotServices *prometheus.GaugeVec
	snapshotBuilt    prometheus.Gauge
	snapshotSeconds  prometheus.Gauge
	snapshotLeftOut  *prometheus.GaugeVec
	snapshotFailures prometheus.Counter
}

// RunStatuses are the statuses a run ends in (README, "Run statuses").
var RunStatuses = []string{"ok", "degraded", "failed", "interrupted"}

// NewMetrics registers the collectors on a registry of their own.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localoffer_runs_total",
		Help: "Pipeline runs finished by this process, by pipeline and status (ok, degraded, failed, interrupted)."}, []string{"pipeline", "status"})
	m.recordsLoaded = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localoffer_records_loaded_total",
		Help: "Records written as new versions by this process's runs."}, []string{"pipeline"})
	m.recordsQuarantined = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localoffer_records_quarantined_total",
		Help: "Records that failed validation in this process's runs."}, []string{"pipeline"})
	m.runDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "localoffer_run_duration_seconds",
		Help: "How long runs took.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}, []string{"pipeline"})
	m.lastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "localoffer_last_success_timestamp_seconds",
		Help: "When the pipeline last finished a run with status ok or degraded (from the runs ledger, then this process)."}, []string{"pipeline"})
	m.lastStatus = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "localoffer_last_run_status",
		Help: "1 for the status the pipeline's latest run ended in, 0 for the others."}, []string{"pipeline", "status"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localoffer_http_requests_total",
		Help: "HTTP requests answered, by route and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "localoffer_http_request_duration_seconds",
		Help: "Time to answer HTTP requests, by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route"})
	m.snapshotServices = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "localoffer_api_records",
		Help: "Records the API serves now, by kind (stale services included)."}, []string{"kind"})
	m.snapshotBuilt = prometheus.NewGauge(prometheus.GaugeOpts{Name: "localoffer_api_snapshot_timestamp_seconds",
		Help: "When the served snapshot was built from the warehouse."})
	m.snapshotSeconds = prometheus.NewGauge(prometheus.GaugeOpts{Name: "localoffer_api_snapshot_build_seconds",
		Help: "How long the last snapshot took to build."})
	m.snapshotLeftOut = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "localoffer_api_left_out_records",
		Help: "Records left out of the API because they do not pass the HSDS 3.0 schema after mapping."}, []string{"kind"})
	m.snapshotFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: "localoffer_api_snapshot_failures_total",
		Help: "Snapshot builds that failed (the previous snapshot stays served)."})
	for _, c := range []prometheus.Collector{m.runs, m.recordsLoaded, m.recordsQuarantined, m.runDuration, m.lastSuccess,
		m.lastStatus, m.requests, m.latency, m.snapshotServices, m.snapshotBuilt, m.snapshotSeconds, m.snapshotLeftOut, m.snapshotFailures} {
		f(c)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveRun records a finished run.
func (m *Metrics) ObserveRun(pipeline, status string, started time.Time, finished *time.Time, loaded, quarantined int) {
	m.runs.WithLabelValues(pipeline, status).Inc()
	m.recordsLoaded.WithLabelValues(pipeline).Add(float64(loaded))
	m.recordsQuarantined.WithLabelValues(pipeline).Add(float64(quarantined))
	if finished != nil {
		m.runDuration.WithLabelValues(pipeline).Observe(finished.Sub(started).Seconds())
		if status == "ok" || status == "degraded" {
			m.lastSuccess.WithLabelValues(pipeline).Set(float64(finished.UnixMilli()) / 1000)
		}
	}
	m.setStatus(pipeline, status)
}

func (m *Metrics) setStatus(pipeline, status string) {
	for _, s := range RunStatuses {
		v := 0.0
		if s == status {
			v = 1
		}
		m.lastStatus.WithLabelValues(pipeline, s).Set(v)
	}
}

type ledgerRow struct {
	Pipeline    string  `json:"pipeline"`
	LastSuccess float64 `json:"last_success"`
	LastStatus  string  `json:"last_status"`
}

// LoadLedger starts the last-success and last-status gauges from the runs
// ledger, so they mean something straight after a restart.
func (m *Metrics) LoadLedger(ctx context.Context, c warehouse.Conn) error {
	rows, err := warehouse.QueryInto[ledgerRow](ctx, c, `SELECT pipeline,
		toFloat64(toUnixTimestamp64Milli(maxIf(finished_at, status IN ('ok', 'degraded')))) / 1000 AS last_success,
		argMax(status, started_at) AS last_status
		FROM runs FINAL WHERE status != 'running' GROUP BY pipeline`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.LastSuccess > 0 {
			m.lastSuccess.WithLabelValues(r.Pipeline).Set(r.LastSuccess)
		}
		m.setStatus(r.Pipeline, r.LastStatus)
	}
	return nil
}

func (m *Metrics) observeSnapshot(s *Snapshot) {
	m.snapshotServices.WithLabelValues("service").Set(float64(len(s.services)))
	m.snapshotServices.WithLabelValues("service_at_location").Set(float64(len(s.sals)))
	m.snapshotServices.WithLabelValues("organization").Set(float64(len(s.orgs)))
	m.snapshotServices.WithLabelValues("taxonomy_term").Set(float64(len(s.terms)))
	m.snapshotBuilt.Set(float64(s.BuiltAt.UnixMilli()) / 1000)
	m.snapshotSeconds.Set(s.Took.Seconds())
	for _, k := range []string{"service", "service_at_location", "organization", "taxonomy_term", "taxonomy"} {
		m.snapshotLeftOut.WithLabelValues(k).Set(float64(s.LeftOut[k]))
	}
}

// statusWriter remembers the status code for the request metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times requests by route (the mux pattern, so ids do
// not explode the label set).
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	m := s.opts.Metrics
	lat := m.latency.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		lat.Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
	})
}
