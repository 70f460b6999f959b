package senreports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
)

const examplesDir = "../../examples/schools"

// TestExamplePDFs keeps the bundled example PDFs in step with their text
// sources (<name>.pdf.txt); -update regenerates them.
func TestExamplePDFs(t *testing.T) {
	srcs, _ := filepath.Glob(examplesDir + "/*/*/*.pdf.txt")
	if len(srcs) == 0 {
		t.Fatal("no example PDF sources under " + examplesDir)
	}
	for _, src := range srcs {
		txt, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		want := pdfFromText(t, string(txt))
		out := strings.TrimSuffix(src, ".txt")
		if *update {
			if err := os.WriteFile(out, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(out)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale (run go test -run TestExamplePDFs -update): %v", out, err)
		}
	}
}

// TestExamples crawls the bundled Portsmouth example sites (what `make run`
// loads) and checks each shows what it is there to show.
func TestExamples(t *testing.T) {
	if err := (extract.PDF{}).Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := New(Options{ReviewAfterDays: 365})
	sess := testSession(t, fetch.Options{})
	for _, tc := range []struct {
		site, format string
		flags        []string
	}{
		{"eastney-sands-primary", "html", nil},
		{"hilsea-vale-academy", "pdf", nil},
		{"fratton-fields-junior", "html", []string{"report_stale", "report_items_missing", "no_senco_contact"}},
		{"baffins-pond-infant", "html", []string{"report_items_missing", "no_senco_contact"}},
	} {
		t.Run(tc.site, func(t *testing.T) {
			s := School{URN: "1", Name: tc.site, URL: siteURL(filepath.Join(examplesDir, tc.site), "")}
			res := c.School(context.Background(), sess, s, collecttest.NewState(), now)
			if !res.Report.Found || res.Report.ReportFormat != tc.format {
				t.Fatalf("found=%v format=%q problem=%q", res.Report.Found, res.Report.ReportFormat, res.Report.Problem)
			}
			var got []string
			for _, f := range res.Flags {
				got = append(got, f.Flag)
			}
			if !slices.Equal(got, tc.flags) {
				t.Errorf("flags %v, want %v (missing items %v)", got, tc.flags, res.Report.ItemsMissing)
			}
		})
	}
}
