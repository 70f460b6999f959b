package spreadsheet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// The providers template's mapping, checked on the records the collector
// emits (no warehouse): every record valid, field values as in the sheet.
func TestProvidersTemplate(t *testing.T) {
	c, name := providerCollector(t)
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rec := collecttest.New(t, name, fetch.Options{}, now)
	if err := c.Collect(context.Background(), rec.Run); err != nil {
		t.Fatal(err)
	}
	if w := rec.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	orgs := 0
	for _, r := range rec.Records() {
		if ps := v.Validate(r); len(ps) != 0 {
			t.Errorf("%s record invalid: %+v", r.Kind, ps)
		}
		if r.Kind == schema.KindOrganization {
			orgs++
		}
	}
	if orgs != 5 {
		t.Errorf("organisations = %d, want 5", orgs)
	}
	got := rec.Services()
	if len(got) != 5 {
		t.Fatalf("services = %d, want 5", len(got))
	}
	s := got[1]
	postcode := ""
	if len(s.ServiceAtLocations) == 1 && s.ServiceAtLocations[0].Location != nil && len(s.ServiceAtLocations[0].Location.Addresses) == 1 {
		postcode = s.ServiceAtLocations[0].Location.Addresses[0].PostalCode
	}
	if s.ID != "portsmouth_providers/PCC-0002" || s.Name != "Saturday Sensory Club" || s.Status != "active" ||
		s.OrganizationID != "portsmouth_providers/org/portsmouth-autism-support-network" || s.AssuredDate != "2025-09-30" || postcode != "PO3 1ZD" ||
		strings.Join(s.NeedCodes, ",") != "ASD,SLCN" || s.MinimumAge == nil || *s.MinimumAge != 4 || s.MaximumAge == nil || *s.MaximumAge != 11 ||
		s.Capacity == nil || s.Capacity.Available == nil || *s.Capacity.Available != 3 || s.Capacity.Maximum == nil || *s.Capacity.Maximum != 24 {
		t.Errorf("PCC-0002 = %+v (postcode %q)", s, postcode)
	}
	if got[4].Status != "inactive" {
		t.Errorf("PCC-0005 status = %q, want inactive (Active = No)", got[4].Status)
	}

	// A mapping naming a column the sheet lacks fails the pipeline, listing the real columns.
	typo := *c
	typo.Options.Mapping = map[string]MappingRule{"name": {Column: "Service name"}, "email": {Column: "E-mail"}}
	err = typo.Collect(context.Background(), collecttest.New(t, "providers_typo", fetch.Options{}, now).Run)
	if err == nil || !strings.Contains(err.Error(), `mapping email: column "E-mail" is not in the file; its columns are: "Provider ID", "Service name"`) {
		t.Fatalf("err = %v", err)
	}
}
