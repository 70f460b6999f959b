package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/internal/orukgen"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/transform"
	"github.com/localoffer/localoffer/transform/repair"
)

var updateDigest = flag.Bool("update", false, "rewrite testdata/feed_digest.txt from the current output")

// TestFeedOutputDigest guards the per-record path of the real-shaped feed
// against any change of output while it is made faster: two real councils'
// services (internal/orukgen over the Bristol and North Lincolnshire
// records: HTML descriptions, capitals, apostrophes, ages in the text) are
// decoded, mapped, repaired, transformed and validated as `run` does, and a
// digest of every record's content (annotations included), flags and
// mapping warnings must stay what it was (testdata/feed_digest.txt, written with -update).
func TestFeedOutputDigest(t *testing.T) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := transform.LoadShared(&config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	chain, err := transform.NewChain(sh, config.Pipeline{Name: "digest", Area: "E06000023"}, config.Staleness{ReviewAfterDays: 365, AssuranceAfterDays: 90}, now)
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Validator: v}
	job := Job{Pipeline: "digest", Transform: chain, Repair: repair.New(v, repair.Options{})}
	loader := (&warehouse.Warehouse{}).NewLoader("digest", "run", 10000)
	h := sha256.New()
	var lines []string
	for _, council := range []string{"bristol", "north-lincolnshire"} {
		g, err := orukgen.Load(filepath.Join("..", "cmd", "localoffer", "testdata", "realworld", council, "services.json"))
		if err != nil {
			t.Skip(err)
		}
		const perPage, total = 100, 400
		m := hsdsmap.New("digest", true)
		src := hsdsmap.Source{URL: "https://example.org/api/services", FetchedAt: now()}
		records, quarantined := 0, 0
		for p := 1; p <= total/perPage; p++ {
			pg, err := hsdsmap.DecodePageBytes[hsdsmap.Service](g.Page(p, perPage, total))
			if err != nil {
				t.Fatal(err)
			}
			for i := range pg.Items {
				recs, warns := m.Records(&pg.Items[i], src)
				for _, w := range warns {
					h.Write([]byte(w))
				}
				for _, rec := range recs {
					pr, err := r.prepare(job, loader, rec)
					if err != nil {
						t.Fatal(err)
					}
					if pr == nil {
						t.Fatal("nil prepared record")
					}
					records++
					c, err := schema.ContentOf(rec)
					if err != nil {
						t.Fatal(err)
					}
					if v.Validate(rec) != nil {
						quarantined++
					}
					h.Write(c.JSON)
					flags, _ := json.Marshal(rec.Flags)
					h.Write(flags)
				}
			}
		}
		lines = append(lines, council+" records="+strconv.Itoa(records)+" invalid="+strconv.Itoa(quarantined))
	}
	lines = append(lines, "sha256="+hex.EncodeToString(h.Sum(nil)))
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "feed_digest.txt")
	if *updateDigest {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the real-shaped feed's records changed:\ngot:\n%swant:\n%s", got, want)
	}
}
