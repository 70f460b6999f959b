package fetch

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// A body kept in memory is the body stored: same bytes, same hash, the blob
// written once; UTF8 hands it over (transcoded when it is not UTF-8), and the
// size limit bites as it does for streamed bodies.
func TestKeepBody(t *testing.T) {
	latin1 := []byte("{\"name\":\"Caf\xe9 \x96 Southsea\"}")
	utf := []byte("\xEF\xBB\xBF{\"name\":\"Caf\u00e9\"}")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/latin1":
			w.Write(latin1)
		case "/utf8":
			w.Write(utf)
		case "/big":
			w.Write(bytes.Repeat([]byte("x"), 20<<10))
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{IgnoreRobots: true, MaxBodyBytes: 16 << 10})
	store := &memStore{}
	s := c.Session("p", "r", store)
	ctx := context.Background()

	for _, tc := range []struct {
		path string
		raw  []byte
		text string
	}{{"/latin1", latin1, "{\"name\":\"Café – Southsea\"}"}, {"/utf8", utf, "{\"name\":\"Café\"}"}} {
		doc, err := s.Get(ctx, srv.URL+tc.path, KeepBody())
		if err != nil {
			t.Fatal(err)
		}
		stored, err := os.ReadFile(doc.BlobPath())
		if err != nil || !bytes.Equal(stored, tc.raw) || doc.Size != int64(len(tc.raw)) {
			t.Fatalf("%s: stored %q (%v), size %d", tc.path, stored, err, doc.Size)
		}
		streamed, err := s.Get(ctx, srv.URL+tc.path, Unconditional())
		if err != nil || streamed.SHA256 != doc.SHA256 {
			t.Fatalf("%s: hash %s kept, %s streamed (%v)", tc.path, doc.SHA256, streamed.SHA256, err)
		}
		text, err := doc.UTF8()
		if err != nil || string(text) != tc.text {
			t.Errorf("%s: UTF8 %q (%v), want %q", tc.path, text, err, tc.text)
		}
		// The streamed document reads the same text from the store.
		if st, _ := streamed.UTF8(); string(st) != tc.text {
			t.Errorf("%s: streamed UTF8 %q", tc.path, st)
		}
		if raw, _ := doc.Bytes(); !bytes.Equal(raw, tc.raw) {
			t.Errorf("%s: raw body %q", tc.path, raw)
		}
	}
	// A second fetch of the same bytes finds the blob and writes nothing new.
	entries, _ := os.ReadDir(c.blobs.Dir)
	before := len(entries)
	if _, err := s.Get(ctx, srv.URL+"/utf8", KeepBody(), Unconditional()); err != nil {
		t.Fatal(err)
	}
	if entries, _ = os.ReadDir(c.blobs.Dir); len(entries) != before {
		t.Errorf("blob dir went from %d to %d entries", before, len(entries))
	}

	_, err := s.Get(ctx, srv.URL+"/big", KeepBody())
	var tl *ErrTooLarge
	if !errors.As(err, &tl) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	entries, _ = os.ReadDir(c.blobs.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incoming") {
			t.Errorf("partial body left behind: %s", e.Name())
		}
	}
}

// A body sent without Content-Length (chunked) is read into one buffer
// sized from the body before it, not doubled up from 64 KB; a larger or a
// smaller body still arrives whole, and the hint cannot ask for more than
// the size limit.
func TestReadBodySizedByHint(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16)
	allocated := func(hint int64, want []byte, limit int64) uint64 {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		// Short reads, as a chunked response gives them, and no length.
		got, err := readBody(iotest.HalfReader(bytes.NewReader(want)), -1, hint, limit)
		runtime.ReadMemStats(&after)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("hint %d: %d bytes, %v", hint, len(got), err)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	if a := allocated(int64(len(body)), body, 1<<30); a > uint64(len(body))*3/2 {
		t.Errorf("with the last body's size as hint: %d bytes allocated for a %d-byte body", a, len(body))
	}
	if a := allocated(0, body, 1<<30); a < uint64(len(body))*2 {
		t.Errorf("without a hint %d bytes allocated: the test no longer shows what the hint saves", a)
	}
	allocated(int64(len(body))/4, body, 1<<30) // a larger body than the hint
	allocated(int64(len(body)), body[:100], 1<<30)
	if a := allocated(1<<40, body[:100], 1<<20); a > 2<<20 {
		t.Errorf("a huge hint allocated %d bytes under a 1 MB limit", a)
	}
	if _, err := readBody(bytes.NewReader(body), -1, int64(len(body)), int64(len(body))-1); err == nil {
		t.Error("a body over the limit was read")
	}
}
