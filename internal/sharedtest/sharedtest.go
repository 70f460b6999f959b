// Package sharedtest finds ../shared (official schemas, example feeds, real DfE
// data) for tests, which skip with a logged reason when it is absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory beside the repository, or skips the test.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("LOCALOFFER_SHARED_DIR"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Skipf("skipping: cannot find ../shared: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if _, err := os.Stat(filepath.Join(shared, "DESIGN.md")); err == nil {
				return shared
			}
			t.Skipf("skipping: %s not found (reference data lives beside the repository)", shared)
		}
		if filepath.Dir(dir) == dir {
			t.Skip("skipping: repository root not found, so ../shared is unknown")
		}
	}
}

// Path joins elements under the shared directory and skips if it does not exist.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not found", p)
	}
	return p
}
