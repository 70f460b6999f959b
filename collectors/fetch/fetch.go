// Package fetch is the one HTTP (and file) layer every collector uses: it
// identifies itself, limits size and time, makes conditional GETs from the
// validators of the last fetch, and keeps every body content-addressed on disk
// so records can be rebuilt without fetching again.
package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options configure a Client.
type Options struct {
	UserAgent    string
	Timeout      time.Duration
	MaxBodyBytes int64
}

// Validators are what a previous fetch of a URL left for a conditional GET.
type Validators struct {
	ETag         string
	LastModified string
	SHA256       string
	FetchedAt    time.Time
	Status       int
	ContentType  string
}

// Store records fetched documents and answers for their last validators.
// The warehouse implements it (the documents table).
type Store interface {
	LastFetch(ctx context.Context, url string) (Validators, bool, error)
	RecordFetch(ctx context.Context, d *Document) error
}

// Document is one fetched resource with its provenance. Its body lives in the
// blob store; open it with Open.
type Document struct {
	Pipeline     string
	RunID        string
	URL          string // as requested
	FinalURL     string // after redirects
	Status       int
	ContentType  string
	ETag         string
	LastModified string
	FetchedAt    time.Time
	SHA256       string
	Size         int64
	// NotModified: the server answered 304 (or a file was unchanged); the body is
	// the stored copy from the last fetch.
	NotModified bool

	blobPath string
}

// Open returns the document's raw body.
func (d *Document) Open() (io.ReadCloser, error) {
	if d.blobPath == "" {
		return io.NopCloser(strings.NewReader("")), nil
	}
	f, err := os.Open(d.blobPath)
	if err != nil {
		return nil, fmt.Errorf("open stored body of %s: %w", d.URL, err)
	}
	return f, nil
}

// Bytes reads the whole body; use Open to stream large documents.
func (d *Document) Bytes() ([]byte, error) {
	rc, err := d.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// BlobPath is where the body is stored (content-addressed by SHA256).
func (d *Document) BlobPath() string { return d.blobPath }

// Blobs is a content-addressed directory of document bodies: <dir>/ab/abcdef….
type Blobs struct{ Dir string }

// Path returns where the blob with this hash lives.
func (b *Blobs) Path(sum string) string {
	if len(sum) < 2 {
		return ""
	}
	return filepath.Join(b.Dir, sum[:2], sum)
}

// Has reports whether the blob is stored.
func (b *Blobs) Has(sum string) bool {
	p := b.Path(sum)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// Put streams r into the store, at most limit bytes, and returns its hash and size.
// A body over the limit is an ErrTooLarge and leaves nothing behind.
func (b *Blobs) Put(r io.Reader, limit int64) (sum string, size int64, err error) {
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(b.Dir, ".incoming-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	if n > limit {
		return "", 0, &ErrTooLarge{Limit: limit}
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := b.Path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	return sum, n, nil
}

// ErrTooLarge is returned when a body exceeds the size limit.
type ErrTooLarge struct{ Limit int64 }

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("body larger than the %d byte limit", e.Limit)
}

// StatusError is a final non-2xx/304 answer.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Client is shared by every pipeline of a process.
type Client struct {
	opts  Options
	http  *http.Client
	blobs *Blobs
	log   *slog.Logger
}

// New returns a Client shared by every pipeline of the process.
func New(opts Options, blobs *Blobs, log *slog.Logger) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "localoffer/0.1"
	}
	return &Client{
		opts:  opts,
		http:  &http.Client{Timeout: opts.Timeout},
		blobs: blobs,
		log:   log,
	}
}

// Session is a Client bound to one pipeline run, so documents carry their provenance.
type Session struct {
	c        *Client
	store    Store
	pipeline string
	runID    string
	stats    Stats
}

// Stats counts what a session fetched.
type Stats struct {
	Fetched   int
	Unchanged int
	Failed    int
}

// Session binds the client to a pipeline run. store records the run's fetches
// and answers for their last validators; nil means no conditional GETs.
func (c *Client) Session(pipeline, runID string, store Store) *Session {
	return &Session{c: c, store: store, pipeline: pipeline, runID: runID}
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats { return s.stats }

// GetOption adjusts one request.
type GetOption func(*request)

type request struct {
	header      http.Header
	conditional bool
}

// WithHeader adds a request header (e.g. an API key).
func WithHeader(k, v string) GetOption {
	return func(r *request) { r.header.Set(k, v) }
}

// Unconditional skips If-None-Match/If-Modified-Since.
func Unconditional() GetOption { return func(r *request) { r.conditional = false } }

// Get fetches a URL, a file:// URL or a plain file path.
func (s *Session) Get(ctx context.Context, rawURL string, opts ...GetOption) (*Document, error) {
	req := &request{header: http.Header{}, conditional: true}
	for _, o := range opts {
		o(req)
	}
	var doc *Document
	var err error
	if isFile(rawURL) {
		doc, err = s.getFile(ctx, rawURL)
	} else {
		doc, err = s.getHTTP(ctx, rawURL, req)
	}
	if err != nil {
		s.stats.Failed++
		return nil, err
	}
	if doc.NotModified {
		s.stats.Unchanged++
	} else {
		s.stats.Fetched++
	}
	if s.store != nil {
		if err := s.store.RecordFetch(ctx, doc); err != nil {
			return nil, fmt.Errorf("record fetch of %s: %w", rawURL, err)
		}
	}
	return doc, nil
}

func isFile(u string) bool {
	return strings.HasPrefix(u, "file://") || !strings.Contains(u, "://")
}

// FilePath returns the local path of a file:// URL or plain path.
func FilePath(u string) string {
	if strings.HasPrefix(u, "file://") {
		if p, err := url.Parse(u); err == nil {
			return p.Path
		}
		return strings.TrimPrefix(u, "file://")
	}
	return u
}

func (s *Session) newDoc(u string) *Document {
	return &Document{Pipeline: s.pipeline, RunID: s.runID, URL: u, FinalURL: u, FetchedAt: time.Now().UTC()}
}

func (s *Session) getFile(ctx context.Context, u string) (*Document, error) {
	path := FilePath(u)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("open %s: is a directory", path)
	}
	doc := s.newDoc(u)
	doc.Status = http.StatusOK
	doc.LastModified = st.ModTime().UTC().Format(http.TimeFormat)
	sum, n, err := s.c.blobs.Put(f, s.c.opts.MaxBodyBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	doc.SHA256, doc.Size, doc.blobPath = sum, n, s.c.blobs.Path(sum)
	doc.ContentType = contentTypeByExt(path)
	if s.store != nil {
		if last, ok, err := s.store.LastFetch(ctx, u); err == nil && ok && last.SHA256 == sum {
			doc.NotModified = true
		}
	}
	return doc, nil
}

func contentTypeByExt(p string) string {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json":
		return "application/json"
	case ".ndjson", ".jsonl":
		return "application/x-ndjson"
	case ".csv":
		return "text/csv"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".html", ".htm":
		return "text/html"
	case ".pdf":
		return "application/pdf"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".zip":
		return "application/zip"
	}
	return "application/octet-stream"
}

func (s *Session) getHTTP(ctx context.Context, u string, r *request) (*Document, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	hreq.Header = r.header
	hreq.Header.Set("User-Agent", s.c.opts.UserAgent)
	var last Validators
	var haveLast bool
	if r.conditional && s.store != nil {
		last, haveLast, err = s.store.LastFetch(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: look up last fetch: %w", u, err)
		}
		// Only ask for a 304 when the body it stands for is still stored.
		if haveLast && s.c.blobs.Has(last.SHA256) {
			if last.ETag != "" {
				hreq.Header.Set("If-None-Match", last.ETag)
			}
			if last.LastModified != "" {
				hreq.Header.Set("If-Modified-Since", last.LastModified)
			}
		}
	}
	resp, err := s.c.http.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	doc := s.newDoc(u)
	doc.FinalURL = resp.Request.URL.String()
	doc.Status = resp.StatusCode
	doc.ContentType = resp.Header.Get("Content-Type")
	doc.ETag = resp.Header.Get("ETag")
	doc.LastModified = resp.Header.Get("Last-Modified")
	switch {
	case resp.StatusCode == http.StatusNotModified && haveLast:
		doc.NotModified = true
		doc.SHA256, doc.blobPath = last.SHA256, s.c.blobs.Path(last.SHA256)
		if doc.ETag == "" {
			doc.ETag = last.ETag
		}
		if doc.LastModified == "" {
			doc.LastModified = last.LastModified
		}
		if doc.ContentType == "" {
			doc.ContentType = last.ContentType
		}
		if st, err := os.Stat(doc.blobPath); err == nil {
			doc.Size = st.Size()
		}
		return doc, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &StatusError{URL: u, Status: resp.StatusCode}
	}
	if resp.ContentLength > s.c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: %w", u, &ErrTooLarge{Limit: s.c.opts.MaxBodyBytes})
	}
	sum, n, err := s.c.blobs.Put(resp.Body, s.c.opts.MaxBodyBytes)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	doc.SHA256, doc.Size, doc.blobPath = sum, n, s.c.blobs.Path(sum)
	if haveLast && last.SHA256 == sum {
		// The server ignored our validators but sent the same bytes.
		doc.NotModified = true
	}
	return doc, nil
}

// IsNotFound reports whether err is a 404 or 410 answer.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone)
}
