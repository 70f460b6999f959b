package serve

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/localoffer/localoffer/transform/areas"
)

// Paging limits. The ORUK 3.0 and HSDS 3.0 OpenAPI documents give per_page no
// default or maximum; 50 is the ORUK 1.0 default, and 1000 keeps one page of
// fully nested services to a few megabytes.
const (
	DefaultPerPage = 50
	MaxPerPage     = 1000
	// MaxPage caps page depth: 100,000 pages of 1000 is far beyond any feed.
	MaxPage = 100000
	// MaxProximity is the largest proximity accepted, in metres.
	MaxProximity = 200000
	maxText      = 200
)

// badParam is a 400 naming the parameter.
type badParam struct{ name, msg string }

func (e *badParam) Error() string { return e.name + ": " + e.msg }

// query is a parsed, validated list request. Every value is data compared in
// Go against the snapshot; none reaches SQL.
type query struct {
	page, perPage int
	ndjson        bool
	minimal, full bool

	search        string // lower-cased
	termID, taxID string
	orgID         string
	modifiedAfter int64 // unix ns; 0 = none
	minimumAge    float64
	maximumAge    float64 // NaN = none
	la            string  // GSS code
	need          string
	age           float64 // NaN = none
	category      string
	includeStale  bool
	pipeline      string

	hasPoint   bool // postcode with proximity
	lat, lon   float64
	proximity  float64
	postcodeLA string // postcode without proximity: services of its local authority

	topOnly  bool
	parentID string
}

// The parameters each list endpoint accepts (anything else is a 400, so a
// misspelt filter is never silently ignored).
var (
	pagingParams   = []string{"page", "per_page", "format"}
	serviceFilters = []string{"search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "minimal", "full",
		"minimum_age", "maximum_age", "postcode", "proximity",
		"la_code", "need_code", "age", "category", "include_stale", "pipeline"}
	servicesParams = append(slices.Clone(pagingParams), serviceFilters...)
	salParams      = servicesParams
	orgParams      = append(slices.Clone(pagingParams), "search", "full")
	taxonomyParams = append(slices.Clone(pagingParams), "search")
	termParams     = append(slices.Clone(pagingParams), "search", "taxonomy_id", "top_only", "parent_id")
)

var (
	pipeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
)

// parseQuery validates the query string against the allowed parameters.
func parseQuery(v url.Values, allowed []string, postcodes *areas.Lookup) (*query, error) {
	q := &query{page: 1, perPage: DefaultPerPage, maximumAge: math.NaN(), minimumAge: math.NaN(), age: math.NaN()}
	for name, vals := range v {
		if !slices.Contains(allowed, name) {
			return nil, &badParam{name, fmt.Sprintf("unknown parameter (this endpoint takes %s)", strings.Join(allowed, ", "))}
		}
		if len(vals) > 1 {
			return nil, &badParam{name, "given more than once"}
		}
	}
	get := func(name string) (string, bool) {
		vals, ok := v[name]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(vals[0]), true
	}
	var err error
	if s, ok := get("page"); ok {
		if q.page, err = intIn("page", s, 1, MaxPage); err != nil {
			return nil, err
		}
	}
	if s, ok := get("per_page"); ok {
		if q.perPage, err = intIn("per_page", s, 1, MaxPerPage); err != nil {
			return nil, err
		}
	}
	if s, ok := get("format"); ok {
		switch strings.ToLower(s) {
		case "json", "":
		case "ndjson":
			q.ndjson = true
		default:
			return nil, &badParam{"format", fmt.Sprintf("%q is not json or ndjson", s)}
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"minimal", &q.minimal}, {"full", &q.full}, {"include_stale", &q.includeStale}, {"top_only", &q.topOnly}} {
		if s, ok := get(b.name); ok {
			if *b.dst, err = boolean(b.name, s); err != nil {
				return nil, err
			}
		}
	}
	if q.minimal && q.full {
		return nil, &badParam{"minimal", "minimal and full cannot both be true"}
	}
	if s, ok := get("search"); ok {
		if len(s) > maxText {
			return nil, &badParam{"search", fmt.Sprintf("longer than %d characters", maxText)}
		}
		if strings.ContainsRune(s, 0) {
			return nil, &badParam{"search", "contains a NUL character"}
		}
		q.search = strings.ToLower(s)
	}
	for _, id := range []struct {
		name string
		dst  *string
	}{{"taxonomy_term_id", &q.termID}, {"taxonomy_id", &q.taxID}, {"organization_id", &q.orgID}, {"parent_id", &q.parentID}} {
		if s, ok := get(id.name); ok {
			if s == "" || len(s) > maxText {
				return nil, &badParam{id.name, "want an id"}
			}
			*id.dst = strings.ToLower(s)
		}
	}
	if s, ok := get("modified_after"); ok {
		t, err := parseTime(s)
		if err != nil {
			return nil, &badParam{"modified_after", err.Error()}
		}
		q.modifiedAfter = t.UnixNano()
	}
	for _, n := range []struct {
		name     string
		dst      *float64
		min, max float64
	}{{"minimum_age", &q.minimumAge, 0, 150}, {"maximum_age", &q.maximumAge, 0, 150}, {"age", &q.age, 0, 150}, {"proximity", &q.proximity, 1, MaxProximity}} {
		if s, ok := get(n.name); ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || f < n.min || f > n.max {
				return nil, &badParam{n.name, fmt.Sprintf("want a number from %g to %g", n.min, n.max)}
			}
			*n.dst = f
		}
	}
	if s, ok := get("la_code"); ok {
		s = strings.ToUpper(s)
		switch {
		case lacodes.IsLA(s):
			q.la = s
		case lacodes.IsOld(s):
			la, found := lacodes.ByOld(s)
			if !found {
				return nil, &badParam{"la_code", fmt.Sprintf("%s is not a DfE local authority code", s)}
			}
			q.la = la.GSS
		default:
			return nil, &badParam{"la_code", "want a GSS local authority code (E06000044) or a DfE code (851)"}
		}
	}
	if s, ok := get("need_code"); ok {
		s = strings.ToUpper(s)
		if _, known := schema.NeedNames[s]; !known {
			return nil, &badParam{"need_code", fmt.Sprintf("%q is not a DfE need code (%s)", s, strings.Join(sortedKeys(schema.NeedNames), ", "))}
		}
		q.need = s
	}
	if s, ok := get("category"); ok {
		s = strings.ToLower(s)
		if !slices.Contains(schema.Categories, s) {
			return nil, &badParam{"category", fmt.Sprintf("%q is not a Local Offer category (%s)", s, strings.Join(schema.Categories, ", "))}
		}
		q.category = s
	}
	if s, ok := get("pipeline"); ok {
		if !pipeName.MatchString(s) {
			return nil, &badParam{"pipeline", "want a pipeline name"}
		}
		q.pipeline = s
	}
	pc, hasPC := get("postcode")
	_, hasProx := get("proximity")
	if hasProx && !hasPC {
		return nil, &badParam{"proximity", "needs a postcode to measure from"}
	}
	if hasPC {
		if postcodes == nil || postcodes.Len() == 0 {
			return nil, &badParam{"postcode", "this server has no postcode lookup (transform.postcodes in pipelines.yaml)"}
		}
		norm, ok := areas.Normalize(pc)
		if !ok {
			return nil, &badParam{"postcode", fmt.Sprintf("%q is not a UK postcode", pc)}
		}
		if hasProx {
			lat, lon, found := postcodes.Centroid(norm)
			if !found {
				return nil, &badParam{"postcode", fmt.Sprintf("%s is not in the postcode lookup, or has no coordinates", norm)}
			}
			q.hasPoint, q.lat, q.lon = true, lat, lon
		} else {
			a, found := postcodes.Postcode(norm)
			if !found || a.LA == "" {
				return nil, &badParam{"postcode", fmt.Sprintf("%s is not in the postcode lookup", norm)}
			}
			q.postcodeLA = a.LA
		}
	}
	return q, nil
}

func intIn(name, s string, min, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, &badParam{name, fmt.Sprintf("want a whole number from %d to %d", min, max)}
	}
	return n, nil
}

func boolean(name, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, &badParam{name, fmt.Sprintf("%q is not true or false", s)}
}

// parseTime accepts RFC 3339 date-times and plain dates (midnight UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date-time (2026-01-31T09:00:00Z) or date (2026-01-31)", s)
}
