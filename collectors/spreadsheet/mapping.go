package spreadsheet

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/spreadsheet/osgb"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
)

// cellError is one problem with one cell, reported by row and column.
type cellError struct {
	Column string
	Msg    string
}

// rowMapper turns one data row into records.
type rowMapper interface {
	Map(row []string, line int) ([]*schema.Record, []cellError)
}

// env is what every mapper needs to know about the run and the file.
type env struct {
	pipeline    string
	source      string // URL or path as configured
	area        string // pipeline's default GSS area
	measure     string
	sourceLabel string
	needs       *needReader
}

func (e *env) id(key string) string { return e.pipeline + "/" + key }

// findColumn matches a header exactly, then ignoring case and spacing.
func findColumn(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	norm := strings.ToLower(strings.Join(strings.Fields(name), " "))
	for i, h := range header {
		if strings.ToLower(h) == norm {
			return i
		}
	}
	return -1
}

// missingColumn is the error for a mapping naming a column the file lacks.
func missingColumn(source, field, column string, header []string) error {
	q := make([]string, len(header))
	for i, h := range header {
		q[i] = strconv.Quote(h)
	}
	return fmt.Errorf("%s: mapping %s: column %q is not in the file; its columns are: %s", source, field, column, strings.Join(q, ", "))
}

// rule is one compiled mapping rule.
type rule struct {
	field  string
	cfg    MappingRule
	cols   []int
	names  []string
	values map[string]string // lower-cased source value → target
}

func compileRules(header []string, mapping map[string]MappingRule, source string) (map[string]*rule, error) {
	fields := make([]string, 0, len(mapping))
	for f := range mapping {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	out := map[string]*rule{}
	for _, f := range fields {
		m := mapping[f]
		r := &rule{field: f, cfg: m}
		names := m.Columns
		if m.Column != "" {
			names = []string{m.Column}
		}
		for _, n := range names {
			i := findColumn(header, n)
			if i < 0 {
				return nil, missingColumn(source, f, n, header)
			}
			r.cols, r.names = append(r.cols, i), append(r.names, n)
		}
		if len(m.Values) > 0 {
			r.values = make(map[string]string, len(m.Values))
			for k, v := range m.Values {
				r.values[strings.ToLower(strings.TrimSpace(k))] = v
			}
		}
		out[f] = r
	}
	return out, nil
}

func (r *rule) column() string {
	if len(r.names) == 0 {
		return "(const)"
	}
	return strings.Join(r.names, "+")
}

// raw is the rule's text before value maps and conversions.
func (r *rule) raw(row []string) string {
	if len(r.cols) == 0 {
		return r.cfg.Const
	}
	var v string
	if len(r.cols) == 1 {
		v = strings.TrimSpace(row[r.cols[0]])
	} else {
		join := r.cfg.Join
		if join == "" {
			join = " "
		}
		parts := make([]string, 0, len(r.cols))
		for _, c := range r.cols {
			if p := strings.TrimSpace(row[c]); p != "" {
				parts = append(parts, p)
			}
		}
		v = strings.Join(parts, join)
	}
	if v == "" {
		v = r.cfg.Default
	}
	return v
}

func (r *rule) mapValue(v string) string {
	if r.values == nil {
		return v
	}
	if m, ok := r.values[strings.ToLower(v)]; ok {
		return m
	}
	return v
}

// rowValues reads a row through the rules, collecting cell errors.
type rowValues struct {
	rules map[string]*rule
	row   []string
	errs  []cellError
	vocab *needReader
}

func (rv *rowValues) has(field string) bool { _, ok := rv.rules[field]; return ok }

func (rv *rowValues) str(field string) string {
	r, ok := rv.rules[field]
	if !ok {
		return ""
	}
	return r.mapValue(r.raw(rv.row))
}

func (rv *rowValues) fail(field, format string, args ...any) {
	col := field
	if r, ok := rv.rules[field]; ok {
		col = r.column()
	}
	rv.errs = append(rv.errs, cellError{Column: col, Msg: field + ": " + fmt.Sprintf(format, args...)})
}

func (rv *rowValues) list(field string) []string {
	r, ok := rv.rules[field]
	if !ok {
		return nil
	}
	sep := r.cfg.Split
	if sep == "" {
		sep = ";"
	}
	var out []string
	for _, p := range strings.Split(r.raw(rv.row), sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, r.mapValue(p))
		}
	}
	return out
}

func (rv *rowValues) date(field string) string {
	r, ok := rv.rules[field]
	if !ok {
		return ""
	}
	d, err := parseDate(rv.str(field), r.cfg.DateFormat)
	if err != nil {
		rv.fail(field, "%v", err)
	}
	return d
}

func (rv *rowValues) num(field string) *float64 {
	s := rv.str(field)
	f, err := parseNumber(s)
	if err != nil {
		rv.fail(field, "%v", err)
	}
	return f
}

func (rv *rowValues) age(field string) *int {
	n, err := parseInt(rv.str(field))
	if err != nil {
		rv.fail(field, "%v", err)
	}
	return n
}

func (rv *rowValues) needs(field string) []string {
	var out []string
	for _, v := range rv.list(field) {
		if c, ok := rv.vocab.codes(v); ok {
			out = append(out, c...)
		} else {
			rv.fail(field, "unknown need %q (DfE codes: %s)", v, strings.Join(schema.NeedCodes, ", "))
		}
	}
	return dedupe(out)
}

// laCode reads a GSS code or a DfE three-digit code; empty falls back to the
// pipeline's area.
func (rv *rowValues) laCode(field, area string) string {
	v := rv.str(field)
	if v == "" {
		return area
	}
	if la, ok := lacodes.ByOld(v); ok {
		return la.GSS
	}
	return strings.ToUpper(v)
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// mappingMapper applies a declared mapping to produce one entity kind.
type mappingMapper struct {
	env    env
	entity string
	rules  map[string]*rule
	orgs   map[string]bool // organisations already emitted (services' organization column)
	keys   map[string]int  // name-derived keys, to keep them unique
}

func newMappingMapper(header []string, o Options, e env) (*mappingMapper, error) {
	rules, err := compileRules(header, o.Mapping, e.source)
	if err != nil {
		return nil, err
	}
	entity := o.Entity
	if entity == "" {
		entity = "services"
	}
	return &mappingMapper{env: e, entity: entity, rules: rules, orgs: map[string]bool{}, keys: map[string]int{}}, nil
}

// key is the row's source id: the id column, or the name made unique.
func (m *mappingMapper) key(rv *rowValues, name string, line int) string {
	if rv.has("id") {
		if k := rv.str("id"); k != "" {
			return k
		}
		rv.fail("id", "empty id")
	}
	k := slug(name)
	if k == "" {
		k = "row-" + strconv.Itoa(line)
	}
	m.keys[k]++
	if n := m.keys[k]; n > 1 {
		k += "-" + strconv.Itoa(n)
	}
	return k
}

func (m *mappingMapper) Map(row []string, line int) ([]*schema.Record, []cellError) {
	rv := &rowValues{rules: m.rules, row: row, vocab: m.env.needs}
	var recs []*schema.Record
	switch m.entity {
	case "services":
		recs = m.service(rv, line)
	case "organizations":
		recs = []*schema.Record{{Kind: schema.KindOrganization, Organization: m.organization(rv, line)}}
	case "locations":
		name := rv.str("name")
		loc := m.location(rv, m.env.id(m.key(rv, name, line)), name)
		recs = []*schema.Record{{Kind: schema.KindLocation, Location: loc}}
	case "demand":
		recs = []*schema.Record{{Kind: schema.KindDemand, Demand: m.demand(rv)}}
	case "capacity":
		recs = []*schema.Record{{Kind: schema.KindCapacity, Capacity: m.capacity(rv, line)}}
	case "feedback":
		recs = []*schema.Record{{Kind: schema.KindFeedback, Feedback: m.feedback(rv, line)}}
	}
	return recs, rv.errs
}

func (m *mappingMapper) service(rv *rowValues, line int) []*schema.Record {
	name := rv.str("name")
	key := m.key(rv, name, line)
	s := &schema.Service{
		ID: m.env.id(key), Name: name, AlternateName: rv.str("alternate_name"), Description: rv.str("description"),
		URL: schema.WebURL(rv.str("url")), Email: rv.str("email"), Status: strings.ToLower(rv.str("status")),
		AgeText: rv.str("age_text"), EligibilityDescription: rv.str("eligibility_description"),
		FeesDescription: rv.str("fees_description"), ApplicationProcess: rv.str("application_process"),
		AssuredDate: rv.date("assured_date"), LACode: rv.laCode("la_code", m.env.area),
		NeedCodes: rv.needs("need_codes"), Categories: rv.list("categories"),
	}
	if s.Status == "" {
		s.Status = "active"
	}
	if a := rv.num("minimum_age"); a != nil {
		s.MinimumAge = a
	}
	if a := rv.num("maximum_age"); a != nil {
		s.MaximumAge = a
	}
	if d := rv.date("last_modified"); d != "" {
		t, _ := parseTime(d)
		s.LastModified = &t
	}
	if p := rv.str("phone"); p != "" {
		s.Phones = []schema.Phone{{ID: s.ID + "/phone", ServiceID: s.ID, Number: p}}
	}
	avail, maxi := rv.num("capacity_available"), rv.num("capacity_maximum")
	if avail != nil || maxi != nil {
		s.Capacity = &schema.ServiceCapacity{Available: avail, Maximum: maxi, Unit: "places"}
	}
	var recs []*schema.Record
	if id := rv.str("organization_id"); id != "" {
		s.OrganizationID = m.env.id(id)
	} else if org := rv.str("organization"); org != "" {
		s.OrganizationID = m.env.id("org/" + slug(org))
		if !m.orgs[s.OrganizationID] {
			m.orgs[s.OrganizationID] = true
			recs = append(recs, &schema.Record{Kind: schema.KindOrganization, Organization: &schema.Organization{
				ID: s.OrganizationID, Name: org, OrganizationType: "provider", LACode: s.LACode}})
		}
	}
	if rv.str("address") != "" || rv.str("postcode") != "" || rv.has("latitude") || rv.has("easting") {
		loc := m.location(rv, s.ID+"/location", name)
		loc.OrganizationID = s.OrganizationID
		if len(loc.Addresses) > 0 || loc.Latitude != nil {
			recs = append(recs, &schema.Record{Kind: schema.KindLocation, Location: loc})
			// Its own copy: the two records are prepared on different workers at once.
			s.ServiceAtLocations = []schema.ServiceAtLocation{{ID: s.ID + "/at/" + loc.ID, ServiceID: s.ID, LocationID: loc.ID, Location: loc.Copy()}}
		}
	}
	return append(recs, &schema.Record{Kind: schema.KindService, Service: s})
}

func (m *mappingMapper) organization(rv *rowValues, line int) *schema.Organization {
	name := rv.str("name")
	o := &schema.Organization{
		ID: m.env.id(m.key(rv, name, line)), Name: name, AlternateName: rv.str("alternate_name"),
		Description: rv.str("description"), Email: rv.str("email"), Website: schema.WebURL(rv.str("website")),
		OrganizationType: rv.str("organization_type"), LACode: rv.laCode("la_code", m.env.area),
	}
	if p := rv.str("phone"); p != "" {
		o.Phones = []schema.Phone{{ID: o.ID + "/phone", OrganizationID: o.ID, Number: p}}
	}
	for _, idf := range []struct{ field, scheme string }{
		{"urn", "GB-URN"}, {"ukprn", "GB-UKPRN"}, {"charity_number", "GB-CHC"}, {"company_number", "GB-COH"},
	} {
		if v := rv.str(idf.field); v != "" {
			o.OrganizationIdentifiers = append(o.OrganizationIdentifiers, schema.OrganizationIdentifier{
				ID: o.ID + "/" + idf.scheme, OrganizationID: o.ID, IdentifierScheme: idf.scheme, IdentifierType: idf.field, Identifier: v})
		}
	}
	return o
}

func (m *mappingMapper) location(rv *rowValues, id, name string) *schema.Location {
	loc := &schema.Location{ID: id, LocationType: "physical", Name: name, Description: rv.str("description"),
		LACode: rv.laCode("la_code", m.env.area), LACodeOld: rv.str("la_code_old"),
		WardCode: rv.str("ward_code"), LSOACode: rv.str("lsoa_code")}
	if v := rv.str("organization_id"); v != "" && m.entity == "locations" {
		loc.OrganizationID = m.env.id(v)
	}
	if a, pc := rv.str("address"), normPostcode(rv.str("postcode")); a != "" || pc != "" {
		loc.Addresses = []schema.Address{{ID: id + "/address", LocationID: id, Address1: a, City: rv.str("city"),
			PostalCode: pc, Country: "GB", AddressType: "physical"}}
	}
	if rv.has("latitude") && rv.has("longitude") {
		loc.Latitude, loc.Longitude = rv.num("latitude"), rv.num("longitude")
	} else if rv.has("easting") && rv.has("northing") {
		if e, n := rv.num("easting"), rv.num("northing"); e != nil && n != nil {
			lat, lon := osgb.ToWGS84(*e, *n)
			loc.Latitude, loc.Longitude = &lat, &lon
		}
	}
	return loc
}

func (m *mappingMapper) demand(rv *rowValues) *schema.Demand {
	d := &schema.Demand{
		Period: rv.str("period"), GeographicLevel: rv.str("geographic_level"), LACode: rv.str("la_code"),
		LACodeOld: rv.str("la_code_old"), LAName: rv.str("la_name"), RegionCode: rv.str("region_code"),
		Measure: rv.str("measure"), Placement: rv.str("placement"), Source: rv.str("source"),
		AgeMin: rv.age("age_min"), AgeMax: rv.age("age_max"), Count: rv.num("count"),
	}
	if n := rv.str("need_code"); n != "" {
		if c, ok := rv.vocab.codes(n); ok && len(c) == 1 {
			d.NeedCode = c[0]
		} else {
			rv.fail("need_code", "unknown need %q", n)
		}
	}
	if d.LACode == "" && d.LACodeOld != "" {
		if la, ok := lacodes.ByOld(d.LACodeOld); ok {
			d.LACode = la.GSS
		}
	}
	if d.Measure == "" {
		d.Measure = m.env.measure
	}
	if d.Source == "" {
		d.Source = m.env.sourceLabel
	}
	key := rv.str("id")
	if key == "" {
		key = demandKey(d)
	}
	d.ID = m.env.id(key)
	return d
}

// demandKey is a deterministic id from a demand row's dimensions.
func demandKey(d *schema.Demand) string {
	age := "all"
	if d.AgeMin != nil {
		age = strconv.Itoa(*d.AgeMin)
		if d.AgeMax != nil && *d.AgeMax != *d.AgeMin {
			age += "-" + strconv.Itoa(*d.AgeMax)
		}
	}
	area := d.LACode
	if area == "" {
		area = d.RegionCode
	}
	if area == "" {
		area = "national"
	}
	need := d.NeedCode
	if need == "" {
		need = "all"
	}
	k := d.Measure + "/" + d.Period + "/" + area + "/" + need + "/" + age
	if d.Placement != "" {
		k += "/" + d.Placement
	}
	return k
}

func (m *mappingMapper) capacity(rv *rowValues, line int) *schema.Capacity {
	name := rv.str("name")
	c := &schema.Capacity{
		URN: rv.str("urn"), Name: name, LACode: rv.laCode("la_code", m.env.area), ProvisionType: rv.str("provision_type"),
		NeedCodes: rv.needs("need_codes"), AgeMin: rv.age("age_min"), AgeMax: rv.age("age_max"),
		Places: rv.num("places"), NumberOnRoll: rv.num("number_on_roll"), AsOf: rv.date("as_of"),
	}
	if c.ProvisionType == "" {
		c.ProvisionType = "other"
	}
	if v := rv.str("organization_id"); v != "" {
		c.OrganizationID = m.env.id(v)
	}
	key := name
	if c.URN != "" {
		key = c.URN + "/" + c.ProvisionType
	}
	if rv.has("id") {
		key = ""
	}
	c.ID = m.env.id(m.key(rv, key, line))
	return c
}
