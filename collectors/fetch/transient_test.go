package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestTransientKeepsNoBody: a transient body is readable until Discard and
// never lands in the blob store, for files and for HTTP alike.
func TestTransientKeepsNoBody(t *testing.T) {
	const body = "Timestamp,Comment\n01/02/2025,call me on 07700 900123\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "feedback.csv")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{file, srv.URL + "/feedback.csv"} {
		c, _ := testClient(t, Options{})
		store := &memStore{}
		doc, err := c.Session("p", "r", store).Get(context.Background(), src, Transient())
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if c.blobs.Has(doc.SHA256) {
			t.Errorf("%s: transient body stored in the blob store", src)
		}
		got, err := doc.Bytes()
		if err != nil || string(got) != body {
			t.Fatalf("%s: body %q, %v", src, got, err)
		}
		tmp := doc.BlobPath()
		if err := doc.Discard(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Errorf("%s: transient file %s still there after Discard (%v)", src, tmp, err)
		}
		left, _ := filepath.Glob(filepath.Join(c.blobs.Dir, "*", "*"))
		if len(left) > 0 {
			t.Errorf("%s: blob store holds %v", src, left)
		}
		// Without Transient the same body is kept.
		doc2, err := c.Session("p", "r2", store).Get(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		if !c.blobs.Has(doc2.SHA256) || doc2.SHA256 != doc.SHA256 {
			t.Errorf("%s: ordinary fetch not stored", src)
		}
	}
}
