// Package feedcheck validates third-party Open Referral feeds for directory
// teams (`localoffer validate`): a JSON file (one entity or a Page), NDJSON, an
// HSDS tabular data package, or a live HSDS 3.0 / Open Referral UK 3.0 API.
//
// Problems come in two levels, as in the Open Referral UK validator: level 1
// must be fixed (a required endpoint fails, a record breaks the schema,
// pagination loses or repeats records); level 2 are warnings (optional
// endpoints missing, assurance older than 90 days, wrong content type).
package feedcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/official"
)

// Entities a feed file may hold, in the order detection prefers them on a tie.
var Entities = official.Entities

// Options tune a check.
type Options struct {
	// Type forces the entity type of records in a file ("" or "auto": detect).
	Type string
	// Sample is how many services to fetch in full from an API (/services/{id}).
	Sample int
	// PerPage is the page size asked of an API.
	PerPage int
	// MaxPages stops a walk through a pagination that never ends.
	MaxPages int
	// AssuranceDays: assured_date older than this is a level 2 warning.
	AssuranceDays int
	// MaxLine is the longest NDJSON line accepted, MaxBody the largest file
	// (read as a stream) and MaxResponse the largest API response (held in memory).
	MaxLine     int
	MaxBody     int64
	MaxResponse int64
	// Examples is how many examples each problem group keeps.
	Examples int
	Now      time.Time
	// Fetch gets API responses. The validate command passes the fetch
	// layer's (robots.txt, rate limit, User-Agent, size limits, URL policy);
	// without one a plain HTTP client is used (tests, library use).
	Fetch Fetcher
	Log   *slog.Logger
}

// Fetcher gets one API URL. A non-2xx answer is a Response with its status,
// not an error; errors are transport failures and refusals.
type Fetcher func(ctx context.Context, url string) (Response, error)

// Response is what a Fetcher got.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

func (o *Options) defaults() {
	if o.Sample <= 0 {
		o.Sample = 20
	}
	if o.PerPage <= 0 {
		o.PerPage = 100
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10000
	}
	if o.AssuranceDays <= 0 {
		o.AssuranceDays = 90
	}
	if o.MaxLine <= 0 {
		o.MaxLine = 16 << 20
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 30
	}
	if o.MaxResponse <= 0 {
		o.MaxResponse = 64 << 20
	}
	if o.Examples <= 0 {
		o.Examples = 3
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.Fetch == nil {
		o.Fetch = plainFetcher(&http.Client{Timeout: 30 * time.Second}, o.MaxResponse)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Checker holds the compiled HSDS 3.0 and UK profile schemas.
type Checker struct {
	opts     Options
	official *official.Schemas
	entity   map[string]*schema.Checker
	props    map[string]map[string]bool // entity → its HSDS properties, for detection
	page     *schema.Checker
	api      *schema.Checker
	ukAPI    *schema.Checker
	required map[string][]string
}

// New compiles the schemas.
func New(opts Options) (*Checker, error) {
	opts.defaults()
	o, err := official.Compile()
	if err != nil {
		return nil, err
	}
	return &Checker{opts: opts, official: o, entity: o.Entity, props: o.Props, page: o.Page, api: o.API, ukAPI: o.UKAPI,
		required: o.Required}, nil
}

// EntityProblems validates one record of an HSDS 3.0 entity type, given as
// JSON, against the official schema. An unknown type is one problem.
func (k *Checker) EntityProblems(typ string, record []byte) []schema.Problem {
	return k.official.EntityProblems(typ, record)
}

// ErrUnusable wraps every error that means the target could not be checked at all.
var ErrUnusable = errors.New("unusable target")

func unusable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnusable, fmt.Sprintf(format, args...))
}

// Check validates one target. An error (wrapping ErrUnusable) means the
// target could not be read at all; problems in it are in the report.
func (k *Checker) Check(ctx context.Context, target string) (*Report, error) {
	r := newReport(target, k.opts)
	start := time.Now()
	var err error
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		r.Format = "HSDS API"
		err = k.checkAPI(ctx, target, r)
	default:
		path := strings.TrimPrefix(target, "file://")
		st, statErr := os.Stat(path)
		if statErr != nil {
			return nil, unusable("%s: %v", target, statErr)
		}
		switch lower := strings.ToLower(path); {
		case st.IsDir():
			r.Format = "HSDS tabular data package"
			err = k.checkDatapackage(ctx, path, r)
		case strings.HasSuffix(lower, ".zip"):
			r.Format = "HSDS tabular data package (zip)"
			err = k.checkZipPackage(ctx, path, r)
		case strings.HasSuffix(lower, ".ndjson") || strings.HasSuffix(lower, ".jsonl"):
			r.Format = "NDJSON"
			err = k.checkNDJSON(ctx, path, r)
		case strings.HasSuffix(lower, ".csv"):
			r.Format = "HSDS CSV table"
			err = k.checkCSVFile(ctx, path, r)
		default:
			r.Format = "JSON"
			err = k.checkJSONFile(ctx, path, r)
		}
	}
	r.Duration = time.Since(start)
	if err != nil {
		return nil, err
	}
	r.finish()
	return r, nil
}

// detect guesses an entity type from an object's keys: the type whose HSDS
// properties cover the most keys, counting keys that belong to fewer types
// more heavily.
func (k *Checker) detect(obj map[string]any) string {
	if k.opts.Type != "" && k.opts.Type != "auto" {
		return k.opts.Type
	}
	best, bestScore := "service", -1.0
	for _, e := range Entities {
		score := 0.0
		for key := range obj {
			if !k.props[e][key] {
				continue
			}
			n := 0
			for _, e2 := range Entities {
				if k.props[e2][key] {
					n++
				}
			}
			score += 1 / float64(n)
		}
		for _, req := range k.required[e] {
			if _, ok := obj[req]; !ok {
				score -= 0.25
			}
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best
}

// isAPIDetails reports whether an object looks like the response of GET /.
func isAPIDetails(obj map[string]any) bool {
	_, hasID := obj["id"]
	_, v := obj["version"]
	_, o := obj["openapi_url"]
	_, p := obj["profile"]
	return !hasID && v && (o || p)
}

// claimsUK reports whether API details say the feed follows the UK profile.
func claimsUK(obj map[string]any) bool {
	v, _ := obj["version"].(string)
	p, _ := obj["profile"].(string)
	return strings.Contains(strings.ToUpper(v), "UK") || strings.Contains(strings.ToLower(p), "openreferraluk") ||
		strings.Contains(strings.ToLower(p), "uk-profile")
}

// checkAPIDetails validates the response of GET / (or a file holding one).
func (k *Checker) checkAPIDetails(obj map[string]any, where string, r *Report) {
	r.Records++
	bad := false
	for _, p := range k.api.Problems(obj) {
		r.add(Issue{Level: 1, Code: "schema", Pointer: p.Pointer, Message: p.Message, Record: "api details", Where: where})
		bad = true
	}
	level := 2
	if claimsUK(obj) {
		level = 1
		r.Profile = "HSDS 3.0 + Open Referral UK 3.0"
	}
	for _, p := range k.ukAPI.Problems(obj) {
		r.add(Issue{Level: level, Code: "uk_profile", Pointer: p.Pointer, Message: "UK profile: " + p.Message, Record: "api details", Where: where})
		bad = bad || level == 1
	}
	if bad {
		r.Invalid++
	}
}

// checkEntity validates one record of a known or detected type and returns its id.
func (k *Checker) checkEntity(v any, typ, where string, r *Report) string {
	r.Records++
	obj, ok := v.(map[string]any)
	if !ok {
		r.Invalid++
		r.add(Issue{Level: 1, Code: "not_object", Message: fmt.Sprintf("expected a JSON object, found %s", jsonKind(v)), Where: where})
		return ""
	}
	if typ == "" {
		typ = k.detect(obj)
	}
	c := k.entity[typ]
	if c == nil {
		r.Invalid++
		r.add(Issue{Level: 1, Code: "type", Message: fmt.Sprintf("unknown entity type %q", typ), Where: where})
		return ""
	}
	r.Types[typ]++
	id, _ := obj["id"].(string)
	label := typ
	if id != "" {
		label += " " + id
	}
	probs := c.Problems(obj)
	for _, p := range probs {
		r.add(Issue{Level: 1, Code: "schema", Pointer: p.Pointer, Message: p.Message, Record: label, Where: where})
	}
	if len(probs) > 0 {
		r.Invalid++
	}
	if typ == "service" {
		k.serviceWarnings(obj, label, where, r)
	}
	return id
}

// serviceWarnings are the level 2 checks on a service.
func (k *Checker) serviceWarnings(obj map[string]any, label, where string, r *Report) {
	if s, ok := obj["assured_date"].(string); ok && s != "" {
		d, err := time.Parse("2006-01-02", s)
		switch {
		case err != nil:
			r.add(Issue{Level: 2, Code: "assured_date_format", Pointer: "/assured_date", Message: fmt.Sprintf("assured_date %q is not a YYYY-MM-DD date", s), Record: label, Where: where})
		case k.opts.Now.Sub(d) > time.Duration(k.opts.AssuranceDays)*24*time.Hour:
			r.add(Issue{Level: 2, Code: schema.FlagAssuranceOverdue, Pointer: "/assured_date",
				Message: fmt.Sprintf("assured_date is more than %d days old (%s)", k.opts.AssuranceDays, s), Record: label, Where: where})
		}
	}
	lo, lok := obj["minimum_age"].(float64)
	hi, hok := obj["maximum_age"].(float64)
	if lok && hok && lo > hi {
		r.add(Issue{Level: 2, Code: "ages_reversed", Pointer: "/minimum_age", Message: fmt.Sprintf("minimum_age %g is above maximum_age %g", lo, hi), Record: label, Where: where})
	}
}

// checkPage validates Page metadata against the contents received.
func (k *Checker) checkPageMeta(obj map[string]any, items int, where string, r *Report) {
	// Contents were validated item by item; check the metadata alone.
	for _, p := range k.page.Problems(withoutContents(obj)) {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: p.Pointer, Message: p.Message, Record: "page", Where: where})
	}
	num := func(key string) (int, bool) {
		f, ok := obj[key].(float64)
		return int(f), ok
	}
	size, okSize := num("size")
	if okSize && size != items {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: "/size", Message: fmt.Sprintf("size says %d but the page holds %d items", size, items), Record: "page", Where: where})
	}
	total, okTotal := num("total_items")
	pages, okPages := num("total_pages")
	pageNo, okNo := num("page_number")
	if okTotal && total < items {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: "/total_items", Message: fmt.Sprintf("total_items says %d but the page alone holds %d", total, items), Record: "page", Where: where})
	}
	if okPages && okNo && pageNo > pages && pages > 0 {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: "/page_number", Message: fmt.Sprintf("page_number %d is beyond total_pages %d", pageNo, pages), Record: "page", Where: where})
	}
	if okPages && okTotal && okNo && pages == 1 && pageNo == 1 && total != items {
		r.add(Issue{Level: 1, Code: "pagination", Pointer: "/total_items", Message: fmt.Sprintf("the only page holds %d items but total_items says %d", items, total), Record: "page", Where: where})
	}
	if e, ok := obj["empty"].(bool); ok && e != (items == 0) {
		r.add(Issue{Level: 2, Code: "pagination", Pointer: "/empty", Message: fmt.Sprintf("empty is %v but the page holds %d items", e, items), Record: "page", Where: where})
	}
	if okNo && okPages {
		if f, ok := obj["first_page"].(bool); ok && f != (pageNo <= 1) {
			r.add(Issue{Level: 2, Code: "pagination", Pointer: "/first_page", Message: fmt.Sprintf("first_page is %v on page %d", f, pageNo), Record: "page", Where: where})
		}
		if l, ok := obj["last_page"].(bool); ok && l != (pageNo >= pages) {
			r.add(Issue{Level: 2, Code: "pagination", Pointer: "/last_page", Message: fmt.Sprintf("last_page is %v on page %d of %d", l, pageNo, pages), Record: "page", Where: where})
		}
	}
}

func withoutContents(obj map[string]any) map[string]any {
	m := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "contents" {
			m[k] = v
		}
	}
	m["contents"] = []any{}
	return m
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// ids tracks the ids seen in a file, to report duplicates. It keeps only the
// ordinal of the first occurrence (not its location text): about 100 bytes an
// id, which is what bounds memory on a large NDJSON file.
type ids struct {
	seen map[string]int32
	n    int32
}

func (d *ids) add(id, where string, r *Report) {
	d.n++
	if id == "" {
		return
	}
	if d.seen == nil {
		d.seen = map[string]int32{}
	}
	if first, dup := d.seen[id]; dup {
		r.add(Issue{Level: 1, Code: "duplicate_id", Pointer: "/id", Message: fmt.Sprintf("duplicate id: this id was already used by record %d of the file", first), Record: "record " + id, Where: where})
		return
	}
	d.seen[id] = d.n
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
