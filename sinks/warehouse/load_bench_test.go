package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// benchService is a realistic directory service record (~1.5 KB as JSON).
func benchService(pipeline string, i int, now time.Time) *schema.Record {
	min, max := float64(i%12), float64(11+i%15)
	return &schema.Record{Kind: schema.KindService, Service: &schema.Service{
		ID: pipeline + "/svc-" + strconv.Itoa(i), OrganizationID: pipeline + "/org-" + strconv.Itoa(i%500),
		Name:        "Speech and language therapy drop-in " + strconv.Itoa(i),
		Description: "Weekly drop-in sessions run by NHS speech and language therapists for children and young people with communication needs, including autism. Parents and carers welcome; no referral needed.",
		Status:      "active", Email: "slt.dropin@example.nhs.uk", URL: "https://www.example.nhs.uk/slt",
		MinimumAge: &min, MaximumAge: &max, AgeText: "ages 0-25", AssuredDate: "2026-06-01",
		NeedCodes: []string{"SLCN", "ASD"}, BroadAreas: []string{"communication_and_interaction"}, Categories: []string{"health"},
		LACode: "E06000044",
		Phones: []schema.Phone{{ID: pipeline + "/ph-" + strconv.Itoa(i), Number: "023 9268 0000"}},
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: pipeline + "/sal-" + strconv.Itoa(i), LocationID: pipeline + "/loc-" + strconv.Itoa(i%2000),
			Location: &schema.Location{ID: pipeline + "/loc-" + strconv.Itoa(i%2000), LocationType: "physical",
				Addresses: []schema.Address{{ID: "a", Address1: "St Mary's Community Health Campus", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO3 6AD", Country: "GB", AddressType: "physical"}}}}},
		Provenance: &schema.Provenance{Pipeline: pipeline, SourceURL: "https://directory.example.gov.uk/api/services?page=" + strconv.Itoa(i/1000), FetchedAt: now, DocumentSHA256: "9f2c…"},
	}}
}

// BenchmarkLoadServices loads service records into the embedded warehouse in
// 100k-row chunks and reports rows/s and the process's peak RSS.
func BenchmarkLoadServices(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			if rows > 100_000 && testing.Short() {
				b.Skip("1M rows skipped in -short mode")
			}
			ctx := context.Background()
			w := whtest.New(b)
			now := time.Now().UTC()
			b.ResetTimer()
			start := time.Now()
			for it := 0; it < b.N; it++ {
				pipeline := fmt.Sprintf("bench%d", it)
				l := w.NewLoader(pipeline, "run", 100_000)
				for i := 0; i < rows; i++ {
					if err := l.Add(ctx, benchService(pipeline, i, now)); err != nil {
						b.Fatal(err)
					}
				}
				if err := l.Flush(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "goHeapSys-MB")
		})
	}
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
