package hsdsmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
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

// BenchmarkDecodeAndMap decodes and maps one 1000-service page.
func BenchmarkDecodeAndMap(b *testing.B) {
	page := benchPage()
	b.SetBytes(int64(len(page)))
	src := Source{URL: "u", FetchedAt: time.Now()}
	b.ResetTimer()
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
}
