package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// endless is an endless pagination with progress on every page; it swallows
// its cancellation, as a careless collector might.
type endless struct{ emitted int }

func (e *endless) Collect(ctx context.Context, run *collect.Run) error {
	for page := 1; ; page++ {
		s := &schema.Service{ID: fmt.Sprintf("%s/%d", run.Pipeline, page), Name: fmt.Sprintf("Service %d", page), Status: "active",
			Provenance: &schema.Provenance{SourceURL: "https://api.example/services?page=" + fmt.Sprint(page), FetchedAt: run.Now}}
		if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
			return nil
		}
		e.emitted++
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func TestMaxDurationEndsARun(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := newRunner(t, w)
	src := &endless{}
	start := time.Now()
	res := r.Run(ctx, Job{Pipeline: "endless", Collector: "fake", Source: src, MaxDuration: 300 * time.Millisecond})
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("run took %s", took)
	}
	if res.Status != "failed" || res.Err == nil || !strings.Contains(res.Error, "max_duration 300ms") {
		t.Fatalf("result %+v, want failed for max_duration", res.Run)
	}
	if src.emitted == 0 || res.RecordsLoaded != src.emitted {
		t.Fatalf("loaded %d of %d emitted records", res.RecordsLoaded, src.emitted)
	}
	n, _ := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current WHERE pipeline = 'endless'")
	if n != src.emitted {
		t.Errorf("services_current = %d, want %d", n, src.emitted)
	}
	msg, _ := warehouse.QueryScalar[string](ctx, w, "SELECT error FROM runs FINAL WHERE run_id = "+warehouse.Quote(res.RunID))
	if !strings.Contains(msg, "max_duration") {
		t.Errorf("runs.error = %q", msg)
	}
}
