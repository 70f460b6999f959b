// Package collecttest runs a collector without a warehouse: a collect.Run
// that records what the collector emits, warns and checks, so a collector's
// tests check its mapping from source to records and need no engine.
package collecttest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// State is an in-memory collect.State, safe for concurrent use.
type State struct {
	mu sync.Mutex
	m  map[string]string
}

// NewState returns an empty state.
func NewState() *State { return &State{m: map[string]string{}} }

// Get implements collect.State.
func (s *State) Get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

// Set implements collect.State.
func (s *State) Set(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}

// Value is Get without the ok.
func (s *State) Value(k string) string {
	v, _ := s.Get(k)
	return v
}

// Warning is one warning the collector raised.
type Warning struct {
	Kind      string // as collect.KindOf derives it, or the kind given
	SourceURL string
	RecordID  string
	Message   string
}

// Recorder is a run whose outcomes are kept in memory.
type Recorder struct {
	Run   *collect.Run
	State *State

	mu       sync.Mutex
	records  []*schema.Record
	warnings []Warning
	checks   []collect.Check
}

// New returns a recorder for one run of pipeline at now. Its fetch session
// keeps bodies in a temporary directory removed when the test ends, and has
// no document store (every fetch is unconditional).
func New(t testing.TB, pipeline string, opts fetch.Options, now time.Time) *Recorder {
	t.Helper()
	r := &Recorder{State: NewState()}
	client := fetch.New(opts, &fetch.Blobs{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	r.Run = &collect.Run{
		Pipeline: pipeline, RunID: "test-run", Now: now,
		Fetch: client.Session(pipeline, "test-run", nil),
		Log:   slog.New(slog.DiscardHandler),
		State: r.State,
		Emit: func(_ context.Context, rec *schema.Record) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.records = append(r.records, rec)
			return nil
		},
		Warn: func(src, id, msg string) { r.warn(collect.KindOf(msg), src, id, msg) },
		WarnKind: func(kind, src, id, msg string) {
			r.warn(kind, src, id, msg)
		},
		Check: func(c collect.Check) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.checks = append(r.checks, c)
		},
	}
	return r
}

func (r *Recorder) warn(kind, src, id, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, Warning{Kind: kind, SourceURL: src, RecordID: id, Message: msg})
}

// Records are the emitted records, in emission order.
func (r *Recorder) Records() []*schema.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*schema.Record(nil), r.records...)
}

// Services are the emitted services, in emission order.
func (r *Recorder) Services() []*schema.Service {
	var out []*schema.Service
	for _, rec := range r.Records() {
		if rec.Kind == schema.KindService {
			out = append(out, rec.Service)
		}
	}
	return out
}

// Warnings are the warnings raised, in order.
func (r *Recorder) Warnings() []Warning {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Warning(nil), r.warnings...)
}

// Checks are the conformance checks recorded, in order.
func (r *Recorder) Checks() []collect.Check {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]collect.Check(nil), r.checks...)
}
