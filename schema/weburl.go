package schema

import (
	"net/url"
	"strings"
)

// WebURL is a web address as a source writes it, made absolute: sources often
// leave off the scheme ("www.school.sch.uk"), which HSDS's uri format needs,
// so http:// is added (servers that have https redirect to it). A value with a
// scheme is kept as written, file:/// URLs of sources read from local files
// included. It returns "" for a blank value and for one that names no host, or
// a host with spaces or commas (two addresses in one spreadsheet cell). The
// spreadsheet collector reads cells with it and the feed exporter writes
// addresses with it.
func WebURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.Scheme == "file" {
		return s
	}
	if u.Host == "" || strings.ContainsAny(u.Host, " ,") {
		return ""
	}
	return s
}
