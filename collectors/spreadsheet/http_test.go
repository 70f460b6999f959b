package spreadsheet

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// A spreadsheet by URL goes through the shared fetch layer (the documents
// table records it); a broken source fails its own pipeline only.
func TestURLSourceAndIsolation(t *testing.T) {
	caseload, err := os.ReadFile(examplePath(t, "demand", "caseload.csv"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/data/caseload.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(caseload)
		case "/data/providers.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	w := whtest.New(t)
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	r := &runner.Runner{W: w, Fetch: fetch.New(fetch.Options{PerHostRPS: 1000}, &fetch.Blobs{Dir: t.TempDir()}, nil),
		Validator: v, ChunkRows: 1000, Log: slog.New(slog.DiscardHandler)}
	jobs := []runner.Job{
		{Pipeline: "broken", Collector: "spreadsheet", Source: &Collector{Source: srv.URL + "/data/providers.csv",
			Options: Options{Entity: "services", Mapping: map[string]MappingRule{"name": {Column: "Provider"}}}}},
		{Pipeline: "caseload", Collector: "spreadsheet", Source: &Collector{Source: srv.URL + "/data/caseload.csv",
			Options: Options{Preset: "dfe_ehcp_caseload"}}},
	}
	res := r.RunAll(context.Background(), jobs, 2)
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "/data/providers.csv") || !strings.Contains(res[0].Err.Error(), "binary content") {
		t.Errorf("broken pipeline err = %v", res[0].Err)
	}
	if res[1].Err != nil || res[1].RecordsLoaded == 0 {
		t.Fatalf("caseload: err %v, loaded %d", res[1].Err, res[1].RecordsLoaded)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM documents WHERE pipeline = 'caseload' AND url LIKE '%/data/caseload.csv' AND status = 200`); n != 1 {
		t.Errorf("documents rows = %d, want 1", n)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM demand WHERE pipeline = 'caseload' AND source_url LIKE 'http%/data/caseload.csv'`); n != res[1].RecordsLoaded {
		t.Errorf("demand rows with the URL as source = %d, want %d", n, res[1].RecordsLoaded)
	}
}
