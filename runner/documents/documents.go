// Package documents is the fetch layer's document store on the warehouse's
// documents table: the provenance of every fetch, and the validators a
// conditional GET needs. It sits beside the runner so that neither the fetch
// layer nor the warehouse imports the other.
package documents

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Store implements fetch.Store on the documents table. It reads a
// pipeline's validators once and buffers new rows, so a crawl of thousands of
// pages costs two queries, not thousands.
type Store struct {
	w        *warehouse.Warehouse
	pipeline string
	chunk    int

	mu     sync.Mutex
	last   map[string]fetch.Validators
	loaded bool
	rows   [][]any
}

// New returns the document store for one pipeline.
func New(w *warehouse.Warehouse, pipeline string) *Store {
	return &Store{w: w, pipeline: pipeline, chunk: 1000}
}

// LastFetch returns the validators of the latest successful fetch of url in this pipeline.
func (d *Store) LastFetch(ctx context.Context, url string) (fetch.Validators, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.loaded {
		if err := d.load(ctx); err != nil {
			return fetch.Validators{}, false, err
		}
	}
	// Stored URLs are redacted, so the lookup is too (the mask is
	// deterministic: conditional GETs still find their validators).
	v, ok := d.last[d.w.Redactor.String(url)]
	return v, ok, nil
}

func (d *Store) load(ctx context.Context) error {
	d.last = map[string]fetch.Validators{}
	q := `SELECT url, argMax(etag, fetched_at) AS etag, argMax(last_modified, fetched_at) AS lm,
       argMax(sha256, fetched_at) AS sha, argMax(content_type, fetched_at) AS ct, max(fetched_at) AS at
FROM documents WHERE pipeline = ` + warehouse.Quote(d.pipeline) + ` AND status IN (200, 304) AND sha256 != '' GROUP BY url`
	err := d.w.Query(ctx, q, func(_ []string, row []json.RawMessage) error {
		var url string
		var v fetch.Validators
		var at string
		for i, dst := range []any{&url, &v.ETag, &v.LastModified, &v.SHA256, &v.ContentType, &at} {
			if err := json.Unmarshal(row[i], dst); err != nil {
				return err
			}
		}
		v.FetchedAt, _ = time.Parse("2006-01-02 15:04:05.000", at)
		d.last[url] = v
		return nil
	})
	if err != nil {
		return fmt.Errorf("read last fetches of %s: %w", d.pipeline, err)
	}
	d.loaded = true
	return nil
}

var documentColumns = []string{"pipeline", "run_id", "url", "final_url", "fetched_at", "status", "content_type", "etag",
	"last_modified", "sha256", "size", "not_modified", "blob_path", "elapsed_ms"}

// RecordFetch buffers a fetched document's provenance.
func (d *Store) RecordFetch(ctx context.Context, doc *fetch.Document) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	status := doc.Status
	if doc.NotModified {
		status = 304
	}
	var notModified uint8
	if doc.NotModified {
		notModified = 1
	}
	u := d.w.Redactor.String(doc.URL)
	d.rows = append(d.rows, []any{d.pipeline, doc.RunID, u, d.w.Redactor.String(doc.FinalURL), doc.FetchedAt, status, doc.ContentType,
		doc.ETag, doc.LastModified, doc.SHA256, uint64(doc.Size), notModified, doc.BlobPath(),
		uint32(min(doc.Elapsed.Milliseconds(), math.MaxUint32))})
	if d.last != nil && doc.SHA256 != "" {
		d.last[u] = fetch.Validators{ETag: doc.ETag, LastModified: doc.LastModified, SHA256: doc.SHA256,
			FetchedAt: doc.FetchedAt, Status: status, ContentType: doc.ContentType}
	}
	if len(d.rows) >= d.chunk {
		return d.flushLocked(ctx)
	}
	return nil
}

// Flush writes buffered document rows.
func (d *Store) Flush(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.flushLocked(ctx)
}

func (d *Store) flushLocked(ctx context.Context) error {
	if len(d.rows) == 0 {
		return nil
	}
	if err := d.w.Insert(ctx, "documents", documentColumns, d.rows); err != nil {
		return fmt.Errorf("record documents: %w", err)
	}
	d.rows = d.rows[:0]
	return nil
}
