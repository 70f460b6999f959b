package schema

import (
	"fmt"
	"time"
)

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }

// fullService is a realistic, fully nested Portsmouth Local Offer service:
// the shape the hsds_api collector and transforms produce.
func fullService(i int) *Service {
	id := fmt.Sprintf("portsmouth-lo/svc-%05d", i)
	org := &Organization{
		ID: "portsmouth-lo/org-17", Name: "Portsmouth City Council SEND Services",
		Description: "The council's special educational needs and disabilities team.",
		Email:       "send@portsmouthcc.gov.uk", Website: "https://www.portsmouth.gov.uk/",
		OrganizationType: "local_authority", LACode: "E06000044",
		OrganizationIdentifiers: []OrganizationIdentifier{{ID: "oi-1", IdentifierScheme: "GB-LAE", IdentifierType: "local_authority", Identifier: "PTE"}},
	}
	loc := &Location{
		ID: "portsmouth-lo/loc-3", LocationType: "physical", Name: "The Harbour School (Tipner)",
		Latitude: f64(50.8198), Longitude: f64(-1.0880),
		Addresses: []Address{{ID: "addr-3", Address1: "Tipner Lane", City: "Portsmouth", StateProvince: "Hampshire",
			PostalCode: "PO2 8RA", Country: "GB", AddressType: "physical"}},
		Accessibility: []Accessibility{{ID: "acc-1", Description: "Step-free access; hearing loop in reception"}},
		LACode:        "E06000044", LACodeOld: "851", WardCode: "E05002457",
	}
	return &Service{
		ID: id, OrganizationID: org.ID, Name: "Portsmouth Autism Outreach Service", Status: "active",
		Description:            "Advice and training for schools and families supporting autistic children and young people aged 4 to 19.",
		URL:                    "https://www.portsmouthlocaloffer.org/services/autism-outreach",
		Email:                  "autism.outreach@portsmouthcc.gov.uk",
		EligibilityDescription: "Children and young people with a diagnosis of autism, or awaiting assessment, attending a Portsmouth school.",
		ApplicationProcess:     "Referral by the school SENCO.",
		MinimumAge:             f64(4), MaximumAge: f64(19), AgeText: "aged 4 to 19",
		AssuredDate:  "2026-03-01",
		LastModified: func() *time.Time { t := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC); return &t }(),
		Phones:       []Phone{{ID: "ph-1", Number: "023 9268 8888", Type: "voice", Description: "Duty line"}},
		Schedules: []Schedule{{ID: "sch-1", Freq: "WEEKLY", Byday: "MO,TU,WE,TH,FR", OpensAt: "09:00", ClosesAt: "17:00",
			Description: "Term time, weekdays", Interval: intp(1)}},
		ServiceAreas:       []ServiceArea{{ID: "sa-1", Name: "Portsmouth", Extent: "E06000044", ExtentType: "gss_code"}},
		ServiceAtLocations: []ServiceAtLocation{{ID: "sal-1", LocationID: loc.ID, Location: loc}},
		Languages:          []Language{{ID: "lang-1", Name: "English", Code: "en"}},
		Organization:       org,
		CostOptions:        []CostOption{{ID: "co-1", Option: "Free to Portsmouth schools", Currency: "GBP", Amount: f64(0)}},
		Contacts:           []Contact{{ID: "c-1", Name: "Jo Smith", Title: "Team leader", Email: "jo.smith@portsmouthcc.gov.uk"}},
		NeedCodes:          []string{NeedASD, NeedSLCN},
		BroadAreas:         []string{AreaCommunication},
		Categories:         []string{CatEducation, CatInfoAdvice},
		Capacity:           &ServiceCapacity{Available: f64(6), Maximum: f64(40), Unit: "places"},
		LACode:             "E06000044",
		Annotations:        []Annotation{{Field: "need_codes", Value: "ASD", Evidence: "autistic children", Rule: "needs/asd"}},
		Provenance: &Provenance{Pipeline: "portsmouth-lo", SourceURL: "https://api.example.org/services/" + fmt.Sprint(i),
			SourceID: fmt.Sprint(i), FetchedAt: time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC),
			DocumentSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	}
}
