package ages

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/localoffer/localoffer/schema"
)

// BenchmarkCouncilServices: the ages transform over real council services
// as a feed serves them (names and HTML descriptions, no structured ages),
// the shape of the end-to-end feed.
func BenchmarkCouncilServices(b *testing.B) {
	var set []schema.Service
	for _, council := range []string{"bristol", "north-lincolnshire"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "cmd", "localoffer", "testdata", "realworld", council, "services.json"))
		if err != nil {
			b.Skip(err)
		}
		var recs []struct{ Name, Description string }
		if err := json.Unmarshal(raw, &recs); err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			set = append(set, schema.Service{Name: r.Name, Description: r.Description})
		}
	}
	work := make([]schema.Service, len(set))
	b.ReportAllocs()
	cpu := startCPU()
	for i := 0; b.Loop(); i++ {
		k := i % len(set)
		if k == 0 {
			copy(work, set) // fresh services each round
		}
		Apply(&work[k])
	}
	cpu.report(b)
}
