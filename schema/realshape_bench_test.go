package schema_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The benchmarks' real-shaped service (about 3.5 KB: HTML description full
// of \u003c escapes, nested organisation and location, each with provenance).
func realService(b *testing.B) *schema.Record {
	rec := whtest.RealService("real", 1, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	rec.Service.Description += "<p>Parents’ forum: £5 a term.</p>" // non-ASCII next to escapes, as real descriptions have
	return rec
}

func BenchmarkValidateRealService(b *testing.B) {
	v, err := schema.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	rec := realService(b)
	if p, _ := v.ValidateJSON(rec); len(p) > 0 {
		b.Fatalf("fixture invalid: %v", p)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p, _ := v.ValidateJSON(rec); len(p) > 0 {
			b.Fatal(p)
		}
	}
}

func BenchmarkContentRealService(b *testing.B) {
	full, err := json.Marshal(realService(b).Entity())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(full)))
	b.ReportAllocs()
	buf := make([]byte, len(full))
	for b.Loop() {
		copy(buf, full)
		if _, err := schema.ContentFromJSON(buf); err != nil {
			b.Fatal(err)
		}
	}
}
