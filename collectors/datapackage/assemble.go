package datapackage

import (
	"fmt"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/schema"
)

type entity struct {
	obj map[string]any
	src hsdsmap.Source
}

// pkg is a data package joined into nested objects.
type pkg struct {
	services  []*entity
	orgs      []*entity // organizations no service refers to
	locs      []*entity // locations no service refers to
	termsByID map[string]map[string]string
}

// owners lists, per child table, the foreign keys that may own a row, most
// specific first: a phone with both contact_id and service_id belongs to the contact.
var owners = map[string][]string{
	"phone":                   {"contact_id", "service_at_location_id", "service_id", "location_id", "organization_id"},
	"contact":                 {"service_at_location_id", "service_id", "location_id", "organization_id"},
	"schedule":                {"service_at_location_id", "service_id", "location_id"},
	"regular_schedule":        {"service_at_location_id", "service_id", "location_id"},
	"language":                {"phone_id", "service_id", "location_id"},
	"address":                 {"location_id"},
	"physical_address":        {"location_id"},
	"accessibility":           {"location_id"},
	"service_area":            {"service_id"},
	"cost_option":             {"service_id"},
	"eligibility":             {"service_id"},
	"service_taxonomy":        {"service_id"},
	"organization_identifier": {"organization_id"},
	"attribute":               {"link_id"},
	"service_at_location":     {"service_id"},
}

type joiner struct {
	byTable  map[string][]*table
	children map[string]map[string]map[string][]map[string]string // table → fk → id → rows
	orgRows  map[string]map[string]string
	locRows  map[string]map[string]string
	terms    map[string]map[string]string
	usedOrg  map[string]bool
	usedLoc  map[string]bool
}

func assemble(tables []*table, warn func(src, id, msg string)) *pkg {
	j := &joiner{byTable: map[string][]*table{}, children: map[string]map[string]map[string][]map[string]string{},
		orgRows: map[string]map[string]string{}, locRows: map[string]map[string]string{}, terms: map[string]map[string]string{},
		usedOrg: map[string]bool{}, usedLoc: map[string]bool{}}
	for _, t := range tables {
		j.byTable[t.name] = append(j.byTable[t.name], t)
	}
	for name, fks := range owners {
		idx := map[string]map[string][]map[string]string{}
		for _, t := range j.byTable[name] {
			for _, row := range t.rows {
				for _, fk := range fks {
					if v := row[fk]; v != "" {
						if idx[fk] == nil {
							idx[fk] = map[string][]map[string]string{}
						}
						idx[fk][v] = append(idx[fk][v], row)
						break
					}
				}
			}
		}
		j.children[name] = idx
	}
	for _, t := range j.byTable["organization"] {
		for _, row := range t.rows {
			j.orgRows[row["id"]] = row
		}
	}
	for _, t := range j.byTable["location"] {
		for _, row := range t.rows {
			j.locRows[row["id"]] = row
		}
	}
	for _, t := range j.byTable["taxonomy_term"] {
		for _, row := range t.rows {
			j.terms[row["id"]] = row
		}
	}
	p := &pkg{termsByID: j.terms}
	for _, t := range j.byTable["service"] {
		for _, row := range t.rows {
			id := row["id"]
			s := j.service(row)
			if oid := row["organization_id"]; oid != "" && j.orgRows[oid] == nil {
				warn(t.src.URL, id, fmt.Sprintf("service %s: organization_id %s is not in organizations", id, oid))
			}
			for _, sal := range j.rows("service_at_location", "service_id", id) {
				if lid := sal["location_id"]; lid != "" && j.locRows[lid] == nil {
					warn(t.src.URL, id, fmt.Sprintf("service %s: service_at_location %s names location %s, which is not in locations", id, sal["id"], lid))
				}
			}
			p.services = append(p.services, &entity{obj: s, src: t.src})
		}
	}
	for _, t := range j.byTable["organization"] {
		for _, row := range t.rows {
			if !j.usedOrg[row["id"]] {
				p.orgs = append(p.orgs, &entity{obj: j.organization(row), src: t.src})
			}
		}
	}
	for _, t := range j.byTable["location"] {
		for _, row := range t.rows {
			if !j.usedLoc[row["id"]] {
				p.locs = append(p.locs, &entity{obj: j.location(row), src: t.src})
			}
		}
	}
	return p
}

func (p *pkg) terms(m *hsdsmap.Mapper) map[string]*schema.TaxonomyTerm {
	out := make(map[string]*schema.TaxonomyTerm, len(p.termsByID))
	for id, row := range p.termsByID {
		var raw hsdsmap.TaxonomyTerm
		if remarshal(obj(row), &raw) == nil {
			out[id] = m.Term(&raw)
		}
	}
	return out
}

func (j *joiner) rows(table, fk, id string) []map[string]string {
	if id == "" {
		return nil
	}
	return j.children[table][fk][id]
}

func obj(row map[string]string) map[string]any {
	o := make(map[string]any, len(row)+4)
	for k, v := range row {
		o[k] = v
	}
	return o
}

func (j *joiner) list(table, fk, id string, build func(map[string]string) map[string]any) []any {
	var out []any
	for _, r := range j.rows(table, fk, id) {
		out = append(out, build(r))
	}
	return out
}

func setIf(o map[string]any, k string, v []any) {
	if len(v) > 0 {
		o[k] = v
	}
}

func (j *joiner) phone(r map[string]string) map[string]any {
	o := obj(r)
	setIf(o, "languages", j.list("language", "phone_id", r["id"], obj))
	return o
}

func (j *joiner) contact(r map[string]string) map[string]any {
	o := obj(r)
	setIf(o, "phones", j.list("phone", "contact_id", r["id"], j.phone))
	return o
}

func (j *joiner) attribute(r map[string]string) map[string]any {
	o := obj(r)
	if t := j.terms[r["taxonomy_term_id"]]; t != nil {
		o["taxonomy_term"] = obj(t)
	}
	return o
}

func (j *joiner) serviceTaxonomy(r map[string]string) map[string]any {
	o := obj(r)
	if t := j.terms[r["taxonomy_id"]]; t != nil {
		o["taxonomy"] = obj(t)
	}
	return o
}

func (j *joiner) location(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	setIf(o, "addresses", j.list("address", "location_id", id, obj))
	setIf(o, "physical_addresses", j.list("physical_address", "location_id", id, obj))
	setIf(o, "accessibility", j.list("accessibility", "location_id", id, obj))
	setIf(o, "phones", j.list("phone", "location_id", id, j.phone))
	setIf(o, "contacts", j.list("contact", "location_id", id, j.contact))
	setIf(o, "schedules", j.list("schedule", "location_id", id, obj))
	setIf(o, "languages", j.list("language", "location_id", id, obj))
	setIf(o, "attributes", j.list("attribute", "link_id", id, j.attribute))
	return o
}

func (j *joiner) organization(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	setIf(o, "organization_identifiers", j.list("organization_identifier", "organization_id", id, obj))
	setIf(o, "phones", j.list("phone", "organization_id", id, j.phone))
	setIf(o, "contacts", j.list("contact", "organization_id", id, j.contact))
	setIf(o, "attributes", j.list("attribute", "link_id", id, j.attribute))
	return o
}

func (j *joiner) serviceAtLocation(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	if lr := j.locRows[r["location_id"]]; lr != nil {
		j.usedLoc[r["location_id"]] = true
		o["location"] = j.location(lr)
	}
	setIf(o, "contacts", j.list("contact", "service_at_location_id", id, j.contact))
	setIf(o, "phones", j.list("phone", "service_at_location_id", id, j.phone))
	setIf(o, "schedules", j.list("schedule", "service_at_location_id", id, obj))
	setIf(o, "regular_schedules", j.list("regular_schedule", "service_at_location_id", id, obj))
	return o
}

func (j *joiner) service(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	if or := j.orgRows[r["organization_id"]]; or != nil {
		j.usedOrg[r["organization_id"]] = true
		o["organization"] = j.organization(or)
	}
	setIf(o, "phones", j.list("phone", "service_id", id, j.phone))
	setIf(o, "contacts", j.list("contact", "service_id", id, j.contact))
	setIf(o, "schedules", j.list("schedule", "service_id", id, obj))
	setIf(o, "regular_schedules", j.list("regular_schedule", "service_id", id, obj))
	setIf(o, "service_areas", j.list("service_area", "service_id", id, obj))
	setIf(o, "languages", j.list("language", "service_id", id, obj))
	setIf(o, "cost_options", j.list("cost_option", "service_id", id, obj))
	setIf(o, "attributes", j.list("attribute", "link_id", id, j.attribute))
	setIf(o, "eligibilitys", j.list("eligibility", "service_id", id, obj))
	setIf(o, "service_taxonomys", j.list("service_taxonomy", "service_id", id, j.serviceTaxonomy))
	setIf(o, "service_at_locations", j.list("service_at_location", "service_id", id, j.serviceAtLocation))
	return o
}
