// Package golden runs golden-file tests for the transforms: every directory
// testdata/<case>/ holds input.json (a JSON array of records) and
// expected.json (the records after the transform). `go test -update`
// rewrites expected.json from the current output.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/localoffer/localoffer/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.json")

// Records runs fn over each case's input records and compares the result.
func Records(t *testing.T, fn func(recs []*schema.Record)) {
	t.Helper()
	dirs, err := filepath.Glob("testdata/*/input.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no testdata/*/input.json cases")
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var recs []*schema.Record
			if err := json.Unmarshal(data, &recs); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			fn(recs)
			got, err := json.MarshalIndent(recs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			exp := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(exp, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(exp)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the output; got:\n%s", exp, got)
			}
		})
	}
}
