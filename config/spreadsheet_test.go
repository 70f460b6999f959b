package config

import (
	"strings"
	"testing"
)

func TestSpreadsheetMapping(t *testing.T) {
	env := func(string) (string, bool) { return "", false }
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
			cfg, err := Parse("pipelines.yaml", []byte(tc.yaml), env)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				m := cfg.Pipelines[0].Collector.Mapping
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
