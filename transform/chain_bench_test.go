package transform

import (
	"encoding/json"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/orukgen"
	"github.com/localoffer/localoffer/schema"
)

// BenchmarkChainRealShaped runs the whole chain over the services of the
// issue's real-shaped feed (internal/orukgen: real council names and HTML
// descriptions, nested organisation, contact, location with address,
// taxonomy), plus one location record per service as the feed maps them.
func BenchmarkChainRealShaped(b *testing.B) {
	c := sampleChain(b)
	g, err := orukgen.Load(filepath.Join("..", "cmd", "localoffer", "testdata", "realworld", "north-lincolnshire", "services.json"))
	if err != nil {
		b.Skip(err)
	}
	const n = 1000
	var raw [][]byte
	for i := 0; i < n; i++ {
		j, _ := json.Marshal(g.Service(i))
		raw = append(raw, j)
	}
	fresh := func() []*schema.Record {
		recs := make([]*schema.Record, 0, 2*n)
		for _, j := range raw {
			var s schema.Service
			if err := json.Unmarshal(j, &s); err != nil {
				b.Fatal(err)
			}
			recs = append(recs, &schema.Record{Kind: schema.KindService, Service: &s})
			if len(s.ServiceAtLocations) > 0 && s.ServiceAtLocations[0].Location != nil {
				loc := *s.ServiceAtLocations[0].Location
				recs = append(recs, &schema.Record{Kind: schema.KindLocation, Location: &loc})
			}
		}
		return recs
	}
	b.ReportAllocs()
	var cpu time.Duration
	records := 0
	for b.Loop() {
		b.StopTimer()
		recs := fresh()
		b.StartTimer()
		c0 := cpuTime()
		for _, r := range recs {
			c.Apply(r)
		}
		cpu += cpuTime() - c0
		records += len(recs)
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/service")
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
