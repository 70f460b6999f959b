package senreports

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
	"github.com/localoffer/localoffer/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*/expected.json")

// goldenNow is the fixed "today" of the golden cases.
var goldenNow = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

type goldenOut struct {
	Report *schema.SENReport `json:"report"`
	Flags  []schema.Flag     `json:"flags"`
	Areas  []string          `json:"broad_areas"`
}

// TestGolden crawls each fixture site from its input.html over file:// and
// compares the SEN report record and flags with expected.json.
func TestGolden(t *testing.T) {
	if err := (extract.PDF{}).Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			site := copySite(t, dir)
			c := New(Options{ReviewAfterDays: 365, SiteTimeout: time.Minute})
			s := School{URN: "100001", Name: name, URL: "file://" + site + "/input.html"}
			res := c.School(context.Background(), testSession(t, fetch.Options{}), s, collecttest.NewState(), goldenNow)
			recs := c.Records("golden", s, res)
			if len(recs) != 4 || recs[0].SENReport == nil {
				t.Fatalf("records: got %d, want SEN report, organization, location, service", len(recs))
			}
			rep := *recs[0].SENReport
			rep.Provenance = nil
			got, err := json.MarshalIndent(goldenOut{Report: &rep, Flags: res.Flags, Areas: res.BroadAreas}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = bytes.ReplaceAll(got, []byte("file://"+site), []byte("testdata:"))
			got = append(got, '\n')
			want := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(exp, got) {
				t.Errorf("%s differs from expected.json (run with -update after checking):\n%s", name, diffLines(string(exp), string(got)))
			}
		})
	}
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out.WriteString("- " + x + "\n+ " + y + "\n")
		}
	}
	return out.String()
}
