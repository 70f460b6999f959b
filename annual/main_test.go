package annual

import (
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// TestMain removes the shared test engine's directory when the tests end.
func TestMain(m *testing.M) { whtest.Main(m) }
