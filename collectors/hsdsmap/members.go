package hsdsmap

// The member methods decode one object member of each served type: the key
// is the member's name (a name in another case is tried again lower-cased,
// hence the lower-case twin of each mixed-case name), and false means the
// type has no field of that name (the value is then skipped). They follow raw.go's json tags one for one;
// TestFastDecodeMatchesEncodingJSON checks every tagged field against
// encoding/json.

func (v *Service) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "organization_id":
		d.str(&v.OrganizationID)
	case "program_id":
		d.str(&v.ProgramID)
	case "name":
		d.str(&v.Name)
	case "alternate_name":
		d.str(&v.AlternateName)
	case "description":
		d.str(&v.Description)
	case "url":
		d.str(&v.URL)
	case "email":
		d.str(&v.Email)
	case "status":
		d.str(&v.Status)
	case "interpretation_services":
		d.str(&v.InterpretationServices)
	case "application_process":
		d.str(&v.ApplicationProcess)
	case "fees_description":
		d.str(&v.FeesDescription)
	case "wait_time":
		d.str(&v.WaitTime)
	case "fees":
		d.str(&v.Fees)
	case "accreditations":
		d.str(&v.Accreditations)
	case "eligibility_description":
		d.str(&v.EligibilityDescription)
	case "minimum_age":
		d.num(&v.MinimumAge)
	case "maximum_age":
		d.num(&v.MaximumAge)
	case "assured_date":
		d.str(&v.AssuredDate)
	case "assurer_email":
		d.str(&v.AssurerEmail)
	case "licenses":
		d.str(&v.Licenses)
	case "alert":
		d.str(&v.Alert)
	case "last_modified":
		d.str(&v.LastModified)
	case "phones":
		decodeSlice(d, &v.Phones, "phones")
	case "schedules":
		decodeSlice(d, &v.Schedules, "schedules")
	case "service_areas":
		decodeSlice(d, &v.ServiceAreas, "service_areas")
	case "service_at_locations":
		decodeSlice(d, &v.ServiceAtLocations, "service_at_locations")
	case "languages":
		decodeSlice(d, &v.Languages, "languages")
	case "organization":
		decodePtr(d, &v.Organization, "organization")
	case "cost_options":
		decodeSlice(d, &v.CostOptions, "cost_options")
	case "contacts":
		decodeSlice(d, &v.Contacts, "contacts")
	case "attributes":
		decodeSlice(d, &v.Attributes, "attributes")
	case "eligibilitys":
		decodeSlice(d, &v.Eligibilitys, "eligibilitys")
	case "service_taxonomys":
		decodeSlice(d, &v.ServiceTaxonomys, "service_taxonomys")
	case "regular_schedules":
		decodeSlice(d, &v.RegularSchedules, "regular_schedules")
	case "deliverable_type":
		d.str(&v.DeliverableType)
	case "attending_type":
		d.str(&v.AttendingType)
	case "attending_access":
		d.str(&v.AttendingAccess)
	case "pc_metadata":
		decodePtr(d, &v.PCMetadata, "pc_metadata")
	case "pc_targetAudience", "pc_targetaudience":
		d.raw(&v.PCTargetAudience)
	default:
		return false
	}
	return true
}

func (v *PCMetadata) member(d *dec, key []byte) bool {
	switch string(key) {
	case "date_modified":
		d.str(&v.DateModified)
	case "date_assured":
		d.str(&v.DateAssured)
	case "date_created":
		d.str(&v.DateCreated)
	default:
		return false
	}
	return true
}

func (v *Eligibility) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "eligibility":
		d.str(&v.Eligibility)
	case "minimum_age":
		d.num(&v.MinimumAge)
	case "maximum_age":
		d.num(&v.MaximumAge)
	default:
		return false
	}
	return true
}

func (v *ServiceTaxonomy) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "taxonomy":
		decodePtr(d, &v.Taxonomy, "taxonomy")
	default:
		return false
	}
	return true
}

func (v *Organization) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "name":
		d.str(&v.Name)
	case "alternate_name":
		d.str(&v.AlternateName)
	case "description":
		d.str(&v.Description)
	case "email":
		d.str(&v.Email)
	case "website":
		d.str(&v.Website)
	case "url":
		d.str(&v.URL)
	case "tax_status":
		d.str(&v.TaxStatus)
	case "tax_id":
		d.str(&v.TaxID)
	case "year_incorporated":
		d.num(&v.YearIncorporated)
	case "legal_status":
		d.str(&v.LegalStatus)
	case "logo":
		d.str(&v.Logo)
	case "uri":
		d.str(&v.URI)
	case "parent_organization_id":
		d.str(&v.ParentOrganizationID)
	case "contacts":
		decodeSlice(d, &v.Contacts, "contacts")
	case "phones":
		decodeSlice(d, &v.Phones, "phones")
	case "locations":
		decodeSlice(d, &v.Locations, "locations")
	case "organization_identifiers":
		decodeSlice(d, &v.OrganizationIdentifiers, "organization_identifiers")
	case "attributes":
		decodeSlice(d, &v.Attributes, "attributes")
	default:
		return false
	}
	return true
}

func (v *OrganizationIdentifier) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "identifier_scheme":
		d.str(&v.IdentifierScheme)
	case "identifier_type":
		d.str(&v.IdentifierType)
	case "identifier":
		d.str(&v.Identifier)
	default:
		return false
	}
	return true
}

func (v *Location) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "location_type":
		d.str(&v.LocationType)
	case "url":
		d.str(&v.URL)
	case "organization_id":
		d.str(&v.OrganizationID)
	case "name":
		d.str(&v.Name)
	case "alternate_name":
		d.str(&v.AlternateName)
	case "description":
		d.str(&v.Description)
	case "transportation":
		d.str(&v.Transportation)
	case "latitude":
		d.num(&v.Latitude)
	case "longitude":
		d.num(&v.Longitude)
	case "external_identifier":
		d.str(&v.ExternalIdentifier)
	case "external_identifier_type":
		d.str(&v.ExternalIdentifierType)
	case "languages":
		decodeSlice(d, &v.Languages, "languages")
	case "addresses":
		decodeSlice(d, &v.Addresses, "addresses")
	case "contacts":
		decodeSlice(d, &v.Contacts, "contacts")
	case "accessibility":
		decodeSlice(d, &v.Accessibility, "accessibility")
	case "phones":
		decodeSlice(d, &v.Phones, "phones")
	case "schedules":
		decodeSlice(d, &v.Schedules, "schedules")
	case "attributes":
		decodeSlice(d, &v.Attributes, "attributes")
	case "physical_addresses":
		decodeSlice(d, &v.PhysicalAddresses, "physical_addresses")
	case "accessibility_for_disabilities":
		decodeSlice(d, &v.AccessibilityForDisabilities, "accessibility_for_disabilities")
	default:
		return false
	}
	return true
}

func (v *Address) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "attention":
		d.str(&v.Attention)
	case "address_1":
		d.str(&v.Address1)
	case "address_2":
		d.str(&v.Address2)
	case "city":
		d.str(&v.City)
	case "region":
		d.str(&v.Region)
	case "state_province":
		d.str(&v.StateProvince)
	case "postal_code":
		d.str(&v.PostalCode)
	case "country":
		d.str(&v.Country)
	case "address_type":
		d.str(&v.AddressType)
	default:
		return false
	}
	return true
}

func (v *Accessibility) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "description":
		d.str(&v.Description)
	case "accessibility":
		d.str(&v.Accessibility)
	case "details":
		d.str(&v.Details)
	case "url":
		d.str(&v.URL)
	default:
		return false
	}
	return true
}

func (v *ServiceAtLocation) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "service_id":
		d.str(&v.ServiceID)
	case "location_id":
		d.str(&v.LocationID)
	case "description":
		d.str(&v.Description)
	case "contacts":
		decodeSlice(d, &v.Contacts, "contacts")
	case "phones":
		decodeSlice(d, &v.Phones, "phones")
	case "schedules":
		decodeSlice(d, &v.Schedules, "schedules")
	case "regular_schedules":
		decodeSlice(d, &v.RegularSchedules, "regular_schedules")
	case "location":
		decodePtr(d, &v.Location, "location")
	case "attributes":
		decodeSlice(d, &v.Attributes, "attributes")
	default:
		return false
	}
	return true
}

func (v *Contact) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "name":
		d.str(&v.Name)
	case "title":
		d.str(&v.Title)
	case "department":
		d.str(&v.Department)
	case "email":
		d.str(&v.Email)
	case "phones":
		decodeSlice(d, &v.Phones, "phones")
	default:
		return false
	}
	return true
}

func (v *Phone) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "number":
		d.str(&v.Number)
	case "extension":
		d.num(&v.Extension)
	case "type":
		d.str(&v.Type)
	case "description":
		d.str(&v.Description)
	case "languages":
		decodeSlice(d, &v.Languages, "languages")
	default:
		return false
	}
	return true
}

func (v *Schedule) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "valid_from":
		d.str(&v.ValidFrom)
	case "valid_to":
		d.str(&v.ValidTo)
	case "dtstart":
		d.str(&v.DTStart)
	case "timezone":
		d.num(&v.Timezone)
	case "until":
		d.str(&v.Until)
	case "count":
		d.num(&v.Count)
	case "wkst":
		d.str(&v.Wkst)
	case "freq":
		d.str(&v.Freq)
	case "interval":
		d.num(&v.Interval)
	case "byday":
		d.str(&v.Byday)
	case "byweekno":
		d.str(&v.Byweekno)
	case "bymonthday":
		d.str(&v.Bymonthday)
	case "byyearday":
		d.str(&v.Byyearday)
	case "description":
		d.str(&v.Description)
	case "opens_at":
		d.str(&v.OpensAt)
	case "closes_at":
		d.str(&v.ClosesAt)
	case "schedule_link":
		d.str(&v.ScheduleLink)
	case "attending_type":
		d.str(&v.AttendingType)
	case "notes":
		d.str(&v.Notes)
	case "weekday":
		d.str(&v.Weekday)
	default:
		return false
	}
	return true
}

func (v *Language) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "name":
		d.str(&v.Name)
	case "language":
		d.str(&v.Language)
	case "code":
		d.str(&v.Code)
	case "note":
		d.str(&v.Note)
	default:
		return false
	}
	return true
}

func (v *ServiceArea) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "name":
		d.str(&v.Name)
	case "service_area":
		d.str(&v.ServiceArea)
	case "description":
		d.str(&v.Description)
	case "extent":
		d.str(&v.Extent)
	case "extent_type":
		d.str(&v.ExtentType)
	case "uri":
		d.str(&v.URI)
	default:
		return false
	}
	return true
}

func (v *CostOption) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "valid_from":
		d.str(&v.ValidFrom)
	case "valid_to":
		d.str(&v.ValidTo)
	case "option":
		d.str(&v.Option)
	case "currency":
		d.str(&v.Currency)
	case "amount":
		d.num(&v.Amount)
	case "amount_description":
		d.str(&v.AmountDescription)
	default:
		return false
	}
	return true
}

func (v *Attribute) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "link_id":
		d.str(&v.LinkID)
	case "taxonomy_term_id":
		d.str(&v.TaxonomyTermID)
	case "link_type":
		d.str(&v.LinkType)
	case "link_entity":
		d.str(&v.LinkEntity)
	case "value":
		d.str(&v.Value)
	case "taxonomy_term":
		decodePtr(d, &v.TaxonomyTerm, "taxonomy_term")
	default:
		return false
	}
	return true
}

func (v *TaxonomyTerm) member(d *dec, key []byte) bool {
	switch string(key) {
	case "id":
		d.str(&v.ID)
	case "code":
		d.str(&v.Code)
	case "name":
		d.str(&v.Name)
	case "description":
		d.str(&v.Description)
	case "parent_id":
		d.str(&v.ParentID)
	case "parent":
		d.str(&v.Parent)
	case "taxonomy":
		d.str(&v.Taxonomy)
	case "vocabulary":
		d.str(&v.Vocabulary)
	case "language":
		d.str(&v.Language)
	case "taxonomy_id":
		d.str(&v.TaxonomyID)
	case "term_uri":
		d.str(&v.TermURI)
	default:
		return false
	}
	return true
}
