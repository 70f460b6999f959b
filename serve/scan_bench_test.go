package serve

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkFilterScan is one pass of a filtered list over 100,000 services
// held in memory (search and age), the cost every filtered page pays.
func BenchmarkFilterScan(b *testing.B) {
	s := &Snapshot{}
	desc := strings.ToLower("Weekly drop-in sessions run by NHS specialists for children and young people with communication needs, including autism. Parents and carers welcome; no referral needed. Ask about transport, personal care and quiet spaces. ")
	for i := 0; i < 100000; i++ {
		name := "short breaks club "
		if i%6 == 0 {
			name = "speech and language therapy "
		}
		s.services = append(s.services, svcEntry{id: strconv.Itoa(i), minAge: float64(i % 12), maxAge: float64(11 + i%15),
			text: name + strconv.Itoa(i) + "\n" + desc + "\nprovider " + strconv.Itoa(i%5000), needs: []string{"ASD", "SLCN"}})
	}
	s.indexText()
	q, err := parseQuery(url.Values{"search": {"therapy"}, "age": {"9"}}, servicesParams, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		match := s.serviceMatcher(q) // the search pass is made per request
		n = 0
		for j := int32(0); j < int32(len(s.services)); j++ {
			if match(j) {
				n++
			}
		}
	}
	b.ReportMetric(float64(n), "matches")
}

// BenchmarkSearchArena is the search pass alone.
func BenchmarkSearchArena(b *testing.B) {
	s := &Snapshot{}
	for i := 0; i < 100000; i++ {
		name := "short breaks club "
		if i%6 == 0 {
			name = "speech and language therapy "
		}
		s.services = append(s.services, svcEntry{text: name + strconv.Itoa(i) + "\nweekly drop-in sessions run by nhs specialists for children and young people with communication needs, including autism. parents and carers welcome; no referral needed. ask about transport, personal care and quiet spaces.\nprovider " + strconv.Itoa(i%5000)})
	}
	s.indexText()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.scanText("therapy")
	}
}
