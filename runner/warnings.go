package runner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// MaxWarningsPerKind: a source that repeats one fault thousands of times
// gets this many rows of it in run_warnings and one row with the count.
const MaxWarningsPerKind = 50

// warnBatch is how many warnings are written in one insert.
const warnBatch = 500

// maxKinds bounds the kinds one run tracks, so memory stays flat whatever a
// source says; later kinds share one.
const maxKinds = 1000

// OtherKind collects warnings past maxKinds distinct kinds.
const OtherKind = "other"

// warnings is the one place warnings are counted, capped per kind and written
// in batches, for every collector. Safe for concurrent use.
type warnings struct {
	w        *warehouse.Warehouse
	pipeline string
	runID    string
	log      *slog.Logger

	mu     sync.Mutex
	counts map[string]int
	first  map[string]string // first message of each kind
	all    int
	buf    []warehouse.Warning
	err    error
}

func newWarnings(w *warehouse.Warehouse, pipeline, runID string, log *slog.Logger) *warnings {
	return &warnings{w: w, pipeline: pipeline, runID: runID, log: log, counts: map[string]int{}, first: map[string]string{}}
}

func (ws *warnings) add(ctx context.Context, kind, sourceURL, recordID, msg string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.all++
	if _, known := ws.counts[kind]; !known && len(ws.counts) >= maxKinds {
		kind = OtherKind
	}
	ws.counts[kind]++
	if ws.counts[kind] == 1 {
		ws.first[kind] = msg
	}
	if ws.counts[kind] > MaxWarningsPerKind {
		return
	}
	ws.log.Warn(msg, "kind", kind, "source", sourceURL, "record", recordID)
	ws.buf = append(ws.buf, warehouse.Warning{At: time.Now().UTC(), Kind: kind, SourceURL: sourceURL, RecordID: recordID, Message: msg})
	if len(ws.buf) >= warnBatch {
		// Written even when the run is being cancelled (max_duration).
		ws.flushLocked(context.WithoutCancel(ctx))
	}
}

func (ws *warnings) flushLocked(ctx context.Context) {
	if len(ws.buf) == 0 {
		return
	}
	if err := ws.w.RecordWarnings(ctx, ws.pipeline, ws.runID, ws.buf); err != nil && ws.err == nil {
		ws.err = fmt.Errorf("record %d warnings: %w", len(ws.buf), err)
	}
	ws.buf = ws.buf[:0]
}

// finish adds one row per capped kind with its count and writes what is buffered.
func (ws *warnings) finish(ctx context.Context) error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, kind := range sortedKinds(ws.counts) {
		if n := ws.counts[kind]; n > MaxWarningsPerKind {
			msg := fmt.Sprintf("%d more warnings of this kind not recorded (%d in all)", n-MaxWarningsPerKind, n)
			ws.log.Warn(msg, "kind", kind)
			ws.buf = append(ws.buf, warehouse.Warning{At: time.Now().UTC(), Kind: kind, Message: msg})
		}
	}
	ws.flushLocked(ctx)
	return ws.err
}

func (ws *warnings) total() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.all
}

// byKind returns the count and first message of each kind.
func (ws *warnings) byKind() (map[string]int, map[string]string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	counts, first := make(map[string]int, len(ws.counts)), make(map[string]string, len(ws.first))
	for k, n := range ws.counts {
		counts[k] = n
		first[k] = ws.first[k]
	}
	return counts, first
}
