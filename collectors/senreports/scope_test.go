package senreports

import (
	"net/url"
	"testing"
)

// A school's site is its registrable domain with or without www. (sch.uk is a
// public suffix, so the crawl used to treat www.x.sch.uk and x.sch.uk as two
// sites), as the fetch policy's SameSite already did.
func TestScopeIsTheRegistrableDomain(t *testing.T) {
	s := newScope("https://www.stmarys.sch.uk/")
	for u, want := range map[string]bool{
		"https://stmarys.sch.uk/send":        true,
		"http://www.stmarys.sch.uk/a.pdf":    true,
		"https://docs.stmarys.sch.uk/report": false, // *.sch.uk is a public suffix: each label under it is a site of its own
		"https://stjohns.sch.uk/send":        false,
		"ftp://stmarys.sch.uk/x":             false,
	} {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.in(pu); got != want {
			t.Errorf("in(%s) = %v, want %v", u, got, want)
		}
	}
}
