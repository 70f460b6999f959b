// Package hsdsmap maps services as Open Referral feeds serve them (HSDS 3.0,
// Open Referral UK 3.0 and 1.0, with the vendor extensions seen in UK council
// feeds) to localoffer's common records.
//
// Rules: ids are namespaced by pipeline ("pipeline/sourceID"), nested ones too,
// so two councils' service 1 never collide; nested objects without an id get
// a stable one derived from their parent and position; empty strings and empty
// arrays count as absent (Open Referral UK: omit empty optional fields);
// fields the schema has no place for stay in the raw document in the blob store.
package hsdsmap

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// Source is the document records come from.
type Source struct {
	URL       string
	SHA256    string
	FetchedAt time.Time
}

// SourceOf describes a fetched document.
func SourceOf(doc *fetch.Document) Source {
	return Source{URL: doc.URL, SHA256: doc.SHA256, FetchedAt: doc.FetchedAt}
}

// Mapper maps one run's services. It emits each organization and location
// once per run however many services share it. Not safe for concurrent use.
type Mapper struct {
	Pipeline string
	// UK: the feed follows Open Referral UK, so an address without a country is in GB.
	UK bool
	// Terms are taxonomy terms by source id (from /taxonomy_terms), used to
	// complete attributes that only carry taxonomy_term_id.
	Terms map[string]*schema.TaxonomyTerm

	seenOrg map[string]bool
	seenLoc map[string]bool
}

// New returns a Mapper for one run of a pipeline.
func New(pipeline string, uk bool) *Mapper {
	return &Mapper{Pipeline: pipeline, UK: uk, seenOrg: map[string]bool{}, seenLoc: map[string]bool{}}
}

// NS namespaces a source id; an empty id stays empty.
func (m *Mapper) NS(id string) string {
	if id == "" {
		return ""
	}
	return m.Pipeline + "/" + id
}

// sub is a nested object's id: its own, namespaced, or one derived from its parent.
func (m *Mapper) sub(raw Str, parent, kind string, i int) string {
	if id := raw.String(); id != "" {
		return m.NS(id)
	}
	return parent + "/" + kind + "-" + strconv.Itoa(i+1)
}

func (m *Mapper) prov(src Source, id string) *schema.Provenance {
	return &schema.Provenance{Pipeline: m.Pipeline, SourceURL: src.URL, SourceID: id, FetchedAt: src.FetchedAt, DocumentSHA256: src.SHA256}
}

// Records maps one served service to records: the service first, then its
// organization and locations not yet emitted in this run. Warnings name the
// field and what was wrong with it; the record is still emitted.
func (m *Mapper) Records(raw *Service, src Source) ([]*schema.Record, []string) {
	var warns []string
	warn := func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) }
	srcID := raw.ID.String()
	if srcID == "" {
		return nil, []string{fmt.Sprintf("service %q has no id; skipped", raw.Name.String())}
	}
	id := m.NS(srcID)
	s := &schema.Service{
		ID:                     id,
		ProgramID:              m.NS(raw.ProgramID.String()),
		Name:                   raw.Name.String(),
		AlternateName:          raw.AlternateName.String(),
		Description:            raw.Description.String(),
		URL:                    raw.URL.String(),
		Email:                  email(raw.Email),
		Status:                 strings.ToLower(raw.Status.String()),
		InterpretationServices: raw.InterpretationServices.String(),
		ApplicationProcess:     raw.ApplicationProcess.String(),
		FeesDescription:        raw.FeesDescription.String(),
		WaitTime:               raw.WaitTime.String(),
		Fees:                   raw.Fees.String(),
		Accreditations:         raw.Accreditations.String(),
		EligibilityDescription: raw.EligibilityDescription.String(),
		MinimumAge:             raw.MinimumAge.Ptr(),
		MaximumAge:             raw.MaximumAge.Ptr(),
		AssurerEmail:           email(raw.AssurerEmail),
		Licenses:               raw.Licenses.String(),
		Alert:                  raw.Alert.String(),
		Provenance:             m.prov(src, srcID),
	}
	assured, modified := raw.AssuredDate.String(), raw.LastModified.String()
	if raw.PCMetadata != nil {
		if assured == "" {
			assured = raw.PCMetadata.DateAssured.String()
		}
		if modified == "" {
			modified = raw.PCMetadata.DateModified.String()
		}
	}
	if assured != "" {
		if d, ok := Date(assured); ok {
			s.AssuredDate = d
		} else {
			warn("service %s: assured_date %q is not a date", srcID, assured)
		}
	}
	if modified != "" {
		if t, ok := Timestamp(modified); ok {
			s.LastModified = &t
		} else {
			warn("service %s: last_modified %q is not a date-time", srcID, modified)
		}
	}
	m.eligibility(raw, s)
	if audience := targetAudience(raw.PCTargetAudience); audience != "" {
		s.EligibilityDescription = joinText(s.EligibilityDescription, "Target audience: "+audience)
	}
	if s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge {
		warn("service %s: minimum_age %v is above maximum_age %v", srcID, *s.MinimumAge, *s.MaximumAge)
	}
	s.Phones = m.phones(raw.Phones, id)
	s.Schedules = append(m.schedules(raw.Schedules, id, "schedule"), m.schedules(raw.RegularSchedules, id, "regular-schedule")...)
	s.ServiceAreas = m.serviceAreas(raw.ServiceAreas, id)
	s.Languages = m.languages(raw.Languages, id)
	s.CostOptions = m.costOptions(raw.CostOptions, id)
	s.Contacts = m.contacts(raw.Contacts, id)
	s.Attributes = m.attributes(raw.Attributes, id, "service")
	s.Attributes = append(s.Attributes, m.serviceTaxonomies(raw.ServiceTaxonomys, id)...)
	for i := range s.Phones {
		s.Phones[i].ServiceID = id
	}
	for i := range s.Schedules {
		s.Schedules[i].ServiceID = id
	}

	out := []*schema.Record{{Kind: schema.KindService, Service: s}}
	var org *schema.Organization
	if raw.Organization != nil && raw.Organization.ID.String() != "" {
		org = m.organization(raw.Organization)
		s.OrganizationID = org.ID
		nested := *org
		nested.Locations = nil
		s.Organization = &nested
		if !m.seenOrg[org.ID] {
			m.seenOrg[org.ID] = true
			org.Provenance = m.prov(src, raw.Organization.ID.String())
			out = append(out, &schema.Record{Kind: schema.KindOrganization, Organization: org})
			out = m.orgLocations(raw.Organization, org.ID, src, out)
		}
	}
	if oid := m.NS(raw.OrganizationID.String()); oid != "" {
		if s.OrganizationID != "" && s.OrganizationID != oid {
			warn("service %s: organization_id %q differs from its nested organization %q", srcID, raw.OrganizationID, raw.Organization.ID)
		}
		s.OrganizationID = oid
	}
	for i, rs := range raw.ServiceAtLocations {
		sal := schema.ServiceAtLocation{
			ID:          m.sub(rs.ID, id, "service-at-location", i),
			ServiceID:   id,
			LocationID:  m.NS(rs.LocationID.String()),
			Description: rs.Description.String(),
		}
		sal.Contacts = m.contacts(rs.Contacts, sal.ID)
		sal.Phones = m.phones(rs.Phones, sal.ID)
		sal.Schedules = append(m.schedules(rs.Schedules, sal.ID, "schedule"), m.schedules(rs.RegularSchedules, sal.ID, "regular-schedule")...)
		sal.Attributes = m.attributes(rs.Attributes, sal.ID, "service_at_location")
		if rs.Location != nil {
			loc := m.location(rs.Location, sal.ID)
			if loc.OrganizationID == "" {
				loc.OrganizationID = s.OrganizationID
			}
			sal.LocationID = loc.ID
			sal.Location = loc
			if !m.seenLoc[loc.ID] && rs.Location.ID.String() != "" {
				m.seenLoc[loc.ID] = true
				// A copy sharing no slices: the service and this record are
				// prepared on different workers at once.
				rec := loc.Copy()
				rec.Provenance = m.prov(src, rs.Location.ID.String())
				out = append(out, &schema.Record{Kind: schema.KindLocation, Location: rec})
			}
		}
		if sal.LocationID == "" {
			warn("service %s: service_at_locations[%d] names no location", srcID, i)
		}
		s.ServiceAtLocations = append(s.ServiceAtLocations, sal)
	}
	return out, warns
}

// OrganizationRecords maps a served organization on its own (an
// /organizations list or a datapackage row) with its locations.
func (m *Mapper) OrganizationRecords(raw *Organization, src Source) []*schema.Record {
	if raw.ID.String() == "" {
		return nil
	}
	org := m.organization(raw)
	if m.seenOrg[org.ID] {
		return nil
	}
	m.seenOrg[org.ID] = true
	org.Provenance = m.prov(src, raw.ID.String())
	return m.orgLocations(raw, org.ID, src, []*schema.Record{{Kind: schema.KindOrganization, Organization: org}})
}

// LocationRecord maps a served location on its own.
func (m *Mapper) LocationRecord(raw *Location, src Source) *schema.Record {
	if raw.ID.String() == "" {
		return nil
	}
	loc := m.location(raw, "")
	if m.seenLoc[loc.ID] {
		return nil
	}
	m.seenLoc[loc.ID] = true
	loc.Provenance = m.prov(src, raw.ID.String())
	return &schema.Record{Kind: schema.KindLocation, Location: loc}
}

func (m *Mapper) orgLocations(raw *Organization, orgID string, src Source, out []*schema.Record) []*schema.Record {
	for i := range raw.Locations {
		rl := &raw.Locations[i]
		if rl.ID.String() == "" {
			continue
		}
		loc := m.location(rl, orgID)
		if loc.OrganizationID == "" {
			loc.OrganizationID = orgID
		}
		if m.seenLoc[loc.ID] {
			continue
		}
		m.seenLoc[loc.ID] = true
		loc.Provenance = m.prov(src, rl.ID.String())
		out = append(out, &schema.Record{Kind: schema.KindLocation, Location: loc})
	}
	return out
}

func (m *Mapper) organization(r *Organization) *schema.Organization {
	id := m.NS(r.ID.String())
	website := r.Website.String()
	if website == "" {
		website = r.URL.String()
	}
	o := &schema.Organization{
		ID:                   id,
		Name:                 r.Name.String(),
		AlternateName:        r.AlternateName.String(),
		Description:          r.Description.String(),
		Email:                email(r.Email),
		Website:              website,
		TaxStatus:            r.TaxStatus.String(),
		TaxID:                r.TaxID.String(),
		YearIncorporated:     r.YearIncorporated.Ptr(),
		LegalStatus:          r.LegalStatus.String(),
		Logo:                 r.Logo.String(),
		URI:                  r.URI.String(),
		ParentOrganizationID: m.NS(r.ParentOrganizationID.String()),
		Contacts:             m.contacts(r.Contacts, id),
		Phones:               m.phones(r.Phones, id),
		Attributes:           m.attributes(r.Attributes, id, "organization"),
	}
	for i, oi := range r.OrganizationIdentifiers {
		if oi.Identifier.String() == "" {
			continue
		}
		o.OrganizationIdentifiers = append(o.OrganizationIdentifiers, schema.OrganizationIdentifier{
			ID: m.sub(oi.ID, id, "identifier", i), OrganizationID: id,
			IdentifierScheme: oi.IdentifierScheme.String(), IdentifierType: oi.IdentifierType.String(), Identifier: oi.Identifier.String(),
		})
	}
	for i := range o.Phones {
		o.Phones[i].OrganizationID = id
	}
	return o
}

func (m *Mapper) location(r *Location, parent string) *schema.Location {
	id := m.sub(r.ID, parent, "location", 0)
	l := &schema.Location{
		ID:                     id,
		LocationType:           strings.ToLower(r.LocationType.String()),
		URL:                    r.URL.String(),
		OrganizationID:         m.NS(r.OrganizationID.String()),
		Name:                   r.Name.String(),
		AlternateName:          r.AlternateName.String(),
		Description:            r.Description.String(),
		Transportation:         r.Transportation.String(),
		Latitude:               r.Latitude.Ptr(),
		Longitude:              r.Longitude.Ptr(),
		ExternalIdentifier:     r.ExternalIdentifier.String(),
		ExternalIdentifierType: r.ExternalIdentifierType.String(),
		Languages:              m.languages(r.Languages, id),
		Contacts:               m.contacts(r.Contacts, id),
		Phones:                 m.phones(r.Phones, id),
		Schedules:              m.schedules(r.Schedules, id, "schedule"),
		Attributes:             m.attributes(r.Attributes, id, "location"),
	}
	for i, a := range r.Addresses {
		l.Addresses = appendAddress(l.Addresses, m, a, id, i, "")
	}
	for i, a := range r.PhysicalAddresses {
		// ORUK 1.0 physical_addresses are physical by name.
		l.Addresses = appendAddress(l.Addresses, m, a, id, len(r.Addresses)+i, "physical")
	}
	for i, a := range append(r.Accessibility, r.AccessibilityForDisabilities...) {
		desc := a.Description.String()
		if desc == "" {
			desc = a.Accessibility.String()
		}
		if desc == "" && a.Details.String() == "" && a.URL.String() == "" {
			continue
		}
		l.Accessibility = append(l.Accessibility, schema.Accessibility{ID: m.sub(a.ID, id, "accessibility", i), LocationID: id,
			Description: desc, Details: a.Details.String(), URL: a.URL.String()})
	}
	if l.LocationType == "" && (len(r.PhysicalAddresses) > 0 || l.Latitude != nil) {
		l.LocationType = "physical"
	}
	if m.UK {
		for i := range l.Addresses {
			if l.Addresses[i].Country == "" {
				l.Addresses[i].Country = "GB"
			}
		}
	}
	for i := range l.Phones {
		l.Phones[i].LocationID = id
	}
	return l
}

func appendAddress(out []schema.Address, m *Mapper, a Address, locID string, i int, defType string) []schema.Address {
	if a.Address1.String() == "" && a.PostalCode.String() == "" && a.City.String() == "" {
		return out
	}
	typ := strings.ToLower(a.AddressType.String())
	if typ == "" {
		typ = defType
	}
	return append(out, schema.Address{
		ID: m.sub(a.ID, locID, "address", i), LocationID: locID, Attention: a.Attention.String(),
		Address1: a.Address1.String(), Address2: a.Address2.String(), City: a.City.String(), Region: a.Region.String(),
		StateProvince: a.StateProvince.String(), PostalCode: strings.ToUpper(a.PostalCode.String()),
		Country: strings.ToUpper(a.Country.String()), AddressType: typ,
	})
}

func (m *Mapper) phones(in []Phone, parent string) []schema.Phone {
	var out []schema.Phone
	for i, p := range in {
		if p.Number.String() == "" {
			continue
		}
		id := m.sub(p.ID, parent, "phone", i)
		out = append(out, schema.Phone{ID: id, Number: p.Number.String(), Extension: p.Extension.Ptr(), Type: p.Type.String(),
			Description: p.Description.String(), Languages: m.languages(p.Languages, id)})
	}
	return out
}

func (m *Mapper) contacts(in []Contact, parent string) []schema.Contact {
	var out []schema.Contact
	for i, c := range in {
		id := m.sub(c.ID, parent, "contact", i)
		sc := schema.Contact{ID: id, Name: c.Name.String(), Title: c.Title.String(), Department: c.Department.String(),
			Email: email(c.Email), Phones: m.phones(c.Phones, id)}
		if sc.Name == "" && sc.Title == "" && sc.Department == "" && sc.Email == "" && len(sc.Phones) == 0 {
			continue
		}
		for j := range sc.Phones {
			sc.Phones[j].ContactID = id
		}
		out = append(out, sc)
	}
	return out
}

var weekdays = map[string]string{"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA", "sunday": "SU"}

func (m *Mapper) schedules(in []Schedule, parent, kind string) []schema.Schedule {
	var out []schema.Schedule
	for i, r := range in {
		s := schema.Schedule{
			ID: m.sub(r.ID, parent, kind, i), ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(), DTStart: r.DTStart.String(),
			Timezone: r.Timezone.Ptr(), Until: r.Until.String(), Count: r.Count.IntPtr(), Wkst: r.Wkst.String(),
			Freq: strings.ToUpper(r.Freq.String()), Interval: r.Interval.IntPtr(), Byday: r.Byday.String(), Byweekno: r.Byweekno.String(),
			Bymonthday: r.Bymonthday.String(), Byyearday: r.Byyearday.String(), Description: r.Description.String(),
			OpensAt: r.OpensAt.String(), ClosesAt: r.ClosesAt.String(), ScheduleLink: r.ScheduleLink.String(),
			AttendingType: r.AttendingType.String(), Notes: r.Notes.String(),
		}
		if s.Byday == "" {
			if d, ok := weekdays[strings.ToLower(r.Weekday.String())]; ok {
				s.Byday = d
				if s.Freq == "" {
					s.Freq = "WEEKLY"
				}
			}
		}
		out = append(out, s)
	}
	return out
}

func (m *Mapper) serviceAreas(in []ServiceArea, parent string) []schema.ServiceArea {
	var out []schema.ServiceArea
	for i, a := range in {
		name := a.Name.String()
		if name == "" {
			name = a.ServiceArea.String()
		}
		sa := schema.ServiceArea{ID: m.sub(a.ID, parent, "service-area", i), ServiceID: parent, Name: name, Description: a.Description.String(),
			Extent: a.Extent.String(), ExtentType: a.ExtentType.String(), URI: a.URI.String()}
		if sa.Name == "" && sa.Description == "" && sa.Extent == "" && sa.URI == "" {
			continue
		}
		out = append(out, sa)
	}
	return out
}

func (m *Mapper) languages(in []Language, parent string) []schema.Language {
	var out []schema.Language
	for i, l := range in {
		name := l.Name.String()
		if name == "" {
			name = l.Language.String()
		}
		if name == "" && l.Code.String() == "" {
			continue
		}
		out = append(out, schema.Language{ID: m.sub(l.ID, parent, "language", i), Name: name, Code: l.Code.String(), Note: l.Note.String()})
	}
	return out
}

func (m *Mapper) costOptions(in []CostOption, parent string) []schema.CostOption {
	var out []schema.CostOption
	for i, c := range in {
		out = append(out, schema.CostOption{ID: m.sub(c.ID, parent, "cost-option", i), ServiceID: parent, ValidFrom: c.ValidFrom.String(),
			ValidTo: c.ValidTo.String(), Option: c.Option.String(), Currency: c.Currency.String(), Amount: c.Amount.Ptr(),
			AmountDescription: c.AmountDescription.String()})
	}
	return out
}

func (m *Mapper) attributes(in []Attribute, parent, entity string) []schema.Attribute {
	var out []schema.Attribute
	for i, a := range in {
		at := schema.Attribute{ID: m.sub(a.ID, parent, "attribute", i), LinkID: parent, LinkType: a.LinkType.String(),
			LinkEntity: entity, Value: a.Value.String(), TaxonomyTermID: m.NS(a.TaxonomyTermID.String())}
		if a.TaxonomyTerm != nil {
			at.TaxonomyTerm = m.Term(a.TaxonomyTerm)
		} else if t := m.Terms[a.TaxonomyTermID.String()]; t != nil {
			cp := *t
			at.TaxonomyTerm = &cp
		}
		if at.TaxonomyTermID == "" && at.TaxonomyTerm != nil {
			at.TaxonomyTermID = at.TaxonomyTerm.ID
		}
		out = append(out, at)
	}
	return out
}

func (m *Mapper) serviceTaxonomies(in []ServiceTaxonomy, serviceID string) []schema.Attribute {
	var out []schema.Attribute
	for i, st := range in {
		if st.Taxonomy == nil {
			continue
		}
		t := m.Term(st.Taxonomy)
		out = append(out, schema.Attribute{ID: m.sub(st.ID, serviceID, "service-taxonomy", i), LinkID: serviceID,
			LinkEntity: "service", TaxonomyTermID: t.ID, TaxonomyTerm: t})
	}
	return out
}

// Term maps a served taxonomy term (HSDS 3.0 taxonomy_term or ORUK 1.0 taxonomy).
func (m *Mapper) Term(r *TaxonomyTerm) *schema.TaxonomyTerm {
	parent := r.ParentID.String()
	if parent == "" {
		parent = r.Parent.String()
	}
	tax := r.Taxonomy.String()
	if tax == "" {
		tax = r.Vocabulary.String()
	}
	return &schema.TaxonomyTerm{ID: m.NS(r.ID.String()), Code: r.Code.String(), Name: r.Name.String(), Description: r.Description.String(),
		ParentID: m.NS(parent), Taxonomy: tax, Language: r.Language.String(), TaxonomyID: m.NS(r.TaxonomyID.String()), TermURI: r.TermURI.String()}
}

// eligibility folds ORUK 1.0 eligibilitys into ages and text: the widest range
// any of them states, and their wording.
func (m *Mapper) eligibility(raw *Service, s *schema.Service) {
	var texts []string
	for _, e := range raw.Eligibilitys {
		if t := e.Eligibility.String(); t != "" {
			texts = append(texts, t)
		}
		if raw.MinimumAge.OK || raw.MaximumAge.OK {
			continue
		}
		if e.MinimumAge.OK && (s.MinimumAge == nil || e.MinimumAge.V < *s.MinimumAge) {
			s.MinimumAge = e.MinimumAge.Ptr()
		}
		if e.MaximumAge.OK && (s.MaximumAge == nil || e.MaximumAge.V > *s.MaximumAge) {
			s.MaximumAge = e.MaximumAge.Ptr()
		}
	}
	if len(texts) > 0 {
		s.EligibilityDescription = joinText(s.EligibilityDescription, strings.Join(texts, "; "))
	}
}

// targetAudience reads pc_targetAudience: a string, a list of strings, or a
// list of objects with a name/label/value.
func targetAudience(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return strings.TrimSpace(one)
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		var obj map[string]Str
		if json.Unmarshal(raw, &obj) == nil {
			return labelOf(obj)
		}
		return ""
	}
	var parts []string
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
			continue
		}
		var obj map[string]Str
		if json.Unmarshal(it, &obj) == nil {
			if l := labelOf(obj); l != "" {
				parts = append(parts, l)
			}
		}
	}
	return strings.Join(parts, ", ")
}

func labelOf(obj map[string]Str) string {
	for _, k := range []string{"name", "label", "value", "title", "targetAudience"} {
		if v := obj[k].String(); v != "" {
			return v
		}
	}
	return ""
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || strings.Contains(a, b):
		return a
	}
	return a + "\n" + b
}

func email(s Str) string {
	e := s.String()
	if len(e) > 7 && strings.EqualFold(e[:7], "mailto:") {
		e = strings.TrimSpace(e[7:])
	}
	return e
}

var dateLayouts = []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "02/01/2006", "2/1/2006", "02-01-2006", "2 January 2006", "2 Jan 2006"}

// Date normalises a served date to YYYY-MM-DD.
func Date(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02", "02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006"}

// Timestamp parses a served date-time (UTC when no zone is given).
func Timestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		// A bare date, as most feeds give it: no layout before
		// "2006-01-02" in timeLayouts can read ten characters, so try it
		// first and skip their failed attempts (each allocates an error).
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t.UTC(), true
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil && secs > 1e8 && secs < 1e11 {
		return time.Unix(secs, 0).UTC(), true
	}
	return time.Time{}, false
}
