package spreadsheet

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// A service's nested location and the location record emitted beside it are
// prepared on different workers at once, so they must share no memory: the
// same *Location in both was a data race that tore strings (a provider-list
// run faulted in the JSON encoder).
func TestNestedLocationsShareNothing(t *testing.T) {
	providers, providersFile := providerCollector(t)
	gias := &Collector{Source: examplePath(t, "gias", "edubasealldata_portsmouth.csv"), Options: Options{Preset: "gias"}}
	for _, c := range []struct {
		name string
		col  *Collector
		src  string
	}{{"providers", providers, providersFile}, {"gias", gias, gias.Source}} {
		t.Run(c.name, func(t *testing.T) {
			rec := collecttest.New(t, c.src, fetch.Options{}, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
			if err := c.col.Collect(context.Background(), rec.Run); err != nil {
				t.Fatal(err)
			}
			records := map[*schema.Location]bool{}
			addresses := map[*schema.Address]bool{}
			for _, r := range rec.Records() {
				if r.Kind == schema.KindLocation {
					records[r.Location] = true
					for i := range r.Location.Addresses {
						addresses[&r.Location.Addresses[i]] = true
					}
				}
			}
			nested := 0
			for _, s := range rec.Services() {
				for _, sal := range s.ServiceAtLocations {
					if sal.Location == nil {
						continue
					}
					nested++
					if records[sal.Location] {
						t.Errorf("service %s nests the location record %s itself", s.ID, sal.Location.ID)
					}
					for i := range sal.Location.Addresses {
						if addresses[&sal.Location.Addresses[i]] {
							t.Errorf("service %s shares location %s's addresses", s.ID, sal.Location.ID)
						}
					}
				}
			}
			if len(records) == 0 || nested == 0 {
				t.Fatalf("%d location records, %d nested locations: the test checks nothing", len(records), nested)
			}
		})
	}
}
