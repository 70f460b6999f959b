package config

import "time"

// APIOptions configure the provider-feed collectors: hsds_api, oruk_v1_api and
// hsds_datapackage.
type APIOptions struct {
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

var apiOptionKeys = map[string]bool{
	"per_page": true, "max_pages": true, "fetch_details": true, "full_sweep_every": true,
	"incremental": true, "profile": true, "headers": true,
}

func (o *APIOptions) applyDefaults(typ string) {
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

func (o *APIOptions) validate(typ string) []optionError {
	var errs []optionError
	switch o.FetchDetails {
	case "auto", "always", "never":
	default:
		errs = append(errs, optionError{"fetch_details", "must be auto, always or never, not " + quote(o.FetchDetails)})
	}
	switch o.Profile {
	case "hsds", "uk":
	default:
		errs = append(errs, optionError{"profile", "must be hsds or uk, not " + quote(o.Profile)})
	}
	if o.PerPage > 10000 {
		errs = append(errs, optionError{"per_page", "at most 10000"})
	}
	return errs
}
