package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/localoffer/localoffer/internal/redact"
)

// The URL policy. Only pipelines.yaml is trusted; every address that comes
// from source data (links in pages, redirect hops, GIAS websites, data package
// resource paths, pagination and detail URLs, report links) is checked here:
//
//   - schemes: http and https; file paths only inside the folder of a local
//     source that pipelines.yaml names;
//   - hosts: by default a source-given URL stays on a configured source's
//     host (or its www. variant); Within(SameSite(home)) widens that to the
//     registrable domain of a home page found in source data (which may be
//     any public host: a GIAS SchoolWebsite);
//     http.allowed_hosts widens every rule;
//   - addresses: a host resolving to loopback, private, link-local, CGNAT or
//     unspecified addresses is refused unless it is a configured source's own
//     host or in http.allowed_hosts; checked before the request and again at
//     dial time, so DNS rebinding cannot get round it.
//
// A Session without origins (tests, tools that fetch one given URL) applies
// only the scheme rule and the old same-host redirect rule.

// Scope is the rule a source-given URL must satisfy. The zero Scope is
// SameHost.
type Scope struct {
	kind scopeKind
	site string // SameSite: the home page's site key
}

type scopeKind int

const (
	scopeHost scopeKind = iota // a configured source's host
	scopeSite                  // the registrable domain of a home page found in source data
)

// SameHost keeps a URL on a configured source's host (API pages and details,
// data package resources). It is what Get applies when no Within is given.
func SameHost() Scope { return Scope{kind: scopeHost} }

// SameSite keeps a URL on home's registrable domain (a school's site: its
// pages, reports and redirects), home itself included.
func SameSite(home string) Scope {
	s := Scope{kind: scopeSite}
	if u, err := url.Parse(home); err == nil {
		s.site = SiteKey(u)
	}
	return s
}

// Within marks a URL as coming from source data and names the rule it must
// satisfy. Without it, a Session with origins applies SameHost to every URL
// except the configured ones.
func Within(s Scope) GetOption {
	return func(r *request) { r.scope = &s }
}

// PolicyError is a URL the policy refused. It is permanent for that URL and
// never fatal for a run: the session counts it as a failed document and
// reports it through its refusal hook.
type PolicyError struct {
	URL    string // redacted
	Rule   string // "scheme", "folder", "host", "address"
	Reason string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("%s refused by the URL policy (%s rule): %s", e.URL, e.Rule, e.Reason)
}

// SiteKey is the registrable domain of u without a leading www.
// ("www.school.sch.uk" → "school.sch.uk"); for IP addresses and single-label names, host:port, since
// loopback test servers and intranet names are told apart by port. It is the
// one registrable-domain rule: the fetch policy's SameSite, the SEN report
// crawl's scope and record matching's Domain all use it.
func SiteKey(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	if net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		return siteHost(u)
	}
	// *.sch.uk is itself a public suffix, so www.school.sch.uk would be its
	// own registrable domain: the www. variant is dropped first.
	h = strings.TrimPrefix(h, "www.")
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return d
	}
	return h
}

// Domain is the registrable domain of a website as a source writes it, with
// or without a scheme ("www.example.org.uk/x" → "example.org.uk"), for
// telling whether two records name the same site; "" when it is empty, not a
// URL, an IP address or a single-label name, which say nothing about who runs
// the site.
func Domain(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	h := u.Hostname()
	if h == "" || net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		return ""
	}
	return SiteKey(u)
}

// origins are the locations pipelines.yaml gave a session.
type origins struct {
	hosts   map[string]bool // siteHost of each http(s) origin: may be on private addresses
	creds   map[string]bool // scheme://host:port of each http(s) origin: may receive credentials
	dirs    []string        // folders of local origins
	exact   map[string]bool // the configured strings themselves
	allowed map[string]bool // http.allowed_hosts, lower-case hostnames
}

func newOrigins(configured []string, allowed []string) *origins {
	o := &origins{hosts: map[string]bool{}, creds: map[string]bool{},
		exact: map[string]bool{}, allowed: map[string]bool{}}
	for _, h := range allowed {
		h = strings.ToLower(strings.TrimSpace(h))
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host // a host, whatever the port
		}
		o.allowed[strings.Trim(h, "[]")] = true
	}
	for _, c := range configured {
		if c == "" {
			continue
		}
		o.exact[c] = true
		if isFile(c) {
			if abs, err := filepath.Abs(FilePath(c)); err == nil {
				// A configured folder (a data package directory) is itself the
				// boundary; a configured file allows its own folder.
				if st, err := os.Stat(abs); err != nil || !st.IsDir() {
					abs = filepath.Dir(abs)
				}
				o.dirs = append(o.dirs, abs)
			}
			continue
		}
		u, err := url.Parse(c)
		if err != nil || u.Host == "" {
			continue
		}
		o.hosts[siteHost(u)] = true
		o.creds[originOf(u)] = true
	}
	return o
}

// originOf is scheme://host:port with the default port spelled out.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

func (o *origins) isAllowed(hostname string) bool {
	return o.allowed[strings.ToLower(hostname)]
}

// privateOK: a configured host[:port] may be on any address (a loopback
// test, an intranet directory), and so may an allowed host. The port counts:
// a loopback source does not open the other services on its machine.
func (o *origins) privateOK(hostname, port string) bool {
	h := strings.ToLower(strings.Trim(hostname, "[]"))
	if o.allowed[h] {
		return true
	}
	key := h
	if port != "" && port != "80" && port != "443" {
		key = net.JoinHostPort(h, port)
	}
	return o.hosts[key]
}

// onOriginHost: the same host[:port] as a configured http(s) source, or its
// www. variant (http and https alike).
func (o *origins) onOriginHost(u *url.URL) bool {
	h := siteHost(u)
	if o.hosts[h] || o.hosts["www."+h] || (strings.HasPrefix(h, "www.") && o.hosts[strings.TrimPrefix(h, "www.")]) {
		return true
	}
	return o.isAllowed(u.Hostname())
}

// checkFile: a path is allowed only inside a local origin's folder.
func (o *origins) checkFile(raw string) error {
	if len(o.dirs) == 0 {
		return &PolicyError{URL: redactURL(raw), Rule: "scheme", Reason: "only http and https addresses may come from a remote source (file paths only under a local source named in pipelines.yaml)"}
	}
	abs, err := filepath.Abs(FilePath(raw))
	if err != nil {
		return &PolicyError{URL: redactURL(raw), Rule: "folder", Reason: err.Error()}
	}
	for _, d := range o.dirs {
		if rel, err := filepath.Rel(d, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return &PolicyError{URL: redactURL(raw), Rule: "folder", Reason: "outside the folder of the local source named in pipelines.yaml"}
}

// checkURL applies the scheme, folder and host rules to one URL (not the
// address rule, which needs DNS). configured URLs pass as they are.
func (o *origins) checkURL(raw string, s Scope) error {
	if o.exact[raw] {
		return nil
	}
	if isFile(raw) {
		return o.checkFile(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &PolicyError{URL: redactURL(raw), Rule: "scheme", Reason: "not a valid URL"}
	}
	return o.checkHop(u, s)
}

func (o *origins) checkHop(u *url.URL, s Scope) error {
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return &PolicyError{URL: redactURL(u.String()), Rule: "scheme", Reason: "only http and https addresses may come from a source"}
	}
	switch s.kind {
	case scopeSite:
		if s.site != "" && SiteKey(u) == s.site || o.isAllowed(u.Hostname()) {
			return nil
		}
		return &PolicyError{URL: redactURL(u.String()), Rule: "host", Reason: fmt.Sprintf("leaves the site %s (add the host to http.allowed_hosts to allow it)", s.site)}
	}
	if o.onOriginHost(u) {
		return nil
	}
	return &PolicyError{URL: redactURL(u.String()), Rule: "host", Reason: "not on the configured source's host (add it to http.allowed_hosts to allow it)"}
}

// blockedAddr names why an address may not be reached from source data, or "".
func blockedAddr(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local (cloud metadata lives here)"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a.Is4() && (cgnat.Contains(a) || thisNet.Contains(a) || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})):
		return "reserved"
	}
	return ""
}

var (
	cgnat   = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT; some clouds' metadata
	thisNet = netip.MustParsePrefix("0.0.0.0/8")
)

// policy travels in a request's context to the redirect check and the dialer.
type policy struct {
	o     *origins // nil: a session without origins
	scope Scope
	// credOrigin: where headers and userinfo may go; creds lists the header
	// names to strip elsewhere.
	credOrigins map[string]bool
	creds       []string
}

type policyKey struct{}

func policyFrom(ctx context.Context) *policy {
	p, _ := ctx.Value(policyKey{}).(*policy)
	return p
}

// checkAddress resolves host and refuses it when any address is not public.
// A lookup failure is left to the dial, which fails the same way.
func (c *Client) checkAddress(ctx context.Context, p *policy, u *url.URL) error {
	if p == nil || p.o == nil || p.o.privateOK(u.Hostname(), u.Port()) {
		return nil
	}
	addrs, err := c.lookup(ctx, u.Hostname())
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if why := blockedAddr(a); why != "" {
			return &PolicyError{URL: redactURL(u.String()), Rule: "address",
				Reason: fmt.Sprintf("%s resolves to %s, a %s address (only a configured source's own host or http.allowed_hosts may be)", u.Hostname(), a, why)}
		}
	}
	return nil
}

func (c *Client) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.Trim(host, "[]")
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	return c.resolve(ctx, host)
}

// dialContext checks the addresses it is about to connect to, so a name that
// resolved to a public address for the check cannot be rebound to a private
// one for the connection: it dials exactly the addresses it checked.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	addrs, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	if p := policyFrom(ctx); p != nil && p.o != nil && !p.o.privateOK(host, port) {
		for _, a := range addrs {
			if why := blockedAddr(a); why != "" {
				return nil, &PolicyError{URL: host, Rule: "address",
					Reason: fmt.Sprintf("%s resolves to %s, a %s address, at connection time", host, a, why)}
			}
		}
	}
	var firstErr error
	for _, a := range addrs {
		conn, err := c.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("dial %s: no addresses", host)
	}
	return nil, firstErr
}

func redactURL(s string) string { return redact.URL(s) }
