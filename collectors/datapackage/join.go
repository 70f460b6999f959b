package datapackage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/datapackage/layout"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/internal/sheet"
	"github.com/localoffer/localoffer/internal/textenc"
)

// owners lists, per child table, the foreign keys that may own a row, most
// specific first: a phone with both contact_id and service_id belongs to the
// contact. A row joins under the first key that names an existing row.
var owners = map[string][]string{
	"phone":                   {"contact_id", "service_at_location_id", "service_id", "location_id", "organization_id"},
	"contact":                 {"service_at_location_id", "service_id", "location_id", "organization_id"},
	"schedule":                {"service_at_location_id", "service_id", "location_id"},
	"regular_schedule":        {"service_at_location_id", "service_id", "location_id"},
	"holiday_schedule":        {"service_at_location_id", "service_id", "location_id"},
	"language":                {"phone_id", "service_id", "location_id"},
	"address":                 {"location_id"},
	"physical_address":        {"location_id"},
	"postal_address":          {"location_id"},
	"accessibility":           {"location_id"},
	"service_area":            {"service_id"},
	"cost_option":             {"service_id"},
	"eligibility":             {"service_id"},
	"service_taxonomy":        {"service_id"},
	"organization_identifier": {"organization_id"},
	"attribute":               {"link_id"},
	"service_attribute":       {"service_id"},
	"service_at_location":     {"service_id"},
}

// parentOf is the table a foreign key names.
var parentOf = map[string]string{
	"contact_id": "contact", "service_at_location_id": "service_at_location", "service_id": "service",
	"location_id": "location", "organization_id": "organization", "phone_id": "phone",
}

// idTables are the tables whose ids are looked up (to join or to check a key).
var idTables = map[string]bool{
	"service": true, "organization": true, "location": true, "contact": true,
	"service_at_location": true, "phone": true, "taxonomy_term": true,
}

// unmapped are HSDS tables whose data our schema has no place for.
var unmapped = map[string]bool{
	"program": true, "funding": true, "required_document": true, "payment_accepted": true,
	"location_attribute": true, "url": true,
}

// silent are HSDS tables about the package itself, skipped without a word.
var silent = map[string]bool{"metadata": true, "meta_table_description": true, "taxonomy": true}

type keyIndex map[string][]int64

// tableIdx is what memory holds of one table: keys and offsets.
type tableIdx struct {
	name  string
	segs  []*segment
	ids   keyIndex
	by    map[string]keyIndex // owner key column → key → rows
	used  map[int64]struct{}  // child rows joined somewhere
	rows  int
	noID  int
	noIDx []string
}

type joiner struct {
	sp      *spill
	t       map[string]*tableIdx
	usedSvc map[string]bool
	usedOrg map[string]bool
	usedLoc map[string]bool
	refs    map[string]*refStat // "table.column" → dangling references
	warned  map[string]bool     // dangling references already warned of
	readErr error
	// rowWarn reports one row whose key names nothing.
	rowWarn func(sourceURL, recordID, msg string)
}

type refStat struct {
	table, column, parent string
	n                     int
	examples              []string
}

func newJoiner(sp *spill) *joiner {
	return &joiner{sp: sp, t: map[string]*tableIdx{}, usedSvc: map[string]bool{}, usedOrg: map[string]bool{}, usedLoc: map[string]bool{}, refs: map[string]*refStat{}, warned: map[string]bool{},
		rowWarn: func(string, string, string) {}}
}

// load streams one table file into the spill and indexes its keys.
func (c *Collector) load(j *joiner, src source, p part, warn func(kind, format string, args ...any)) error {
	if unmapped[p.table] || silent[p.table] {
		if unmapped[p.table] {
			warn(WarnUnmappedTable, "resource %s (%s): HSDS table %s has no place in our schema; not loaded", p.resource, p.file, p.table)
		}
		return nil
	}
	rc, s, err := src.open(p.file)
	if err != nil {
		if errors.Is(err, errAbsent) || refused(err) {
			// Absent, or refused by the URL policy (a redirect to another
			// host, say): that table is not read, the rest of the package is.
			return fmt.Errorf("%w: %w", errAbsent, err)
		}
		return fmt.Errorf("data package %s: resource %s: %w", c.Source, p.resource, err)
	}
	br := bufio.NewReader(rc)
	head, _ := br.Peek(512)
	utf16 := textenc.IsUTF16(head)
	head = bytes.TrimLeft(textenc.TrimUTF8BOM(head), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("<")):
		rc.Close()
		return fmt.Errorf("data package %s: resource %s (%s) is an HTML or XML page, not CSV", c.Source, p.resource, s.URL)
	case bytes.IndexByte(head, 0) >= 0 && !utf16:
		rc.Close()
		return fmt.Errorf("data package %s: resource %s (%s) is binary, not CSV", c.Source, p.resource, s.URL)
	}
	ragged, firstRagged := 0, 0
	r, err := sheet.OpenCSV(readCloser{br, rc}, sheet.Options{Name: s.URL, HeaderRow: 1, Delimiter: p.delim, Warn: func(line int, _ string) {
		if ragged == 0 {
			firstRagged = line
		}
		ragged++
	}})
	if err != nil {
		if !errors.Is(err, sheet.ErrNoHeader) {
			return fmt.Errorf("data package %s: resource %s: %w", c.Source, p.resource, err)
		}
		r = nil // an empty file: a table with no rows
	}
	t := j.t[p.table]
	if t == nil {
		t = &tableIdx{name: p.table, by: map[string]keyIndex{}, used: map[int64]struct{}{}}
		if idTables[p.table] {
			t.ids = keyIndex{}
		}
		j.t[p.table] = t
	}
	if r == nil {
		return nil
	}
	defer r.Close()
	cols := make([]string, len(r.Header()))
	for i, h := range r.Header() {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
	}
	idCol := indexOf(cols, "id")
	var fkCols []int
	var fkNames []string
	for _, fk := range owners[p.table] {
		if i := indexOf(cols, fk); i >= 0 {
			fkCols, fkNames = append(fkCols, i), append(fkNames, fk)
		}
	}
	seg := j.sp.begin(p.table, cols, s)
	t.segs = append(t.segs, seg)
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("data package %s: resource %s: %w", c.Source, p.resource, err)
		}
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
		}
		off, err := j.sp.put(seg, row)
		if err != nil {
			return err
		}
		t.rows++
		id := ""
		if idCol >= 0 {
			id = row[idCol]
		}
		if t.ids != nil && id != "" {
			t.ids[id] = append(t.ids[id], off)
		}
		if id == "" && (p.table == "service" || p.table == "organization" || p.table == "location") {
			t.noID++
			if len(t.noIDx) < maxExamples {
				t.noIDx = append(t.noIDx, "line "+strconv.Itoa(r.Line()))
			}
		}
		for k, ci := range fkCols {
			if v := row[ci]; v != "" {
				idx := t.by[fkNames[k]]
				if idx == nil {
					idx = keyIndex{}
					t.by[fkNames[k]] = idx
				}
				idx[v] = append(idx[v], off)
			}
		}
	}
	if ragged > 0 {
		warn(WarnRaggedRows, "resource %s (%s): %d rows have more or fewer cells than the header (first at line %d); missing cells read as empty, extra ones ignored", p.resource, p.file, ragged, firstRagged)
	}
	return nil
}

// refused reports a fetch the fetch layer would not make: the URL policy,
// a redirect off the source's host, or robots.txt.
func refused(err error) bool {
	var pe *fetch.PolicyError
	var re *fetch.RedirectError
	var ro *fetch.RobotsError
	return errors.As(err, &pe) || errors.As(err, &re) || errors.As(err, &ro)
}

type readCloser struct {
	io.Reader
	io.Closer
}

func indexOf(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return -1
}

const maxExamples = 5

// exists reports whether table has a row with this id.
func (j *joiner) exists(table, id string) bool {
	t := j.t[table]
	return t != nil && len(t.ids[id]) > 0
}

// owner is the key a child row joins under: the first owner key naming an existing row.
func (j *joiner) owner(table string, row map[string]string) string {
	for _, fk := range owners[table] {
		v := row[fk]
		if v == "" {
			continue
		}
		if fk == "link_id" {
			if j.linkTarget(row) != "" {
				return fk
			}
			continue
		}
		if j.exists(parentOf[fk], v) {
			return fk
		}
	}
	return ""
}

// linkTarget is the table an attribute row belongs to: its link_entity, or
// the first table holding its link_id.
func (j *joiner) linkTarget(row map[string]string) string {
	id := row["link_id"]
	if e := row["link_entity"]; e != "" {
		e = layout.Table(e, "") // "services" and "service" alike
		if j.exists(e, id) {
			return e
		}
		return ""
	}
	for _, t := range []string{"service", "organization", "location", "service_at_location"} {
		if j.exists(t, id) {
			return t
		}
	}
	return ""
}

// children returns the rows of table joined to the row key names.
func (j *joiner) children(table, fk, key string, entity string) []map[string]string {
	t := j.t[table]
	if t == nil || key == "" {
		return nil
	}
	var out []map[string]string
	for _, off := range t.by[fk][key] {
		row := j.row(off)
		if row == nil || j.owner(table, row) != fk {
			continue
		}
		if fk == "link_id" && j.linkTarget(row) != entity {
			continue
		}
		t.used[off] = struct{}{}
		out = append(out, row)
	}
	return out
}

func (j *joiner) row(off int64) map[string]string {
	row, _, err := j.sp.get(off)
	if err != nil {
		if j.readErr == nil {
			j.readErr = err
		}
		return nil
	}
	return row
}

// first returns the first row of table with this id.
func (j *joiner) first(table, id string) map[string]string {
	t := j.t[table]
	if t == nil || id == "" || len(t.ids[id]) == 0 {
		return nil
	}
	return j.row(t.ids[id][0])
}

// dangling counts a reference from a loaded record (row id of table) to a
// row that is absent, warning once per row and column.
func (j *joiner) dangling(table, column, parent, value, id string) {
	once := table + "\x00" + column + "\x00" + id + "\x00" + value
	if j.warned[once] {
		return
	}
	j.warned[once] = true
	j.rowWarn(j.srcOf(table), id, fmt.Sprintf("%s %s: %s %s names no row of %s; loaded without it", table, id, column, value, plural(parent)))
	key := table + "." + column
	r := j.refs[key]
	if r == nil {
		r = &refStat{table: table, column: column, parent: parent}
		j.refs[key] = r
	}
	r.n++
	if len(r.examples) < maxExamples && !slices.Contains(r.examples, value) {
		r.examples = append(r.examples, value)
	}
}

// srcOf names a table's (first) file in messages.
func (j *joiner) srcOf(table string) string {
	if t := j.t[table]; t != nil && len(t.segs) > 0 {
		return t.segs[0].src.URL
	}
	return ""
}

func obj(row map[string]string) map[string]any {
	o := make(map[string]any, len(row)+4)
	for k, v := range row {
		o[k] = v
	}
	return o
}

func setIf(o map[string]any, k string, v []any) {
	if len(v) > 0 {
		o[k] = append(asList(o[k]), v...)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func (j *joiner) list(table, fk, id, entity string, build func(map[string]string) map[string]any) []any {
	var out []any
	for _, r := range j.children(table, fk, id, entity) {
		out = append(out, build(r))
	}
	return out
}

func (j *joiner) phone(r map[string]string) map[string]any {
	o := obj(r)
	setIf(o, "languages", j.list("language", "phone_id", r["id"], "", obj))
	return o
}

func (j *joiner) contact(r map[string]string) map[string]any {
	o := obj(r)
	setIf(o, "phones", j.list("phone", "contact_id", r["id"], "", j.phone))
	return o
}

func (j *joiner) term(id, from, column, rowID string) map[string]any {
	if id == "" {
		return nil
	}
	t := j.first("taxonomy_term", id)
	if t == nil {
		j.dangling(from, column, "taxonomy_term", id, rowID)
		return nil
	}
	o := obj(t)
	if t["name"] == "" && t["term"] != "" {
		o["name"] = t["term"] // HSDS 2.0 calls a term's name "term"
	}
	return o
}

func (j *joiner) attribute(r map[string]string) map[string]any {
	o := obj(r)
	if t := j.term(r["taxonomy_term_id"], "attribute", "taxonomy_term_id", r["id"]); t != nil {
		o["taxonomy_term"] = t
	}
	return o
}

func (j *joiner) serviceTaxonomy(r map[string]string) map[string]any {
	o := obj(r)
	if t := j.term(r["taxonomy_id"], "service_taxonomy", "taxonomy_id", r["id"]); t != nil {
		o["taxonomy"] = t
	}
	return o
}

// postal marks an HSDS 1.x postal address as such in the 3.0 addresses list.
func postal(r map[string]string) map[string]any {
	o := obj(r)
	if o["address_type"] == nil {
		o["address_type"] = "postal"
	}
	return o
}

// holiday turns an HSDS 1.x holiday_schedule row into a 3.0 schedule: its
// dates become valid_from/valid_to and "closed" its description.
func holiday(r map[string]string) map[string]any {
	o := map[string]any{}
	for k, v := range map[string]string{"id": "id", "start_date": "valid_from", "end_date": "valid_to", "opens_at": "opens_at", "closes_at": "closes_at"} {
		if r[k] != "" {
			o[v] = r[k]
		}
	}
	switch strings.ToLower(r["closed"]) {
	case "true", "1", "yes", "y":
		o["description"] = "Closed (holiday)"
	default:
		o["description"] = "Holiday opening"
	}
	return o
}

func (j *joiner) schedules(o map[string]any, fk, id string) {
	setIf(o, "schedules", j.list("schedule", fk, id, "", obj))
	setIf(o, "regular_schedules", j.list("regular_schedule", fk, id, "", obj))
	setIf(o, "schedules", j.list("holiday_schedule", fk, id, "", holiday))
}

func (j *joiner) location(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	setIf(o, "addresses", j.list("address", "location_id", id, "", obj))
	setIf(o, "addresses", j.list("postal_address", "location_id", id, "", postal))
	setIf(o, "physical_addresses", j.list("physical_address", "location_id", id, "", obj))
	setIf(o, "accessibility", j.list("accessibility", "location_id", id, "", obj))
	setIf(o, "phones", j.list("phone", "location_id", id, "", j.phone))
	setIf(o, "contacts", j.list("contact", "location_id", id, "", j.contact))
	j.schedules(o, "location_id", id)
	setIf(o, "languages", j.list("language", "location_id", id, "", obj))
	setIf(o, "attributes", j.list("attribute", "link_id", id, "location", j.attribute))
	return o
}

func (j *joiner) organization(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	setIf(o, "organization_identifiers", j.list("organization_identifier", "organization_id", id, "", obj))
	setIf(o, "phones", j.list("phone", "organization_id", id, "", j.phone))
	setIf(o, "contacts", j.list("contact", "organization_id", id, "", j.contact))
	setIf(o, "attributes", j.list("attribute", "link_id", id, "organization", j.attribute))
	return o
}

func (j *joiner) serviceAtLocation(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	if lid := r["location_id"]; lid != "" {
		if lr := j.first("location", lid); lr != nil {
			j.usedLoc[lid] = true
			o["location"] = j.location(lr)
		} else {
			j.dangling("service_at_location", "location_id", "location", lid, id)
		}
	}
	setIf(o, "contacts", j.list("contact", "service_at_location_id", id, "", j.contact))
	setIf(o, "phones", j.list("phone", "service_at_location_id", id, "", j.phone))
	j.schedules(o, "service_at_location_id", id)
	setIf(o, "attributes", j.list("attribute", "link_id", id, "service_at_location", j.attribute))
	return o
}

func (j *joiner) service(r map[string]string) map[string]any {
	id := r["id"]
	o := obj(r)
	if oid := r["organization_id"]; oid != "" {
		if or := j.first("organization", oid); or != nil {
			j.usedOrg[oid] = true
			o["organization"] = j.organization(or)
		} else {
			j.dangling("service", "organization_id", "organization", oid, id)
		}
	}
	setIf(o, "phones", j.list("phone", "service_id", id, "", j.phone))
	setIf(o, "contacts", j.list("contact", "service_id", id, "", j.contact))
	j.schedules(o, "service_id", id)
	setIf(o, "service_areas", j.list("service_area", "service_id", id, "", obj))
	setIf(o, "languages", j.list("language", "service_id", id, "", obj))
	setIf(o, "cost_options", j.list("cost_option", "service_id", id, "", obj))
	setIf(o, "attributes", j.list("attribute", "link_id", id, "service", j.attribute))
	setIf(o, "attributes", j.list("service_attribute", "service_id", id, "", j.attribute))
	setIf(o, "eligibilitys", j.list("eligibility", "service_id", id, "", obj))
	setIf(o, "service_taxonomys", j.list("service_taxonomy", "service_id", id, "", j.serviceTaxonomy))
	setIf(o, "service_at_locations", j.list("service_at_location", "service_id", id, "", j.serviceAtLocation))
	return o
}

type emitted struct{ services, orgs, locs int }

// emit maps and emits every service (nested), then the organizations and
// locations no service took.
func (j *joiner) emit(ctx context.Context, m *hsdsmap.Mapper, run *collect.Run) (emitted, error) {
	var st emitted
	for _, seg := range j.t["service"].segs {
		err := j.sp.scan(seg, func(_ int64, row map[string]string) error {
			if row["id"] == "" || j.usedSvc[row["id"]] {
				return nil // counted as missing_id or duplicate_id
			}
			j.usedSvc[row["id"]] = true
			s := j.service(row)
			b, err := json.Marshal(s)
			if err != nil {
				return fmt.Errorf("service %s: %w", row["id"], err)
			}
			var raw hsdsmap.Service
			if err := hsdsmap.DecodeService(b, &raw); err != nil {
				run.Warn(seg.src.URL, row["id"], err.Error())
			}
			recs, warns := m.Records(&raw, seg.src)
			for _, w := range warns {
				run.Warn(seg.src.URL, raw.ID.String(), w)
			}
			for _, r := range recs {
				if err := run.Emit(ctx, r); err != nil {
					return fmt.Errorf("emit %s %s: %w", r.Kind, r.ID(), err)
				}
			}
			st.services++
			return ctx.Err()
		})
		if err != nil {
			return st, err
		}
	}
	if t := j.t["organization"]; t != nil {
		for _, seg := range t.segs {
			err := j.sp.scan(seg, func(_ int64, row map[string]string) error {
				id := row["id"]
				if id == "" || j.usedOrg[id] {
					return nil
				}
				j.usedOrg[id] = true
				var raw hsdsmap.Organization
				if err := remarshal(j.organization(row), &raw); err != nil {
					run.Warn(seg.src.URL, id, err.Error())
					return nil
				}
				for _, r := range m.OrganizationRecords(&raw, seg.src) {
					if err := run.Emit(ctx, r); err != nil {
						return err
					}
				}
				st.orgs++
				return ctx.Err()
			})
			if err != nil {
				return st, err
			}
		}
	}
	if t := j.t["location"]; t != nil {
		for _, seg := range t.segs {
			err := j.sp.scan(seg, func(_ int64, row map[string]string) error {
				id := row["id"]
				if id == "" || j.usedLoc[id] {
					return nil
				}
				j.usedLoc[id] = true
				var raw hsdsmap.Location
				if err := remarshal(j.location(row), &raw); err != nil {
					run.Warn(seg.src.URL, id, err.Error())
					return nil
				}
				if r := m.LocationRecord(&raw, seg.src); r != nil {
					if err := run.Emit(ctx, r); err != nil {
						return err
					}
				}
				st.locs++
				return ctx.Err()
			})
			if err != nil {
				return st, err
			}
		}
	}
	if j.readErr != nil {
		return st, j.readErr
	}
	return st, nil
}

func remarshal(o map[string]any, v any) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return hsdsmap.DecodeObject(bytes.NewReader(b), v)
}
