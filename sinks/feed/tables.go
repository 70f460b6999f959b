package feed

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/localoffer/localoffer/schema"
)

// table is one CSV of HSDS 3.0's tabular form.
type table struct {
	name, file string
	columns    []string
}

// The HSDS 3.0 tables we write, with their columns in HSDS order.
var tables = []table{
	{"organization", "organizations.csv", []string{"id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"}},
	{"service", "services.csv", []string{"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"}},
	{"location", "locations.csv", []string{"id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"}},
	{"service_at_location", "service_at_location.csv", []string{"id", "service_id", "location_id", "description"}},
	{"address", "addresses.csv", []string{"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"}},
	{"phone", "phones.csv", []string{"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"}},
	{"contact", "contacts.csv", []string{"id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"}},
	{"schedule", "schedules.csv", []string{"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"}},
	{"service_area", "service_areas.csv", []string{"id", "service_id", "name", "description", "extent", "extent_type", "uri"}},
	{"language", "languages.csv", []string{"id", "service_id", "location_id", "phone_id", "name", "code", "note"}},
	{"cost_option", "cost_options.csv", []string{"id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"}},
	{"accessibility", "accessibility.csv", []string{"id", "location_id", "description", "details", "url"}},
	{"organization_identifier", "organization_identifiers.csv", []string{"id", "organization_id", "identifier_scheme", "identifier_type", "identifier"}},
	{"attribute", "attributes.csv", []string{"id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"}},
	{"taxonomy_term", "taxonomy_terms.csv", []string{"id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"}},
	{"taxonomy", "taxonomies.csv", []string{"id", "name", "description", "uri", "version"}},
}

// Column types other than string in the data package descriptor.
var columnTypes = map[string]string{
	"year_incorporated": "number", "minimum_age": "number", "maximum_age": "number", "latitude": "number",
	"longitude": "number", "extension": "number", "timezone": "number", "count": "number", "interval": "number",
	"amount": "number", "assured_date": "date", "valid_from": "date", "valid_to": "date", "dtstart": "date",
	"until": "date", "last_modified": "datetime",
}

// tableWriter flattens nested HSDS services into one CSV per table, writing
// each shared entity (organisation, location, taxonomy term) once.
type tableWriter struct {
	dir   string
	files map[string]*os.File
	csv   map[string]*csv.Writer
	seen  map[string]bool // table/id written
}

func newTableWriter(dir string) (*tableWriter, error) {
	w := &tableWriter{dir: dir, files: map[string]*os.File{}, csv: map[string]*csv.Writer{}, seen: map[string]bool{}}
	for _, t := range tables {
		f, err := os.Create(filepath.Join(dir, t.file))
		if err != nil {
			w.close()
			return nil, err
		}
		w.files[t.name] = f
		cw := csv.NewWriter(f)
		if err := cw.Write(t.columns); err != nil {
			w.close()
			return nil, err
		}
		w.csv[t.name] = cw
	}
	return w, nil
}

func tableNamed(name string) (table, bool) {
	for _, t := range tables {
		if t.name == name {
			return t, true
		}
	}
	return table{}, false
}

// row writes v (an HSDS entity) to its table, once per id. Scalar fields
// become cells; nested arrays and objects are written to their own tables.
func (w *tableWriter) row(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	id, _ := m["id"].(string)
	key := name + "/" + id
	if w.seen[key] {
		return nil
	}
	w.seen[key] = true
	t, ok := tableNamed(name)
	if !ok {
		return fmt.Errorf("no HSDS table %q", name)
	}
	rec := make([]string, len(t.columns))
	for i, c := range t.columns {
		switch x := m[c].(type) {
		case string:
			rec[i] = x
		case float64:
			rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			rec[i] = strconv.FormatBool(x)
		}
	}
	return w.csv[name].Write(rec)
}

func (w *tableWriter) service(s *schema.Service) error {
	if s.Organization != nil {
		if err := w.organization(s.Organization); err != nil {
			return err
		}
	}
	if err := w.row("service", s); err != nil {
		return err
	}
	if err := w.phones(s.Phones); err != nil {
		return err
	}
	if err := w.schedules(s.Schedules); err != nil {
		return err
	}
	for _, a := range s.ServiceAreas {
		if err := w.row("service_area", a); err != nil {
			return err
		}
	}
	if err := w.languages(s.Languages); err != nil {
		return err
	}
	for _, c := range s.CostOptions {
		if err := w.row("cost_option", c); err != nil {
			return err
		}
	}
	if err := w.contacts(s.Contacts); err != nil {
		return err
	}
	for _, sal := range s.ServiceAtLocations {
		if sal.Location != nil {
			if err := w.location(sal.Location); err != nil {
				return err
			}
		}
		if err := w.row("service_at_location", sal); err != nil {
			return err
		}
		if err := w.contacts(sal.Contacts); err != nil {
			return err
		}
		if err := w.phones(sal.Phones); err != nil {
			return err
		}
		if err := w.schedules(sal.Schedules); err != nil {
			return err
		}
		if err := w.attributes(sal.Attributes); err != nil {
			return err
		}
	}
	return w.attributes(s.Attributes)
}

func (w *tableWriter) organization(o *schema.Organization) error {
	if w.seen["organization/"+o.ID] {
		return nil
	}
	if err := w.row("organization", o); err != nil {
		return err
	}
	if err := w.contacts(o.Contacts); err != nil {
		return err
	}
	if err := w.phones(o.Phones); err != nil {
		return err
	}
	for i := range o.Locations {
		if err := w.location(&o.Locations[i]); err != nil {
			return err
		}
	}
	for _, id := range o.OrganizationIdentifiers {
		if err := w.row("organization_identifier", id); err != nil {
			return err
		}
	}
	return w.attributes(o.Attributes)
}

func (w *tableWriter) location(l *schema.Location) error {
	if w.seen["location/"+l.ID] {
		return nil
	}
	if err := w.row("location", l); err != nil {
		return err
	}
	if err := w.languages(l.Languages); err != nil {
		return err
	}
	for _, a := range l.Addresses {
		if err := w.row("address", a); err != nil {
			return err
		}
	}
	if err := w.contacts(l.Contacts); err != nil {
		return err
	}
	for _, a := range l.Accessibility {
		if err := w.row("accessibility", a); err != nil {
			return err
		}
	}
	if err := w.phones(l.Phones); err != nil {
		return err
	}
	if err := w.schedules(l.Schedules); err != nil {
		return err
	}
	return w.attributes(l.Attributes)
}

func (w *tableWriter) phones(ps []schema.Phone) error {
	for _, p := range ps {
		if err := w.row("phone", p); err != nil {
			return err
		}
		if err := w.languages(p.Languages); err != nil {
			return err
		}
	}
	return nil
}

func (w *tableWriter) contacts(cs []schema.Contact) error {
	for _, c := range cs {
		if err := w.row("contact", c); err != nil {
			return err
		}
		if err := w.phones(c.Phones); err != nil {
			return err
		}
	}
	return nil
}

func (w *tableWriter) schedules(ss []schema.Schedule) error {
	for _, s := range ss {
		if err := w.row("schedule", s); err != nil {
			return err
		}
	}
	return nil
}

func (w *tableWriter) languages(ls []schema.Language) error {
	for _, l := range ls {
		if err := w.row("language", l); err != nil {
			return err
		}
	}
	return nil
}

func (w *tableWriter) attributes(as []schema.Attribute) error {
	for _, a := range as {
		if err := w.row("attribute", a); err != nil {
			return err
		}
		if t := a.TaxonomyTerm; t != nil {
			if err := w.row("taxonomy_term", t); err != nil {
				return err
			}
			if t.TaxonomyDetail != nil {
				if err := w.row("taxonomy", t.TaxonomyDetail); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *tableWriter) finish(opts Options, st Stats) error {
	for _, t := range Taxonomies() {
		if err := w.row("taxonomy", t); err != nil {
			return err
		}
	}
	for _, t := range tables {
		cw := w.csv[t.name]
		cw.Flush()
		if err := cw.Error(); err != nil {
			w.close()
			return fmt.Errorf("write %s: %w", t.file, err)
		}
		if err := w.files[t.name].Close(); err != nil {
			return fmt.Errorf("write %s: %w", t.file, err)
		}
		delete(w.files, t.name)
	}
	return writeJSONFile(filepath.Join(w.dir, "datapackage.json"), descriptor(opts, st))
}

func (w *tableWriter) close() {
	for _, f := range w.files {
		f.Close()
	}
}

type dpField struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type dpResource struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Profile string `json:"profile"`
	Format  string `json:"format"`
	Media   string `json:"mediatype"`
	Schema  struct {
		Fields     []dpField `json:"fields"`
		PrimaryKey string    `json:"primaryKey"`
	} `json:"schema"`
}

// descriptor is datapackage.json for the tables written.
func descriptor(opts Options, st Stats) any {
	var res []dpResource
	for _, t := range tables {
		r := dpResource{Name: t.name, Path: t.file, Profile: "tabular-data-resource", Format: "csv", Media: "text/csv"}
		for _, c := range t.columns {
			typ := columnTypes[c]
			if typ == "" {
				typ = "string"
			}
			r.Schema.Fields = append(r.Schema.Fields, dpField{Name: c, Type: typ})
		}
		r.Schema.PrimaryKey = "id"
		res = append(res, r)
	}
	return map[string]any{
		"name": "localoffer-send-local-offer", "title": "SEND Local Offer (HSDS 3.0)",
		"profile": "tabular-data-package", "version": "3.0", "hsds_profile": ProfileURL,
		"created": opts.Now.Format("2006-01-02T15:04:05Z07:00"), "resources": res,
		"services": st.Services, "organizations": st.Organizations, "withheld": index(opts, st).Withheld,
	}
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
