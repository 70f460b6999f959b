package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/localoffer/localoffer/feedcheck"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// generated loads n realistic nested services (about 2 KB each) into a fresh warehouse.
func generated(b *testing.B, n int) *warehouse.Warehouse {
	b.Helper()
	w := whtest.New(b)
	ctx := context.Background()
	l := w.NewLoader("bench", "run-1", 10000)
	prov := &schema.Provenance{Pipeline: "bench", SourceURL: "https://directory.example.gov.uk/api/services", FetchedAt: time.Now().UTC()}
	for i := 0; i < n; i++ {
		min, max := float64(i%12), float64(11+i%15)
		id := strconv.Itoa(i)
		lat, lon := 50.7+float64(i%1000)/1000, -1.1+float64(i%700)/1000
		s := &schema.Service{
			ID: "bench/svc-" + id, OrganizationID: "bench/org-" + strconv.Itoa(i%500),
			Name:        "Speech and language therapy drop-in " + id,
			Description: "Weekly drop-in sessions run by NHS speech and language therapists for children and young people with communication needs, including autism. Parents and carers welcome; no referral needed.",
			Status:      "active", Email: "slt.dropin@example.nhs.uk", URL: "https://www.example.nhs.uk/slt",
			MinimumAge: &min, MaximumAge: &max, AssuredDate: time.Now().UTC().Format("2006-01-02"),
			NeedCodes: []string{"SLCN", "ASD"}, BroadAreas: []string{"communication_and_interaction"}, Categories: []string{"health"},
			LACode:    "E06000044",
			Phones:    []schema.Phone{{ID: "ph-" + id, Number: "023 9268 0000"}},
			Contacts:  []schema.Contact{{ID: "c-" + id, Name: "Duty therapist", Email: "slt@example.nhs.uk"}},
			Schedules: []schema.Schedule{{ID: "s-" + id, Freq: "WEEKLY", Byday: "MO,WE", OpensAt: "09:30", ClosesAt: "12:00"}},
			ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-" + id, Location: &schema.Location{ID: "bench/loc-" + id, LocationType: "physical",
				Latitude: &lat, Longitude: &lon,
				Addresses: []schema.Address{{ID: "a", Address1: "St Mary's Community Health Campus", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO3 6AD", Country: "GB", AddressType: "physical"}}}}},
			Provenance: prov,
		}
		if err := l.Add(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkBuild renders a snapshot: read, map to HSDS, validate against the
// HSDS 3.0 schema, write. Reported per service.
func BenchmarkBuild(b *testing.B) {
	const n = 5000
	w := generated(b, n)
	checker, err := feedcheck.New(feedcheck.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Build(context.Background(), w, dir, checker, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
		if err != nil {
			b.Fatal(err)
		}
		if s.Services() != n {
			b.Fatalf("%d services", s.Services())
		}
		s.retire()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/service")
}

// BenchmarkServiceByID and BenchmarkServicesPage are the two hot endpoints,
// through the whole handler (no network).
func BenchmarkServiceByID(b *testing.B) {
	srv := benchServer(b, 5000)
	h := srv.Handler()
	ids := make([]string, 0, 5000)
	for i := 0; i < 5000; i++ {
		ids = append(ids, feed.UUID("bench/svc-"+strconv.Itoa(i)))
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/services/"+ids[i%len(ids)], nil))
			if rec.Code != 200 {
				b.Fatalf("HTTP %d", rec.Code)
			}
			i += 7
		}
	})
}

func BenchmarkServicesPage(b *testing.B) {
	srv := benchServer(b, 5000)
	h := srv.Handler()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/services?per_page=100&page=%d&search=drop-in", 1+i%50), nil))
			if rec.Code != 200 {
				b.Fatalf("HTTP %d", rec.Code)
			}
			io.Copy(io.Discard, rec.Body)
			i++
		}
	})
}

func benchServer(b *testing.B, n int) *Server {
	w := generated(b, n)
	srv, err := New(context.Background(), Options{Warehouse: w, SnapshotDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	return srv
}
