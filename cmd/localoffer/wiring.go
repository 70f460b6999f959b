package main

import (
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/datapackage"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsapi"
	"github.com/localoffer/localoffer/collectors/orukv1"
	"github.com/localoffer/localoffer/collectors/senreports"
	"github.com/localoffer/localoffer/collectors/spreadsheet"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/runner/afterrun"
	"github.com/localoffer/localoffer/transform"
	"github.com/localoffer/localoffer/transform/needs"
)

// fetchOptions turns the http: section into the fetch layer's options (the
// fetch layer does not know the configuration file).
func fetchOptions(h config.HTTP) fetch.Options {
	return fetch.Options{
		UserAgent:    h.UserAgent,
		Timeout:      h.Timeout,
		MaxBodyBytes: h.MaxBodyBytes,
		PerHostRPS:   h.PerHostRPS,
		Concurrency:  h.Concurrency,
		Retries:      h.Retries,
		MaxBackoff:   h.MaxBackoff,
		AllowedHosts: h.AllowedHosts,
		IgnoreRobots: h.IgnoreRobots,
	}
}

// buildTransform wires a pipeline's transform chain (areas, ages, needs, categories, staleness flags).
func buildTransform(cfg *config.Config, shared *transform.Shared, p config.Pipeline) (runner.Transformer, error) {
	c, err := transform.NewChain(shared, p, cfg.Staleness, nil)
	if err != nil {
		return nil, err // a nil *Chain must not become a non-nil Transformer
	}
	return c, nil
}

// buildSettle wires the steps run once after a group of runs: one
// cross-source matching pass. A bad matches.yaml fails here, at start-up.
func buildSettle(cfg *config.Config, log *slog.Logger) (*afterrun.Matcher, error) {
	m := afterrun.NewMatcher(cfg, log)
	db := cfg.Warehouse.Database
	if db == "" {
		db = "default"
	}
	// Next to the blob store: a cache of the matching indexes, one per database.
	m.SnapshotDir = filepath.Join(filepath.Dir(blobDir(cfg)), "match-index", db)
	if err := m.CheckDecisions(); err != nil {
		return nil, err
	}
	return m, nil
}

// collectorTypes is every collector built into the binary: type: → how its
// options are decoded and its collector built. A new collector is its own
// package with an Options type (yaml tags, SetDefaults, Validate) and one row
// here; keys of another collector are refused because each type decodes
// into its own Options with KnownFields.
var collectorTypes = map[string]collectorType{
	"hsds_api": withSource("url", "the feed's URL or path", func(_ *config.Config, _ config.Pipeline, src string, o hsdsapi.Options) (runner.Collector, error) {
		return hsdsapi.New(src, o), nil
	}),
	"oruk_v1_api": withSource("url", "the feed's URL or path", func(_ *config.Config, _ config.Pipeline, src string, o hsdsapi.Options) (runner.Collector, error) {
		return orukv1.New(src, o), nil
	}),
	"hsds_datapackage": withSource("url", "the package's URL or path", func(_ *config.Config, _ config.Pipeline, src string, o datapackage.Options) (runner.Collector, error) {
		return datapackage.New(src, o), nil
	}),
	"spreadsheet": withSource("path", "the file's path or URL", func(_ *config.Config, p config.Pipeline, src string, o spreadsheet.Options) (runner.Collector, error) {
		return spreadsheet.New(src, o, p.Area), nil
	}),
	"sen_reports": withoutSource(buildSENReports),
}

// buildSENReports adds to the sen_reports options what the rest of the
// configuration says: staleness, the needs vocabulary, the default area.
func buildSENReports(cfg *config.Config, p config.Pipeline, o senreports.Options) (runner.Collector, error) {
	if cfg.Transform.Needs != "" {
		v, err := needs.Load(cfg.Resolve(cfg.Transform.Needs))
		if err != nil {
			return nil, fmt.Errorf("pipeline %s: %w", p.Name, err)
		}
		o.Needs = v
	}
	if o.SiteConcurrency <= 0 {
		o.SiteConcurrency = cfg.HTTP.Concurrency
	}
	o.SchoolsFrom = cfg.Resolve(o.SchoolsFrom)
	o.ReviewAfterDays = cfg.Staleness.ReviewAfterDays
	o.MissingAfterRuns = cfg.Staleness.MissingAfterRuns
	o.Area = p.Area
	o.BaseDir = cfg.Dir
	return senreports.New(o), nil
}

// collectorType is one row of collectorTypes.
type collectorType struct {
	// check decodes and validates a pipeline's options (at start-up, for
	// every pipeline, so a bad one stops the program before anything runs).
	check func(cfg *config.Config, p *config.Pipeline) config.Errors
	build func(cfg *config.Config, p config.Pipeline) (runner.Collector, error)
}

// options is what a collector's Options type provides.
type options[O any] interface {
	*O
	SetDefaults()
	Validate() []collect.OptionError
}

// sourced is the collector: section of a collector reading one source.
type sourced[O any] struct {
	Type    string `yaml:"type"`
	URL     string `yaml:"url"`
	Path    string `yaml:"path"`
	Options O      `yaml:",inline"`
}

// unsourced is the collector: section of a collector whose options say
// where to look (sen_reports: sites or a schools list).
type unsourced[O any] struct {
	Type    string `yaml:"type"`
	Options O      `yaml:",inline"`
}

// withSource is the row of a collector reading the one source given by
// url: or path: (required: key and what it names, for the error).
func withSource[O any, P options[O]](key, what string, build func(*config.Config, config.Pipeline, string, O) (runner.Collector, error)) collectorType {
	decode := func(cfg *config.Config, p *config.Pipeline) (string, O, config.Errors) {
		var s sourced[O]
		if errs := cfg.DecodeCollector(p, &s); len(errs) > 0 {
			return "", s.Options, errs
		}
		src := s.URL
		if src == "" {
			src = s.Path
		}
		var errs config.Errors
		if src == "" {
			errs = append(errs, cfg.CollectorError(p, key, "required: "+what))
		}
		return src, s.Options, append(errs, validate[O, P](cfg, p, &s.Options)...)
	}
	return collectorType{
		check: func(cfg *config.Config, p *config.Pipeline) config.Errors {
			_, _, errs := decode(cfg, p)
			return errs
		},
		build: func(cfg *config.Config, p config.Pipeline) (runner.Collector, error) {
			src, o, errs := decode(cfg, &p)
			if len(errs) > 0 {
				return nil, errs
			}
			return build(cfg, p, cfg.Resolve(src), o)
		},
	}
}

// withoutSource is the row of a collector with no url: or path:.
func withoutSource[O any, P options[O]](build func(*config.Config, config.Pipeline, O) (runner.Collector, error)) collectorType {
	decode := func(cfg *config.Config, p *config.Pipeline) (O, config.Errors) {
		var s unsourced[O]
		if errs := cfg.DecodeCollector(p, &s); len(errs) > 0 {
			return s.Options, errs
		}
		return s.Options, validate[O, P](cfg, p, &s.Options)
	}
	return collectorType{
		check: func(cfg *config.Config, p *config.Pipeline) config.Errors {
			_, errs := decode(cfg, p)
			return errs
		},
		build: func(cfg *config.Config, p config.Pipeline) (runner.Collector, error) {
			o, errs := decode(cfg, &p)
			if len(errs) > 0 {
				return nil, errs
			}
			return build(cfg, p, o)
		},
	}
}

// validate applies the defaults and turns the collector's option errors
// into configuration errors at their keys' lines.
func validate[O any, P options[O]](cfg *config.Config, p *config.Pipeline, o *O) config.Errors {
	P(o).SetDefaults()
	var errs config.Errors
	for _, e := range P(o).Validate() {
		errs = append(errs, cfg.CollectorError(p, e.Key, e.Msg))
	}
	return errs
}

// checkCollectors decodes every pipeline's collector options, disabled
// pipelines included, and returns every problem found.
func checkCollectors(cfg *config.Config) config.Errors {
	var errs config.Errors
	known := strings.Join(slices.Sorted(maps.Keys(collectorTypes)), ", ")
	for i := range cfg.Pipelines {
		p := &cfg.Pipelines[i]
		t, ok := collectorTypes[p.Collector.Type]
		switch {
		case p.Collector.Type == "":
			errs = append(errs, cfg.CollectorError(p, "type", "required (one of "+known+")"))
		case !ok:
			errs = append(errs, cfg.CollectorError(p, "type", fmt.Sprintf("unknown collector type %q (one of %s)", p.Collector.Type, known)))
		default:
			errs = append(errs, t.check(cfg, p)...)
		}
	}
	return errs
}

// buildCollector wires a pipeline's collector from its row of collectorTypes.
func buildCollector(cfg *config.Config, p config.Pipeline) (runner.Collector, error) {
	t, ok := collectorTypes[p.Collector.Type]
	if !ok {
		return nil, fmt.Errorf("pipeline %s: collector type %q is not built into this binary", p.Name, p.Collector.Type)
	}
	return t.build(cfg, p)
}
