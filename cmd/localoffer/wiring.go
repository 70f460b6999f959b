package main

import (
	"fmt"
	"log/slog"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports"
	"github.com/localoffer/localoffer/collectors/spreadsheet"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/runner"
)

// fetchOptions turns the http: section into the fetch layer's options.
func fetchOptions(h config.HTTP) fetch.Options {
	return fetch.Options{UserAgent: h.UserAgent, Timeout: h.Timeout, MaxBodyBytes: h.MaxBodyBytes}
}

// sharedTransforms is what every pipeline's transform chain shares (lookups loaded once).
type sharedTransforms struct{}

func loadSharedTransforms(cfg *config.Config) (*sharedTransforms, error) { return &sharedTransforms{}, nil }

// buildTransform wires a pipeline's transform chain.
func buildTransform(cfg *config.Config, shared *sharedTransforms, p config.Pipeline) (runner.Transformer, error) {
	return nil, nil
}

// buildAfterRun wires the warehouse-level steps run after each pipeline's load.
func buildAfterRun(cfg *config.Config, shared *sharedTransforms, log *slog.Logger) []runner.AfterRun {
	return nil
}

// buildValidator compiles the record schema once per process.
func buildValidator() (runner.Validator, error) { return nil, nil }

// buildCollector wires a pipeline's collector: an explicit switch on type:, no registry.
func buildCollector(cfg *config.Config, p config.Pipeline, log *slog.Logger) (runner.Collector, error) {
	switch p.Collector.Type {
	// Each collector type adds its case here.
	case "spreadsheet":
		return spreadsheet.New(p, cfg.Dir)
	case "sen_reports":
		return senreports.FromConfig(cfg, p)
	}
	return nil, fmt.Errorf("pipeline %s: collector type %q is not built into this binary", p.Name, p.Collector.Type)
}
