package hsdsmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/internal/orukgen"
)

// benchPage is a realistic 1000-service page (nested organization, phone,
// location with address), as an API serves it.
func benchPage() []byte {
	items := make([]map[string]any, 0, 1000)
	for i := 0; i < 1000; i++ {
		id := fmt.Sprintf("svc-%d", i)
		items = append(items, map[string]any{
			"id": id, "name": "Speech and Language Therapy " + id, "description": "Assessment and therapy for children with speech, language and communication needs.",
			"url": "https://www.portsmouthlocaloffer.org/services/" + id, "email": "", "status": "active", "minimum_age": 0, "maximum_age": 19,
			"assured_date": "2025-06-01", "organization": map[string]any{"id": "org-1", "name": "Solent NHS Trust", "description": "NHS trust"},
			"phones": []any{map[string]any{"id": id + "-ph", "number": "023 9268 0000"}},
			"service_at_locations": []any{map[string]any{"id": id + "-sal", "location": map[string]any{"id": "loc-1", "location_type": "physical",
				"addresses": []any{map[string]any{"id": "a1", "address_1": "Milton Road", "city": "Portsmouth", "state_province": "Hampshire", "postal_code": "PO3 6DW", "country": "GB", "address_type": "physical"}}}}},
		})
	}
	b, _ := json.Marshal(map[string]any{"total_items": 1000, "contents": items})
	return b
}

// realShapedPage is one 100-service page of nested 2–3 KB services built
// from a real council's records (internal/orukgen), as the feed.
func realShapedPage(b *testing.B) []byte {
	g, err := orukgen.Load(filepath.Join("..", "..", "cmd", "localoffer", "testdata", "realworld", "north-lincolnshire", "services.json"))
	if err != nil {
		b.Skip(err)
	}
	return g.Page(2, 100, 20000)
}

// cpuNow is the process's user+system CPU time: on the shared machine wall
// time per op overstates the cost, CPU time does not (much).
func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeAndMap decodes and maps one 1000-service page.
func BenchmarkDecodeAndMap(b *testing.B) {
	page := benchPage()
	b.SetBytes(int64(len(page)))
	src := Source{URL: "u", FetchedAt: time.Now()}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuNow()
	for i := 0; i < b.N; i++ {
		p, err := DecodePage[Service](bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		m := New("bench", true)
		for j := range p.Items {
			m.Records(&p.Items[j], src)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "services/s")
	b.ReportMetric(float64((cpuNow()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkDecodePage decodes one real-shaped 100-service page from its
// bytes: the fast reader against encoding/json (the reference it matches).
func BenchmarkDecodePage(b *testing.B) {
	page := realShapedPage(b)
	for _, impl := range []struct {
		name string
		fn   func([]byte) (*Page[Service], error)
	}{{"fast", decodePage[Service]}, {"encoding_json", decodePageStd[Service]}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			cpu0 := cpuNow()
			for b.Loop() {
				if _, err := impl.fn(page); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuNow()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkMapRealShaped maps the services of one real-shaped page.
func BenchmarkMapRealShaped(b *testing.B) {
	p, err := DecodePageBytes[Service](realShapedPage(b))
	if err != nil {
		b.Fatal(err)
	}
	src := Source{URL: "u", FetchedAt: time.Now()}
	b.ReportAllocs()
	cpu0 := cpuNow()
	for b.Loop() {
		m := New("bench", true)
		for j := range p.Items {
			m.Records(&p.Items[j], src)
		}
	}
	b.ReportMetric(float64((cpuNow()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
