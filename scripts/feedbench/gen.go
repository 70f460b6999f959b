package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema/lacodes"
)

// The shapes below follow the real council records kept in the repository:
// cmd/localoffer/testdata/realworld/{bristol,north-lincolnshire} (Placecube
// Open Place: HTML descriptions, a nested organisation copied into every
// service, assured dates a year or more old) and
// collectors/hsdsmap/testdata/hsds3_full (HSDS 3.0 nesting: contacts with
// phones, service_at_locations with a location and its physical address,
// taxonomy attributes, service areas). Only names, ids, postcodes, places and
// dates vary, deterministically from the seed.

// council is one simulated directory: its LA, its own providers and postcodes.
type council struct {
	LA        lacodes.LA
	Slug      string // URL path segment and id prefix
	Services  []service
	services  [][]byte // each service encoded once, concatenated into pages
	index     map[string]int
	outward   []string // the council's postcode districts
	lat, long float64
}

type service struct {
	ID                     string            `json:"id"`
	OrganizationID         string            `json:"organization_id"`
	Name                   string            `json:"name"`
	Description            string            `json:"description"`
	URL                    string            `json:"url"`
	Email                  string            `json:"email"`
	Status                 string            `json:"status"`
	FeesDescription        string            `json:"fees_description"`
	EligibilityDescription string            `json:"eligibility_description"`
	MinimumAge             *int              `json:"minimum_age,omitempty"`
	MaximumAge             *int              `json:"maximum_age,omitempty"`
	AssuredDate            string            `json:"assured_date"`
	LastModified           string            `json:"last_modified"`
	Organization           organization      `json:"organization"`
	Contacts               []contact         `json:"contacts"`
	Phones                 []phone           `json:"phones"`
	ServiceAreas           []serviceArea     `json:"service_areas"`
	ServiceAtLocations     []serviceAtLoc    `json:"service_at_locations"`
	CostOptions            []json.RawMessage `json:"cost_options"`
	Attributes             []attribute       `json:"attributes"`
}

type organization struct {
	ID                      string       `json:"id"`
	Name                    string       `json:"name"`
	Description             string       `json:"description"`
	Email                   string       `json:"email"`
	Website                 string       `json:"website"`
	OrganizationIdentifiers []identifier `json:"organization_identifiers,omitempty"`
}

type identifier struct {
	ID               string `json:"id"`
	IdentifierScheme string `json:"identifier_scheme"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

type contact struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Title  string  `json:"title"`
	Email  string  `json:"email"`
	Phones []phone `json:"phones"`
}

type phone struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Type   string `json:"type"`
}

type serviceArea struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Extent     string `json:"extent"`
	ExtentType string `json:"extent_type"`
}

type serviceAtLoc struct {
	ID       string   `json:"id"`
	Location location `json:"location"`
}

type location struct {
	ID           string    `json:"id"`
	LocationType string    `json:"location_type"`
	Name         string    `json:"name"`
	Latitude     float64   `json:"latitude"`
	Longitude    float64   `json:"longitude"`
	Addresses    []address `json:"addresses"`
}

type address struct {
	ID            string `json:"id"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

type attribute struct {
	ID             string `json:"id"`
	TaxonomyTermID string `json:"taxonomy_term_id"`
	TaxonomyTerm   term   `json:"taxonomy_term"`
}

type term struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
}

// terms is the feed's taxonomy (served at /taxonomy_terms too): SEND needs
// and service types as UK Local Offer directories tag them.
var terms = withIDs([]term{
	{"", "asd", "Autism", "Autistic spectrum condition", "send-needs"},
	{"", "slcn", "Speech, language and communication", "Speech, language and communication needs", "send-needs"},
	{"", "semh", "Social, emotional and mental health", "Social, emotional and mental health needs", "send-needs"},
	{"", "mld", "Learning difficulties", "Moderate learning difficulties", "send-needs"},
	{"", "pd", "Physical disability", "Physical disability and mobility", "send-needs"},
	{"", "hi", "Hearing impairment", "Deaf and hearing impairment", "send-needs"},
	{"", "vi", "Visual impairment", "Blind and visual impairment", "send-needs"},
	{"", "play", "Play and leisure", "Play schemes, clubs and leisure", "service-type"},
	{"", "short-breaks", "Short breaks", "Short breaks for disabled children", "service-type"},
	{"", "advice", "Information and advice", "Information, advice and support", "service-type"},
	{"", "health", "Health", "Health services and therapies", "service-type"},
	{"", "family", "Family support", "Family and parenting support", "service-type"},
})

// withIDs gives the terms fixed UUIDs (HSDS 3.0 ids are UUIDs).
func withIDs(ts []term) []term {
	for i := range ts {
		ts[i].ID = fmt.Sprintf("5e1d0000-0000-4000-8000-%012d", i+1)
	}
	return ts
}

// Service names repeat across councils, as they do in real directories.
var activities = []string{
	"Stay and Play", "Activity Group", "Youth Club", "Parent Carer Support Group", "Short Breaks Holiday Club",
	"Speech and Language Drop-in", "Autism Family Support", "Sensory Play Session", "Inclusive Swimming",
	"Saturday Sports Club", "Young Carers Group", "SENDIASS Advice Line", "Early Help Family Hub",
	"Portage Home Visiting", "Sleep Support Clinic", "Adult Cycling Activities", "Art Ease Group",
	"Peer Mentoring Scheme", "Inclusive Drama Club", "Wellbeing Cafe",
}

var orgKinds = []string{
	"Community Partnership", "Healthy Living Centre", "Parent Carer Forum", "Youth Trust", "Sports Foundation",
	"Family Centre", "Mencap", "Carers Centre", "Play Association", "Disability Network",
}

// Neighbourhood words make a large council's providers distinct by name.
var hoods = []string{"North", "South", "East", "West", "Central", "Riverside", "Hillside", "Parkside", "Oakfield",
	"Meadow", "Brookside", "Castle"}

var wards = []string{"Ashton", "Bedminster", "Clifton", "Downend", "Eastville", "Filton", "Greenbank", "Hengrove",
	"Kingswood", "Lawrence", "Montpelier", "Novers", "Oldbury", "Patchway", "Redland", "Stockwood", "Totterdown",
	"Upton", "Whitchurch", "Yate"}

// orgName is the i-th provider's name in a council: distinct for the first
// 12×10×21 providers.
func orgName(place string, i int) string {
	kind := orgKinds[i%len(orgKinds)]
	hood := hoods[(i/len(orgKinds))%len(hoods)]
	if w := i / (len(orgKinds) * len(hoods)); w > 0 {
		return fmt.Sprintf("%s %s %s %s", place, wards[(w-1)%len(wards)], hood, kind)
	}
	if i < len(orgKinds) {
		return place + " " + kind
	}
	return fmt.Sprintf("%s %s %s", place, hood, kind)
}

var streets = []string{"High Street", "Station Road", "Church Lane", "Milton Road", "Park Avenue", "Mill Lane",
	"Victoria Road", "Queen Street", "Green Lane", "School Road", "Kings Road", "North Street"}

var venues = []string{"Community Centre", "Family Hub", "Library", "Leisure Centre", "Primary School", "Youth Centre",
	"Church Hall", "Health Centre"}

var people = []string{"Sam Patel", "Jo Clarke", "Alex Morgan", "Chris Evans", "Priya Shah", "Kim Hughes",
	"Lee Walker", "Amira Khan", "Ruth Taylor", "Tom Davies"}

// ages as directories write them: in the eligibility text only, as the
// ages transform has to find them.
var eligibilities = []string{
	"Children and young people aged 0 to 25 with special educational needs and disabilities (SEND) and their families.",
	"Open to children aged 5-11 with additional needs; siblings welcome. No diagnosis needed.",
	"Young people aged 11 to 18 with autism or social communication difficulties.",
	"Families with children under 5 who live in the area.",
	"Young people aged 16-25 with an EHC plan, and their parent carers.",
	"Children from birth to 19 years with hearing or visual impairment.",
}

// The national charity every council lists: same name, web site and charity
// number everywhere, a different id in each council's directory.
const nationalCharity = "National Autistic Society"

// genCouncil builds n services for one LA. Deterministic in (seed, la).
func genCouncil(seed uint64, la lacodes.LA, n int, now time.Time) (*council, error) {
	h := fnv(la.GSS)
	r := rand.New(rand.NewPCG(seed, h))
	c := &council{LA: la, Slug: strings.ToLower(la.GSS), index: make(map[string]int, n),
		lat: 50.8 + r.Float64()*4.5, long: -3.5 + r.Float64()*5}
	// Two-letter postcode areas, the council's own districts.
	area := string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26)))
	for d := 1; d <= 12; d++ {
		c.outward = append(c.outward, fmt.Sprintf("%s%d", area, d+r.IntN(8)*12))
	}
	place := placeName(la.Name)
	orgs := genOrgs(r, c, place, max(1, n/10))
	c.Services = make([]service, n)
	c.services = make([][]byte, n)
	for i := range n {
		s := genService(r, c, place, orgs, i, now)
		b, err := json.Marshal(&s)
		if err != nil {
			return nil, fmt.Errorf("encode service %s: %w", s.ID, err)
		}
		c.Services[i] = s
		c.services[i] = b
		c.index[s.ID] = i
	}
	return c, nil
}

func genOrgs(r *rand.Rand, c *council, place string, n int) []organization {
	orgs := make([]organization, n)
	for i := range orgs {
		name := orgName(place, i)
		slug := slugify(name)
		orgs[i] = organization{
			ID:   uuidFrom(r),
			Name: name,
			Description: fmt.Sprintf("A local charity for disabled children, young people and their families across %s: "+
				"groups, short breaks and advice.", place),
			Email:   "hello@" + slug + ".org.uk",
			Website: "https://www." + slug + ".org.uk/",
		}
	}
	orgs[0] = organization{
		ID: uuidFrom(r), Name: nationalCharity,
		Description: "The National Autistic Society is the UK's leading charity for autistic people and their families.",
		Email:       "supportercare@nas.org.uk", Website: "https://www.autism.org.uk/",
		OrganizationIdentifiers: []identifier{{ID: uuidFrom(r), IdentifierScheme: "GB-CHC", IdentifierType: "Charity number", Identifier: "269425"}},
	}
	return orgs
}

func genService(r *rand.Rand, c *council, place string, orgs []organization, i int, now time.Time) service {
	org := orgs[r.IntN(len(orgs))]
	if i%25 == 0 {
		org = orgs[0] // the national charity runs a service in every council
	}
	act := activities[r.IntN(len(activities))]
	venue := venues[r.IntN(len(venues))]
	street := streets[r.IntN(len(streets))]
	district := c.outward[r.IntN(len(c.outward))]
	sid := uuidFrom(r)
	town := place
	// Named as council directories name them, "Activity Group - Redfield":
	// the same names recur in every council.
	ward := wards[r.IntN(len(wards))]
	name := fmt.Sprintf("%s - %s %s", act, ward, venue)
	who := people[r.IntN(len(people))]
	num := fmt.Sprintf("0%d%02d %03d %04d", 1+r.IntN(2), r.IntN(100), r.IntN(1000), r.IntN(10000))
	// Assured 1–3 years ago and last changed over a year ago: the two
	// staleness flags (assurance_overdue, review_overdue) real feeds raise.
	assured := now.AddDate(0, 0, -400-r.IntN(700))
	modified := assured.Add(time.Duration(r.IntN(3600)) * time.Second)
	elig := eligibilities[r.IntN(len(eligibilities))]
	desc := fmt.Sprintf("<p>%s runs <strong>%s</strong> at %s %s for children and young people with special educational "+
		"needs and disabilities (SEND) and their families, led by trained staff and volunteers.&nbsp;</p>"+
		"<p>Sensory play, crafts and music; a quiet room.</p><ul><li>No referral needed: just turn up.</li></ul>", org.Name, act, town, venue)
	s := service{
		ID:                     sid,
		OrganizationID:         org.ID,
		Name:                   name,
		Description:            desc,
		URL:                    org.Website + "whats-on/" + slugify(act) + "/",
		Email:                  strings.Replace(org.Email, "hello@", slugify(act)[:min(12, len(slugify(act)))]+"@", 1),
		Status:                 "active",
		FeesDescription:        "Free",
		EligibilityDescription: elig,
		AssuredDate:            assured.Format("2006-01-02"),
		LastModified:           modified.UTC().Format("2006-01-02T15:04:05Z"),
		Organization:           org,
		Contacts: []contact{{ID: uuidFrom(r), Name: who, Title: "Service coordinator", Email: strings.ToLower(strings.ReplaceAll(who, " ", ".")) + "@" + org.Email[strings.IndexByte(org.Email, '@')+1:],
			Phones: []phone{{ID: uuidFrom(r), Number: num, Type: "voice"}}}},
		Phones:       []phone{{ID: uuidFrom(r), Number: num, Type: "voice"}},
		ServiceAreas: []serviceArea{{ID: uuidFrom(r), Name: c.LA.Name, Extent: c.LA.GSS, ExtentType: "gss"}},
		ServiceAtLocations: []serviceAtLoc{{ID: uuidFrom(r), Location: location{
			ID: uuidFrom(r), LocationType: "physical", Name: fmt.Sprintf("%s %s", ward, venue),
			Latitude:  round(c.lat+r.Float64()*0.1, 5),
			Longitude: round(c.long+r.Float64()*0.1, 5),
			Addresses: []address{{ID: uuidFrom(r), Address1: fmt.Sprintf("%d %s", 1+r.IntN(200), street), City: town,
				StateProvince: c.LA.Name, PostalCode: district + " " + inward(r), Country: "GB", AddressType: "physical"}},
		}}},
		CostOptions: []json.RawMessage{},
	}
	for _, k := range []int{r.IntN(7), 7 + r.IntN(len(terms)-7)} {
		t := terms[k]
		s.Attributes = append(s.Attributes, attribute{ID: uuidFrom(r), TaxonomyTermID: t.ID, TaxonomyTerm: t})
	}
	return s
}

// inward is the postcode's inward code: a digit and two letters (never C, I, K, M, O, V).
func inward(r *rand.Rand) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%d%c%c", r.IntN(10), letters[r.IntN(len(letters))], letters[r.IntN(len(letters))])
}

// placeName shortens an LA name to a town: "Bristol, City of" → "Bristol".
func placeName(la string) string {
	if i := strings.IndexByte(la, ','); i > 0 {
		la = la[:i]
	}
	return strings.TrimSpace(la)
}

func slugify(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func uuidFrom(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
