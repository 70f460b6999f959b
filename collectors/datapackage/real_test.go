package datapackage

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/datapackage/layout"
	"github.com/localoffer/localoffer/schema"
)

// Real packages as their publishers shipped them (trimmed; see each
// testdata/<name>/PROVENANCE). Each test checks that every row of every
// table read is accounted for — loaded, or dropped with a warning giving the
// same count — and compares five services field by field with the source,
// read here with encoding/csv, independently of the collector's reader.

// sourceTable reads one CSV of a package: rows as column → trimmed value.
func sourceTable(t *testing.T, file string) []map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		blank := true
		for i, h := range recs[0] {
			if i < len(rec) {
				row[strings.ToLower(strings.TrimPrefix(h, "\ufeff"))] = strings.TrimSpace(rec[i])
				blank = blank && strings.TrimSpace(rec[i]) == ""
			}
		}
		if !blank {
			out = append(out, row)
		}
	}
	return out
}

// sourceTables reads every CSV under dir keyed by HSDS table name.
func sourceTables(t *testing.T, dir string) map[string][]map[string]string {
	t.Helper()
	out := map[string][]map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".csv") {
			out[layout.Table("", p)] = sourceTable(t, p)
		}
		return nil
	})
	if _, ok := out["taxonomy_term"]; !ok && out["taxonomy"] != nil {
		out["taxonomy_term"] = out["taxonomy"] // HSDS 1.x terms
	}
	return out
}

var countRE = regexp.MustCompile(`^(unjoined_rows|missing_id|duplicate_id): (\w+): (\d+) `)

// checkAccounts: rows read = source rows; loaded + dropped = rows; every drop
// is in a warning with the same count; records emitted = rows loaded.
func checkAccounts(t *testing.T, c *Collector, res *result, src map[string][]map[string]string) map[string]Account {
	t.Helper()
	warned := map[string]int{}
	for _, w := range res.warns {
		if m := countRE.FindStringSubmatch(w); m != nil {
			n, _ := strconv.Atoi(m[3])
			warned[m[2]] += n
		}
	}
	accts := map[string]Account{}
	for _, a := range c.Accounts {
		accts[a.Table] = a
		if want := len(src[a.Table]); a.Rows != want {
			t.Errorf("%s: read %d rows, the source has %d", a.Table, a.Rows, want)
		}
		if a.Loaded+a.Dropped != a.Rows {
			t.Errorf("%s: %d loaded + %d dropped != %d rows", a.Table, a.Loaded, a.Dropped, a.Rows)
		}
		if got := warned[plural(a.Table)]; got != a.Dropped {
			t.Errorf("%s: %d rows dropped but warnings account for %d (%v)", a.Table, a.Dropped, got, res.warns)
		}
	}
	for table, kind := range map[string]schema.Kind{"service": schema.KindService, "organization": schema.KindOrganization, "location": schema.KindLocation} {
		if got, want := len(res.byKind(kind)), accts[table].Loaded; got != want {
			t.Errorf("%s records emitted %d, rows loaded %d", table, got, want)
		}
	}
	return accts
}

func find(rows []map[string]string, col, val string) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		if r[col] == val {
			out = append(out, r)
		}
	}
	return out
}

func hasWarning(t *testing.T, warns []string, prefix string) string {
	t.Helper()
	for _, w := range warns {
		if strings.HasPrefix(w, prefix) {
			return w
		}
	}
	t.Errorf("no warning starting %q in %v", prefix, warns)
	return ""
}

// US 211 (Miami) HSDS 1.x package: datapackage.json names organizations.csv
// but the files sit under data/; nine declared resources are absent; every
// status is empty; eligibility rows have neither id nor service_id; 50 of
// the services name an organization that is not in organizations.csv.
func TestRealMiami211(t *testing.T) {
	dir := "testdata/miami-211"
	zipPath := filepath.Join(t.TempDir(), "datapackage.zip")
	os.WriteFile(zipPath, zipTree(t, dir), 0o644)
	src := sourceTables(t, dir)
	for _, source := range []string{dir, zipPath} {
		t.Run(filepath.Ext(source), func(t *testing.T) {
			c := New(source, configUK())
			res, err := collectWith(t, c)
			if err != nil {
				t.Fatal(err)
			}
			accts := checkAccounts(t, c, res, src)
			if a := accts["service"]; a.Rows != 300 || a.Loaded != 300 {
				t.Errorf("services %+v", a)
			}
			if a := accts["eligibility"]; a.Dropped != 200 {
				t.Errorf("eligibility rows without service_id: %+v", a)
			}
			hasWarning(t, res.warns, "moved_resource: 13 resources are not where datapackage.json says")
			hasWarning(t, res.warns, "missing_resource: resource program (programs.csv) listed in datapackage.json is absent")
			if n := res.kinds[collect.KindMissingResource]; n != 9 {
				t.Errorf("%d missing_resource warnings, want 9", n)
			}
			// 200 eligibility rows without a service, 50 services without their organisation.
			if n := res.kinds[collect.KindDanglingKey]; n != 250 {
				t.Errorf("%d dangling_key warnings, want 250", n)
			}
			hasWarning(t, res.warns, "unjoined_rows: eligibility: 200 of 200 rows could not be joined and were dropped: 200 have no service_id")
			hasWarning(t, res.warns, "dangling_reference: services: 50 rows whose organization_id names no row of organizations")
			if len(res.warns) != 12 {
				t.Errorf("%d warnings; want one per kind and table, and one per absent resource: %v", len(res.warns), res.warns)
			}
			services := res.byKind(schema.KindService)
			// The first, a middle one, the last with its organization, and two without.
			for _, i := range []int{0, 1, 120, 249, 250, 299} {
				id := src["service"][i]["id"]
				compareService(t, src, services["pcc-dp/"+id], id)
			}
		})
	}
}

// compareService checks one emitted service against the source rows.
func compareService(t *testing.T, src map[string][]map[string]string, rec *schema.Record, id string) {
	t.Helper()
	if rec == nil {
		t.Errorf("service %s not emitted", id)
		return
	}
	s := rec.Service
	row := find(src["service"], "id", id)[0]
	for field, got := range map[string]string{"name": s.Name, "description": s.Description, "url": s.URL, "email": s.Email, "status": s.Status} {
		if !strings.EqualFold(got, row[field]) { // status is lower-cased
			t.Errorf("service %s %s = %q, source %q", id, field, got, row[field])
		}
	}
	if orgs := find(src["organization"], "id", row["organization_id"]); len(orgs) > 0 {
		if s.Organization == nil || s.Organization.Name != orgs[0]["name"] || s.OrganizationID != "pcc-dp/"+orgs[0]["id"] {
			t.Errorf("service %s organization %+v, source %v", id, s.Organization, orgs[0]["name"])
		}
	} else if s.Organization != nil {
		t.Errorf("service %s has an organization the source lacks", id)
	}
	sals := find(src["service_at_location"], "service_id", id)
	if len(s.ServiceAtLocations) != len(sals) {
		t.Fatalf("service %s: %d service_at_locations, source %d", id, len(s.ServiceAtLocations), len(sals))
	}
	for i, sal := range sals {
		got := s.ServiceAtLocations[i]
		loc := find(src["location"], "id", sal["location_id"])
		if len(loc) == 0 || got.Location == nil || got.Location.Name != loc[0]["name"] {
			t.Errorf("service %s location %+v, source %v", id, got.Location, loc)
			continue
		}
		if addr := find(src["physical_address"], "location_id", sal["location_id"]); len(addr) > 0 && addr[0]["address_1"] != "" {
			if len(got.Location.Addresses) == 0 || got.Location.Addresses[0].Address1 != addr[0]["address_1"] || got.Location.Addresses[0].PostalCode != addr[0]["postal_code"] {
				t.Errorf("service %s address %+v, source %v", id, got.Location.Addresses, addr[0])
			}
		}
		var want []string
		for _, p := range find(src["phone"], "service_at_location_id", sal["id"]) {
			if p["contact_id"] == "" && p["number"] != "" {
				want = append(want, p["number"])
			}
		}
		var have []string
		for _, p := range got.Phones {
			have = append(have, p.Number)
		}
		if strings.Join(have, "|") != strings.Join(want, "|") {
			t.Errorf("service %s phones at location %v, source %v", id, have, want)
		}
	}
	var langs []string
	for _, l := range find(src["language"], "service_id", id) {
		langs = append(langs, l["language"])
	}
	var got []string
	for _, l := range s.Languages {
		got = append(got, l.Name)
	}
	sort.Strings(langs)
	sort.Strings(got)
	if strings.Join(got, "|") != strings.Join(langs, "|") {
		t.Errorf("service %s languages %v, source %v", id, got, langs)
	}
	var terms []string
	for _, st := range find(src["service_taxonomy"], "service_id", id) {
		if tr := find(src["taxonomy_term"], "id", st["taxonomy_id"]); len(tr) > 0 {
			terms = append(terms, tr[0]["name"])
		}
	}
	got = nil
	for _, a := range s.Attributes {
		if a.TaxonomyTerm != nil {
			got = append(got, a.TaxonomyTerm.Name)
		}
	}
	sort.Strings(terms)
	sort.Strings(got)
	if strings.Join(got, "|") != strings.Join(terms, "|") {
		t.Errorf("service %s taxonomy terms %v, source %v", id, got, terms)
	}
	schedules := len(find(src["regular_schedule"], "service_id", id))
	for _, sal := range sals {
		schedules -= len(find(find(src["regular_schedule"], "service_id", id), "service_at_location_id", sal["id"]))
	}
	if len(s.Schedules) != schedules {
		t.Errorf("service %s has %d schedules, source %d", id, len(s.Schedules), schedules)
	}
}

// Open Referral's own HSDS 1.1 sample with every resource type.
func TestRealOpenReferralSample11(t *testing.T) {
	dir := "testdata/openreferral-sample-1.1"
	src := sourceTables(t, dir)
	c := New(dir, configUK())
	res, err := collectWith(t, c)
	if err != nil {
		t.Fatal(err)
	}
	accts := checkAccounts(t, c, res, src)
	for _, table := range []string{"service", "organization", "location", "service_at_location", "phone", "postal_address", "physical_address", "regular_schedule", "holiday_schedule", "eligibility", "accessibility", "language", "contact", "service_area"} {
		if a := accts[table]; a.Rows == 0 || a.Dropped != 0 {
			t.Errorf("%s: %+v", table, a)
		}
	}
	for _, table := range []string{"program", "funding", "required_document", "payment_accepted"} {
		hasWarning(t, res.warns, "unmapped_table: resource "+table+" ")
	}
	services := res.byKind(schema.KindService)
	for _, i := range []int{0, 1, 5, 9, 12} {
		id := src["service"][i]["id"]
		compareService(t, src, services["pcc-dp/"+id], id)
	}
	// The 1.x-only tables land in their 3.0 places.
	first := services["pcc-dp/"+src["service"][0]["id"]].Service
	loc := first.ServiceAtLocations[0].Location
	var types []string
	for _, a := range loc.Addresses {
		types = append(types, a.AddressType)
	}
	sort.Strings(types)
	if strings.Join(types, ",") != "physical,postal" {
		t.Errorf("physical and postal addresses: %+v", loc.Addresses)
	}
	var holiday bool
	for _, s := range first.ServiceAtLocations[0].Schedules {
		holiday = holiday || (s.ValidFrom == "2019-12-24" && s.ValidTo == "2019-12-26" && s.Description == "Closed (holiday)")
	}
	if !holiday {
		t.Errorf("holiday schedule not joined: %+v", first.ServiceAtLocations[0].Schedules)
	}
	if first.EligibilityDescription != "adult" {
		t.Errorf("eligibility %q", first.EligibilityDescription)
	}
}

// Health Leads records from ServiceNet: no datapackage.json, status
// "Available", and one service_at_location naming a service that is absent.
func TestRealServiceNetHealthLeads(t *testing.T) {
	dir := "testdata/servicenet-healthleads"
	src := sourceTables(t, dir)
	c := New(dir, configUK())
	res, err := collectWith(t, c)
	if err != nil {
		t.Fatal(err)
	}
	accts := checkAccounts(t, c, res, src)
	hasWarning(t, res.warns, "no_descriptor: no datapackage.json; read the 12 HSDS tables found by file name")
	hasWarning(t, res.warns, "unjoined_rows: service_at_locations: 1 of 7 rows could not be joined and were dropped: 1 names a service_id that is not in the package (e.g. service_id a0jA000000BHNmwIAH)")
	if n := res.kinds[collect.KindDanglingKey]; n != 1 {
		t.Errorf("%d dangling_key warnings", n)
	}
	if a := accts["service"]; a.Loaded != 6 {
		t.Errorf("services %+v", a)
	}
	services := res.byKind(schema.KindService)
	for _, i := range []int{0, 1, 2, 4, 5} {
		id := src["service"][i]["id"]
		compareService(t, src, services["pcc-dp/"+id], id)
	}
	// Phones and languages keyed by location only stay on the location.
	loc := res.byKind(schema.KindLocation)["pcc-dp/001A000001S4WXWIA3"]
	if loc == nil || len(loc.Location.Phones) != 1 || loc.Location.Phones[0].Number != "(409) 415-6401" || len(loc.Location.Languages) != 1 {
		t.Errorf("location phones/languages: %+v", loc)
	}
}
