package feedcheck

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/sharedtest"
)

func newChecker(t testing.TB, o Options) *Checker {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	}
	k, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func check(t *testing.T, k *Checker, target string) *Report {
	t.Helper()
	r, err := k.Check(context.Background(), target)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return r
}

func text(r *Report) string {
	var b bytes.Buffer
	r.WriteText(&b)
	return b.String()
}

// Every official HSDS 3.0 and UK profile example passes.
func TestOfficialExamplesPass(t *testing.T) {
	k := newChecker(t, Options{})
	var targets []string
	for _, dir := range []string{
		sharedtest.Path(t, "conformance", "hsds-3.0", "examples"),
		sharedtest.Path(t, "conformance", "uk-profile", "examples"),
	} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case d.IsDir() && p != dir:
				targets = append(targets, p) // a CSV data package
				return filepath.SkipDir
			case strings.HasSuffix(p, ".json"):
				targets = append(targets, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The data package's tables one by one, too.
	csvs, _ := filepath.Glob(filepath.Join(sharedtest.Path(t, "conformance", "hsds-3.0", "examples", "csv"), "*.csv"))
	targets = append(targets, csvs...)
	if len(targets) < 40 {
		t.Fatalf("only %d example targets found", len(targets))
	}
	for _, target := range targets {
		r := check(t, k, target)
		if !r.Valid() || r.Records == 0 {
			t.Errorf("%s: %d records, level 1 problems:\n%s", target, r.Records, text(r))
		}
	}
}

// Each ORUK validator V3.0-UK-Fail mock fails, naming the broken field.
func TestORUKFailMocksFail(t *testing.T) {
	k := newChecker(t, Options{})
	dir := sharedtest.Path(t, "conformance", "oruk-validator-mocks", "V3.0-UK-Fail")
	for file, fields := range map[string][]string{
		"api_details.json":   {"openapi_url", `"profile"`},
		"service_full.json":  {"/email", "/url"},
		"service_list.json":  {"/email", `"name"`, "/size", "duplicate"},
		"taxonomy_term.json": {`"description"`, "/term_uri"},
	} {
		r := check(t, k, filepath.Join(dir, file))
		out := text(r)
		if r.Valid() {
			t.Errorf("%s passed:\n%s", file, out)
			continue
		}
		for _, f := range fields {
			if !strings.Contains(out, f) {
				t.Errorf("%s: report does not name %s:\n%s", file, f, out)
			}
		}
	}
	// The matching Default mocks pass (with warnings: assured 2005).
	def := sharedtest.Path(t, "conformance", "oruk-validator-mocks", "V3.0-UK-Default")
	for _, file := range []string{"api_details.json", "service_full.json", "service_list.json", "taxonomy_term.json"} {
		r := check(t, k, filepath.Join(def, file))
		if !r.Valid() {
			t.Errorf("default mock %s failed:\n%s", file, text(r))
		}
	}
	r := check(t, k, filepath.Join(def, "service_full.json"))
	if r.Level2 == 0 || !strings.Contains(text(r), "more than 90 days old") {
		t.Errorf("assured_date 2005 should warn:\n%s", text(r))
	}
}
