package main

import (
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsapi"
	"github.com/localoffer/localoffer/collectors/senreports"
	"github.com/localoffer/localoffer/collectors/spreadsheet"
	"github.com/localoffer/localoffer/config"
)

// parseChecked parses a configuration and checks every collector's options,
// as loadConfig does.
func parseChecked(yml string) (*config.Config, error) {
	cfg, err := config.Parse("pipelines.yaml", []byte(yml), func(string) (string, bool) { return "", false })
	if err != nil {
		return nil, err
	}
	if errs := checkCollectors(cfg); len(errs) > 0 {
		return nil, errs
	}
	return cfg, nil
}

// Collector options are refused at their own key's line, with the field.
func TestCollectorOptionErrorsNameLineAndField(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown collector key", "pipelines:\n  - name: a\n    collector:\n      type: hsds_api\n      url: x\n      pagesize: 10\n",
			[]string{"pipelines.yaml:6:", "pagesize", "collector"}},
		{"unknown collector type", "pipelines:\n  - name: a\n    collector:\n      type: ftp_dump\n      url: x\n",
			[]string{"pipelines.yaml:4:", "pipelines[0].collector.type", `unknown collector type "ftp_dump"`}},
		{"option of another collector type", "pipelines:\n  - name: a\n    collector:\n      type: hsds_api\n      url: x\n      preset: gias\n",
			[]string{"pipelines.yaml:6:", "pipelines[0].collector.preset", `not an option of collector type "hsds_api"`}},
		{"pipeline key inside collector", "pipelines:\n  - name: a\n    collector: {type: hsds_api, url: x, default_status: active}\n",
			[]string{"pipelines.yaml:3:", "default_status"}},
		{"missing url", "pipelines:\n  - name: a\n    collector: {type: hsds_api}\n",
			[]string{"pipelines.yaml:2:", "pipelines[0].collector.url", "required"}},
		{"another collector's key, second pipeline", "pipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n  - name: b\n    collector:\n      type: spreadsheet\n      path: x.csv\n      preset: gias\n\n\n\n\n\n      per_page: 10\n",
			[]string{"pipelines.yaml:14:", "pipelines[1].collector.per_page", `not an option of collector type "spreadsheet"`}},
		{"datapackage has no paging", "pipelines:\n  - name: a\n    collector:\n      type: hsds_datapackage\n      url: x\n      per_page: 10\n",
			[]string{"pipelines.yaml:6:", "pipelines[0].collector.per_page", `not an option of collector type "hsds_datapackage"`}},
		{"datapackage is not incremental", "pipelines:\n  - name: a\n    collector:\n      type: hsds_datapackage\n      url: x\n      incremental: false\n      full_sweep_every: 1h\n",
			[]string{"pipelines.yaml:6:", "pipelines.yaml:7:", "collector.incremental", "collector.full_sweep_every"}},
		{"missing type", "pipelines:\n  - name: a\n    collector: {url: x}\n",
			[]string{"pipelines.yaml:", "pipelines[0].collector.type", "required"}},
		{"wrong value type", "pipelines:\n  - name: a\n    collector:\n      type: hsds_api\n      url: x\n      per_page: many\n",
			[]string{"pipelines.yaml:6:", "wrong type", "many"}},
		{"option out of range", "pipelines:\n  - name: a\n    collector:\n      type: hsds_api\n      url: x\n      fetch_details: sometimes\n",
			[]string{"pipelines.yaml:6:", "pipelines[0].collector.fetch_details", "must be auto, always or never"}},
		{"unknown nested site key", "pipelines:\n  - name: s\n    collector:\n      type: sen_reports\n      sites:\n        - urn: \"1\"\n          url: x\n          colour: blue\n",
			[]string{"pipelines.yaml:8:", "colour"}},
		{"sen_reports has no url", "pipelines:\n  - name: s\n    collector:\n      type: sen_reports\n      schools_from: x.csv\n      url: x\n",
			[]string{"pipelines.yaml:6:", "pipelines[0].collector.url", `not an option of collector type "sen_reports"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseChecked(c.yaml)
			if err == nil {
				t.Fatal("accepted a bad configuration")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// decodeOptions decodes pipeline i's collector: section as its row does.
func decodeOptions[O any](t *testing.T, cfg *config.Config, i int, into *O) {
	t.Helper()
	var s sourced[O]
	p := &cfg.Pipelines[i]
	if errs := cfg.DecodeCollector(p, &s); len(errs) > 0 {
		t.Fatal(errs)
	}
	*into = s.Options
}

func TestAPIOptionsDefaults(t *testing.T) {
	cfg, err := parseChecked("pipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n")
	if err != nil {
		t.Fatal(err)
	}
	var o hsdsapi.Options
	decodeOptions(t, cfg, 0, &o)
	o.SetDefaults()
	if o.PerPage != 100 || o.MaxPages != 10000 || o.FetchDetails != "auto" || o.Profile != "uk" || o.Incremental == nil || !*o.Incremental {
		t.Errorf("defaults not applied: %+v", o)
	}
}

func TestSENReportOptions(t *testing.T) {
	yml := `pipelines:
  - name: schools
    collector:
      type: sen_reports
      schools_from: data/edubasealldata.csv
      la_codes: ["851"]
      site_timeout: 90s
`
	cfg, err := parseChecked(yml)
	if err != nil {
		t.Fatal(err)
	}
	var s unsourced[senreports.Options]
	if errs := cfg.DecodeCollector(&cfg.Pipelines[0], &s); len(errs) > 0 {
		t.Fatal(errs)
	}
	o := s.Options
	o.SetDefaults()
	if o.SiteTimeout != 90*time.Second || o.MaxDepth != 3 || o.MaxPagesPerSite != 40 || len(o.Statuses) != 1 || o.Statuses[0] != "Open" {
		t.Errorf("options %+v; want site_timeout 90s and the defaults", o)
	}

	bad := strings.Replace(yml, "site_timeout: 90s", "preset: gias", 1)
	if _, err := parseChecked(bad); err == nil ||
		!strings.Contains(err.Error(), `not an option of collector type "sen_reports"`) || !strings.Contains(err.Error(), "pipelines.yaml:7:") {
		t.Errorf("a spreadsheet option on sen_reports: err %v", err)
	}
	none := "pipelines:\n  - name: s\n    collector: {type: sen_reports}\n"
	if _, err := parseChecked(none); err == nil || !strings.Contains(err.Error(), "give sites: or schools_from:") {
		t.Errorf("no schools: err %v", err)
	}
}

func TestSpreadsheetMapping(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       string // substring of the error; empty = valid
	}{
		{"plain and mapping rules", `
pipelines:
  - name: providers
    collector:
      type: spreadsheet
      path: providers.xlsx
      mapping:
        name: Provider
        need_codes: {column: Needs, split: ";"}
        status: {const: active}
        address: {columns: [Street, Town], join: ", "}
`, ""},
		{"unknown rule key with line", `
pipelines:
  - name: providers
    collector:
      type: spreadsheet
      path: providers.xlsx
      mapping:
        name: Provider
        email:
          column: Email
          colour: blue
`, ":11: "},
		{"unknown target field", `
pipelines:
  - name: providers
    collector:
      type: spreadsheet
      path: providers.xlsx
      mapping:
        nmae: Provider
`, `unknown field "nmae" for entity services`},
		{"two sources in one rule", `
pipelines:
  - name: providers
    collector:
      type: spreadsheet
      path: providers.xlsx
      mapping:
        name: {column: A, const: B}
`, "exactly one of column, columns, const"},
		{"preset and mapping", `
pipelines:
  - name: gias
    collector:
      type: spreadsheet
      path: edubasealldata.csv
      preset: gias
      mapping: {name: A}
`, "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseChecked(tc.yaml)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				var o spreadsheet.Options
				decodeOptions(t, cfg, 0, &o)
				m := o.Mapping
				if m["name"].Column != "Provider" || m["need_codes"].Split != ";" || m["address"].Join != ", " || m["status"].Const != "active" {
					t.Fatalf("mapping decoded as %+v", m)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
