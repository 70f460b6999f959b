package ages

import (
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

func TestGolden(t *testing.T) {
	golden.Records(t, func(recs []*schema.Record) {
		for _, r := range recs {
			if r.Service != nil {
				Apply(r.Service)
			}
		}
	})
}

func BenchmarkApply(b *testing.B) {
	texts := []string{
		"A weekly youth club for young people aged 11 to 19 with SEND. Open 6-8pm Tuesdays. Call 023 9268 8888.",
		"Specialist provision for pupils in Year 7 to Year 11 with autism, delivered by a team of specialist teachers and teaching assistants across the city.",
		"Messy play and music sessions in the children's centre; no booking needed.",
	}
	b.ReportAllocs()
	cpu := startCPU()
	for i := 0; b.Loop(); i++ {
		s := schema.Service{Description: texts[i%len(texts)]}
		Apply(&s)
	}
	cpu.report(b)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
