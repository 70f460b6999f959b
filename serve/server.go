// Package serve is `localoffer serve`'s HTTP side: an Open Referral UK 3.0
// API over the warehouse's current, valid records (served from a snapshot
// refreshed after each run), the gap report, /healthz and /metrics.
package serve

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/transform/areas"
)

// Mount is a handler another package provides, served under Pattern
// (a net/http ServeMux pattern such as "/clickhouse/" or "GET /docs/warehouse").
type Mount struct {
	Pattern string
	Handler http.Handler
}

// Options wire a Server.
type Options struct {
	Warehouse   *warehouse.Warehouse
	SnapshotDir string    // where snapshot files are written
	Validator   Validator // the official-schema check (feedcheck.Checker); nil serves unchecked
	Postcodes   *areas.Lookup
	Gaps        gaps.Options // thresholds for /reports/gaps
	Metrics     *Metrics
	Log         *slog.Logger
	// PublicURL, when set, is the base URL announced in openapi_url;
	// otherwise the request's host is used.
	PublicURL string
	// RequestTimeout bounds every request except streams, which get it per thousand records.
	RequestTimeout time.Duration
	// Mounts are extra handlers (the ClickHouse endpoint, the data dictionary, health reports).
	Mounts []Mount
}

// Server serves the API from the current snapshot.
type Server struct {
	opts    Options
	log     *slog.Logger
	snap    atomic.Pointer[Snapshot]
	refresh sync.Mutex
	handler http.Handler
}

// New builds the first snapshot and the handler.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{opts: opts, log: opts.Log}
	if _, err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Metrics returns the server's metrics (for the scheduler's run observations).
func (s *Server) Metrics() *Metrics { return s.opts.Metrics }

// Refresh rebuilds the snapshot when the warehouse changed since the last one,
// and swaps it in whole; it reports whether it rebuilt.
func (s *Server) Refresh(ctx context.Context) (bool, error) {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	old := s.snap.Load()
	if old != nil {
		wm, err := warehouse.QueryScalar[string](ctx, s.opts.Warehouse, WatermarkQuery)
		if err != nil {
			return false, fmt.Errorf("snapshot watermark: %w", err)
		}
		if wm == old.Watermark {
			return false, nil
		}
	}
	snap, err := Build(ctx, s.opts.Warehouse, s.opts.SnapshotDir, s.opts.Validator, s.log)
	if err != nil {
		s.opts.Metrics.snapshotFailures.Inc()
		return false, err
	}
	s.snap.Store(snap)
	if old != nil {
		old.retire()
	}
	// A build leaves the decoded records of the whole warehouse as garbage;
	// give it back so the process's size reflects what it serves.
	debug.FreeOSMemory()
	s.opts.Metrics.observeSnapshot(snap)
	s.log.Info("API snapshot refreshed", "services", len(snap.services), "service_at_locations", len(snap.sals),
		"organizations", len(snap.orgs), "taxonomy_terms", len(snap.terms), "left_out", snap.LeftOut, "took", snap.Took.Round(time.Millisecond).String())
	return true, nil
}

// Watch checks the warehouse every interval until ctx ends and refreshes the
// snapshot when it changed and has then stayed unchanged for one interval
// (a load in progress keeps changing it; the refresh after each run is
// immediate), so what is served never outlives the warehouse's data by more
// than two intervals, whatever changed it.
func (s *Server) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		wm, err := warehouse.QueryScalar[string](ctx, s.opts.Warehouse, WatermarkQuery)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("check the warehouse for changes", "err", err)
			}
			continue
		}
		if snap := s.snap.Load(); snap != nil && wm != snap.Watermark && wm == last {
			if _, err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("refresh API snapshot", "err", err)
			}
		}
		last = wm
	}
}

// Close releases the snapshot file.
func (s *Server) Close() {
	if snap := s.snap.Swap(nil); snap != nil {
		snap.retire()
	}
}

func (s *Server) acquire() *Snapshot {
	snap := s.snap.Load()
	snap.acquire()
	return snap
}

// Handler is the whole HTTP interface.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(pattern, withTimeout(s.opts.RequestTimeout, h)))
	}
	api("GET /", s.root)
	api("GET /services", s.services)
	api("GET /services/{id}", s.service)
	api("GET /service_at_locations", s.serviceAtLocations)
	api("GET /service_at_locations/{id}", s.serviceAtLocation)
	api("GET /organizations", s.organizations)
	api("GET /organizations/{id}", s.organization)
	api("GET /taxonomies", s.taxonomies)
	api("GET /taxonomies/{id}", s.taxonomy)
	api("GET /taxonomy_terms", s.taxonomyTerms)
	api("GET /taxonomy_terms/{id}", s.taxonomyTerm)
	api("GET /openapi.json", s.openAPI)
	api("GET /healthz", s.healthz)
	api("GET /reports/gaps", s.gapsHTML)
	api("GET /reports/gaps.json", s.gapsJSON)
	api("GET /reports/health", s.healthReport("html", "text/html; charset=utf-8"))
	api("GET /reports/health.json", s.healthReport("json", "application/json"))
	api("GET /reports/health.csv", s.healthReport("csv", "text/csv; charset=utf-8"))
	mux.Handle("GET /metrics", s.instrument("GET /metrics", s.opts.Metrics.Handler()))
	for _, m := range s.opts.Mounts {
		mux.Handle(m.Pattern, s.instrument(m.Pattern, m.Handler))
	}
	return s.common(mux)
}

// common adds what every response gets: CORS (Open Referral UK requires
// Access-Control-Allow-Origin: *), read-only methods, gzip when asked for.
func (s *Server) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("X-Content-Type-Options", "nosniff")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "If-None-Match, Accept, Accept-Encoding, Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			// Mounted handlers (the ClickHouse endpoint) may take POST; the API never does.
			if !strings.HasPrefix(r.URL.Path, "/clickhouse") {
				h.Set("Allow", "GET, HEAD, OPTIONS")
				apiError(w, http.StatusMethodNotAllowed, "method_not_allowed", "this API is read-only: use GET")
				return
			}
		}
		h.Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r) || strings.HasPrefix(r.URL.Path, "/clickhouse") {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

var gzPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return w }}

// gzipWriter compresses bodies of 200 responses; 304s and errors pass as they are.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	h := g.Header()
	if code == http.StatusOK && h.Get("Content-Encoding") == "" {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		g.gz = gzPool.Get().(*gzip.Writer)
		g.gz.Reset(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (write deadlines).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) Flush() {
	if g.gz != nil {
		g.gz.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		gzPool.Put(g.gz)
		g.gz = nil
	}
}

// withTimeout gives a request a deadline; handlers that query the warehouse honour it.
func withTimeout(d time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h(w, r.WithContext(ctx))
	}
}

// Snapshot is the snapshot served now.
func (s *Server) Snapshot() *Snapshot { return s.snap.Load() }
