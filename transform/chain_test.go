package transform

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

func sampleChain(t testing.TB) *Chain {
	t.Helper()
	cfg := &config.Config{Transform: config.Transform{Postcodes: "../examples/postcodes/portsmouth_onspd_sample.csv"}}
	sh, err := LoadShared(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(sh, config.Pipeline{Name: "po-directory", Area: "E06000044"},
		config.Staleness{ReviewAfterDays: 365, AssuranceAfterDays: 90, MissingAfterRuns: 3}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGolden(t *testing.T) {
	c := sampleChain(t)
	golden.Records(t, func(recs []*schema.Record) {
		for _, r := range recs {
			c.Apply(r)
		}
	})
}

func TestApplyToleratesMalformedRecords(t *testing.T) {
	c := sampleChain(t)
	for _, r := range []*schema.Record{nil, {}, {Kind: schema.KindService}, {Kind: "widget"}} {
		c.Apply(r) // must not panic; the validator quarantines these
	}
}

func TestLoadSharedErrors(t *testing.T) {
	for name, tr := range map[string]config.Transform{
		"missing postcodes": {Postcodes: "no/such/file.csv"},
		"missing needs":     {Needs: "no/such/needs.yaml"},
	} {
		if _, err := LoadShared(&config.Config{Transform: tr}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewChain(nil, config.Pipeline{}, config.Staleness{}, nil); err == nil {
		t.Error("NewChain without shared vocabularies: no error")
	}
}

// BenchmarkChain runs the whole chain over the golden input's records.
func BenchmarkChain(b *testing.B) {
	c := sampleChain(b)
	data, err := os.ReadFile("testdata/portsmouth_directory/input.json")
	if err != nil {
		b.Fatal(err)
	}
	var recs []*schema.Record
	if err := json.Unmarshal(data, &recs); err != nil {
		b.Fatal(err)
	}
	// Fresh copies each iteration, made outside the timer, so every Apply does full work.
	batch := make([][]*schema.Record, 64)
	for i := range batch {
		json.Unmarshal(data, &batch[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if i%len(batch) == 0 && i > 0 {
			b.StopTimer()
			for j := range batch {
				batch[j] = nil
				json.Unmarshal(data, &batch[j])
			}
			b.StartTimer()
		}
		for _, r := range batch[i%len(batch)] {
			c.Apply(r)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(recs)), "records/op")
}

// TestApplyAnnotationsRoom: the room made for a service's annotations
// changes nothing the record says: existing ones stay first and in order, a
// service that gains none keeps a nil list.
func TestApplyAnnotationsRoom(t *testing.T) {
	sh, err := LoadShared(&config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(sh, config.Pipeline{Name: "p"}, config.Staleness{}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	bare := &schema.Record{Kind: schema.KindService, Service: &schema.Service{ID: "p/1", Name: "Zzz", Status: "active"}}
	c.Apply(bare)
	if bare.Service.Annotations != nil {
		t.Fatalf("a service that gained no annotation has %#v", bare.Service.Annotations)
	}
	given := []schema.Annotation{{Field: "x", Value: "1", Rule: "source"}}
	rec := &schema.Record{Kind: schema.KindService, Service: &schema.Service{ID: "p/2", Name: "Autism support group for children aged 5-11",
		Status: "active", Annotations: given}}
	c.Apply(rec)
	got := rec.Service.Annotations
	if len(got) < 3 || got[0] != given[0] {
		t.Fatalf("annotations %+v: the given one must stay first, then the chain's", got)
	}
	if &got[0] == &given[0] {
		t.Fatal("the source's annotation array was written into")
	}
}
