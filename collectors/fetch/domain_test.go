package fetch

import "testing"

// Domain is SiteKey for a website as sources write it. The copy record
// matching used to have kept the www. of *.sch.uk sites (sch.uk is a public
// suffix), so www.stmarys.sch.uk and stmarys.sch.uk counted as two sites.
func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.stmarys.sch.uk/send":  "stmarys.sch.uk",
		"stmarys.sch.uk":                   "stmarys.sch.uk",
		"www.stmarys.sch.uk/about":         "stmarys.sch.uk",
		"  http://Club.Example.org.uk/a  ": "example.org.uk",
		"https://schools.trust.org.uk/a":   "trust.org.uk",
		"https://www.portsmouth.gov.uk/":   "portsmouth.gov.uk",
		"":                                 "",
		"http://127.0.0.1:8080/":           "", // an address says nothing about who runs the site
		"http://[::1]/":                    "",
		"intranet":                         "",
		"http://%zz":                       "",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}
