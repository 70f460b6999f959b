package spreadsheet

import (
	"context"
	"log/slog"
	"testing"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// chunkRows is the loader's insert size in tests and benchmarks (the
// warehouse.chunk_rows default).
var chunkRows = 10000

// runPipeline runs one spreadsheet pipeline through the real runner
// (validation, quarantine, loader) into w.
func runPipeline(t testing.TB, w *warehouse.Warehouse, name, source string, o Options) runner.Result {
	t.Helper()
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	client := fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, nil)
	r := &runner.Runner{W: w, Fetch: client, Validator: v, ChunkRows: chunkRows, Log: slog.New(slog.DiscardHandler)}
	c := &Collector{Source: source, Options: o, Area: ""}
	return r.Run(context.Background(), runner.Job{Pipeline: name, Collector: "spreadsheet", Source: c})
}

func scalar[T any](t testing.TB, w *warehouse.Warehouse, q string) T {
	t.Helper()
	v, err := warehouse.QueryScalar[T](context.Background(), w, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}
