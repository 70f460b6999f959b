package main

import (
	"fmt"
	"log/slog"
	"path/filepath"

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

// buildCollector wires a pipeline's collector: an explicit switch on type:, no registry.
func buildCollector(cfg *config.Config, p config.Pipeline, log *slog.Logger) (runner.Collector, error) {
	switch p.Collector.Type {
	// Each collector type adds its case here.
	case "spreadsheet":
		return spreadsheet.New(p, cfg.Dir)
	case "sen_reports":
		return senreports.FromConfig(cfg, p)
	case "hsds_api":
		return hsdsapi.New(cfg.Resolve(p.Collector.Source()), p.Collector.APIOptions), nil
	case "oruk_v1_api":
		return orukv1.New(cfg.Resolve(p.Collector.Source()), p.Collector.APIOptions), nil
	case "hsds_datapackage":
		return datapackage.New(cfg.Resolve(p.Collector.Source()), p.Collector.APIOptions), nil
	}
	return nil, fmt.Errorf("pipeline %s: collector type %q is not built into this binary", p.Name, p.Collector.Type)
}
