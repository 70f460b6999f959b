package config

import (
	"strings"
	"testing"
	"time"
)

func TestSENReportOptions(t *testing.T) {
	yml := `pipelines:
  - name: schools
    collector:
      type: sen_reports
      schools_from: data/edubasealldata.csv
      la_codes: ["851"]
      site_timeout: 90s
`
	cfg, err := Parse("p.yaml", []byte(yml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Pipelines[0].Collector.SENReportOptions
	if o.SiteTimeout != 90*time.Second || o.MaxDepth != 3 || o.MaxPagesPerSite != 40 || len(o.Statuses) != 1 || o.Statuses[0] != "Open" {
		t.Errorf("options %+v; want site_timeout 90s and the defaults", o)
	}

	bad := strings.Replace(yml, "site_timeout: 90s", "preset: gias", 1)
	if _, err := Parse("p.yaml", []byte(bad), func(string) (string, bool) { return "", false }); err == nil ||
		!strings.Contains(err.Error(), `not an option of collector type "sen_reports"`) {
		t.Errorf("a spreadsheet option on sen_reports: err %v", err)
	}
	none := "pipelines:\n  - name: s\n    collector: {type: sen_reports}\n"
	if _, err := Parse("p.yaml", []byte(none), func(string) (string, bool) { return "", false }); err == nil ||
		!strings.Contains(err.Error(), "give sites: or schools_from:") {
		t.Errorf("no schools: err %v", err)
	}
}
