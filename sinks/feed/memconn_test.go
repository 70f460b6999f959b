package feed

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
)

// memConn is a warehouse.Conn over *_current views held in memory: what
// Export reads (id, payload), without an engine.
type memConn struct {
	views map[string][][2]string // view → (id, payload) rows
	fail  map[string]error       // view → error its query returns
}

func newMemConn() *memConn {
	return &memConn{views: map[string][][2]string{"services_current": nil, "organizations_current": nil, "locations_current": nil}, fail: map[string]error{}}
}

// add stores a record's JSON payload in its view.
func (m *memConn) add(t *testing.T, view, id string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	m.views[view] = append(m.views[view], [2]string{id, string(b)})
}

func (m *memConn) Query(ctx context.Context, q string, fn func([]string, []json.RawMessage) error) error {
	rest, ok := strings.CutPrefix(q, "SELECT id, payload FROM ")
	if !ok {
		return fmt.Errorf("memConn: unexpected query %q", q)
	}
	view, order, _ := strings.Cut(rest, " ")
	if err := m.fail[view]; err != nil {
		return err
	}
	rows, ok := m.views[view]
	if !ok {
		return fmt.Errorf("memConn: no view %s", view)
	}
	rows = append([][2]string(nil), rows...)
	if order == "ORDER BY id" {
		sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	}
	for _, r := range rows {
		id, _ := json.Marshal(r[0])
		payload, _ := json.Marshal(r[1])
		if err := fn([]string{"id", "payload"}, []json.RawMessage{id, payload}); err != nil {
			return err
		}
	}
	return nil
}

func (m *memConn) Exec(context.Context, string) error { return errors.New("memConn: read only") }
func (m *memConn) Insert(context.Context, string, []string, [][]any) error {
	return errors.New("memConn: read only")
}
func (m *memConn) Close(context.Context) error { return nil }

// richWarehouse holds one organisation with a location of its own, a
// location the service meets at, and a service using every nested kind.
func richWarehouse(t *testing.T) *memConn {
	m := newMemConn()
	loc := richLocation()
	org := &schema.Organization{ID: "pcc/org-1", Name: "Portsmouth City Council", Description: "Unitary authority", Website: "https://www.portsmouth.gov.uk/",
		Contacts:                []schema.Contact{{Name: "SEND team", Email: "send@portsmouthcc.gov.uk"}},
		Phones:                  []schema.Phone{{Number: "023 9283 4092"}},
		Locations:               []schema.Location{*loc},
		OrganizationIdentifiers: []schema.OrganizationIdentifier{{IdentifierScheme: "GB-LAE", Identifier: "PTE"}},
	}
	svc := &schema.Service{ID: "pcc/svc-9", OrganizationID: "pcc/org-1", Name: "Saturday club", Description: "Play sessions for disabled children.",
		Status: "active", MinimumAge: f64(5), MaximumAge: f64(11), AgeSource: schema.AgeSourceSource,
		Languages:    []schema.Language{{Name: "English", Code: "en"}},
		ServiceAreas: []schema.ServiceArea{{Name: "Portsmouth", Extent: "E06000044", ExtentType: "gss"}},
		CostOptions:  []schema.CostOption{{Option: "Per session", Amount: f64(5), Currency: "GBP"}},
		Phones:       []schema.Phone{{Number: "07700 900123"}},
		Schedules:    []schema.Schedule{{Freq: "WEEKLY", Byday: "SA", OpensAt: "10:00", ClosesAt: "12:00"}},
		Contacts:     []schema.Contact{{Name: "Club lead", Phones: []schema.Phone{{Number: "07700 900124"}}}},
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: "sal-a", LocationID: "pcc/loc-2",
			Contacts:  []schema.Contact{{Name: "Hall keeper"}},
			Phones:    []schema.Phone{{Number: "07700 900125"}},
			Schedules: []schema.Schedule{{Freq: "WEEKLY", Byday: "SU"}},
			Attributes: []schema.Attribute{{TaxonomyTerm: &schema.TaxonomyTerm{ID: "term-hall", Name: "Hall", Description: "Sports hall",
				TaxonomyDetail: &schema.Taxonomy{ID: "tax-rooms", Name: "Rooms", Description: "Rooms"}}}}}},
		NeedCodes: []string{"ASD"}, Categories: []string{"short_breaks"}, LACode: "E06000044",
	}
	m.add(t, "organizations_current", org.ID, org)
	m.add(t, "locations_current", loc.ID, loc)
	m.add(t, "services_current", svc.ID, svc)
	return m
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// The tabular form writes every nested entity to its own table, each shared
// one (the location the organisation owns and the service meets at, a
// taxonomy) once.
func TestExportDatapackageFlattensEveryTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dp")
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	st, err := Export(context.Background(), richWarehouse(t), Options{Format: FormatDatapackage, Out: out, Now: now}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if st.Services != 1 || st.Organizations != 1 || st.Locations != 1 || len(st.Withheld) != 0 {
		t.Fatalf("stats %+v", st)
	}
	want := map[string]int{
		"services.csv": 1, "organizations.csv": 1, "locations.csv": 1, "service_at_location.csv": 1,
		"addresses.csv":     1, // of three: one postcode-only, one without a country
		"languages.csv":     3, // the service's, the location's, its phone's
		"accessibility.csv": 1, "organization_identifiers.csv": 1, "service_areas.csv": 1, "cost_options.csv": 1,
		"contacts.csv":   4, // organisation, service, service-at-location, location
		"phones.csv":     6, // organisation, service, service contact, service-at-location, location, location contact
		"schedules.csv":  3, // service, service-at-location, location
		"taxonomies.csv": 6, // the four SEND taxonomies, the location's and the hall's
	}
	for file, n := range want {
		if got := len(readCSV(t, filepath.Join(out, file))) - 1; got != n {
			t.Errorf("%s: %d rows, want %d", file, got, n)
		}
	}
	svc := readCSV(t, filepath.Join(out, "services.csv"))
	col := map[string]int{}
	for i, c := range svc[0] {
		col[c] = i
	}
	if r := svc[1]; r[col["id"]] != UUID("pcc/svc-9") || r[col["minimum_age"]] != "5" || r[col["organization_id"]] != UUID("pcc/org-1") || r[col["status"]] != "active" {
		t.Errorf("services.csv row %q", r)
	}
	var dp struct {
		Created   string `json:"created"`
		Services  int    `json:"services"`
		Resources []struct {
			Name   string `json:"name"`
			Path   string `json:"path"`
			Schema struct {
				Fields []struct {
					Name, Type string
				} `json:"fields"`
				PrimaryKey string `json:"primaryKey"`
			} `json:"schema"`
		} `json:"resources"`
		Withheld []Withheld `json:"withheld"`
	}
	b, err := os.ReadFile(filepath.Join(out, "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Created != "2026-11-30T12:00:00Z" || dp.Services != 1 || dp.Withheld == nil || len(dp.Resources) != len(tables) {
		t.Errorf("datapackage.json: created %q services %d withheld %v resources %d", dp.Created, dp.Services, dp.Withheld, len(dp.Resources))
	}
	types := map[string]string{}
	for _, r := range dp.Resources {
		if _, err := os.Stat(filepath.Join(out, r.Path)); err != nil || r.Schema.PrimaryKey != "id" {
			t.Errorf("resource %s: %v, primary key %q", r.Name, err, r.Schema.PrimaryKey)
		}
		for _, f := range r.Schema.Fields {
			types[r.Name+"."+f.Name] = f.Type
		}
	}
	for field, typ := range map[string]string{"service.minimum_age": "number", "service.assured_date": "date", "service.last_modified": "datetime",
		"service.name": "string", "location.latitude": "number", "schedule.until": "date"} {
		if types[field] != typ {
			t.Errorf("%s is %q, want %q", field, types[field], typ)
		}
	}
	if _, err := os.Stat(filepath.Join(out, MarkerFile)); err != nil {
		t.Errorf("marker: %v", err)
	}
}

// What fails leaves --out as it was and no temporary directory behind.
func TestExportErrors(t *testing.T) {
	boom := errors.New("engine gone")
	cases := []struct {
		name    string
		setup   func(t *testing.T, m *memConn, out string)
		format  string
		want    string
		wrapped error
	}{
		{name: "unknown format", format: "xml", want: `unknown export format "xml" (want hsds-json, ndjson or datapackage)`},
		{name: "organisations unreadable", format: FormatNDJSON, want: "read organizations_current: engine gone", wrapped: boom,
			setup: func(t *testing.T, m *memConn, out string) { m.fail["organizations_current"] = boom }},
		{name: "locations unreadable", format: FormatNDJSON, want: "read locations_current: engine gone", wrapped: boom,
			setup: func(t *testing.T, m *memConn, out string) { m.fail["locations_current"] = boom }},
		{name: "services unreadable", format: FormatHSDSJSON, want: "export services: engine gone", wrapped: boom,
			setup: func(t *testing.T, m *memConn, out string) { m.fail["services_current"] = boom }},
		{name: "location payload not JSON", format: FormatNDJSON, want: "read locations_current: decode locations_current row bad/loc:",
			setup: func(t *testing.T, m *memConn, out string) {
				m.views["locations_current"] = append(m.views["locations_current"], [2]string{"bad/loc", "{not json"})
			}},
		{name: "service payload not JSON", format: FormatDatapackage, want: "export services: decode service bad/svc from the warehouse:",
			setup: func(t *testing.T, m *memConn, out string) {
				m.views["services_current"] = append(m.views["services_current"], [2]string{"bad/svc", `{"id": 7}`})
			}},
		{name: "out is a file", format: FormatNDJSON, want: "is not a directory", wrapped: ErrForeignDir,
			setup: func(t *testing.T, m *memConn, out string) {
				if err := os.WriteFile(out, []byte("keep me"), 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "out holds someone else's files", format: FormatHSDSJSON, want: "was not written by localoffer export", wrapped: ErrForeignDir,
			setup: func(t *testing.T, m *memConn, out string) {
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("keep me"), 0o644); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "feed")
			m := richWarehouse(t)
			if tc.setup != nil {
				tc.setup(t, m, out)
			}
			before := tree(t, parent)
			_, err := Export(context.Background(), m, Options{Format: tc.format, Out: out}, quiet)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.wrapped != nil && !errors.Is(err, tc.wrapped) {
				t.Errorf("error %v does not wrap %v", err, tc.wrapped)
			}
			if after := tree(t, parent); after != before {
				t.Errorf("the output's parent changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	if _, err := Export(context.Background(), newMemConn(), Options{Format: FormatNDJSON}, quiet); err == nil || err.Error() != "no output directory" {
		t.Errorf("no --out: %v", err)
	}
}

// tree lists the files under dir with their sizes.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s:%d ", rel, fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A new export replaces the previous one as a whole: files of another format
// go, nothing is left aside.
func TestExportReplacesPreviousExport(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "feed")
	m := richWarehouse(t)
	ctx := context.Background()
	if _, err := Export(ctx, m, Options{Format: FormatNDJSON, Out: out}, quiet); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "services.ndjson")); err != nil {
		t.Fatal(err)
	}
	st, err := Export(ctx, m, Options{Format: FormatHSDSJSON, Out: out}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "services.ndjson")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the previous export's services.ndjson is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "services", UUID("pcc/svc-9")+".json")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "feed" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the export: %v, want only feed", names)
	}
	var idx Index
	b, _ := os.ReadFile(filepath.Join(out, "index.json"))
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Format != FormatHSDSJSON || idx.Services != st.Services || idx.GeneratedAt.IsZero() || len(idx.Taxonomies) != 4 {
		t.Errorf("index.json %+v", idx)
	}
	marker, _ := os.ReadFile(filepath.Join(out, MarkerFile))
	if !strings.Contains(string(marker), "format hsds-json") {
		t.Errorf("marker %q", marker)
	}
}
