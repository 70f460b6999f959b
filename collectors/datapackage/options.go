package datapackage

import (
	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/hsdsapi"
)

// Options configure the hsds_datapackage collector (the collector: keys
// besides type and url). A package is read whole, so the API's paging and
// incremental options do not apply.
type Options struct {
	// Profile is the schema profile to read: hsds (HSDS 3.0) or uk (Open Referral UK 3.0, default).
	Profile string `yaml:"profile"`
	// Headers are sent when the package is fetched over HTTP.
	Headers map[string]string `yaml:"headers"`
}

// SetDefaults fills the options left unset.
func (o *Options) SetDefaults() {
	if o.Profile == "" {
		o.Profile = "uk"
	}
}

// Validate reports every option out of range (after SetDefaults).
func (o *Options) Validate() []collect.OptionError {
	return hsdsapi.ValidateProfile(o.Profile)
}
