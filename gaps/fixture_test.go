package gaps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// fixture is a planted scenario: records as the collectors would emit them,
// plus the flags the transform would have raised.
type fixture struct {
	Services   []schema.Service   `json:"services"`
	Demand     []demandCell       `json:"demand"`
	Capacity   []schema.Capacity  `json:"capacity"`
	SENReports []schema.SENReport `json:"sen_reports"`
	Flags      []struct {
		EntityType string `json:"entity_type"`
		EntityID   string `json:"entity_id"`
		Flag       string `json:"flag"`
	} `json:"flags"`
}

// demandCell is one published count; measure defaults to all_plans.
type demandCell struct {
	LACode    string   `json:"la_code"`
	LAName    string   `json:"la_name"`
	NeedCode  string   `json:"need_code"`
	AgeMin    *int     `json:"age_min"`
	AgeMax    *int     `json:"age_max"`
	Period    string   `json:"period"`
	Count     *float64 `json:"count"`
	Measure   string   `json:"measure"`
	Placement string   `json:"placement"`
}

var fixtureTime = time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC)

// loadFixture loads testdata/<name>/input.json into a fresh warehouse through
// the real Loader, so the views see rows exactly as a run would write them.
func loadFixture(t testing.TB, name string) *warehouse.Warehouse {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	w := whtest.New(t)
	ctx := context.Background()
	l := w.NewLoader("fixture", "run-1", 1000)
	prov := func(src string) *schema.Provenance {
		return &schema.Provenance{Pipeline: "fixture", SourceURL: src, FetchedAt: fixtureTime}
	}
	add := func(r *schema.Record) {
		if err := l.Add(ctx, r); err != nil {
			t.Fatalf("load %s: %v", r.ID(), err)
		}
	}
	for i := range f.Services {
		s := &f.Services[i]
		s.Provenance = prov("file://testdata/" + name + "/services")
		add(&schema.Record{Kind: schema.KindService, Service: s})
	}
	for i, d := range f.Demand {
		measure := d.Measure
		if measure == "" {
			measure = "all_plans"
		}
		add(&schema.Record{Kind: schema.KindDemand, Demand: &schema.Demand{
			ID: fmt.Sprintf("demand/%d", i), Period: d.Period, GeographicLevel: "Local authority", LACode: d.LACode, LAName: d.LAName,
			NeedCode: d.NeedCode, AgeMin: d.AgeMin, AgeMax: d.AgeMax, Measure: measure, Placement: d.Placement, Count: d.Count,
			Source: "DfE Education, health and care plans (planted)", Provenance: prov("file://testdata/" + name + "/demand.csv"),
		}})
	}
	for i := range f.Capacity {
		c := &f.Capacity[i]
		c.Provenance = prov("file://testdata/" + name + "/gias.csv")
		add(&schema.Record{Kind: schema.KindCapacity, Capacity: c})
	}
	for i := range f.SENReports {
		r := &f.SENReports[i]
		r.Provenance = prov("https://school.example/sen")
		add(&schema.Record{Kind: schema.KindSENReport, SENReport: r})
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, fl := range f.Flags {
		rows = append(rows, []any{fl.EntityType, fl.EntityID, "fixture", fl.Flag, "planted", "", fixtureTime, fixtureTime, uint8(1), nil, "run-1", uint64(1)})
	}
	if len(rows) > 0 {
		if err := w.Insert(ctx, "flags", []string{"entity_type", "entity_id", "pipeline", "flag", "reason", "evidence",
			"first_detected", "last_detected", "active", "closed_at", "run_id", "_version"}, rows); err != nil {
			t.Fatal(err)
		}
	}
	return w
}
