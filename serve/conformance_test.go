package serve

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/localoffer/localoffer/internal/sharedtest"
)

// official compiles the official HSDS 3.0 and UK profile schemas from
// ../shared/conformance; component schemas refer to each other by bare file
// name, so each directory is added under a base URL of its own.
func official(t *testing.T) func(name string) *jsonschema.Schema {
	t.Helper()
	root := sharedtest.Path(t, "conformance")
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, dir := range []string{"hsds-3.0/schema", "hsds-3.0/schema/compiled", "uk-profile/schema", "uk-profile/schema/compiled"} {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.json"))
		for _, f := range files {
			if filepath.Base(f) == "openapi.json" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := c.AddResource("file:///"+dir+"/"+filepath.Base(f), doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	cache := map[string]*jsonschema.Schema{}
	return func(name string) *jsonschema.Schema {
		if s := cache[name]; s != nil {
			return s
		}
		s, err := c.Compile("file:///" + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		cache[name] = s
		return s
	}
}

func validateBody(t *testing.T, sch *jsonschema.Schema, what string, b []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s does not validate: %v\n%s", what, err, b)
	}
}

// Every body the API serves validates against the official schema its
// OpenAPI document names: services against the UK profile (and HSDS 3.0),
// list items against the compiled list schemas.
func TestResponsesValidateAgainstOfficialSchemas(t *testing.T) {
	schemas := official(t)
	// The check can fail: a service without name and status does not pass.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001"}`)))
	if schemas("uk-profile/schema/compiled/service.json").Validate(bad) == nil {
		t.Fatal("the official service schema accepts a service without name and status")
	}
	h := newHarness(t)
	type listCase struct {
		path, item string
	}
	for _, c := range []listCase{
		{"/services?include_stale=true&per_page=1000", "uk-profile/schema/compiled/service_list.json"},
		{"/services?include_stale=true&per_page=1000", "hsds-3.0/schema/compiled/service_list.json"},
		{"/services?include_stale=true&full=true", "uk-profile/schema/compiled/service.json"},
		{"/service_at_locations?include_stale=true", "hsds-3.0/schema/compiled/service_at_location_list.json"},
		{"/service_at_locations?full=true", "hsds-3.0/schema/service_at_location.json"},
		{"/organizations", "hsds-3.0/schema/compiled/organization_list.json"},
		{"/organizations?full=true", "hsds-3.0/schema/organization.json"},
		{"/taxonomies", "uk-profile/schema/taxonomy.json"},
		{"/taxonomy_terms", "uk-profile/schema/taxonomy_term.json"},
	} {
		p := h.page(c.path)
		if len(p.Contents) == 0 {
			t.Errorf("%s: empty", c.path)
		}
		for i, item := range p.Contents {
			validateBody(t, schemas(c.item), c.path+" item "+string(rune('0'+i)), item)
		}
		// Each item's {id} endpoint serves a valid full record too.
		for _, item := range p.Contents {
			var x struct{ ID string }
			json.Unmarshal(item, &x)
			path := map[string]string{"/services": "/services/", "/service_at_locations": "/service_at_locations/",
				"/organizations": "/organizations/", "/taxonomies": "/taxonomies/", "/taxonomy_terms": "/taxonomy_terms/"}
			base := c.path
			if i := bytes.IndexByte([]byte(base), '?'); i >= 0 {
				base = base[:i]
			}
			full := map[string]string{
				"/services": "uk-profile/schema/compiled/service.json", "/service_at_locations": "hsds-3.0/schema/service_at_location.json",
				"/organizations": "hsds-3.0/schema/organization.json", "/taxonomies": "uk-profile/schema/taxonomy.json",
				"/taxonomy_terms": "uk-profile/schema/taxonomy_term.json"}[base]
			resp, b := h.get(path[base] + x.ID)
			if resp.StatusCode != 200 {
				t.Errorf("%s%s: HTTP %d", path[base], x.ID, resp.StatusCode)
				continue
			}
			validateBody(t, schemas(full), path[base]+x.ID, b)
			if base == "/services" {
				validateBody(t, schemas("hsds-3.0/schema/compiled/service.json"), path[base]+x.ID+" (HSDS 3.0)", b)
			}
		}
	}
}
