package spreadsheet

import (
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/spreadsheet/osgb"
	"github.com/localoffer/localoffer/internal/gias"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
)

// giasMapper reads the GIAS establishment export (edubasealldata*.csv).
// Per school it emits an organisation (school, GB-URN/GB-UKPRN identifiers,
// status, phase and ages as attributes) and its location (address, WGS84
// point from easting/northing, LA/ward/LSOA codes). Open schools also get
// capacity rows: special schools' capacity and pupils, and each resourced
// provision or SEN unit. A school with a resourced provision or SEN unit also
// gets one service ("SEN provision") so the Local Offer gap analysis sees the
// specialist places; ordinary mainstream schools get no service.
type giasMapper struct {
	env   env
	c     giasCols
	terms map[string]*schema.TaxonomyTerm // one per attribute key, shared by every school's attributes (read only)
	// Every id a row can need is the organisation's id and a suffix; they
	// are built into one string a row (one allocation, not twenty).
	idBuf     []byte
	ids       [len(giasIDSuffixes)]string
	attrTerms [attrCount]*schema.TaxonomyTerm
}

// giasIDSuffixes are the suffixes of the ids derived from a school's
// organisation id, indexed by the id… constants.
var giasIDSuffixes = [...]string{
	idURN: "/GB-URN", idUKPRN: "/GB-UKPRN", idPhone: "/phone", idLocation: "/location", idAddress: "/location/address",
	idSpecial: "/special_school", idRP: "/resourced_provision", idUnit: "/sen_unit",
	idService: "/sen-provision", idServiceAt: "/sen-provision/at", idServicePhone: "/sen-provision/phone",
	idAttr + attrStatus: "/establishment_status", idAttr + attrType: "/type_of_establishment", idAttr + attrPhase: "/phase_of_education",
	idAttr + attrLow: "/statutory_low_age", idAttr + attrHigh: "/statutory_high_age", idAttr + attrOpen: "/open_date", idAttr + attrClose: "/close_date",
}

const (
	idURN = iota
	idUKPRN
	idPhone
	idLocation
	idAddress
	idSpecial
	idRP
	idUnit
	idService
	idServiceAt
	idServicePhone
	idAttr // + attr…
)

// The attributes a school's organisation carries, in order.
const (
	attrStatus = iota
	attrType
	attrPhase
	attrLow
	attrHigh
	attrOpen
	attrClose
	attrCount
)

// buildIDs fills m.ids for one organisation id.
func (m *giasMapper) buildIDs(orgID string) {
	b := m.idBuf[:0]
	var ends [len(giasIDSuffixes)]int
	for i, suffix := range giasIDSuffixes {
		b = append(append(b, orgID...), suffix...)
		ends[i] = len(b)
	}
	all := string(b)
	start := 0
	for i, e := range ends {
		m.ids[i] = all[start:e]
		start = e
	}
	m.idBuf = b
}

// giasCols are the columns the preset reads, found once in the header.
type giasCols struct {
	urn, ukprn, name, laOld, laGSS, status, typ, group, phase, low, high    gias.Col
	open, close, census, capacity, pupils, street, locality, address3, town gias.Col
	county, postcode, website, phone, rpType, rpRoll, rpCap, unitRoll       gias.Col
	unitCap, ward, lsoa, easting, northing                                  gias.Col
	sen                                                                     []gias.Col
	names                                                                   map[gias.Col]string
}

var giasRequired = []string{gias.URN, gias.EstablishmentName}

func newGIASMapper(g *gias.Reader, e env) *giasMapper {
	c := giasCols{names: map[gias.Col]string{}}
	col := func(name string) gias.Col {
		i := g.Column(name)
		c.names[i] = name
		return i
	}
	c.urn, c.ukprn, c.name = col(gias.URN), col(gias.UKPRN), col(gias.EstablishmentName)
	c.laOld, c.laGSS, c.status = col(gias.LACode), col(gias.GSSLACode), col(gias.EstablishmentStatus)
	c.typ, c.group, c.phase = col(gias.TypeOfEstablishment), col(gias.EstablishmentTypeGroup), col(gias.PhaseOfEducation)
	c.low, c.high = col(gias.StatutoryLowAge), col(gias.StatutoryHighAge)
	c.open, c.close, c.census = col(gias.OpenDate), col(gias.CloseDate), col(gias.CensusDate)
	c.capacity, c.pupils = col(gias.SchoolCapacity), col(gias.NumberOfPupils)
	c.street, c.locality, c.address3, c.town = col(gias.Street), col(gias.Locality), col(gias.Address3), col(gias.Town)
	c.county, c.postcode, c.website, c.phone = col(gias.County), col(gias.Postcode), col(gias.SchoolWebsite), col(gias.TelephoneNum)
	c.rpType, c.rpRoll, c.rpCap = col(gias.TypeOfResourcedProvision), col(gias.ResourcedProvisionOnRoll), col(gias.ResourcedProvisionCap)
	c.unitRoll, c.unitCap = col(gias.SenUnitOnRoll), col(gias.SenUnitCapacity)
	c.ward, c.lsoa, c.easting, c.northing = col(gias.AdministrativeWardCode), col(gias.LSOACode), col(gias.Easting), col(gias.Northing)
	for _, n := range gias.SENColumns {
		c.sen = append(c.sen, col(n))
	}
	m := &giasMapper{env: e, c: c, terms: map[string]*schema.TaxonomyTerm{}}
	for i, suffix := range giasIDSuffixes[idAttr:] {
		m.attrTerms[i] = m.term(suffix[1:])
	}
	return m
}

// name is the column's header name, for cell problems.
func (m *giasMapper) name(c gias.Col) string { return m.c.names[c] }

func (m *giasMapper) Map(row []string, line int) ([]*schema.Record, []cellError) {
	var errs []cellError
	urn, name := gias.Cell(row, m.c.urn), gias.Cell(row, m.c.name)
	fail := func(col, msg string) { errs = append(errs, cellError{Column: col, Msg: msg}) }
	orgID := ""
	if urn == "" {
		fail(m.name(m.c.urn), "empty URN; the school is quarantined")
	} else {
		orgID = m.env.id(urn)
	}
	m.buildIDs(orgID)
	ids := &m.ids
	if name == "" {
		fail(m.name(m.c.name), "empty name; the school is quarantined")
	}
	laOld := gias.Cell(row, m.c.laOld)
	la := gias.Cell(row, m.c.laGSS)
	if !lacodes.IsLA(la) {
		la = ""
		if l, ok := lacodes.ByOld(laOld); ok {
			la = l.GSS
		}
	}
	status := gias.Cell(row, m.c.status)
	open := strings.HasPrefix(status, "Open")
	org := &schema.Organization{ID: orgID, Name: name, Website: schema.WebURL(gias.Cell(row, m.c.website)),
		OrganizationType: "school", LACode: la}
	for _, idf := range []struct {
		col         gias.Col
		typ, scheme string
		id          int
	}{{m.c.urn, "urn", "GB-URN", idURN}, {m.c.ukprn, "ukprn", "GB-UKPRN", idUKPRN}} {
		if v := gias.Cell(row, idf.col); v != "" {
			if org.OrganizationIdentifiers == nil {
				org.OrganizationIdentifiers = make([]schema.OrganizationIdentifier, 0, 2)
			}
			org.OrganizationIdentifiers = append(org.OrganizationIdentifiers, schema.OrganizationIdentifier{
				ID: ids[idf.id], OrganizationID: orgID, IdentifierScheme: idf.scheme, IdentifierType: idf.typ, Identifier: v})
		}
	}
	if p := gias.Cell(row, m.c.phone); p != "" {
		org.Phones = []schema.Phone{{ID: ids[idPhone], OrganizationID: orgID, Number: p}}
	}
	attr := func(a int, value string) {
		if value != "" {
			if org.Attributes == nil {
				org.Attributes = make([]schema.Attribute, 0, attrCount)
			}
			// The term travels with the attribute, so an exported feed can
			// say what "gias:phase_of_education" means.
			t := m.attrTerms[a]
			org.Attributes = append(org.Attributes, schema.Attribute{ID: ids[idAttr+a], LinkID: orgID,
				LinkEntity: "organization", TaxonomyTermID: t.ID, Value: value, TaxonomyTerm: t})
		}
	}
	date := func(col gias.Col) string {
		d, err := parseDate(gias.Cell(row, col), "dd-mm-yyyy")
		if err != nil {
			fail(m.name(col), err.Error())
		}
		return d
	}
	attr(attrStatus, status)
	attr(attrType, gias.Cell(row, m.c.typ))
	attr(attrPhase, gias.Cell(row, m.c.phase))
	attr(attrLow, gias.Cell(row, m.c.low))
	attr(attrHigh, gias.Cell(row, m.c.high))
	attr(attrOpen, date(m.c.open))
	attr(attrClose, date(m.c.close))
	recs := make([]*schema.Record, 1, 2)
	recs[0] = &schema.Record{Kind: schema.KindOrganization, Organization: org}
	if orgID == "" || name == "" {
		return recs, errs // the organisation alone goes to quarantine
	}

	loc := m.location(row, orgID, name, la, laOld, fail)
	recs = append(recs, &schema.Record{Kind: schema.KindLocation, Location: loc})
	if !open {
		return recs, errs
	}

	ageMin, err := parseInt(gias.Cell(row, m.c.low))
	if err != nil {
		fail(m.name(m.c.low), err.Error())
	}
	ageMax, err := parseInt(gias.Cell(row, m.c.high))
	if err != nil {
		fail(m.name(m.c.high), err.Error())
	}
	var needs []string
	for _, col := range m.c.sen {
		v := gias.Cell(row, col)
		if v == "" {
			continue
		}
		if c, ok := m.env.needs.codes(v); ok {
			needs = append(needs, c...)
		} else {
			fail(m.name(col), "unknown need "+strconv.Quote(v))
		}
	}
	needs = dedupe(needs)
	num := func(col gias.Col) *float64 {
		f, err := parseNumber(gias.Cell(row, col))
		if err != nil {
			fail(m.name(col), err.Error())
		}
		return f
	}
	capRec := func(kind string, id int, places, onRoll *float64, asOf string) *schema.Record {
		return &schema.Record{Kind: schema.KindCapacity, Capacity: &schema.Capacity{
			ID: ids[id], OrganizationID: orgID, URN: urn, Name: name, LACode: la, ProvisionType: kind,
			NeedCodes: needs, AgeMin: ageMin, AgeMax: ageMax, Places: places, NumberOnRoll: onRoll, AsOf: asOf}}
	}
	if containsLower(gias.Cell(row, m.c.group), "special") || containsLower(gias.Cell(row, m.c.typ), "special") {
		recs = append(recs, capRec("special_school", idSpecial, num(m.c.capacity), num(m.c.pupils), date(m.c.census)))
	}
	rpType := gias.Cell(row, m.c.rpType)
	var units []*schema.Capacity
	for _, u := range []struct {
		kind, label     string
		id              int
		capCol, rollCol gias.Col
	}{
		{"resourced_provision", "resourced provision", idRP, m.c.rpCap, m.c.rpRoll},
		{"sen_unit", "sen unit", idUnit, m.c.unitCap, m.c.unitRoll},
	} {
		places, onRoll := num(u.capCol), num(u.rollCol)
		if places == nil && onRoll == nil && !containsLower(rpType, u.label) {
			continue
		}
		r := capRec(u.kind, u.id, places, onRoll, "")
		recs = append(recs, r)
		units = append(units, r.Capacity)
	}
	if len(units) > 0 {
		recs = append(recs, &schema.Record{Kind: schema.KindService, Service: m.senService(row, org, loc, units, needs, ageMin, ageMax)})
	}
	return recs, errs
}

func (m *giasMapper) location(row []string, orgID, name, la, laOld string, fail func(col, msg string)) *schema.Location {
	id := m.ids[idLocation]
	loc := &schema.Location{ID: id, LocationType: "physical", OrganizationID: orgID, Name: name, LACode: la}
	if len(laOld) == 3 {
		loc.LACodeOld = laOld
	}
	if w := gias.Cell(row, m.c.ward); lacodes.IsGSS(w) {
		loc.WardCode = w
	}
	if l := gias.Cell(row, m.c.lsoa); lacodes.IsGSS(l) {
		loc.LSOACode = l
	}
	var lines []string
	for _, c := range []gias.Col{m.c.street, m.c.locality, m.c.address3} {
		if v := gias.Cell(row, c); v != "" {
			lines = append(lines, v)
		}
	}
	if pc := normPostcode(gias.Cell(row, m.c.postcode)); pc != "" || len(lines) > 0 {
		loc.Addresses = []schema.Address{{ID: m.ids[idAddress], LocationID: id, Address1: strings.Join(lines, ", "),
			City: gias.Cell(row, m.c.town), StateProvince: gias.Cell(row, m.c.county), PostalCode: pc, Country: "GB", AddressType: "physical"}}
	}
	e, errE := parseNumber(gias.Cell(row, m.c.easting))
	n, errN := parseNumber(gias.Cell(row, m.c.northing))
	switch {
	case errE != nil:
		fail(m.name(m.c.easting), errE.Error())
	case errN != nil:
		fail(m.name(m.c.northing), errN.Error())
	case e != nil && n != nil && *e > 0 && *n > 0 && *e < 800000 && *n < 1400000:
		lat, lon := osgb.ToWGS84(*e, *n)
		loc.Latitude, loc.Longitude = &lat, &lon
	}
	return loc
}

func (m *giasMapper) senService(row []string, org *schema.Organization, loc *schema.Location, units []*schema.Capacity, needs []string, ageMin, ageMax *int) *schema.Service {
	kinds := make([]string, len(units))
	var places, onRoll *float64
	for i, u := range units {
		kinds[i] = strings.ReplaceAll(u.ProvisionType, "_", " ")
		if u.Places != nil {
			places = ptr(deref(places) + *u.Places)
		}
		if u.NumberOnRoll != nil {
			onRoll = ptr(deref(onRoll) + *u.NumberOnRoll)
		}
	}
	id := m.ids[idService]
	s := &schema.Service{ID: id, OrganizationID: org.ID, Name: org.Name + " – " + strings.Join(kinds, " and "),
		Description: "Specialist SEN places at " + org.Name + " (" + gias.Cell(row, m.c.rpType) + "), from the GIAS register.",
		URL:         org.Website, Status: "active", NeedCodes: needs, Categories: []string{schema.CatEducation}, LACode: org.LACode,
		// Its own copy of the location: the location record is prepared on another worker at once.
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: m.ids[idServiceAt], ServiceID: id, LocationID: loc.ID, Location: loc.Copy()}},
	}
	if ageMin != nil {
		s.MinimumAge = ptr(float64(*ageMin))
	}
	if ageMax != nil {
		s.MaximumAge = ptr(float64(*ageMax))
	}
	if ageMin != nil || ageMax != nil {
		s.AgeSource = schema.AgeSourceSchool // the school's statutory ages, not the unit's own
	}
	if places != nil {
		s.Capacity = &schema.ServiceCapacity{Maximum: places, Unit: "places", Description: "resourced provision and SEN unit capacity (GIAS)"}
		if onRoll != nil && *places >= *onRoll {
			s.Capacity.Available = ptr(*places - *onRoll)
		}
	}
	if len(org.Phones) > 0 {
		s.Phones = []schema.Phone{{ID: m.ids[idServicePhone], ServiceID: id, Number: org.Phones[0].Number}}
	}
	return s
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// term is giasTerm(key), built once per file.
func (m *giasMapper) term(key string) *schema.TaxonomyTerm {
	t, ok := m.terms[key]
	if !ok {
		t = giasTerm(key)
		m.terms[key] = t
	}
	return t
}

// giasTerm describes one GIAS establishment field kept as an attribute.
func giasTerm(key string) *schema.TaxonomyTerm {
	name := strings.ReplaceAll(key, "_", " ")
	return &schema.TaxonomyTerm{ID: "gias:" + key, Code: key, Name: strings.ToUpper(name[:1]) + name[1:],
		Description: "Get Information about Schools (GIAS) establishment field: " + name, Taxonomy: "GIAS"}
}
