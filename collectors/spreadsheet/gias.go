package spreadsheet

import (
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/spreadsheet/osgb"
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
	env env
	col map[string]int
}

// gssCode reports whether s looks like an ONS GSS code (E06000044).
func gssCode(s string) bool {
	if len(s) != 9 || !strings.ContainsRune("EWSNK", rune(s[0])) {
		return false
	}
	for i := 1; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var giasRequired = []string{"URN", "EstablishmentName"}

func newGIASMapper(header []string, e env) (*giasMapper, error) {
	m := &giasMapper{env: e, col: map[string]int{}}
	for i, h := range header {
		if _, dup := m.col[h]; !dup {
			m.col[h] = i
		}
	}
	for _, k := range giasRequired {
		if _, ok := m.col[k]; !ok {
			return nil, missingColumn(e.source, "preset gias", k, header)
		}
	}
	return m, nil
}

func (m *giasMapper) get(row []string, name string) string {
	if i, ok := m.col[name]; ok {
		return strings.TrimSpace(row[i])
	}
	return ""
}

func (m *giasMapper) Map(row []string, line int) ([]*schema.Record, []cellError) {
	var errs []cellError
	urn, name := m.get(row, "URN"), m.get(row, "EstablishmentName")
	fail := func(col, msg string) { errs = append(errs, cellError{Column: col, Msg: msg}) }
	orgID := ""
	if urn == "" {
		fail("URN", "empty URN; the school is quarantined")
	} else {
		orgID = m.env.id(urn)
	}
	if name == "" {
		fail("EstablishmentName", "empty name; the school is quarantined")
	}
	laOld := m.get(row, "LA (code)")
	la := m.get(row, "GSSLACode (name)")
	if !gssCode(la) {
		la = ""
		if l, ok := lacodes.ByOld(laOld); ok {
			la = l.GSS
		}
	}
	status := m.get(row, "EstablishmentStatus (name)")
	open := strings.HasPrefix(status, "Open")
	org := &schema.Organization{ID: orgID, Name: name, Website: webURL(m.get(row, "SchoolWebsite")),
		OrganizationType: "school", LACode: la}
	for _, idf := range []struct{ col, scheme string }{{"URN", "GB-URN"}, {"UKPRN", "GB-UKPRN"}} {
		if v := m.get(row, idf.col); v != "" {
			org.OrganizationIdentifiers = append(org.OrganizationIdentifiers, schema.OrganizationIdentifier{
				ID: orgID + "/" + idf.scheme, OrganizationID: orgID, IdentifierScheme: idf.scheme, IdentifierType: strings.ToLower(idf.col), Identifier: v})
		}
	}
	if p := m.get(row, "TelephoneNum"); p != "" {
		org.Phones = []schema.Phone{{ID: orgID + "/phone", OrganizationID: orgID, Number: p}}
	}
	attr := func(key, value string) {
		if value != "" {
			// The term travels with the attribute, so an exported feed can
			// say what "gias:phase_of_education" means.
			org.Attributes = append(org.Attributes, schema.Attribute{ID: orgID + "/" + key, LinkID: orgID,
				LinkEntity: "organization", TaxonomyTermID: "gias:" + key, Value: value, TaxonomyTerm: giasTerm(key)})
		}
	}
	date := func(col string) string {
		d, err := parseDate(m.get(row, col), "dd-mm-yyyy")
		if err != nil {
			fail(col, err.Error())
		}
		return d
	}
	attr("establishment_status", status)
	attr("type_of_establishment", m.get(row, "TypeOfEstablishment (name)"))
	attr("phase_of_education", m.get(row, "PhaseOfEducation (name)"))
	attr("statutory_low_age", m.get(row, "StatutoryLowAge"))
	attr("statutory_high_age", m.get(row, "StatutoryHighAge"))
	attr("open_date", date("OpenDate"))
	attr("close_date", date("CloseDate"))
	recs := []*schema.Record{{Kind: schema.KindOrganization, Organization: org}}
	if orgID == "" || name == "" {
		return recs, errs // the organisation alone goes to quarantine
	}

	loc := m.location(row, orgID, name, la, laOld, fail)
	recs = append(recs, &schema.Record{Kind: schema.KindLocation, Location: loc})
	if !open {
		return recs, errs
	}

	ageMin, err := parseInt(m.get(row, "StatutoryLowAge"))
	if err != nil {
		fail("StatutoryLowAge", err.Error())
	}
	ageMax, err := parseInt(m.get(row, "StatutoryHighAge"))
	if err != nil {
		fail("StatutoryHighAge", err.Error())
	}
	var needs []string
	for i := 1; i <= 13; i++ {
		col := "SEN" + strconv.Itoa(i) + " (name)"
		v := m.get(row, col)
		if v == "" {
			continue
		}
		if c, ok := m.env.needs.codes(v); ok {
			needs = append(needs, c...)
		} else {
			fail(col, "unknown need "+strconv.Quote(v))
		}
	}
	needs = dedupe(needs)
	num := func(col string) *float64 {
		f, err := parseNumber(m.get(row, col))
		if err != nil {
			fail(col, err.Error())
		}
		return f
	}
	capRec := func(kind string, places, onRoll *float64, asOf string) *schema.Record {
		return &schema.Record{Kind: schema.KindCapacity, Capacity: &schema.Capacity{
			ID: orgID + "/" + kind, OrganizationID: orgID, URN: urn, Name: name, LACode: la, ProvisionType: kind,
			NeedCodes: needs, AgeMin: ageMin, AgeMax: ageMax, Places: places, NumberOnRoll: onRoll, AsOf: asOf}}
	}
	group := strings.ToLower(m.get(row, "EstablishmentTypeGroup (name)"))
	typ := strings.ToLower(m.get(row, "TypeOfEstablishment (name)"))
	if strings.Contains(group, "special") || strings.Contains(typ, "special") {
		recs = append(recs, capRec("special_school", num("SchoolCapacity"), num("NumberOfPupils"), date("CensusDate")))
	}
	rpType := strings.ToLower(m.get(row, "TypeOfResourcedProvision (name)"))
	var units []*schema.Capacity
	for _, u := range []struct{ kind, label, capCol, rollCol string }{
		{"resourced_provision", "resourced provision", "ResourcedProvisionCapacity", "ResourcedProvisionOnRoll"},
		{"sen_unit", "sen unit", "SenUnitCapacity", "SenUnitOnRoll"},
	} {
		places, onRoll := num(u.capCol), num(u.rollCol)
		if places == nil && onRoll == nil && !strings.Contains(rpType, u.label) {
			continue
		}
		r := capRec(u.kind, places, onRoll, "")
		recs = append(recs, r)
		units = append(units, r.Capacity)
	}
	if len(units) > 0 {
		recs = append(recs, &schema.Record{Kind: schema.KindService, Service: m.senService(row, org, loc, units, needs, ageMin, ageMax)})
	}
	return recs, errs
}

func (m *giasMapper) location(row []string, orgID, name, la, laOld string, fail func(col, msg string)) *schema.Location {
	id := orgID + "/location"
	loc := &schema.Location{ID: id, LocationType: "physical", OrganizationID: orgID, Name: name, LACode: la}
	if len(laOld) == 3 {
		loc.LACodeOld = laOld
	}
	if w := m.get(row, "AdministrativeWard (code)"); gssCode(w) {
		loc.WardCode = w
	}
	if l := m.get(row, "LSOA (code)"); gssCode(l) {
		loc.LSOACode = l
	}
	var lines []string
	for _, c := range []string{"Street", "Locality", "Address3"} {
		if v := m.get(row, c); v != "" {
			lines = append(lines, v)
		}
	}
	if pc := normPostcode(m.get(row, "Postcode")); pc != "" || len(lines) > 0 {
		loc.Addresses = []schema.Address{{ID: id + "/address", LocationID: id, Address1: strings.Join(lines, ", "),
			City: m.get(row, "Town"), StateProvince: m.get(row, "County (name)"), PostalCode: pc, Country: "GB", AddressType: "physical"}}
	}
	e, errE := parseNumber(m.get(row, "Easting"))
	n, errN := parseNumber(m.get(row, "Northing"))
	switch {
	case errE != nil:
		fail("Easting", errE.Error())
	case errN != nil:
		fail("Northing", errN.Error())
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
	id := org.ID + "/sen-provision"
	s := &schema.Service{ID: id, OrganizationID: org.ID, Name: org.Name + " – " + strings.Join(kinds, " and "),
		Description: "Specialist SEN places at " + org.Name + " (" + m.get(row, "TypeOfResourcedProvision (name)") + "), from the GIAS register.",
		URL:         org.Website, Status: "active", NeedCodes: needs, Categories: []string{schema.CatEducation}, LACode: org.LACode,
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: id + "/at", ServiceID: id, LocationID: loc.ID, Location: loc}},
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
		s.Phones = []schema.Phone{{ID: id + "/phone", ServiceID: id, Number: org.Phones[0].Number}}
	}
	return s
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// giasTerm describes one GIAS establishment field kept as an attribute.
func giasTerm(key string) *schema.TaxonomyTerm {
	name := strings.ReplaceAll(key, "_", " ")
	return &schema.TaxonomyTerm{ID: "gias:" + key, Code: key, Name: strings.ToUpper(name[:1]) + name[1:],
		Description: "Get Information about Schools (GIAS) establishment field: " + name, Taxonomy: "GIAS"}
}
