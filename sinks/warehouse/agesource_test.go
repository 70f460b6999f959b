package warehouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// Every service's ages arrive with where they came from, in services and
// services_current.
func TestAgeSourceIsStored(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	f := func(v float64) *float64 { return &v }
	l := w.NewLoader("p", "run-1", 10)
	for _, s := range []*schema.Service{
		{ID: "p/given", Name: "Given", Status: "active", MinimumAge: f(0), MaximumAge: f(25), AgeSource: schema.AgeSourceSource},
		{ID: "p/read", Name: "Read", Status: "active", MinimumAge: f(11), MaximumAge: f(18), AgeText: "aged 11-18", AgeSource: schema.AgeSourceText},
		{ID: "p/none", Name: "None", Status: "active"},
	} {
		s.Provenance = &schema.Provenance{Pipeline: "p", SourceURL: "file://x", FetchedAt: time.Now()}
		if err := l.Add(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID        string `json:"id"`
		AgeSource string `json:"age_source"`
	}
	for _, table := range []string{"services", "services_current"} {
		rows, err := warehouse.QueryInto[row](ctx, w, "SELECT id, age_source FROM "+table+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows {
			got[r.ID] = r.AgeSource
		}
		want := map[string]string{"p/given": "source", "p/read": "text", "p/none": ""}
		for id, src := range want {
			if got[id] != src {
				t.Errorf("%s: %s age_source = %q, want %q", table, id, got[id], src)
			}
		}
	}
}
