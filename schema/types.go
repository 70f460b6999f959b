// Package schema holds localoffer's common record model: Open Referral (HSDS 3.0)
// entities plus a SEND profile, the JSON Schema they must satisfy, and the
// validator that enforces it.
//
// Field names and JSON tags follow HSDS 3.0 wherever HSDS has the field, so a
// record marshals to something an Open Referral consumer recognises. SEND profile
// fields (need codes, categories, capacity, area codes, provenance) are our own
// extensions and travel as HSDS attributes when exported.
package schema

import "time"

// Provenance says where a record came from, so every row can be traced to a
// fetched document and rebuilt from it.
type Provenance struct {
	Pipeline       string    `json:"pipeline"`
	SourceURL      string    `json:"source_url,omitempty"`
	SourceID       string    `json:"source_id,omitempty"` // the id as the source had it
	FetchedAt      time.Time `json:"fetched_at"`
	DocumentSHA256 string    `json:"document_sha256,omitempty"`
}

// Flag is a data-quality finding about one entity (see transform/ and the flags table).
type Flag struct {
	Flag     string `json:"flag"`     // stable snake_case name, e.g. review_overdue
	Reason   string `json:"reason"`   // one readable sentence
	Evidence string `json:"evidence"` // what was seen: a date, a URL, a status
}

// Annotation records how a transform derived a value (needs, ages, categories,
// areas), so every derived figure can be traced to the words it came from.
type Annotation struct {
	Field    string `json:"field"`    // e.g. need_codes, minimum_age
	Value    string `json:"value"`    // e.g. ASD
	Evidence string `json:"evidence"` // the matched words or source text
	Rule     string `json:"rule,omitempty"`
}

// Service is an HSDS 3.0 service with the SEND profile.
type Service struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id,omitempty"`
	ProgramID      string `json:"program_id,omitempty"`
	Name           string `json:"name"`
	AlternateName  string `json:"alternate_name,omitempty"`
	Description    string `json:"description,omitempty"`
	URL            string `json:"url,omitempty"`
	Email          string `json:"email,omitempty"`
	// Status: active | inactive | defunct | temporarily closed; empty when the
	// source did not say (never invented: see transform/repair).
	Status                 string              `json:"status,omitempty"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	WaitTime               string              `json:"wait_time,omitempty"`
	Fees                   string              `json:"fees,omitempty"`
	Accreditations         string              `json:"accreditations,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"` // YYYY-MM-DD
	AssurerEmail           string              `json:"assurer_email,omitempty"`
	Licenses               string              `json:"licenses,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           *time.Time          `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Contacts               []Contact           `json:"contacts,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`

	// SEND profile.
	NeedCodes   []string         `json:"need_codes,omitempty"`  // DfE SEN2 codes + NSA
	BroadAreas  []string         `json:"broad_areas,omitempty"` // Code of Practice areas
	Categories  []string         `json:"categories,omitempty"`  // Local Offer categories
	AgeText     string           `json:"age_text,omitempty"`    // source wording the ages came from
	AgeSource   string           `json:"age_source,omitempty"`  // where the ages came from: AgeSource* in vocab.go
	Capacity    *ServiceCapacity `json:"capacity,omitempty"`
	LACode      string           `json:"la_code,omitempty"` // GSS code of the LA it serves
	CanonicalID string           `json:"canonical_id,omitempty"`
	Annotations []Annotation     `json:"annotations,omitempty"`
	Provenance  *Provenance      `json:"provenance,omitempty"`
}

// ServiceCapacity follows HSDS 3.1's service_capacity: places available and the maximum.
type ServiceCapacity struct {
	Available   *float64 `json:"available,omitempty"`
	Maximum     *float64 `json:"maximum,omitempty"`
	Unit        string   `json:"unit,omitempty"` // e.g. places
	Description string   `json:"description,omitempty"`
	Updated     string   `json:"updated,omitempty"` // YYYY-MM-DD
}

// Organization is an HSDS 3.0 organization with the SEND profile.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	AlternateName           string                   `json:"alternate_name,omitempty"`
	Description             string                   `json:"description,omitempty"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	TaxStatus               string                   `json:"tax_status,omitempty"`
	TaxID                   string                   `json:"tax_id,omitempty"`
	YearIncorporated        *float64                 `json:"year_incorporated,omitempty"`
	LegalStatus             string                   `json:"legal_status,omitempty"`
	Logo                    string                   `json:"logo,omitempty"`
	URI                     string                   `json:"uri,omitempty"`
	ParentOrganizationID    string                   `json:"parent_organization_id,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`

	// SEND profile.
	OrganizationType string      `json:"organization_type,omitempty"` // e.g. school, local_authority, provider
	LACode           string      `json:"la_code,omitempty"`
	CanonicalID      string      `json:"canonical_id,omitempty"`
	Provenance       *Provenance `json:"provenance,omitempty"`
}

// OrganizationIdentifier carries third-party identifiers (URN, UKPRN, charity number…).
type OrganizationIdentifier struct {
	ID               string `json:"id"`
	OrganizationID   string `json:"organization_id,omitempty"`
	IdentifierScheme string `json:"identifier_scheme,omitempty"` // e.g. GB-URN, GB-UKPRN, GB-CHC, GB-COH
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

// Location is an HSDS 3.0 location with area codes.
type Location struct {
	ID string `json:"id"`
	// LocationType: physical | postal | virtual; empty (unknown) when the
	// source gave neither a type nor anything to infer it from.
	LocationType           string          `json:"location_type,omitempty"`
	URL                    string          `json:"url,omitempty"`
	OrganizationID         string          `json:"organization_id,omitempty"`
	Name                   string          `json:"name,omitempty"`
	AlternateName          string          `json:"alternate_name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Transportation         string          `json:"transportation,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Languages              []Language      `json:"languages,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Contacts               []Contact       `json:"contacts,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Phones                 []Phone         `json:"phones,omitempty"`
	Schedules              []Schedule      `json:"schedules,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`

	// SEND profile: area codes (ONS GSS) derived by transform/.
	LACode     string      `json:"la_code,omitempty"`
	LACodeOld  string      `json:"la_code_old,omitempty"` // DfE three-digit LA code
	WardCode   string      `json:"ward_code,omitempty"`
	LSOACode   string      `json:"lsoa_code,omitempty"`
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Address is an HSDS 3.0 address.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Attention     string `json:"attention,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`      // ISO 3166-1 alpha-2, GB; empty when the source gave none
	AddressType   string `json:"address_type"` // physical | postal | virtual
}

// Accessibility is an HSDS 3.0 accessibility note for a location.
type Accessibility struct {
	ID          string `json:"id"`
	LocationID  string `json:"location_id,omitempty"`
	Description string `json:"description,omitempty"`
	Details     string `json:"details,omitempty"`
	URL         string `json:"url,omitempty"`
}

// ServiceAtLocation links a service to a location.
type ServiceAtLocation struct {
	ID          string      `json:"id"`
	ServiceID   string      `json:"service_id,omitempty"`
	LocationID  string      `json:"location_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Contacts    []Contact   `json:"contacts,omitempty"`
	Phones      []Phone     `json:"phones,omitempty"`
	Schedules   []Schedule  `json:"schedules,omitempty"`
	Location    *Location   `json:"location,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
}

// Contact is an HSDS 3.0 contact.
type Contact struct {
	ID                  string  `json:"id"`
	OrganizationID      string  `json:"organization_id,omitempty"`
	ServiceID           string  `json:"service_id,omitempty"`
	ServiceAtLocationID string  `json:"service_at_location_id,omitempty"`
	LocationID          string  `json:"location_id,omitempty"`
	Name                string  `json:"name,omitempty"`
	Title               string  `json:"title,omitempty"`
	Department          string  `json:"department,omitempty"`
	Email               string  `json:"email,omitempty"`
	Phones              []Phone `json:"phones,omitempty"`
}

// Phone is an HSDS 3.0 phone.
type Phone struct {
	ID                  string     `json:"id"`
	LocationID          string     `json:"location_id,omitempty"`
	ServiceID           string     `json:"service_id,omitempty"`
	OrganizationID      string     `json:"organization_id,omitempty"`
	ContactID           string     `json:"contact_id,omitempty"`
	ServiceAtLocationID string     `json:"service_at_location_id,omitempty"`
	Number              string     `json:"number"`
	Extension           *float64   `json:"extension,omitempty"`
	Type                string     `json:"type,omitempty"`
	Description         string     `json:"description,omitempty"`
	Languages           []Language `json:"languages,omitempty"`
}

// Schedule is an HSDS 3.0 schedule (iCalendar-style recurrence).
type Schedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id,omitempty"`
	LocationID          string   `json:"location_id,omitempty"`
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"`
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	DTStart             string   `json:"dtstart,omitempty"`
	Timezone            *float64 `json:"timezone,omitempty"`
	Until               string   `json:"until,omitempty"`
	Count               *int     `json:"count,omitempty"`
	Wkst                string   `json:"wkst,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Interval            *int     `json:"interval,omitempty"`
	Byday               string   `json:"byday,omitempty"`
	Byweekno            string   `json:"byweekno,omitempty"`
	Bymonthday          string   `json:"bymonthday,omitempty"`
	Byyearday           string   `json:"byyearday,omitempty"`
	Description         string   `json:"description,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	ScheduleLink        string   `json:"schedule_link,omitempty"`
	AttendingType       string   `json:"attending_type,omitempty"`
	Notes               string   `json:"notes,omitempty"`
}

// Language is an HSDS 3.0 language.
type Language struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id,omitempty"`
	LocationID string `json:"location_id,omitempty"`
	PhoneID    string `json:"phone_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Code       string `json:"code,omitempty"`
	Note       string `json:"note,omitempty"`
}

// ServiceArea is an HSDS 3.0 service area; Extent may hold a GSS code.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Extent      string `json:"extent,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// CostOption is an HSDS 3.0 cost option.
type CostOption struct {
	ID                string   `json:"id"`
	ServiceID         string   `json:"service_id,omitempty"`
	ValidFrom         string   `json:"valid_from,omitempty"`
	ValidTo           string   `json:"valid_to,omitempty"`
	Option            string   `json:"option,omitempty"`
	Currency          string   `json:"currency,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
}

// Attribute links an entity to a taxonomy term.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// TaxonomyTerm is an HSDS 3.0 taxonomy term.
type TaxonomyTerm struct {
	ID             string    `json:"id"`
	Code           string    `json:"code,omitempty"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	ParentID       string    `json:"parent_id,omitempty"`
	Taxonomy       string    `json:"taxonomy,omitempty"`
	TaxonomyDetail *Taxonomy `json:"taxonomy_detail,omitempty"`
	Language       string    `json:"language,omitempty"`
	TaxonomyID     string    `json:"taxonomy_id,omitempty"`
	TermURI        string    `json:"term_uri,omitempty"`
}

// Taxonomy is an HSDS 3.0 taxonomy.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// Demand is one published count of need (EHC plans, SEN support, placements).
type Demand struct {
	ID              string      `json:"id"`
	Period          string      `json:"period"`           // e.g. 202425
	GeographicLevel string      `json:"geographic_level"` // National | Regional | Local authority
	LACode          string      `json:"la_code,omitempty"`
	LACodeOld       string      `json:"la_code_old,omitempty"`
	LAName          string      `json:"la_name,omitempty"`
	RegionCode      string      `json:"region_code,omitempty"`
	NeedCode        string      `json:"need_code,omitempty"` // empty: all needs
	AgeMin          *int        `json:"age_min,omitempty"`   // nil: all ages
	AgeMax          *int        `json:"age_max,omitempty"`
	Measure         string      `json:"measure"`             // e.g. all_plans, new_plans
	Placement       string      `json:"placement,omitempty"` // caseload setting type
	Count           *float64    `json:"count"`               // nil: suppressed
	Source          string      `json:"source"`
	Provenance      *Provenance `json:"provenance,omitempty"`
}

// Capacity is specialist places at a setting: capacity against number on roll.
type Capacity struct {
	ID             string      `json:"id"`
	OrganizationID string      `json:"organization_id,omitempty"`
	URN            string      `json:"urn,omitempty"`
	Name           string      `json:"name,omitempty"`
	LACode         string      `json:"la_code,omitempty"`
	ProvisionType  string      `json:"provision_type"` // special_school | resourced_provision | sen_unit | other
	NeedCodes      []string    `json:"need_codes,omitempty"`
	AgeMin         *int        `json:"age_min,omitempty"`
	AgeMax         *int        `json:"age_max,omitempty"`
	Places         *float64    `json:"places,omitempty"`         // capacity
	NumberOnRoll   *float64    `json:"number_on_roll,omitempty"` // pupils
	AsOf           string      `json:"as_of,omitempty"`          // YYYY-MM-DD
	Provenance     *Provenance `json:"provenance,omitempty"`
}

// SENReport is what one school's SEN information report says and lacks.
type SENReport struct {
	ID               string      `json:"id"`
	URN              string      `json:"urn"`
	SchoolName       string      `json:"school_name"`
	LACode           string      `json:"la_code,omitempty"`
	SiteURL          string      `json:"site_url,omitempty"`
	ReportURL        string      `json:"report_url,omitempty"`
	ReportFormat     string      `json:"report_format,omitempty"` // html | pdf | docx
	Found            bool        `json:"found"`
	DiscoveryScore   float64     `json:"discovery_score,omitempty"`
	RunnersUp        []string    `json:"runners_up,omitempty"`
	ReportDate       string      `json:"report_date,omitempty"` // YYYY-MM-DD
	ReportDateSource string      `json:"report_date_source,omitempty"`
	SENCOName        string      `json:"senco_name,omitempty"`
	SENCOEmail       string      `json:"senco_email,omitempty"`
	SENCOPhone       string      `json:"senco_phone,omitempty"`
	ItemsPresent     []string    `json:"items_present,omitempty"`
	ItemsMissing     []string    `json:"items_missing,omitempty"`
	Evidence         []Evidence  `json:"evidence,omitempty"`
	NeedCodes        []string    `json:"need_codes,omitempty"`
	LegacyTerms      []string    `json:"legacy_terms,omitempty"`
	LocalOfferURL    string      `json:"local_offer_url,omitempty"`
	Problem          string      `json:"problem,omitempty"` // why nothing was found: dead site, robots, caps
	Provenance       *Provenance `json:"provenance,omitempty"`
}

// Evidence is a short excerpt supporting a finding.
type Evidence struct {
	Item    string `json:"item"`
	Excerpt string `json:"excerpt"`
}

// FieldIssue is one repair or drop of an invalid field (transform/repair): the
// record still loads, and the issue is a row of the field_issues table.
type FieldIssue struct {
	Pointer  string `json:"pointer"`          // RFC 6901 pointer into the record, e.g. /organization/website
	Original string `json:"original"`         // the value as it arrived (JSON for objects)
	Action   string `json:"action"`           // repaired | dropped
	Value    string `json:"value"`            // the repaired value; empty when dropped
	Rule     string `json:"rule"`             // which rule acted, e.g. url_scheme, time_format, invalid_nested_object
	Reason   string `json:"reason,omitempty"` // for a drop: what the validator said
}

// Field issue actions.
const (
	ActionRepaired = "repaired"
	ActionDropped  = "dropped"
)

// Problem is one validation error: where in the record (a JSON pointer) and what is wrong.
type Problem struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}
