package feedcheck

import "testing"

// feedcheck names tables as the data package collector does: one folding
// (collectors/datapackage/layout.Table) for both.
func TestTableEntity(t *testing.T) {
	for in, want := range map[string]string{
		"services":                           "service",
		"services.csv":                       "service",
		"/data/feed/Services.CSV":            "service",
		`C:\feed\organizations.csv`:          "organization",
		"organisations.csv":                  "organization", // British spelling: was refused by feedcheck alone
		"addresses":                          "address",
		"taxonomies":                         "taxonomy",
		"taxonomy_terms.csv":                 "taxonomy_term",
		"service-at-locations":               "service_at_location",
		"meta_table_descriptions":            "meta_table_description",
		"accessibility_for_disabilities.csv": "accessibility", // HSDS 2.0 name of the same table
		"other_attributes":                   "attribute",
		"regular_schedules":                  "", // an HSDS 1.x/2.0 table, not an HSDS 3.0 entity
		"widgets.csv":                        "",
		"":                                   "",
	} {
		if got := tableEntity(in); got != want {
			t.Errorf("tableEntity(%q) = %q, want %q", in, got, want)
		}
	}
}
