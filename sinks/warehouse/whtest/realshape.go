package whtest

import (
	"strconv"
	"time"

	"github.com/localoffer/localoffer/schema"
)

// RealService is a service shaped like those of a real council ORUK feed
// (about 2.7 KB as JSON): an HTML description, a nested organisation with its
// own contact details, a contact, a service-at-location with an address,
// taxonomy attributes and a schedule. Benchmarks load these rather than toy
// records, because the payload size and nesting are what the loader pays for.
// Organisations repeat every 40 services and locations every 3, as in a real feed.
func RealService(pipeline string, i int, now time.Time) *schema.Record {
	id := strconv.Itoa(i)
	svcID := pipeline + "/svc-" + id
	orgID := pipeline + "/org-" + strconv.Itoa(i/40)
	locID := pipeline + "/loc-" + strconv.Itoa(i/3)
	minAge, maxAge := float64(i%12), float64(11+i%15)
	lat, lon := 50.80+float64(i%97)/1000, -1.08+float64(i%89)/1000
	return &schema.Record{Kind: schema.KindService, Service: &schema.Service{
		ID: svcID, OrganizationID: orgID,
		Name: "Speech and language therapy drop-in " + id,
		Description: "<p>Weekly <strong>drop-in sessions</strong> run by NHS speech and language therapists for children and " +
			"young people with communication needs, including autism.</p><ul><li>Parents and carers welcome</li><li>No referral " +
			"needed</li></ul><p>Sessions take place in the family room on the " +
			"ground floor; there is step-free access and a quiet space if your child needs a break.</p>",
		Status: "active", Email: "slt.dropin@example.nhs.uk", URL: "https://www.example.nhs.uk/slt/" + id,
		MinimumAge: &minAge, MaximumAge: &maxAge, AgeText: "ages 0-25", AgeSource: schema.AgeSourceSource,
		AssuredDate: "2026-06-01", FeesDescription: "Free",
		NeedCodes: []string{"SLCN", "ASD"}, BroadAreas: []string{"communication_and_interaction"}, Categories: []string{"health"},
		LACode: "E06000044",
		Phones: []schema.Phone{{ID: svcID + "/phone-0", ServiceID: svcID, Number: "023 9268 0000", Type: "voice"}},
		Contacts: []schema.Contact{{ID: svcID + "/contact-0", ServiceID: svcID, Name: "Children's therapy team", Title: "Duty therapist",
			Email: "childrens.therapy@example.nhs.uk", Phones: []schema.Phone{{ID: svcID + "/contact-0/phone-0", Number: "023 9268 0001"}}}},
		Schedules: []schema.Schedule{{ID: svcID + "/schedule-0", ServiceID: svcID, Freq: "WEEKLY", Byday: "TU",
			OpensAt: "09:30", ClosesAt: "11:30", Description: "Tuesdays in term time, 9.30 to 11.30"}},
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: svcID + "/sal-0", ServiceID: svcID, LocationID: locID,
			Location: &schema.Location{ID: locID, LocationType: "physical", OrganizationID: orgID, Name: "St Mary's Community Health Campus",
				Latitude: &lat, Longitude: &lon, LACode: "E06000044",
				Addresses: []schema.Address{{ID: locID + "/address-0", LocationID: locID, Address1: "St Mary's Community Health Campus",
					Address2: "Milton Road", City: "Portsmouth", StateProvince: "Hampshire", PostalCode: "PO3 6AD", Country: "GB", AddressType: "physical"}},
				Provenance: &schema.Provenance{Pipeline: pipeline, FetchedAt: now}}}},
		Organization: &schema.Organization{ID: orgID, Name: "Solent NHS Trust " + strconv.Itoa(i/40),
			Description: "<p>Community and mental health services for Portsmouth and Southampton.</p>",
			Email:       "info@example.nhs.uk", Website: "https://www.example.nhs.uk", OrganizationType: "provider", LACode: "E06000044",
			Phones: []schema.Phone{{ID: orgID + "/phone-0", OrganizationID: orgID, Number: "0300 123 3919"}},
			OrganizationIdentifiers: []schema.OrganizationIdentifier{{ID: orgID + "/id-0", OrganizationID: orgID,
				IdentifierScheme: "GB-NHS", IdentifierType: "ods", Identifier: "R1C"}},
			Provenance: &schema.Provenance{Pipeline: pipeline, FetchedAt: now}},
		Attributes: []schema.Attribute{
			{ID: svcID + "/attr-0", LinkID: svcID, LinkType: "service", LinkEntity: "service", TaxonomyTermID: "oruk:speech-therapy",
				TaxonomyTerm: &schema.TaxonomyTerm{ID: "oruk:speech-therapy", Code: "SLT", Name: "Speech and language therapy", Taxonomy: "oruk", Description: "Assessment and therapy for speech, language and communication"}},
			{ID: svcID + "/attr-1", LinkID: svcID, LinkType: "service", LinkEntity: "service", TaxonomyTermID: "send:autism",
				TaxonomyTerm: &schema.TaxonomyTerm{ID: "send:autism", Name: "Autism", Taxonomy: "send", Description: "Autistic spectrum condition"}},
		},
		Provenance: &schema.Provenance{Pipeline: pipeline, SourceURL: "https://directory.example.gov.uk/api/services?page=" + strconv.Itoa(i/100),
			SourceID: "svc-" + id, FetchedAt: now, DocumentSHA256: "9f2c5ab0e3d1c4b7a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0"},
	}}
}

// RealRecords is RealService(pipeline, i, now) with the records a feed
// collector emits beside it: the nested organisation and location as records
// of their own the first time each is met (hsdsmap does the same).
func RealRecords(pipeline string, i int, now time.Time) []*schema.Record {
	rec := RealService(pipeline, i, now)
	out := []*schema.Record{rec}
	s := rec.Service
	if i%40 == 0 {
		org := *s.Organization
		out = append(out, &schema.Record{Kind: schema.KindOrganization, Organization: &org})
	}
	if i%3 == 0 {
		loc := *s.ServiceAtLocations[0].Location
		out = append(out, &schema.Record{Kind: schema.KindLocation, Location: &loc})
	}
	return out
}
