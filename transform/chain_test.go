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
