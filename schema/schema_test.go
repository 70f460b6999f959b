package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// schemaDefs returns the embedded schema's $defs.
func schemaDefs(t *testing.T) map[string]map[string]any {
	t.Helper()
	var doc struct {
		Defs map[string]map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Defs
}

func jsonFields(typ reflect.Type) (names []string, omit map[string]bool) {
	omit = map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		tag := typ.Field(i).Tag.Get("json")
		if tag == "" || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		names = append(names, name)
		omit[name] = strings.Contains(opts, "omitempty")
	}
	return names, omit
}

// The Go types and the schema must describe the same JSON: every Go field is a
// schema property, every schema property is a Go field, and every required
// property is a Go field that is always written (no omitempty).
func TestGoTypesAgreeWithSchema(t *testing.T) {
	defs := schemaDefs(t)
	types := map[string]any{
		"service": Service{}, "organization": Organization{}, "location": Location{}, "address": Address{},
		"accessibility": Accessibility{}, "service_at_location": ServiceAtLocation{}, "contact": Contact{},
		"phone": Phone{}, "schedule": Schedule{}, "language": Language{}, "service_area": ServiceArea{},
		"cost_option": CostOption{}, "attribute": Attribute{}, "taxonomy_term": TaxonomyTerm{}, "taxonomy": Taxonomy{},
		"organization_identifier": OrganizationIdentifier{}, "service_capacity": ServiceCapacity{},
		"provenance": Provenance{}, "annotation": Annotation{}, "demand": Demand{}, "capacity": Capacity{},
		"sen_report": SENReport{}, "evidence": Evidence{},
	}
	for name, v := range types {
		t.Run(name, func(t *testing.T) {
			def, ok := defs[name]
			if !ok {
				t.Fatalf("schema has no $defs/%s", name)
			}
			props, _ := def["properties"].(map[string]any)
			fields, omit := jsonFields(reflect.TypeOf(v))
			for _, f := range fields {
				if _, ok := props[f]; !ok {
					t.Errorf("Go field %q is not a schema property", f)
				}
			}
			for p := range props {
				if !slices.Contains(fields, p) {
					t.Errorf("schema property %q has no Go field", p)
				}
			}
			req, _ := def["required"].([]any)
			for _, r := range req {
				r := r.(string)
				if !slices.Contains(fields, r) {
					t.Errorf("required schema property %q has no Go field", r)
				} else if omit[r] && name != "organization_identifier" {
					t.Logf("required %q is omitempty in Go: an empty value is reported as missing", r)
				}
			}
			if def["additionalProperties"] != false {
				t.Errorf("$defs/%s should refuse unknown keys", name)
			}
		})
	}
}

// The vocabularies in vocab.go and the schema's enums are one list.
func TestVocabularyMatchesSchemaEnums(t *testing.T) {
	defs := schemaDefs(t)
	enum := func(name string) []string {
		var out []string
		for _, v := range defs[name]["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	for _, c := range []struct {
		def  string
		want []string
	}{{"need_code", NeedCodes}, {"broad_area", BroadAreas}, {"category", Categories}, {"age_source", AgeSources}} {
		if got := enum(c.def); !slices.Equal(got, c.want) {
			t.Errorf("%s: schema %v, Go %v", c.def, got, c.want)
		}
	}
	for code := range NeedArea {
		if !slices.Contains(NeedCodes, code) || !slices.Contains(BroadAreas, NeedArea[code]) {
			t.Errorf("NeedArea[%s] = %s is outside the vocabularies", code, NeedArea[code])
		}
	}
	if len(NeedNames) != len(NeedCodes) || len(CategoryNames) != len(Categories) || len(BroadAreaNames) != len(BroadAreas) {
		t.Error("every code needs a readable name")
	}
}

func TestBandsFor(t *testing.T) {
	names := func(bs []AgeBand) string {
		var s []string
		for _, b := range bs {
			s = append(s, b.Name)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		min, max *float64
		want     string
	}{
		{f64(4), f64(19), "0-4,5-10,11-15,16-18,19-25"},
		{f64(5), f64(10), "5-10"},
		{f64(4.5), f64(4.9), "0-4"},
		{nil, f64(3), "0-4"},
		{f64(16), nil, "16-18,19-25"},
		{f64(26), f64(30), ""},
	} {
		if got := names(BandsFor(c.min, c.max)); got != c.want {
			t.Errorf("BandsFor(%v,%v) = %q, want %q", c.min, c.max, got, c.want)
		}
	}
}

func TestInvalidRecordsNameTheField(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name    string
		mutate  func(*Record)
		pointer string
		msg     string
	}{
		{"bad status", func(r *Record) { r.Service.Status = "open" }, "/status", "must be one of"},
		{"empty name", func(r *Record) { r.Service.Name = "" }, "/name", "minLength"},
		{"unknown need code", func(r *Record) { r.Service.NeedCodes = []string{"ASD", "ADHD"} }, "/need_codes/1", "must be one of"},
		{"duplicate need code", func(r *Record) { r.Service.NeedCodes = []string{"ASD", "ASD"} }, "/need_codes", "items at"},
		{"unknown category", func(r *Record) { r.Service.Categories = []string{"sport"} }, "/categories/0", "must be one of"},
		{"bad email", func(r *Record) { r.Service.Email = "send-at-portsmouth" }, "/email", "email"},
		{"url that is no web address", func(r *Record) { r.Service.URL = "example/counselling" }, "/url", "does not match pattern"},
		{"javascript url", func(r *Record) { r.Service.URL = "javascript:alert(1)" }, "/url", "does not match pattern"},
		{"assured date format", func(r *Record) { r.Service.AssuredDate = "01/03/2026" }, "/assured_date", ""},
		{"negative age", func(r *Record) { r.Service.MinimumAge = f64(-1) }, "/minimum_age", "minimum"},
		{"ages reversed", func(r *Record) { r.Service.MinimumAge, r.Service.MaximumAge = f64(19), f64(4) }, "/minimum_age", "above maximum_age"},
		{"nested location type", func(r *Record) { r.Service.ServiceAtLocations[0].Location.LocationType = "building" }, "/service_at_locations/0/location/location_type", "must be one of"},
		{"address missing postcode", func(r *Record) { r.Service.ServiceAtLocations[0].Location.Addresses[0].Country = "England" }, "/service_at_locations/0/location/addresses/0/country", ""},
		{"bad LA code", func(r *Record) { r.Service.LACode = "851" }, "/la_code", ""},
		{"capacity over maximum", func(r *Record) { r.Service.Capacity.Available = f64(50) }, "/capacity/available", "more than the maximum"},
		{"phone without number", func(r *Record) { r.Service.Phones[0].Number = "" }, "/phones/0/number", "minLength"},
		{"empty status spelled out", func(r *Record) { r.Service.Status = " " }, "/status", "must be one of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &Record{Kind: KindService, Service: fullService(1)}
			c.mutate(rec)
			ps := v.Validate(rec)
			if len(ps) == 0 {
				t.Fatal("no problems reported")
			}
			for _, p := range ps {
				if p.Pointer == c.pointer && strings.Contains(p.Message, c.msg) {
					return
				}
			}
			t.Fatalf("want a problem at %q containing %q, got %+v", c.pointer, c.msg, ps)
		})
	}
}

// A field HSDS requires that the source left empty loads as unknown, not invented.
func TestUnknownStatusAndLocationTypeAreValid(t *testing.T) {
	v := validator(t)
	rec := &Record{Kind: KindService, Service: fullService(1)}
	rec.Service.Status = ""
	rec.Service.ServiceAtLocations[0].Location.LocationType = ""
	if ps := v.Validate(rec); len(ps) > 0 {
		t.Fatalf("service with unknown status and location type: %+v", ps)
	}
}

func TestOtherKinds(t *testing.T) {
	v := validator(t)
	n := 42.0
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	prov := &Provenance{Pipeline: "ehcp", FetchedAt: now}
	good := []*Record{
		{Kind: KindDemand, Demand: &Demand{ID: "d1", Period: "202425", GeographicLevel: "Local authority", LACode: "E06000044",
			LACodeOld: "851", NeedCode: "ASD", AgeMin: intp(5), AgeMax: intp(10), Measure: "all_plans", Count: &n, Source: "DfE EHCP 2025", Provenance: prov}},
		{Kind: KindDemand, Demand: &Demand{ID: "d2", Period: "202425", GeographicLevel: "National", Measure: "all_plans", Source: "DfE"}},
		{Kind: KindCapacity, Capacity: &Capacity{ID: "c1", URN: "116642", ProvisionType: "special_school", NeedCodes: []string{"SLD", "PMLD"}, Places: &n, AsOf: "2026-01-16"}},
		{Kind: KindSENReport, SENReport: &SENReport{ID: "s1", URN: "116642", SchoolName: "Mary Rose Academy", Found: true,
			ReportURL: "https://www.maryrose.portsmouth.sch.uk/send", ReportFormat: "html", ReportDate: "2025-09-01",
			Evidence: []Evidence{{Item: "senco_contact", Excerpt: "Our SENCO is Mrs A Jones"}}}},
		{Kind: KindOrganization, Organization: &Organization{ID: "o1", Name: "Mary Rose Academy", LACode: "E06000044"}},
		{Kind: KindLocation, Location: &Location{ID: "l1", LocationType: "physical", LACodeOld: "851"}},
	}
	for _, r := range good {
		if ps := v.Validate(r); len(ps) != 0 {
			t.Errorf("%s %s: %v", r.Kind, r.ID(), ps)
		}
	}
	bad := []struct {
		rec     *Record
		pointer string
	}{
		{&Record{Kind: KindDemand, Demand: &Demand{ID: "d3", Period: "2024/25", GeographicLevel: "Local authority", Measure: "all_plans", Count: &n, Source: "x"}}, "/period"},
		{&Record{Kind: KindDemand, Demand: &Demand{ID: "d4", Period: "202425", GeographicLevel: "Local authority", Measure: "all_plans", Count: func() *float64 { x := -3.0; return &x }(), Source: "x"}}, "/count"},
		{&Record{Kind: KindCapacity, Capacity: &Capacity{ID: "c2", ProvisionType: "unit"}}, "/provision_type"},
		{&Record{Kind: KindSENReport, SENReport: &SENReport{ID: "s2", URN: "x", SchoolName: "S"}}, "/urn"},
		{&Record{Kind: KindService}, ""},
		{&Record{Kind: KindService, Service: &Service{ID: "s", Name: "n", Status: "active", MinimumAge: func() *float64 { x := math.NaN(); return &x }()}}, ""},
		{&Record{Kind: "widget"}, ""},
	}
	for _, b := range bad {
		ps := v.Validate(b.rec)
		if len(ps) == 0 {
			t.Errorf("%s: no problems", b.rec.Kind)
			continue
		}
		found := false
		for _, p := range ps {
			found = found || strings.HasPrefix(p.Pointer, b.pointer)
		}
		if !found {
			t.Errorf("%s: want a problem at %s, got %v", b.rec.Kind, b.pointer, ps)
		}
	}
}

// The fast plan must never accept what jsonschema/v6 rejects: compare both on
// many single-field mutations of a full service.
func TestFastPlanAgreesWithJSONSchema(t *testing.T) {
	v := validator(t)
	c := v.kinds[KindService]
	if !c.Fast() {
		t.Fatal("our schema should have a fast plan")
	}
	base, _ := json.Marshal(fullService(7))
	var tree map[string]any
	if err := json.Unmarshal(base, &tree); err != nil {
		t.Fatal(err)
	}
	values := []any{nil, true, 1.5, -1.0, 7.0, 500.0, "", "x", "ASD", "active", "2026-01-01", "a@b.org", "https://x.org/", []any{}, []any{"ASD", "ASD"}, map[string]any{}}
	var paths [][]string
	var collect func(v any, path []string)
	collect = func(v any, path []string) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				collect(x[k], append(slices.Clone(path), k))
			}
			paths = append(paths, append(slices.Clone(path), "unexpected_key"))
		case []any:
			for i, it := range x {
				collect(it, append(slices.Clone(path), "#"+string(rune('0'+i))))
			}
		}
		if len(path) > 0 {
			paths = append(paths, path)
		}
	}
	collect(tree, nil)
	checked := 0
	for _, p := range paths {
		for _, val := range values {
			var doc any
			json.Unmarshal(base, &doc)
			set(doc, p, val)
			b, _ := json.Marshal(doc)
			fast := c.plan != nil && func() bool { s := scanner{b: b}; return c.plan.scan(&s, 0) }()
			parsed, err := ParseJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			lib := c.sch.Validate(parsed) == nil
			if fast && !lib {
				t.Fatalf("fast plan accepted %s = %v, jsonschema/v6 rejects it", strings.Join(p, "/"), val)
			}
			if c.plan.ok(parsed) && !lib {
				t.Fatalf("tree plan accepted %s = %v, jsonschema/v6 rejects it", strings.Join(p, "/"), val)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d mutations checked", checked)
	}
}

func set(doc any, path []string, val any) {
	for i, k := range path {
		last := i == len(path)-1
		switch x := doc.(type) {
		case map[string]any:
			if last {
				x[k] = val
				return
			}
			doc = x[k]
		case []any:
			idx := int(k[1] - '0')
			if last {
				x[idx] = val
				return
			}
			doc = x[idx]
		}
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	for _, c := range []struct{ in, want string }{
		{`{"id": "x", "name": "Sen`, "truncated"},
		{`{"id": "x",}`, "quoted key"},
		{deep, "nested deeper"},
		{"{\"name\": \"caf\xe9\"}", "invalid UTF-8 byte 0xe9"},
		{`<html><body>502 Bad Gateway</body></html>`, "where a value should start"},
		{`{"a":1} {"b":2}`, "after the JSON value"},
		{`{"a": 01}`, "expected ',' or '}'"},
	} {
		_, err := ParseJSON([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseJSON(%.30q) = %v, want error containing %q", c.in, err, c.want)
		}
	}
	v, err := ParseJSON([]byte(`{"a":[1,2.5e1,"\u00e9\ud83d\ude00\n",true,null,{}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": []any{1.0, 25.0, "é😀\n", true, nil, map[string]any{}}}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v", v)
	}
}

// The runner validates from several pipelines at once: one Validator, many goroutines.
func TestValidatorConcurrentUse(t *testing.T) {
	v := validator(t)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s := fullService(i)
				if i%2 == 1 {
					s.Status = "open"
				}
				p := v.Validate(&Record{Kind: KindService, Service: s})
				if (i%2 == 1) != (len(p) == 1) {
					errs <- fmt.Sprintf("goroutine %d record %d: %v", g, i, p)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
