package warehouse_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

var (
	flagIn = regexp.MustCompile(`flag\s+IN\s*\(([^)]*)\)`)
	flagEq = regexp.MustCompile(`flag\s*=\s*'([a-z_]+)'`)
	quoted = regexp.MustCompile(`'([^']*)'`)
)

// Migrations cannot use schema's flag constants, so they are checked against
// them: every flag the SQL names is one the pipeline raises, and a list of
// flags that make a service stale is exactly schema.StaleFlags.
func TestMigrationsNameKnownFlags(t *testing.T) {
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	lists := 0
	for _, m := range ms {
		for _, in := range flagIn.FindAllStringSubmatch(m.Text, -1) {
			var names []string
			for _, q := range quoted.FindAllStringSubmatch(in[1], -1) {
				names = append(names, q[1])
			}
			for _, n := range names {
				if !slices.Contains(schema.FlagNames, n) {
					t.Errorf("%04d_%s: flag %q is not in schema.FlagNames", m.Version, m.Name, n)
				}
			}
			if slices.Contains(names, schema.FlagReviewOverdue) {
				lists++
				if !slices.Equal(names, schema.StaleFlags) {
					t.Errorf("%04d_%s: stale flags %s, want %s", m.Version, m.Name, strings.Join(names, ", "), strings.Join(schema.StaleFlags, ", "))
				}
			}
		}
		for _, eq := range flagEq.FindAllStringSubmatch(m.Text, -1) {
			if !slices.Contains(schema.FlagNames, eq[1]) {
				t.Errorf("%04d_%s: flag %q is not in schema.FlagNames", m.Version, m.Name, eq[1])
			}
		}
	}
	if lists == 0 {
		t.Fatal("no migration lists the stale flags: the check would pass vacuously")
	}
}
