// Package repair keeps a record whole when one of its fields is bad: it
// repairs an invalid optional field when the intent is unambiguous, drops it
// (or the nested object it belongs to) when not, and reports every repair and
// drop as a schema.FieldIssue (the field_issues table). Only a record without
// an id or a usable name is left for quarantine.
//
// Two pure steps, both safe for concurrent use:
//   - Repair applies the explicit rules below to every record before it is
//     transformed (URLs, emails, phones, times, enum spelling, location and
//     address types, default_status);
//   - Drop is driven by the validator's problems after the transform: it
//     removes what failed and validates again.
//
// Nothing is invented: a required HSDS field the source left empty stays
// empty (a service's status, a location's type) unless the pipeline says
// otherwise (default_status), and each such use is recorded.
package repair

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/localoffer/localoffer/schema"
)

// Rules, as field_issues.rule says them.
const (
	RuleURLScheme     = "url_scheme"             // http:www.x, https:/x, www.x, example.org → a full http(s) URL
	RuleEmail         = "email_cleanup"          // zero-width and surrounding spaces, mailto:, <…>
	RulePhone         = "phone_format"           // "Tel: 0117  123 4567" → "0117 123 4567"
	RulePhoneNoDigits = "phone_without_digits"   // a phone whose number has no digit ("n/a", "TBC") is dropped
	RuleTime          = "time_format"            // 9:00am, 5 pm, 17.30 → 09:00, 17:00, 17:30
	RuleEnumCase      = "enum_spelling"          // "Active " → "active", "weekly" → "WEEKLY"
	RuleLocationType  = "location_type_inferred" // physical with an address or coordinates, else virtual with a URL
	RuleAddressType   = "address_type_inferred"  // an address of a physical or postal location takes its type
	RuleCountry       = "country_code"           // "United Kingdom" → GB
	RuleDefaultStatus = "default_status"         // the pipeline's default_status for a service the source gave none
	RuleTrim          = "whitespace"             // a value that was only spaces is absent
	RuleInvalidField  = "invalid_field"          // dropped: failed the schema and no rule could repair it
	RuleInvalidObject = "invalid_nested_object"  // dropped: a nested location, contact, phone… failed the schema
	RuleInvalidItem   = "invalid_array_item"     // dropped: one item of a list failed the schema
	RuleInvalidRange  = "invalid_range"          // dropped: a range whose ends are the wrong way round
)

// Options are a pipeline's repair settings.
type Options struct {
	// DefaultStatus is given to services with no status ("" leaves them unknown).
	DefaultStatus string
}

// fixer collects the issues of one record. path is the JSON pointer of the
// object being walked, built in one reused buffer: a pointer string is made
// only when there is an issue to record.
type fixer struct {
	opts   Options
	issues []schema.FieldIssue
	path   []byte
}

func (f *fixer) enter(seg string) int {
	n := len(f.path)
	f.path = append(append(f.path, '/'), seg...)
	return n
}

func (f *fixer) enterIndex(i int) int {
	n := len(f.path)
	f.path = strconv.AppendInt(append(f.path, '/'), int64(i), 10)
	return n
}

func (f *fixer) leave(n int) { f.path = f.path[:n] }

// ptr is the pointer of a field of the current object ("" is the object).
func (f *fixer) ptr(field string) string {
	if field == "" {
		return string(f.path)
	}
	return string(f.path) + "/" + field
}

func (f *fixer) repaired(field, original, value, rule string) {
	f.issues = append(f.issues, schema.FieldIssue{Pointer: f.ptr(field), Original: original, Action: schema.ActionRepaired, Value: value, Rule: rule})
}

func (f *fixer) dropped(field, original, rule, reason string) {
	f.issues = append(f.issues, schema.FieldIssue{Pointer: f.ptr(field), Original: original, Action: schema.ActionDropped, Rule: rule, Reason: reason})
}

// Repair applies the explicit rules to a record in place and returns what it
// changed. A record without an entity is left alone (the validator quarantines it).
func Repair(rec *schema.Record, o Options) []schema.FieldIssue {
	var buf [96]byte
	f := fixer{opts: o, path: buf[:0]}
	// Each kind has its own fields to repair; Entity() is nil for a record
	// without one, which matches no case.
	switch e := rec.Entity().(type) {
	case *schema.Service:
		f.service(e)
	case *schema.Organization:
		f.organization(e)
	case *schema.Location:
		f.location(e)
	case *schema.SENReport:
		r := e
		f.url(&r.SiteURL, "site_url")
		f.url(&r.ReportURL, "report_url")
		f.url(&r.LocalOfferURL, "local_offer_url")
		f.email(&r.SENCOEmail, "senco_email")
	}
	return f.issues
}

var serviceStatuses = []string{"active", "inactive", "defunct", "temporarily closed"}

func (f *fixer) service(s *schema.Service) {
	f.text(&s.Name, "name")
	f.url(&s.URL, "url")
	f.email(&s.Email, "email")
	f.email(&s.AssurerEmail, "assurer_email")
	f.enum(&s.Status, "status", serviceStatuses, strings.ToLower)
	if s.Status == "" && f.opts.DefaultStatus != "" {
		s.Status = f.opts.DefaultStatus
		f.repaired("status", "", s.Status, RuleDefaultStatus)
	}
	s.Phones = f.phones(s.Phones, "phones")
	f.schedules(s.Schedules, "schedules")
	s.Contacts = f.contacts(s.Contacts, "contacts")
	if len(s.ServiceAtLocations) > 0 {
		n := f.enter("service_at_locations")
		for i := range s.ServiceAtLocations {
			sal := &s.ServiceAtLocations[i]
			m := f.enterIndex(i)
			sal.Phones = f.phones(sal.Phones, "phones")
			sal.Contacts = f.contacts(sal.Contacts, "contacts")
			f.schedules(sal.Schedules, "schedules")
			if sal.Location != nil {
				l := f.enter("location")
				f.location(sal.Location)
				f.leave(l)
			}
			f.leave(m)
		}
		f.leave(n)
	}
	if s.Organization != nil {
		n := f.enter("organization")
		f.organization(s.Organization)
		f.leave(n)
	}
}

func (f *fixer) organization(o *schema.Organization) {
	f.text(&o.Name, "name")
	f.url(&o.Website, "website")
	f.url(&o.URI, "uri")
	f.email(&o.Email, "email")
	o.Phones = f.phones(o.Phones, "phones")
	o.Contacts = f.contacts(o.Contacts, "contacts")
	if len(o.Locations) > 0 {
		n := f.enter("locations")
		for i := range o.Locations {
			m := f.enterIndex(i)
			f.location(&o.Locations[i])
			f.leave(m)
		}
		f.leave(n)
	}
}

var locationTypes = []string{"physical", "postal", "virtual"}

func (f *fixer) location(l *schema.Location) {
	f.url(&l.URL, "url")
	f.enum(&l.LocationType, "location_type", locationTypes, strings.ToLower)
	if len(l.Accessibility) > 0 {
		n := f.enter("accessibility")
		for i := range l.Accessibility {
			m := f.enterIndex(i)
			f.url(&l.Accessibility[i].URL, "url")
			f.leave(m)
		}
		f.leave(n)
	}
	l.Phones = f.phones(l.Phones, "phones")
	l.Contacts = f.contacts(l.Contacts, "contacts")
	f.schedules(l.Schedules, "schedules")
	if l.LocationType == "" {
		// An address or a position makes a place; a URL alone makes a
		// virtual one. With neither the type stays unknown.
		switch {
		case len(l.Addresses) > 0 || (l.Latitude != nil && l.Longitude != nil):
			l.LocationType = "physical"
		case l.URL != "":
			l.LocationType = "virtual"
		}
		if l.LocationType != "" {
			f.repaired("location_type", "", l.LocationType, RuleLocationType)
		}
	}
	if len(l.Addresses) > 0 {
		n := f.enter("addresses")
		for i := range l.Addresses {
			a := &l.Addresses[i]
			m := f.enterIndex(i)
			f.enum(&a.AddressType, "address_type", locationTypes, strings.ToLower)
			if a.AddressType == "" && (l.LocationType == "physical" || l.LocationType == "postal") {
				a.AddressType = l.LocationType
				f.repaired("address_type", "", a.AddressType, RuleAddressType)
			}
			f.country(&a.Country, "country")
			f.leave(m)
		}
		f.leave(n)
	}
}

func (f *fixer) contacts(cs []schema.Contact, field string) []schema.Contact {
	if len(cs) == 0 {
		return cs
	}
	n := f.enter(field)
	for i := range cs {
		m := f.enterIndex(i)
		f.email(&cs[i].Email, "email")
		cs[i].Phones = f.phones(cs[i].Phones, "phones")
		f.leave(m)
	}
	f.leave(n)
	return cs
}

// phones repairs each number and drops phones with no digit at all.
func (f *fixer) phones(ps []schema.Phone, field string) []schema.Phone {
	if len(ps) == 0 {
		return ps
	}
	n := f.enter(field)
	defer f.leave(n)
	out := ps[:0]
	for i, ph := range ps {
		m := f.enterIndex(i)
		if fixed := phoneNumber(ph.Number); fixed != ph.Number {
			f.repaired("number", ph.Number, fixed, RulePhone)
			ph.Number = fixed
		}
		if !hasDigit(ph.Number) {
			// Pointers of later phones keep the source's positions.
			f.dropped("", ph.Number, RulePhoneNoDigits, "the number has no digit")
			f.leave(m)
			continue
		}
		f.leave(m)
		out = append(out, ph)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var weekdayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
var freqs = []string{"WEEKLY", "MONTHLY"}

func (f *fixer) schedules(ss []schema.Schedule, field string) {
	if len(ss) == 0 {
		return
	}
	n := f.enter(field)
	for i := range ss {
		s := &ss[i]
		m := f.enterIndex(i)
		f.time(&s.OpensAt, "opens_at")
		f.time(&s.ClosesAt, "closes_at")
		f.url(&s.ScheduleLink, "schedule_link")
		f.enum(&s.Freq, "freq", freqs, strings.ToUpper)
		f.enum(&s.Wkst, "wkst", weekdayCodes, strings.ToUpper)
		f.leave(m)
	}
	f.leave(n)
}

// text trims a required text field (a name); a name of only spaces becomes
// empty, which the validator then refuses.
func (f *fixer) text(v *string, field string) {
	if t := clean(*v); t != *v {
		f.repaired(field, *v, t, RuleTrim)
		*v = t
	}
}

func (f *fixer) url(v *string, field string) {
	if *v == "" {
		return
	}
	if fixed, rule := fixURL(*v); fixed != *v {
		f.repaired(field, *v, fixed, rule)
		*v = fixed
	}
}

func (f *fixer) email(v *string, field string) {
	if *v == "" {
		return
	}
	if fixed := fixEmail(*v); fixed != *v {
		rule := RuleEmail
		if fixed == "" {
			rule = RuleTrim
		}
		f.repaired(field, *v, fixed, rule)
		*v = fixed
	}
}

func (f *fixer) time(v *string, field string) {
	if *v == "" {
		return
	}
	if fixed, ok := fixTime(*v); ok && fixed != *v {
		f.repaired(field, *v, fixed, RuleTime)
		*v = fixed
	}
}

// enum repairs the spelling of an enumerated value (case, spaces); a value
// that is only spaces becomes absent; anything else is left to the validator.
func (f *fixer) enum(v *string, field string, allowed []string, fold func(string) string) {
	if *v == "" {
		return
	}
	for _, a := range allowed {
		if *v == a {
			return // the common case: nothing to do
		}
	}
	t := strings.Join(strings.Fields(clean(*v)), " ")
	if t == "" {
		f.repaired(field, *v, "", RuleTrim)
		*v = ""
		return
	}
	t = fold(t)
	for _, a := range allowed {
		if t == a {
			f.repaired(field, *v, t, RuleEnumCase)
			*v = t
			return
		}
	}
}

var countryNames = map[string]string{
	"uk": "GB", "u.k.": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
	"wales": "GB", "northern ireland": "GB", "gb": "GB", "gbr": "GB",
	"us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "united states": "US", "united states of america": "US",
}

func (f *fixer) country(v *string, field string) {
	if *v == "" || (len(*v) == 2 && isUpperASCII(*v)) {
		return
	}
	if code, ok := countryNames[strings.ToLower(clean(*v))]; ok {
		f.repaired(field, *v, code, RuleCountry)
		*v = code
	}
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// clean removes zero-width characters and surrounding white space
// (non-breaking spaces included).
func clean(s string) string {
	if !needsClean(s) {
		return s
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		case '\u00a0':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// needsClean is the fast path: most values need nothing.
func needsClean(s string) bool {
	if s == "" {
		return false
	}
	if s[0] <= ' ' || s[len(s)-1] <= ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true // may hold a zero-width or non-breaking space
		}
	}
	return false
}

var hostLike = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(:[0-9]{1,5})?([/?#][^\s]*)?$`)

// fixURL repairs a web address whose intent is clear: a scheme missing its
// slashes (http:www.x, https:/x, http//x), surrounding spaces, or no scheme
// at all before a host name (www.x, example.org/page → https://…).
// Anything else is returned unchanged for the validator to judge.
func fixURL(s string) (string, string) {
	if rest, ok := cutScheme(s); ok && rest != "" && rest[0] != '/' && !needsClean(s) {
		return s, RuleTrim // the common case: a full URL, for the validator to judge
	}
	t := clean(s)
	if t == "" {
		return "", RuleTrim
	}
	low := strings.ToLower(t)
	for _, scheme := range []string{"https", "http"} {
		if !strings.HasPrefix(low, scheme) {
			continue
		}
		rest := t[len(scheme):]
		if strings.HasPrefix(rest, "://") && hostLike.MatchString(rest[3:]) {
			if t[:len(scheme)] != scheme {
				return scheme + rest, RuleURLScheme
			}
			return t, RuleTrim
		}
		// Up to one colon and three slashes, in the order a typist slips.
		r := strings.TrimPrefix(rest, ":")
		colon := len(r) < len(rest)
		trimmed := strings.TrimLeft(r, "/")
		slashes := len(r) - len(trimmed)
		if (colon || slashes == 2) && slashes <= 3 && hostLike.MatchString(trimmed) {
			return scheme + "://" + trimmed, RuleURLScheme
		}
		return t, RuleTrim
	}
	if !strings.Contains(t, "://") && hostLike.MatchString(t) {
		return "https://" + t, RuleURLScheme
	}
	return t, RuleTrim
}

// cutScheme returns what follows a lower-case http:// or https://.
func cutScheme(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		return rest, true
	}
	return strings.CutPrefix(s, "http://")
}

// fixEmail removes what surrounds an address: spaces, zero-width
// characters, a mailto: scheme, angle brackets.
func fixEmail(s string) string {
	t := clean(s)
	if len(t) > 7 && strings.EqualFold(t[:7], "mailto:") {
		t = strings.TrimSpace(t[7:])
		if i := strings.IndexByte(t, '?'); i >= 0 {
			t = t[:i] // mailto:x@y?subject=… carries no address in its query
		}
	}
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	return t
}

var phonePrefix = regexp.MustCompile(`(?i)^(tel(ephone)?|phone|t)\s*[.:]\s*`)

// phoneNumber tidies how a number is written: zero-width and repeated
// spaces, a "Tel:" label, a tel: scheme.
func phoneNumber(s string) string {
	if plainNumber(s) {
		return s
	}
	t := clean(s)
	t = phonePrefix.ReplaceAllString(t, "")
	return strings.Join(strings.FieldsFunc(t, unicode.IsSpace), " ")
}

// plainNumber is the fast path: digits, single spaces and +()-. only.
func plainNumber(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '+', c == '(', c == ')', c == '-', c == '.':
		case c == ' ' && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

var (
	validTime = regexp.MustCompile(`^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?(Z|[+-][0-9]{2}:?[0-9]{2})?$`)
	clockTime = regexp.MustCompile(`^([0-9]{1,2})(?:[:.]([0-5][0-9]))?(?::([0-5][0-9]))?\s*(am|pm|a\.m\.?|p\.m\.?)?$`)
	fourDigit = regexp.MustCompile(`^([0-2][0-9])([0-5][0-9])$`)
)

// fixTime reads a clock time as people write it: 9:00am, 5 pm, 17.30, 0900,
// noon. A bare hour without am/pm ("9") is ambiguous and left alone.
func fixTime(s string) (string, bool) {
	if len(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' &&
		(s[0] < '2' || s[1] <= '3') {
		return s, true // HH:MM, the common case
	}
	t := strings.ToLower(clean(s))
	if validTime.MatchString(t) {
		if t[0] == '2' && t[1] > '3' {
			return s, false // 24:00 and later
		}
		return t, true
	}
	switch t {
	case "noon", "midday", "12 noon":
		return "12:00", true
	case "midnight":
		return "00:00", true
	}
	if m := fourDigit.FindStringSubmatch(t); m != nil {
		if h, _ := strconv.Atoi(m[1]); h <= 23 {
			return m[1] + ":" + m[2], true
		}
		return s, false
	}
	m := clockTime.FindStringSubmatch(t)
	if m == nil {
		return s, false
	}
	h, _ := strconv.Atoi(m[1])
	mins, secs, ampm := m[2], m[3], m[4]
	switch {
	case ampm != "":
		if h < 1 || h > 12 {
			return s, false
		}
		pm := ampm[0] == 'p'
		if pm && h < 12 {
			h += 12
		} else if !pm && h == 12 {
			h = 0
		}
	case mins == "" || h > 23:
		return s, false
	}
	if mins == "" {
		mins = "00"
	}
	out := twoDigits(h) + ":" + mins
	if secs != "" {
		out += ":" + secs
	}
	return out, true
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
