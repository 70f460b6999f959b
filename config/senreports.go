package config

import "time"

// SENReportOptions configure the sen_reports collector.
type SENReportOptions struct {
	// Sites lists schools directly.
	Sites []Site `yaml:"sites"`
	// SchoolsFrom is a GIAS establishment export (CSV or XLSX, path or URL).
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
	// SiteTimeout bounds the crawl and reading of one school's site (default 5m),
	// so a slow or endless site cannot hold a worker.
	SiteTimeout time.Duration `yaml:"site_timeout"`
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

var senReportOptionKeys = map[string]bool{
	"sites": true, "schools_from": true, "la_codes": true, "statuses": true,
	"max_depth": true, "max_pages_per_site": true, "site_concurrency": true, "site_timeout": true,
}

func (o *SENReportOptions) applyDefaults(typ string) {
	if typ != "sen_reports" {
		return
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 3
	}
	if o.MaxPagesPerSite <= 0 {
		o.MaxPagesPerSite = 40
	}
	if o.SiteTimeout <= 0 {
		o.SiteTimeout = 5 * time.Minute
	}
	if len(o.Statuses) == 0 {
		o.Statuses = []string{"Open"}
	}
}

func (o *SENReportOptions) validate() []optionError {
	var errs []optionError
	if len(o.Sites) == 0 && o.SchoolsFrom == "" {
		errs = append(errs, optionError{"sites", "give sites: or schools_from:"})
	}
	for _, s := range o.Sites {
		if s.URN == "" || s.URL == "" {
			errs = append(errs, optionError{"sites", "every site needs urn and url"})
			break
		}
	}
	return errs
}
