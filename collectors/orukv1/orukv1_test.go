package orukv1

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsapi"
)

// v1Service is a service as a LocalGov Drupal / Open Place ORUK 1.0 feed serves it.
func v1Service(i int) map[string]any {
	return map[string]any{
		"id": i, "name": fmt.Sprintf("Portage home visiting %d", i), "description": "Home-based educational support for pre-school children with SEND.",
		"url": "https://www.portsmouth.gov.uk/portage", "email": "", "status": "active", "fees": "",
		"organization":      map[string]any{"id": 3, "name": "Portsmouth City Council", "description": "Local authority", "url": "https://www.portsmouth.gov.uk"},
		"eligibilitys":      []any{map[string]any{"id": i*10 + 1, "eligibility": "Pre-school children", "minimum_age": 0, "maximum_age": 5}},
		"service_taxonomys": []any{map[string]any{"id": i*10 + 2, "taxonomy": map[string]any{"id": 77, "name": "Early years", "vocabulary": "Local Offer", "parent": nil}}},
		"regular_schedules": []any{map[string]any{"id": i*10 + 3, "weekday": "Tuesday", "opens_at": "09:00", "closes_at": "15:00"}},
		"contacts":          []any{map[string]any{"id": i*10 + 4, "name": "Portage team", "phones": []any{map[string]any{"id": i*10 + 5, "number": 2392688123}}}},
		"service_at_locations": []any{map[string]any{"id": i*10 + 6, "location": map[string]any{"id": 9, "name": "Frank Sorrell Centre",
			"latitude": 50.795, "longitude": -1.064, "physical_addresses": []any{map[string]any{"id": 91, "address_1": "Prince Albert Road", "city": "Southsea", "postal_code": "PO4 9HR"}}}}},
		"pc_metadata":       map[string]any{"date_modified": "2025-02-03T10:00:00", "date_assured": "2024-12-01"},
		"pc_targetAudience": "Families with children under 5",
	}
}

func TestV1FeedPaginated(t *testing.T) {
	const total, size = 7, 3
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openreferral/v1/services" {
			http.NotFound(w, r)
			return
		}
		hits++
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var content []any
		for i := (page-1)*size + 1; i <= page*size && i <= total; i++ {
			content = append(content, v1Service(i))
		}
		pages := (total + size - 1) / size
		json.NewEncoder(w).Encode(map[string]any{"totalElements": total, "totalPages": pages, "number": page - 1, "size": size,
			"first": page == 1, "last": page >= pages, "empty": len(content) == 0, "content": content})
	}))
	defer srv.Close()
	rec := collecttest.New(t, "pcc-v1", fetch.Options{PerHostRPS: -1}, time.Now())
	run := rec.Run
	tr := true
	o := hsdsapi.Options{PerPage: size, MaxPages: 50, FetchDetails: "auto", Incremental: &tr, FullSweepEvery: time.Hour, Profile: "uk"}
	if err := New(srv.URL+"/openreferral/v1/services/", o).Collect(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	services, warns := rec.Services(), rec.Warnings()
	if len(services) != total || hits != 3 || !run.FullSweep || len(warns) != 0 {
		t.Fatalf("%d services in %d requests, full=%v warnings %v", len(services), hits, run.FullSweep, warns)
	}
	s := services[0]
	if s.ID != "pcc-v1/1" || *s.MaximumAge != 5 || s.AssuredDate != "2024-12-01" || s.LastModified == nil ||
		!strings.Contains(s.EligibilityDescription, "Target audience: Families with children under 5") {
		t.Errorf("service %+v", s)
	}
	if s.Contacts[0].Phones[0].Number != "2392688123" || s.Schedules[0].Byday != "TU" || s.Attributes[0].TaxonomyTerm.Name != "Early years" {
		t.Errorf("nested %+v", s)
	}
	addr := s.ServiceAtLocations[0].Location.Addresses[0]
	if addr.Country != "GB" || addr.AddressType != "physical" {
		t.Errorf("address %+v", addr)
	}
}
