package hsdsapi

import (
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
)

// Options configure the API collectors hsds_api and oruk_v1_api (the
// collector: keys besides type and url).
type Options struct {
	// PerPage is the page size asked of paginated APIs (default 100).
	PerPage int `yaml:"per_page"`
	// MaxPages stops pagination that never ends (default 10,000).
	MaxPages int `yaml:"max_pages"`
	// FetchDetails: auto (fetch /services/{id} when list items lack nested
	// locations or contacts), always, or never.
	FetchDetails string `yaml:"fetch_details"`
	// FullSweepEvery is how often an incremental (modified_after) collector
	// walks the whole feed so deletions are noticed (default 168h).
	FullSweepEvery time.Duration `yaml:"full_sweep_every"`
	// Incremental enables modified_after when the server supports it (default true).
	Incremental *bool `yaml:"incremental"`
	// Profile is the schema profile to read: hsds (HSDS 3.0) or uk (Open Referral UK 3.0).
	Profile string `yaml:"profile"`
	// Headers are sent with every request (e.g. an API key: "${DIRECTORY_API_KEY}").
	Headers map[string]string `yaml:"headers"`
}

// SetDefaults fills the options left unset.
func (o *Options) SetDefaults() {
	if o.PerPage <= 0 {
		o.PerPage = 100
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10000
	}
	if o.FetchDetails == "" {
		o.FetchDetails = "auto"
	}
	if o.FullSweepEvery <= 0 {
		o.FullSweepEvery = 7 * 24 * time.Hour
	}
	if o.Incremental == nil {
		t := true
		o.Incremental = &t
	}
	if o.Profile == "" {
		o.Profile = "uk"
	}
}

// Validate reports every option out of range (after SetDefaults).
func (o *Options) Validate() []collect.OptionError {
	var errs []collect.OptionError
	switch o.FetchDetails {
	case "auto", "always", "never":
	default:
		errs = append(errs, collect.OptionError{Key: "fetch_details", Msg: `must be auto, always or never, not "` + o.FetchDetails + `"`})
	}
	errs = append(errs, ValidateProfile(o.Profile)...)
	if o.PerPage > 10000 {
		errs = append(errs, collect.OptionError{Key: "per_page", Msg: "at most 10000"})
	}
	return errs
}

// ValidateProfile checks a profile: option (shared with hsds_datapackage).
func ValidateProfile(profile string) []collect.OptionError {
	switch profile {
	case "hsds", "uk":
		return nil
	}
	return []collect.OptionError{{Key: "profile", Msg: `must be hsds or uk, not "` + profile + `"`}}
}
