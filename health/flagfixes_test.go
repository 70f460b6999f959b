package health

import (
	"testing"

	"github.com/localoffer/localoffer/schema"
)

// Every flag the pipeline raises has advice in the fix list, and the fix list
// advises on no flag that is never raised.
func TestEveryFlagHasAFix(t *testing.T) {
	for _, f := range schema.FlagNames {
		if fx, ok := flagFixes[f]; !ok || fx.fix == "" {
			t.Errorf("flag %s has no fix", f)
		}
	}
	if len(flagFixes) != len(schema.FlagNames) {
		t.Errorf("flagFixes has %d entries, schema.FlagNames %d", len(flagFixes), len(schema.FlagNames))
	}
}
