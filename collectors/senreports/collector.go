// Package senreports is the sen_reports collector: for each school it crawls
// the school's website for its SEN information report (SEND Regulations 2014,
// reg. 51 and Schedule 1), reads it (HTML, PDF or DOCX) and emits what it says
// and lacks, the school as an organisation, and its SEN provision as a service.
package senreports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/senreports/extract"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
	"github.com/localoffer/localoffer/transform/needs"
	"github.com/localoffer/localoffer/transform/staleness"
)

// Options configure a Collector. The tagged fields are the collector: keys
// of a sen_reports pipeline; the others are wired from the rest of the
// configuration.
type Options struct {
	// Sites lists schools directly.
	Sites []Site `yaml:"sites"`
	// SchoolsFrom is a GIAS establishment export (CSV or XLSX, path, file:// or http(s) URL).
	SchoolsFrom string `yaml:"schools_from"`
	// LACodes keeps only schools in these LAs (DfE three-digit or GSS codes).
	LACodes []string `yaml:"la_codes"`
	// Statuses keeps only schools with these GIAS establishment statuses (default: Open).
	Statuses []string `yaml:"statuses"`
	// MaxDepth and MaxPagesPerSite cap the crawl of one school's site (defaults 3 and 40).
	MaxDepth        int `yaml:"max_depth"`
	MaxPagesPerSite int `yaml:"max_pages_per_site"`
	// SiteConcurrency is how many school sites are crawled at once (default: http.concurrency).
	SiteConcurrency int `yaml:"site_concurrency"`
	// SiteTimeout bounds one site's whole crawl and reading (default 5m), so
	// a slow or endless site cannot hold a worker.
	SiteTimeout time.Duration `yaml:"site_timeout"`

	// ReviewAfterDays: a report dated longer ago is stale (staleness.review_after_days).
	ReviewAfterDays int `yaml:"-"`
	// MissingAfterRuns: a site that cannot be reached in this many consecutive
	// runs has its report counted as not found (staleness.missing_after_runs).
	MissingAfterRuns int `yaml:"-"`
	// Area is the pipeline's default GSS LA code, for schools given without one.
	Area string `yaml:"-"`
	// BaseDir resolves relative site paths (the config file's directory).
	BaseDir string `yaml:"-"`
	// MaxPageBytes and MaxDocBytes cap one HTML page and one report document.
	MaxPageBytes int64        `yaml:"-"`
	MaxDocBytes  int64        `yaml:"-"`
	PDF          extract.PDF  `yaml:"-"`
	Needs        *needs.Vocab `yaml:"-"` // nil: the built-in vocabulary
}

// Site is one school website to search for its SEN information report.
type Site struct {
	URN      string `yaml:"urn"`
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	LACode   string `yaml:"la_code"`
	MinAge   *int   `yaml:"min_age"`
	MaxAge   *int   `yaml:"max_age"`
	Postcode string `yaml:"postcode"`
}

// SetDefaults fills the options left unset.
func (o *Options) SetDefaults() {
	if o.MaxDepth <= 0 {
		o.MaxDepth = 3
	}
	if o.MaxPagesPerSite <= 0 {
		o.MaxPagesPerSite = 40
	}
	if o.SiteConcurrency <= 0 {
		o.SiteConcurrency = 16
	}
	if o.ReviewAfterDays <= 0 {
		o.ReviewAfterDays = 365
	}
	if o.MissingAfterRuns <= 0 {
		o.MissingAfterRuns = 3
	}
	if len(o.Statuses) == 0 {
		o.Statuses = []string{"Open"}
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 5 << 20
	}
	if o.MaxDocBytes <= 0 {
		o.MaxDocBytes = 32 << 20
	}
	o.SiteTimeout = siteTimeout(o.SiteTimeout)
}

// Validate reports what stops the collector from finding any school.
func (o *Options) Validate() []collect.OptionError {
	var errs []collect.OptionError
	if len(o.Sites) == 0 && o.SchoolsFrom == "" {
		errs = append(errs, collect.OptionError{Key: "sites", Msg: "give sites: or schools_from:"})
	}
	for _, s := range o.Sites {
		if s.URN == "" || s.URL == "" {
			errs = append(errs, collect.OptionError{Key: "sites", Msg: "every site needs urn and url"})
			break
		}
	}
	return errs
}

// Collector is the sen_reports collector.
type Collector struct {
	opts Options
	lim  crawlLimits
}

// New returns a Collector; zero options take their defaults.
func New(o Options) *Collector {
	o.SetDefaults()
	return &Collector{opts: o, lim: crawlLimits{
		MaxDepth: o.MaxDepth, MaxPages: o.MaxPagesPerSite, MaxSubPages: 15,
		MaxPageBytes: o.MaxPageBytes, MaxDocBytes: o.MaxDocBytes,
	}}
}

// Collect searches every school's site and emits its records.
func (c *Collector) Collect(ctx context.Context, run *collect.Run) error {
	schools, err := c.loadSchools(ctx, run.Fetch, run.Warn)
	if err != nil {
		return err
	}
	run.Log.Info("searching school websites for SEN information reports", "schools", len(schools), "concurrency", c.opts.SiteConcurrency)
	st := run.State
	if st == nil {
		st = noState{}
	}
	var pdfWarn sync.Once
	var mu sync.Mutex
	var found, reused, kept int
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.SiteConcurrency)
	for _, s := range schools {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			res := c.School(gctx, run.Fetch, s, st, run.Now)
			mu.Lock()
			if res.Report.Found {
				found++
			}
			if res.Reused {
				reused++
			}
			if res.Kept {
				kept++
			}
			mu.Unlock()
			switch {
			case errors.Is(res.extractErr, extract.ErrNoPDFTool):
				pdfWarn.Do(func() { run.Warn(res.Report.ReportURL, res.Report.ID, extract.ErrNoPDFTool.Error()) })
			case res.extractErr != nil && res.Kept:
				run.Warn(res.Report.ReportURL, run.Pipeline+"/"+s.URN, "report not readable this time, the last good reading is kept: "+res.extractErr.Error())
			}
			for _, rec := range c.Records(run.Pipeline, s, res) {
				if err := run.Emit(gctx, rec); err != nil {
					return fmt.Errorf("emit %s for school %s: %w", rec.Kind, s.URN, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	run.Log.Info("school websites searched", "schools", len(schools), "reports_found", found, "unchanged_reports_not_reread", reused,
		"unreachable_sites_kept_last_reading", kept)
	run.FullSweep = true
	return nil
}

// noState stands in when a caller runs the collector without incremental state.
type noState struct{}

func (noState) Get(string) (string, bool) { return "", false }
func (noState) Set(string, string)        {}

// cached is what State keeps per school: the last extraction, the hash of
// the document(s) it was read from and where they were, so that a run which
// cannot reach the site emits what was known, unchanged.
type cached struct {
	SHA       string         `json:"sha"`
	Result    extract.Result `json:"result"`
	ReportURL string         `json:"report_url,omitempty"`
	Format    string         `json:"format,omitempty"`
	Score     float64        `json:"score,omitempty"`
	RunnersUp []string       `json:"runners_up,omitempty"`
	FetchedAt time.Time      `json:"fetched_at,omitzero"`
	// Failures counts the consecutive runs that could not reach the site.
	Failures int `json:"failures,omitempty"`
}

// Result is what searching one school's site found.
type Result struct {
	Report *schema.SENReport
	Flags  []schema.Flag
	// BroadAreas are the Code of Practice areas the report names (for the service).
	BroadAreas []string
	// Reused: the report was unchanged and its last extraction was reused.
	Reused bool
	// Kept: the site did not answer and the last good reading was emitted again.
	Kept       bool
	fetchedAt  time.Time
	sha        string
	extractErr error
}

// School crawls one school's site, reads its report and judges it. The
// returned SENReport has no Provenance.Pipeline/ID; Records completes them.
func (c *Collector) School(ctx context.Context, g Getter, s School, st collect.State, now time.Time) Result {
	ctx, cancel := context.WithTimeout(ctx, c.opts.SiteTimeout)
	defer cancel()
	rep := &schema.SENReport{URN: s.URN, SchoolName: s.Name, LACode: c.laCode(s), SiteURL: s.URL}
	res := Result{Report: rep, fetchedAt: now}

	key := "sen_reports/" + s.URN
	var last cached
	if v, ok := st.Get(key); ok {
		if json.Unmarshal([]byte(v), &last) != nil {
			last = cached{}
		}
	}

	cr := discover(ctx, g, s.URL, c.lim)
	r, notes := choose(ctx, cr, c.opts.PDF)
	d := cr.d
	// A dead link counts against the school when it looked at least as much
	// like the report as what was found (or nothing was found).
	for _, b := range r.broken {
		if r.cand == nil || b.Score >= r.cand.Score {
			res.Flags = append(res.Flags, schema.Flag{Flag: schema.FlagBrokenLink,
				Reason: "A link to the SEN information report is broken (HTTP 404/410)", Evidence: b.URL})
		}
	}
	if r.cand == nil && d.Down != "" {
		return c.unreachable(rep, res, last, d.Down, st, key, now)
	}
	if r.cand == nil {
		// The site answered and has no report: what was known of it is gone.
		if b, err := json.Marshal(cached{}); err == nil {
			st.Set(key, string(b))
		}
		switch {
		case d.Problem != "":
			rep.Problem = d.Problem
		case ctx.Err() != nil:
			rep.Problem = "site crawl stopped: " + describe(ctx.Err())
		case len(r.broken) > 0:
			rep.Problem = "report link broken: " + r.broken[0].URL
		case len(notes) > 0:
			rep.Problem = "report could not be opened: " + notes[0]
		default:
			rep.Problem = fmt.Sprintf("no SEN information report found in %d pages (depth ≤ %d)", d.Pages, c.lim.MaxDepth)
			if len(d.Notes) > 0 {
				rep.Problem += "; trouble on the way: " + strings.Join(d.Notes[:min(2, len(d.Notes))], "; ")
			}
		}
		res.Flags = append(res.Flags, schema.Flag{Flag: schema.FlagReportNotFound, Reason: "No SEN information report was found on the school's website", Evidence: rep.Problem})
		return res
	}
	rep.Found = true
	rep.ReportURL = r.cand.URL
	rep.ReportFormat = r.format
	rep.DiscoveryScore = r.cand.Score
	rep.RunnersUp = r.runnersUp
	res.fetchedAt = r.docs[0].FetchedAt
	sha := r.sha()
	res.sha = sha

	var ex extract.Result
	if last.SHA == sha {
		ex, res.Reused = last.Result, true
	}
	if !res.Reused {
		doc, err := r.read(ctx)
		if err != nil {
			res.extractErr = err
			if last.ReportURL != "" {
				// Unreadable this time (a PDF tool failing, a timeout): what
				// was read before still stands.
				return c.keep(rep, res, last, now)
			}
			rep.Problem = "report found but not readable: " + err.Error()
			return res
		}
		lm := r.docs[0].LastModified
		if strings.HasPrefix(r.docs[0].URL, "file://") || !strings.Contains(r.docs[0].URL, "://") {
			lm = "" // a file's mtime says when it was copied, not written
		}
		ex = extract.Analyze(doc, extract.Options{Now: now, LastModified: lm, Needs: c.opts.Needs})
	}
	good := cached{SHA: sha, Result: ex, ReportURL: rep.ReportURL, Format: rep.ReportFormat, Score: rep.DiscoveryScore,
		RunnersUp: rep.RunnersUp, FetchedAt: res.fetchedAt.UTC()}
	if b, err := json.Marshal(good); err == nil {
		st.Set(key, string(b))
	}
	c.apply(rep, ex, now, &res)
	return res
}

// unreachable is a run in which the school's site or report did not answer.
// The last good reading is emitted again, unchanged, with a site_unreachable
// flag; the report counts as not found only after MissingAfterRuns such runs
// in a row (or when nothing was ever read, from then on).
func (c *Collector) unreachable(rep *schema.SENReport, res Result, last cached, down string, st collect.State, key string, now time.Time) Result {
	last.Failures++
	if b, err := json.Marshal(last); err == nil {
		st.Set(key, string(b))
	}
	reason := fmt.Sprintf("The school's website did not answer (%d run(s) in a row); the last good reading of its report is kept", last.Failures)
	if last.ReportURL == "" {
		reason = fmt.Sprintf("The school's website did not answer (%d run(s) in a row); its report has not been read yet", last.Failures)
	}
	res.Flags = append(res.Flags, schema.Flag{Flag: schema.FlagSiteUnreachable, Reason: reason, Evidence: down})
	if last.Failures >= c.opts.MissingAfterRuns {
		rep.Problem = fmt.Sprintf("site unreachable in %d consecutive runs: %s", last.Failures, down)
		res.Flags = append(res.Flags, schema.Flag{Flag: schema.FlagReportNotFound,
			Reason: "No SEN information report was found on the school's website", Evidence: rep.Problem})
		return res
	}
	if last.ReportURL == "" {
		rep.Problem = "site unreachable: " + down
		return res
	}
	return c.keep(rep, res, last, now)
}

// keep emits the last good reading again, exactly as it was.
func (c *Collector) keep(rep *schema.SENReport, res Result, last cached, now time.Time) Result {
	rep.Found = true
	rep.ReportURL, rep.ReportFormat, rep.DiscoveryScore, rep.RunnersUp = last.ReportURL, last.Format, last.Score, last.RunnersUp
	res.fetchedAt, res.sha, res.Kept = last.FetchedAt, last.SHA, true
	c.apply(rep, last.Result, now, &res)
	return res
}

func (c *Collector) laCode(s School) string {
	if lacodes.IsLA(s.LACode) {
		return s.LACode
	}
	return c.opts.Area
}

// apply copies an extraction onto the report and raises the report's quality
// flags (the rules are transform/staleness.ReportRules).
func (c *Collector) apply(rep *schema.SENReport, ex extract.Result, now time.Time, res *Result) {
	rep.ReportDate, rep.ReportDateSource = ex.ReportDate, ex.ReportDateSource
	rep.SENCOName, rep.SENCOEmail, rep.SENCOPhone = ex.SENCOName, ex.SENCOEmail, ex.SENCOPhone
	rep.ItemsPresent, rep.ItemsMissing = ex.ItemsPresent, ex.ItemsMissing
	rep.Evidence = ex.Evidence
	rep.NeedCodes = ex.NeedCodes
	rep.LegacyTerms = ex.LegacyTerms
	rep.LocalOfferURL = ex.LocalOfferURL
	res.BroadAreas = ex.BroadAreas

	res.Flags = append(res.Flags, staleness.ReportRules{ReviewAfterDays: c.opts.ReviewAfterDays, ScheduleItems: len(extract.Items)}.Flags(rep, now)...)
}

// Records turns one school's result into the records to emit: the SEN report
// (carrying the flags), the school as an organisation, its site as a location
// and its SEN provision as a service.
func (c *Collector) Records(pipeline string, s School, res Result) []*schema.Record {
	rep := res.Report
	rep.ID = pipeline + "/" + s.URN
	source := rep.ReportURL
	if source == "" {
		source = s.URL
	}
	prov := func() *schema.Provenance {
		return &schema.Provenance{Pipeline: pipeline, SourceURL: source, SourceID: s.URN, FetchedAt: res.fetchedAt.UTC(), DocumentSHA256: res.sha}
	}
	rp := prov()
	rep.Provenance = rp

	orgID := pipeline + "/org/" + s.URN
	locID := pipeline + "/loc/" + s.URN
	svcID := pipeline + "/svc/" + s.URN
	la := rep.LACode
	org := &schema.Organization{
		ID: orgID, Name: s.Name, Website: s.URL, OrganizationType: "school", LACode: la,
		OrganizationIdentifiers: []schema.OrganizationIdentifier{{
			ID: orgID + "/urn", OrganizationID: orgID, IdentifierScheme: "GB-URN", IdentifierType: "URN", Identifier: s.URN,
		}},
		Provenance: prov(),
	}
	loc := &schema.Location{ID: locID, LocationType: "physical", OrganizationID: orgID, Name: s.Name, LACode: la, Provenance: prov()}
	if lacodes.IsOld(s.LACode) {
		loc.LACodeOld = s.LACode
	}
	if s.Postcode != "" || s.Street != "" {
		loc.Addresses = []schema.Address{{ID: locID + "/address", LocationID: locID, Address1: s.Street, City: s.Town,
			PostalCode: s.Postcode, Country: "GB", AddressType: "physical"}}
	}
	// The service carries its location inline (for its postcode) without the
	// provenance, whose fetch time would make every run's service look new;
	// a copy sharing no slices, as the two records are prepared at once.
	inner := loc.Copy()
	inner.Provenance = nil
	svc := &schema.Service{
		ID: svcID, OrganizationID: orgID, Name: s.Name + " SEN provision", Status: "active",
		Description: "Special educational needs provision at " + s.Name + ", as described in the school's SEN information report.",
		URL:         rep.ReportURL, Email: rep.SENCOEmail,
		MinimumAge: intFloat(s.MinAge), MaximumAge: intFloat(s.MaxAge),
		NeedCodes: rep.NeedCodes, BroadAreas: res.BroadAreas, Categories: []string{schema.CatEducation}, LACode: la,
		ServiceAtLocations: []schema.ServiceAtLocation{{ID: svcID + "/at/" + s.URN, ServiceID: svcID, LocationID: locID, Location: inner}},
		Provenance:         prov(),
	}
	if svc.URL == "" {
		svc.URL = s.URL
	}
	if s.MinAge != nil && s.MaxAge != nil {
		svc.AgeText = fmt.Sprintf("statutory ages %d–%d (GIAS)", *s.MinAge, *s.MaxAge)
	}
	if s.MinAge != nil || s.MaxAge != nil {
		svc.AgeSource = schema.AgeSourceSchool // the school's statutory ages (GIAS or the sites list)
	}
	if rep.SENCOName != "" || rep.SENCOEmail != "" || rep.SENCOPhone != "" {
		ct := schema.Contact{ID: svcID + "/senco", ServiceID: svcID, Name: rep.SENCOName, Title: "SENCO", Email: rep.SENCOEmail}
		if rep.SENCOPhone != "" {
			ct.Phones = []schema.Phone{{ID: svcID + "/senco/phone", ContactID: svcID + "/senco", Number: rep.SENCOPhone}}
		}
		svc.Contacts = []schema.Contact{ct}
	}
	return []*schema.Record{
		{Kind: schema.KindSENReport, SENReport: rep, Flags: res.Flags},
		{Kind: schema.KindOrganization, Organization: org},
		{Kind: schema.KindLocation, Location: loc},
		{Kind: schema.KindService, Service: svc},
	}
}

func intFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}
