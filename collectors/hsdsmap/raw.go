package hsdsmap

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Str decodes a JSON string, number or boolean as text, and null as empty:
// ids are numbers in many ORUK v1 feeds and strings in HSDS 3.0 ones.
type Str string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Str) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*s = ""
	case b[0] == '"':
		inner := b[1 : len(b)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			*s = Str(inner)
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str(v)
	case b[0] == '{' || b[0] == '[':
		// An object where text was expected cannot be placed; it stays in the raw document.
		*s = ""
	default:
		*s = Str(b)
	}
	return nil
}

func (s Str) String() string { return strings.TrimSpace(string(s)) }

// Num decodes a JSON number or a numeric string; "" and null are absent.
type Num struct {
	V  float64
	OK bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	*n = Num{}
	s := string(b)
	if s == "null" || s == "" {
		return nil
	}
	if s[0] == '"' {
		s = strings.TrimSpace(strings.Trim(s, `"`))
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		n.V, n.OK = v, true
	}
	return nil
}

// Ptr returns the value as a pointer, nil when absent.
func (n Num) Ptr() *float64 {
	if !n.OK {
		return nil
	}
	v := n.V
	return &v
}

// IntPtr returns the value as an *int, nil when absent.
func (n Num) IntPtr() *int {
	if !n.OK {
		return nil
	}
	v := int(n.V)
	return &v
}

// Service is an HSDS 3.0 / ORUK 3.0 service as served, with the ORUK 1.0
// names and vendor extensions seen in UK feeds alongside.
type Service struct {
	ID                     Str                 `json:"id"`
	OrganizationID         Str                 `json:"organization_id"`
	ProgramID              Str                 `json:"program_id"`
	Name                   Str                 `json:"name"`
	AlternateName          Str                 `json:"alternate_name"`
	Description            Str                 `json:"description"`
	URL                    Str                 `json:"url"`
	Email                  Str                 `json:"email"`
	Status                 Str                 `json:"status"`
	InterpretationServices Str                 `json:"interpretation_services"`
	ApplicationProcess     Str                 `json:"application_process"`
	FeesDescription        Str                 `json:"fees_description"`
	WaitTime               Str                 `json:"wait_time"`
	Fees                   Str                 `json:"fees"`
	Accreditations         Str                 `json:"accreditations"`
	EligibilityDescription Str                 `json:"eligibility_description"`
	MinimumAge             Num                 `json:"minimum_age"`
	MaximumAge             Num                 `json:"maximum_age"`
	AssuredDate            Str                 `json:"assured_date"`
	AssurerEmail           Str                 `json:"assurer_email"`
	Licenses               Str                 `json:"licenses"`
	Alert                  Str                 `json:"alert"`
	LastModified           Str                 `json:"last_modified"`
	Phones                 []Phone             `json:"phones"`
	Schedules              []Schedule          `json:"schedules"`
	ServiceAreas           []ServiceArea       `json:"service_areas"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations"`
	Languages              []Language          `json:"languages"`
	Organization           *Organization       `json:"organization"`
	CostOptions            []CostOption        `json:"cost_options"`
	Contacts               []Contact           `json:"contacts"`
	Attributes             []Attribute         `json:"attributes"`

	// ORUK 1.0.
	Eligibilitys     []Eligibility     `json:"eligibilitys"`
	ServiceTaxonomys []ServiceTaxonomy `json:"service_taxonomys"`
	RegularSchedules []Schedule        `json:"regular_schedules"`
	DeliverableType  Str               `json:"deliverable_type"`
	AttendingType    Str               `json:"attending_type"`
	AttendingAccess  Str               `json:"attending_access"`
	// Vendor extensions (Placecube Open Place and LocalGov Drupal feeds).
	PCMetadata       *PCMetadata     `json:"pc_metadata"`
	PCTargetAudience json.RawMessage `json:"pc_targetAudience"`
}

// PCMetadata is the pc_metadata extension.
type PCMetadata struct {
	DateModified Str `json:"date_modified"`
	DateAssured  Str `json:"date_assured"`
	DateCreated  Str `json:"date_created"`
}

// Eligibility is ORUK 1.0's eligibility (with ages).
type Eligibility struct {
	ID          Str `json:"id"`
	Eligibility Str `json:"eligibility"`
	MinimumAge  Num `json:"minimum_age"`
	MaximumAge  Num `json:"maximum_age"`
}

// ServiceTaxonomy is ORUK 1.0's service_taxonomy link.
type ServiceTaxonomy struct {
	ID       Str           `json:"id"`
	Taxonomy *TaxonomyTerm `json:"taxonomy"`
}

// Organization as served.
type Organization struct {
	ID                      Str                      `json:"id"`
	Name                    Str                      `json:"name"`
	AlternateName           Str                      `json:"alternate_name"`
	Description             Str                      `json:"description"`
	Email                   Str                      `json:"email"`
	Website                 Str                      `json:"website"`
	URL                     Str                      `json:"url"` // ORUK 1.0 name for website
	TaxStatus               Str                      `json:"tax_status"`
	TaxID                   Str                      `json:"tax_id"`
	YearIncorporated        Num                      `json:"year_incorporated"`
	LegalStatus             Str                      `json:"legal_status"`
	Logo                    Str                      `json:"logo"`
	URI                     Str                      `json:"uri"`
	ParentOrganizationID    Str                      `json:"parent_organization_id"`
	Contacts                []Contact                `json:"contacts"`
	Phones                  []Phone                  `json:"phones"`
	Locations               []Location               `json:"locations"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers"`
	Attributes              []Attribute              `json:"attributes"`
}

// OrganizationIdentifier as served.
type OrganizationIdentifier struct {
	ID               Str `json:"id"`
	IdentifierScheme Str `json:"identifier_scheme"`
	IdentifierType   Str `json:"identifier_type"`
	Identifier       Str `json:"identifier"`
}

// Location as served (HSDS 3.0 addresses/accessibility or ORUK 1.0
// physical_addresses/accessibility_for_disabilities).
type Location struct {
	ID                     Str             `json:"id"`
	LocationType           Str             `json:"location_type"`
	URL                    Str             `json:"url"`
	OrganizationID         Str             `json:"organization_id"`
	Name                   Str             `json:"name"`
	AlternateName          Str             `json:"alternate_name"`
	Description            Str             `json:"description"`
	Transportation         Str             `json:"transportation"`
	Latitude               Num             `json:"latitude"`
	Longitude              Num             `json:"longitude"`
	ExternalIdentifier     Str             `json:"external_identifier"`
	ExternalIdentifierType Str             `json:"external_identifier_type"`
	Languages              []Language      `json:"languages"`
	Addresses              []Address       `json:"addresses"`
	Contacts               []Contact       `json:"contacts"`
	Accessibility          []Accessibility `json:"accessibility"`
	Phones                 []Phone         `json:"phones"`
	Schedules              []Schedule      `json:"schedules"`
	Attributes             []Attribute     `json:"attributes"`

	PhysicalAddresses            []Address       `json:"physical_addresses"`
	AccessibilityForDisabilities []Accessibility `json:"accessibility_for_disabilities"`
}

// Address as served.
type Address struct {
	ID            Str `json:"id"`
	Attention     Str `json:"attention"`
	Address1      Str `json:"address_1"`
	Address2      Str `json:"address_2"`
	City          Str `json:"city"`
	Region        Str `json:"region"`
	StateProvince Str `json:"state_province"`
	PostalCode    Str `json:"postal_code"`
	Country       Str `json:"country"`
	AddressType   Str `json:"address_type"`
}

// Accessibility as served (ORUK 1.0 calls the description "accessibility").
type Accessibility struct {
	ID            Str `json:"id"`
	Description   Str `json:"description"`
	Accessibility Str `json:"accessibility"`
	Details       Str `json:"details"`
	URL           Str `json:"url"`
}

// ServiceAtLocation as served.
type ServiceAtLocation struct {
	ID               Str         `json:"id"`
	ServiceID        Str         `json:"service_id"`
	LocationID       Str         `json:"location_id"`
	Description      Str         `json:"description"`
	Contacts         []Contact   `json:"contacts"`
	Phones           []Phone     `json:"phones"`
	Schedules        []Schedule  `json:"schedules"`
	RegularSchedules []Schedule  `json:"regular_schedules"`
	Location         *Location   `json:"location"`
	Attributes       []Attribute `json:"attributes"`
}

// Contact as served.
type Contact struct {
	ID         Str     `json:"id"`
	Name       Str     `json:"name"`
	Title      Str     `json:"title"`
	Department Str     `json:"department"`
	Email      Str     `json:"email"`
	Phones     []Phone `json:"phones"`
}

// Phone as served.
type Phone struct {
	ID          Str        `json:"id"`
	Number      Str        `json:"number"`
	Extension   Num        `json:"extension"`
	Type        Str        `json:"type"`
	Description Str        `json:"description"`
	Languages   []Language `json:"languages"`
}

// Schedule as served (ORUK 1.0 regular_schedule has weekday).
type Schedule struct {
	ID            Str `json:"id"`
	ValidFrom     Str `json:"valid_from"`
	ValidTo       Str `json:"valid_to"`
	DTStart       Str `json:"dtstart"`
	Timezone      Num `json:"timezone"`
	Until         Str `json:"until"`
	Count         Num `json:"count"`
	Wkst          Str `json:"wkst"`
	Freq          Str `json:"freq"`
	Interval      Num `json:"interval"`
	Byday         Str `json:"byday"`
	Byweekno      Str `json:"byweekno"`
	Bymonthday    Str `json:"bymonthday"`
	Byyearday     Str `json:"byyearday"`
	Description   Str `json:"description"`
	OpensAt       Str `json:"opens_at"`
	ClosesAt      Str `json:"closes_at"`
	ScheduleLink  Str `json:"schedule_link"`
	AttendingType Str `json:"attending_type"`
	Notes         Str `json:"notes"`
	Weekday       Str `json:"weekday"`
}

// Language as served (ORUK 1.0: "language").
type Language struct {
	ID       Str `json:"id"`
	Name     Str `json:"name"`
	Language Str `json:"language"`
	Code     Str `json:"code"`
	Note     Str `json:"note"`
}

// ServiceArea as served (ORUK 1.0: "service_area").
type ServiceArea struct {
	ID          Str `json:"id"`
	Name        Str `json:"name"`
	ServiceArea Str `json:"service_area"`
	Description Str `json:"description"`
	Extent      Str `json:"extent"`
	ExtentType  Str `json:"extent_type"`
	URI         Str `json:"uri"`
}

// CostOption as served.
type CostOption struct {
	ID                Str `json:"id"`
	ValidFrom         Str `json:"valid_from"`
	ValidTo           Str `json:"valid_to"`
	Option            Str `json:"option"`
	Currency          Str `json:"currency"`
	Amount            Num `json:"amount"`
	AmountDescription Str `json:"amount_description"`
}

// Attribute as served.
type Attribute struct {
	ID             Str           `json:"id"`
	LinkID         Str           `json:"link_id"`
	TaxonomyTermID Str           `json:"taxonomy_term_id"`
	LinkType       Str           `json:"link_type"`
	LinkEntity     Str           `json:"link_entity"`
	Value          Str           `json:"value"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term"`
}

// TaxonomyTerm as served (ORUK 1.0 taxonomy: vocabulary, parent).
type TaxonomyTerm struct {
	ID          Str `json:"id"`
	Code        Str `json:"code"`
	Name        Str `json:"name"`
	Description Str `json:"description"`
	ParentID    Str `json:"parent_id"`
	Parent      Str `json:"parent"`
	Taxonomy    Str `json:"taxonomy"`
	Vocabulary  Str `json:"vocabulary"`
	Language    Str `json:"language"`
	TaxonomyID  Str `json:"taxonomy_id"`
	TermURI     Str `json:"term_uri"`
}
