package warehouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/redact"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// TestLoaderRedactsSourceURLs: secrets in the URLs records came from never
// reach the warehouse, whether a URL is met once or by many records in turn.
func TestLoaderRedactsSourceURLs(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	w.Redactor = redact.New("s3cr3t")
	l := w.NewLoader("p", "run-1", 100)
	urls := []string{"https://x.example/api?page=1&key=s3cr3t", "https://x.example/api?page=1&key=s3cr3t",
		"https://u:pw@x.example/api?page=2", "https://x.example/api?page=1&key=s3cr3t"}
	for i, u := range urls {
		rec := whtest.RealService("p", i, time.Now())
		rec.Service.Provenance.SourceURL = u
		if err := l.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := warehouse.QueryInto[struct {
		ID  string `json:"id"`
		URL string `json:"source_url"`
	}](ctx, w, "SELECT id, source_url FROM services ORDER BY id")
	if err != nil || len(got) != len(urls) {
		t.Fatalf("%d rows, %v", len(got), err)
	}
	want := map[string]string{"p/svc-0": "https://x.example/api?page=1&key=***", "p/svc-1": "https://x.example/api?page=1&key=***",
		"p/svc-2": "https://***@x.example/api?page=2", "p/svc-3": "https://x.example/api?page=1&key=***"}
	for _, r := range got {
		if r.URL != want[r.ID] {
			t.Errorf("%s: source_url %q, want %q", r.ID, r.URL, want[r.ID])
		}
	}
}
