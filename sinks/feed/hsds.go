// Package feed writes the warehouse's current, valid records as an Open
// Referral HSDS 3.0 feed: one JSON file per service, NDJSON, or a tabular data
// package. SEND profile fields travel as HSDS attributes linked to taxonomy
// terms, and fields HSDS does not have are left out, so the feed validates
// against the official HSDS 3.0 schema.
package feed

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
)

// ProfileURL names the SEND profile an exported feed follows (index.json "profile").
const ProfileURL = "https://github.com/localoffer/localoffer#send-profile"

// idNamespace is the UUIDv5 namespace of localoffer ids: UUIDv5(URL, this repository).
var idNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/localoffer/localoffer"))

// UUID returns the HSDS id for one of our ids: the id itself when it is
// already a UUID (lower-cased), otherwise a UUIDv5 of it in idNamespace, so
// the same record gets the same id in every export.
func UUID(id string) string {
	if len(id) == 36 {
		if u, err := uuid.Parse(id); err == nil {
			return u.String()
		}
	}
	return uuid.NewSHA1(idNamespace, []byte(id)).String()
}

// refUUID maps an optional reference; empty stays empty.
func refUUID(id string) string {
	if id == "" {
		return ""
	}
	return UUID(id)
}

// childID gives a nested entity its HSDS id; one without an id of its own is
// named by its parent, kind and position.
func childID(id, parent, kind string, i int) string {
	if id != "" {
		return UUID(parent + "#" + kind + "/" + id)
	}
	return UUID(parent + "#" + kind + "/#" + strconv.Itoa(i))
}

// The SEND taxonomies our attributes use.
var (
	taxNeed = schema.Taxonomy{ID: UUID("taxonomy:send-need"), Name: "localoffer SEND need types",
		Description: "DfE SEN2 / school census primary need codes, with NSA (SEN support, no specialist assessment of type of need)",
		URI:         ProfileURL + "-need-codes", Version: "1"}
	taxArea = schema.Taxonomy{ID: UUID("taxonomy:send-broad-area"), Name: "localoffer SEND broad areas of need",
		Description: "The four broad areas of need in the SEND Code of Practice (2015)", URI: ProfileURL + "-broad-areas", Version: "1"}
	taxCategory = schema.Taxonomy{ID: UUID("taxonomy:local-offer-category"), Name: "localoffer Local Offer categories",
		Description: "Categories councils group their SEND Local Offer by", URI: ProfileURL + "-categories", Version: "1"}
	taxFacts = schema.Taxonomy{ID: UUID("taxonomy:send-facts"), Name: "localoffer SEND service facts",
		Description: "Facts about a service that HSDS 3.0 has no field for; the attribute value holds the fact",
		URI:         ProfileURL + "-facts", Version: "1"}
)

// Taxonomies lists the SEND taxonomies (for the datapackage and index.json).
func Taxonomies() []schema.Taxonomy {
	return []schema.Taxonomy{taxNeed, taxArea, taxCategory, taxFacts}
}

func term(tax schema.Taxonomy, code, name, desc string) *schema.TaxonomyTerm {
	t := tax
	return &schema.TaxonomyTerm{
		ID: UUID("term:" + tax.ID + ":" + code), Code: code, Name: name, Description: desc,
		Taxonomy: tax.Name, TaxonomyID: tax.ID, TaxonomyDetail: &t,
	}
}

func attribute(ownerID, linkType string, t *schema.TaxonomyTerm, value string) schema.Attribute {
	return schema.Attribute{
		ID:     UUID(ownerID + "#attribute/" + t.ID + "/" + value),
		LinkID: ownerID, LinkType: linkType, LinkEntity: "service",
		TaxonomyTermID: t.ID, TaxonomyTerm: t, Value: value,
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// sendAttributes turns the SEND profile fields into HSDS attributes.
func sendAttributes(s *schema.Service, sid string) []schema.Attribute {
	var out []schema.Attribute
	for _, c := range s.NeedCodes {
		out = append(out, attribute(sid, "need", term(taxNeed, c, c+": "+schema.NeedNames[c], schema.NeedNames[c]+" (DfE code "+c+")"), c))
	}
	for _, a := range s.BroadAreas {
		out = append(out, attribute(sid, "need_area", term(taxArea, a, schema.BroadAreaNames[a], "SEND Code of Practice broad area: "+schema.BroadAreaNames[a]), a))
	}
	for _, c := range s.Categories {
		out = append(out, attribute(sid, "category", term(taxCategory, c, schema.CategoryNames[c], "Local Offer category: "+schema.CategoryNames[c]), c))
	}
	if c := s.Capacity; c != nil {
		if c.Available != nil {
			out = append(out, attribute(sid, "capacity", term(taxFacts, "places_available", "Places available", "Places available now (after HSDS 3.1 service_capacity)"), fmtNum(*c.Available)))
		}
		if c.Maximum != nil {
			out = append(out, attribute(sid, "capacity", term(taxFacts, "places_maximum", "Maximum places", "Maximum places (after HSDS 3.1 service_capacity)"), fmtNum(*c.Maximum)))
		}
	}
	if s.LACode != "" {
		out = append(out, attribute(sid, "area", term(taxFacts, "local_authority_gss", "Local authority (GSS code)", "ONS GSS code of the local authority the service is for"), s.LACode))
	}
	if s.AgeText != "" && !agesFromText(s) {
		out = append(out, attribute(sid, "eligibility", term(taxFacts, "age_wording", "Age range as published", "The provider's own wording of the ages served"), s.AgeText))
	}
	return out
}

// Service returns the HSDS 3.0 form of one of our services: ids as UUIDs,
// organization and locations nested (from orgs and locs when the service only
// refers to them), SEND fields as attributes, our own keys removed.
func Service(s *schema.Service, orgs map[string]*schema.Organization, locs map[string]*schema.Location) *schema.Service {
	sid := UUID(s.ID)
	out := &schema.Service{
		ID: sid, OrganizationID: refUUID(s.OrganizationID), ProgramID: refUUID(s.ProgramID),
		Name: s.Name, AlternateName: s.AlternateName, Description: s.Description, URL: schema.WebURL(s.URL), Email: s.Email,
		Status: s.Status, InterpretationServices: s.InterpretationServices, ApplicationProcess: s.ApplicationProcess,
		FeesDescription: s.FeesDescription, WaitTime: s.WaitTime, Fees: s.Fees, Accreditations: s.Accreditations,
		EligibilityDescription: s.EligibilityDescription, AssuredDate: s.AssuredDate, AssurerEmail: s.AssurerEmail,
		Licenses: s.Licenses, Alert: s.Alert,
		LastModified: s.LastModified,
	}
	if out.ProgramID != "" {
		out.ProgramID = "" // we carry no program entity for it to point at
	}
	if !agesFromText(s) {
		out.MinimumAge, out.MaximumAge = s.MinimumAge, s.MaximumAge
	}
	out.Phones = phones(s.Phones, s.ID, func(p *schema.Phone) { p.ServiceID = sid })
	out.Schedules = schedules(s.Schedules, s.ID, func(x *schema.Schedule) { x.ServiceID = sid })
	for i, a := range s.ServiceAreas {
		a.ID = childID(a.ID, s.ID, "service_area", i)
		a.ServiceID = sid
		out.ServiceAreas = append(out.ServiceAreas, a)
	}
	out.Languages = languages(s.Languages, s.ID, func(l *schema.Language) { l.ServiceID = sid })
	for i, c := range s.CostOptions {
		c.ID = childID(c.ID, s.ID, "cost_option", i)
		c.ServiceID = sid
		out.CostOptions = append(out.CostOptions, c)
	}
	out.Contacts = contacts(s.Contacts, s.ID, func(c *schema.Contact) { c.ServiceID = sid })
	org := s.Organization
	if org == nil && s.OrganizationID != "" {
		org = orgs[s.OrganizationID]
	}
	if org != nil {
		out.Organization = Organization(org, locs)
		out.OrganizationID = out.Organization.ID
	}
	for i, sal := range s.ServiceAtLocations {
		salID := childID(sal.ID, s.ID, "service_at_location", i)
		x := schema.ServiceAtLocation{ID: salID, ServiceID: sid, Description: sal.Description}
		loc := sal.Location
		if loc == nil && sal.LocationID != "" {
			loc = locs[sal.LocationID]
		}
		if loc != nil {
			x.Location = Location(loc)
			x.LocationID = x.Location.ID
		} else {
			x.LocationID = refUUID(sal.LocationID)
		}
		x.Contacts = contacts(sal.Contacts, s.ID+"#"+salID, func(c *schema.Contact) { c.ServiceAtLocationID = salID })
		x.Phones = phones(sal.Phones, s.ID+"#"+salID, func(p *schema.Phone) { p.ServiceAtLocationID = salID })
		x.Schedules = schedules(sal.Schedules, s.ID+"#"+salID, func(sc *schema.Schedule) { sc.ServiceAtLocationID = salID })
		x.Attributes = attributes(sal.Attributes, s.ID+"#"+salID, salID, "service_at_location")
		out.ServiceAtLocations = append(out.ServiceAtLocations, x)
	}
	out.Attributes = append(attributes(s.Attributes, s.ID, sid, "service"), sendAttributes(s, sid)...)
	return out
}

// Organization returns the HSDS form of an organisation. HSDS requires a
// description; an organisation without one is described by its name.
func Organization(o *schema.Organization, locs map[string]*schema.Location) *schema.Organization {
	oid := UUID(o.ID)
	out := &schema.Organization{
		ID: oid, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description, Email: o.Email,
		Website: schema.WebURL(o.Website), TaxStatus: o.TaxStatus, TaxID: o.TaxID, YearIncorporated: o.YearIncorporated,
		LegalStatus: o.LegalStatus, Logo: o.Logo, URI: schema.WebURL(o.URI), ParentOrganizationID: refUUID(o.ParentOrganizationID),
	}
	if strings.TrimSpace(out.Description) == "" {
		out.Description = o.Name
	}
	out.Contacts = contacts(o.Contacts, o.ID, func(c *schema.Contact) { c.OrganizationID = oid })
	out.Phones = phones(o.Phones, o.ID, func(p *schema.Phone) { p.OrganizationID = oid })
	for _, l := range o.Locations {
		x := Location(&l)
		x.OrganizationID = oid
		out.Locations = append(out.Locations, *x)
	}
	for i, id := range o.OrganizationIdentifiers {
		id.ID = childID(id.ID, o.ID, "organization_identifier", i)
		id.OrganizationID = oid
		if id.IdentifierType == "" {
			id.IdentifierType = id.IdentifierScheme
		}
		out.OrganizationIdentifiers = append(out.OrganizationIdentifiers, id)
	}
	out.Attributes = attributes(o.Attributes, o.ID, oid, "organization")
	return out
}

// Location returns the HSDS form of a location (area codes left out).
func Location(l *schema.Location) *schema.Location {
	lid := UUID(l.ID)
	out := &schema.Location{
		ID: lid, LocationType: l.LocationType, URL: schema.WebURL(l.URL), OrganizationID: refUUID(l.OrganizationID),
		Name: l.Name, AlternateName: l.AlternateName, Description: l.Description, Transportation: l.Transportation,
		Latitude: l.Latitude, Longitude: l.Longitude, ExternalIdentifier: l.ExternalIdentifier,
		ExternalIdentifierType: l.ExternalIdentifierType,
	}
	out.Languages = languages(l.Languages, l.ID, func(x *schema.Language) { x.LocationID = lid })
	for i, a := range l.Addresses {
		// HSDS requires address_1, city and state_province. A source that gave
		// only a postcode cannot make a valid HSDS address, so it is left out of
		// the feed (the warehouse keeps it); a missing state_province is the
		// local authority's name, which we know from the area codes, or where
		// the area is unknown the town, as UK directories commonly write it.
		// A country the source did not give is not invented: such an address
		// is left out of the feed too.
		if a.Address1 == "" || a.City == "" || a.Country == "" {
			continue
		}
		if a.StateProvince == "" {
			if la, ok := lacodes.ByGSS(l.LACode); ok {
				a.StateProvince = la.Name
			} else {
				a.StateProvince = a.City
			}
		}
		a.ID = childID(a.ID, l.ID, "address", i)
		a.LocationID = lid
		out.Addresses = append(out.Addresses, a)
	}
	out.Contacts = contacts(l.Contacts, l.ID, func(c *schema.Contact) { c.LocationID = lid })
	for i, a := range l.Accessibility {
		a.ID = childID(a.ID, l.ID, "accessibility", i)
		a.LocationID = lid
		a.URL = schema.WebURL(a.URL)
		out.Accessibility = append(out.Accessibility, a)
	}
	out.Phones = phones(l.Phones, l.ID, func(p *schema.Phone) { p.LocationID = lid })
	out.Schedules = schedules(l.Schedules, l.ID, func(x *schema.Schedule) { x.LocationID = lid })
	out.Attributes = attributes(l.Attributes, l.ID, lid, "location")
	return out
}

func phones(in []schema.Phone, parent string, link func(*schema.Phone)) []schema.Phone {
	var out []schema.Phone
	for i, p := range in {
		pid := childID(p.ID, parent, "phone", i)
		x := schema.Phone{ID: pid, Number: p.Number, Extension: p.Extension, Type: p.Type, Description: p.Description}
		link(&x)
		x.Languages = languages(p.Languages, parent+"#"+pid, func(l *schema.Language) { l.PhoneID = pid })
		out = append(out, x)
	}
	return out
}

func contacts(in []schema.Contact, parent string, link func(*schema.Contact)) []schema.Contact {
	var out []schema.Contact
	for i, c := range in {
		cid := childID(c.ID, parent, "contact", i)
		x := schema.Contact{ID: cid, Name: c.Name, Title: c.Title, Department: c.Department, Email: c.Email}
		link(&x)
		x.Phones = phones(c.Phones, parent+"#"+cid, func(p *schema.Phone) { p.ContactID = cid })
		out = append(out, x)
	}
	return out
}

func schedules(in []schema.Schedule, parent string, link func(*schema.Schedule)) []schema.Schedule {
	var out []schema.Schedule
	for i, s := range in {
		s.ID = childID(s.ID, parent, "schedule", i)
		s.ScheduleLink = schema.WebURL(s.ScheduleLink)
		s.ServiceID, s.LocationID, s.ServiceAtLocationID = "", "", ""
		link(&s)
		out = append(out, s)
	}
	return out
}

func languages(in []schema.Language, parent string, link func(*schema.Language)) []schema.Language {
	var out []schema.Language
	for i, l := range in {
		l.ID = childID(l.ID, parent, "language", i)
		l.ServiceID, l.LocationID, l.PhoneID = "", "", ""
		link(&l)
		out = append(out, l)
	}
	return out
}

func attributes(in []schema.Attribute, parent, linkID, entity string) []schema.Attribute {
	var out []schema.Attribute
	for i, a := range in {
		a.ID = childID(a.ID, parent, "attribute", i)
		a.LinkID = linkID
		if a.LinkEntity == "" {
			a.LinkEntity = entity
		}
		if a.TaxonomyTerm != nil {
			t := *a.TaxonomyTerm
			t.ID = UUID(t.ID)
			t.ParentID = refUUID(t.ParentID)
			t.TaxonomyID = refUUID(t.TaxonomyID)
			t.TermURI = schema.WebURL(t.TermURI)
			if t.TaxonomyDetail != nil {
				d := *t.TaxonomyDetail
				d.ID = UUID(d.ID)
				d.URI = schema.WebURL(d.URI)
				t.TaxonomyDetail = &d
			}
			a.TaxonomyTerm = &t
			a.TaxonomyTermID = t.ID
		} else {
			a.TaxonomyTermID = refUUID(a.TaxonomyTermID)
		}
		out = append(out, a)
	}
	return out
}

// describe is for error messages.
// agesFromText: the service's ages were read from free text (its
// description or eligibility), not stated by the source, so they are not
// published as its own minimum_age/maximum_age. Records loaded before
// age_source existed carry an "age" annotation when the ages were derived.
func agesFromText(s *schema.Service) bool {
	if s.AgeSource != "" {
		return !schema.AgeStated(s.AgeSource)
	}
	for _, a := range s.Annotations {
		if a.Field == "age" && a.Value != "unknown" {
			return true
		}
	}
	return false
}

func describe(s *schema.Service) string { return fmt.Sprintf("service %s (%s)", s.ID, s.Name) }
