package documents_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/redact"
	"github.com/localoffer/localoffer/runner/documents"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The store keeps URLs masked, and a conditional GET still finds the last
// fetch's validators from the real URL (in this process and the next).
func TestDocumentsMaskedAndConditional(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	w.Redactor = redact.New("tok-Secret-77")
	real := "https://feed:tok-Secret-77@api.example.org/v1/services?page=1&api_key=tok-Secret-77"
	docs := documents.New(w, "p")
	doc := &fetch.Document{Pipeline: "p", RunID: "r1", URL: real, FinalURL: real, Status: 200, ETag: `"v1"`,
		SHA256: strings.Repeat("ab", 32), FetchedAt: time.Now().UTC()}
	if err := docs.RecordFetch(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := docs.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	stored, err := warehouse.QueryScalar[string](ctx, w, "SELECT url FROM documents WHERE pipeline = 'p'")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "tok-Secret") || !strings.Contains(stored, "api_key=***") {
		t.Fatalf("documents.url = %q", stored)
	}
	// The next run reads the table afresh.
	v, ok, err := documents.New(w, "p").LastFetch(ctx, real)
	if err != nil || !ok || v.ETag != `"v1"` {
		t.Fatalf("LastFetch(real URL) = %+v, %v, %v; want the stored validators", v, ok, err)
	}
}
