package spreadsheet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/spreadsheet/internal/samples"
	"github.com/localoffer/localoffer/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/gias_golden")

// giasOutput reads a GIAS file with the preset and writes what the collector
// hands on, in order: every record (its kind and its JSON, provenance
// included) and every warning.
func giasOutput(t *testing.T, file string) []byte {
	t.Helper()
	var out bytes.Buffer
	c := &Collector{Source: filepath.Base(file), Options: Options{Preset: "gias"}}
	run := &collect.Run{Pipeline: "gias",
		Emit: func(_ context.Context, rec *schema.Record) error {
			b, err := json.Marshal(rec.Entity())
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "%s\t%s\n", rec.Kind, b)
			return nil
		},
		Warn: func(src, id, msg string) { fmt.Fprintf(&out, "warning\t%s\t%s\t%s\n", src, id, msg) },
	}
	prov := schema.Provenance{SourceURL: c.Source, FetchedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), DocumentSHA256: strings.Repeat("0f", 32)}
	if err := c.read(context.Background(), run, file, prov); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestGIASGolden holds the gias preset's output (records, their order and
// the warnings) to files written before the mapper and reader were tuned for
// speed: the Portsmouth sample, a file of edge cases (dates, numbers,
// postcodes, case and spacing, quoting, missing cells) and, as a digest,
// 3,000 synthetic rows. Rewrite with -update only for an intended change.
func TestGIASGolden(t *testing.T) {
	synthetic := filepath.Join(t.TempDir(), "edubasealldata_synthetic.csv")
	f, err := os.Create(synthetic)
	if err != nil {
		t.Fatal(err)
	}
	if err := samples.SyntheticGIAS(f, 3000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, c := range []struct {
		name, file string
		digest     bool
	}{
		{"portsmouth", examplePath(t, "gias", "edubasealldata_portsmouth.csv"), false},
		{"edge", filepath.Join("testdata", "gias_golden", "edge.csv"), false},
		{"synthetic", synthetic, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := giasOutput(t, c.file)
			golden := filepath.Join("testdata", "gias_golden", c.name+".jsonl")
			if c.digest {
				sum := sha256.Sum256(got)
				got = fmt.Appendf(nil, "%s %d lines\n", hex.EncodeToString(sum[:]), bytes.Count(got, []byte("\n")))
				golden = filepath.Join("testdata", "gias_golden", c.name+".sha256")
			}
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Fatalf("%s differs at line %d:\n got %s\nwant %s", golden, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("%s: %d lines, want %d", golden, len(gl), len(wl))
			}
		})
	}
}
