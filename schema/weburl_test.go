package schema

import "testing"

// The spreadsheet collector and the feed exporter each had a webURL: the
// collector's refused values without a host, the exporter's did not; the
// exporter's kept file:/// addresses, the collector's did not. One rule now:
// both of those are right (a hostless http address is no address; a file URL
// is how local sources are addressed, and the schema allows it).
func TestWebURL(t *testing.T) {
	for in, want := range map[string]string{
		"www.school.sch.uk":                 "http://www.school.sch.uk",
		"  www.school.sch.uk/send  ":        "http://www.school.sch.uk/send",
		"https://www.portsmouth.gov.uk/x?y": "https://www.portsmouth.gov.uk/x?y",
		"http://club.example.org:8080/":     "http://club.example.org:8080/",
		"file:///srv/sites/school/sen.pdf":  "file:///srv/sites/school/sen.pdf",
		"":                                  "",
		"   ":                               "",
		"http://":                           "",
		"www.a.org, www.b.org":              "",
		"http://a b.org/":                   "",
		"http://%zz":                        "",
	} {
		if got := WebURL(in); got != want {
			t.Errorf("WebURL(%q) = %q, want %q", in, got, want)
		}
	}
}
