package config

import (
	"strings"
	"testing"
	"time"
)

// apiOptions stands for a collector's Options (config knows no collector).
type apiOptions struct {
	Type    string        `yaml:"type"`
	URL     string        `yaml:"url"`
	PerPage int           `yaml:"per_page"`
	Timeout time.Duration `yaml:"timeout"`
	Headers struct {
		Accept string `yaml:"accept"`
	} `yaml:"headers"`
}

const collectors = `pipelines:
  - name: city
    collector:
      type: hsds_api
      url: https://api.example.org
      per_page: 50
      timeout: 20s
      headers: {accept: application/json}
  - name: typo
    collector:
      type: hsds_api
      url: https://api.example.org

      per_pagee: 50
  - name: nested-typo
    collector:
      type: hsds_api
      headers:
        acept: text/csv
  - name: wrong-type
    collector: {type: hsds_api, per_page: lots}
`

func TestDecodeCollector(t *testing.T) {
	cfg, err := Parse("pipelines.yaml", []byte(collectors), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var o apiOptions
	if errs := cfg.DecodeCollector(&cfg.Pipelines[0], &o); errs != nil {
		t.Fatal(errs)
	}
	if o.URL != "https://api.example.org" || o.PerPage != 50 || o.Timeout != 20*time.Second || o.Headers.Accept != "application/json" {
		t.Errorf("decoded %+v", o)
	}
	// Errors name the key's own line in the file, whatever the re-encoding did.
	cases := []struct {
		pipeline int
		want     string
	}{
		{1, `pipelines.yaml:14: pipelines[1].collector.per_pagee: not an option of collector type "hsds_api"`},
		{2, `pipelines.yaml:19: pipelines[2].collector.acept: not an option of collector type "hsds_api"`},
		{3, `pipelines.yaml:21: pipelines[3].collector: wrong type`},
	}
	for _, c := range cases {
		var o apiOptions
		errs := cfg.DecodeCollector(&cfg.Pipelines[c.pipeline], &o)
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), c.want) {
			t.Errorf("pipeline %d: %v, want %q", c.pipeline, errs, c.want)
		}
	}
	if errs := cfg.DecodeCollector(&cfg.Pipelines[3], &apiOptions{}); !strings.Contains(errs.Error(), "lots") {
		t.Errorf("a wrong type's message does not show the value: %v", errs)
	}
}

func TestCollectorErrorLines(t *testing.T) {
	cfg, err := Parse("pipelines.yaml", []byte(collectors), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p := &cfg.Pipelines[0]
	if got := cfg.CollectorError(p, "url", "must be https").Error(); got != "pipelines.yaml:5: pipelines[0].collector.url: must be https" {
		t.Errorf("at the key: %s", got)
	}
	if got := cfg.CollectorError(p, "token", "required").Error(); got != "pipelines.yaml:2: pipelines[0].collector.token: required" {
		t.Errorf("absent key, at the pipeline: %s", got)
	}
	// A pipeline without a collector section.
	bare := &Pipeline{Name: "bare", Line: 7}
	errs := cfg.DecodeCollector(bare, &apiOptions{})
	if len(errs) != 1 || errs[0].Error() != "pipelines.yaml:7: pipelines[0].collector.type: required" {
		t.Errorf("no collector: %v", errs)
	}
}

func TestSelect(t *testing.T) {
	cfg, err := Parse("pipelines.yaml", []byte("pipelines:\n  - name: a\n    collector: {type: x}\n  - name: b\n    disabled: true\n    collector: {type: x}\n  - name: c\n    collector: {type: x}\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ps []Pipeline) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ",")
	}
	if ps, err := cfg.Select(nil); err != nil || names(ps) != "a,c" {
		t.Errorf("all enabled: %s, %v", names(ps), err)
	}
	if ps, err := cfg.Select([]string{"c", "b"}); err != nil || names(ps) != "c,b" {
		t.Errorf("named (a disabled one too): %s, %v", names(ps), err)
	}
	if _, err := cfg.Select([]string{"a", "zz"}); err == nil || err.Error() != `pipelines.yaml: --pipeline: no pipeline named "zz"` {
		t.Errorf("unknown name: %v", err)
	}
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ dir, in, want string }{
		{"conf", "data/x.csv", "conf/data/x.csv"},
		{"conf", "/abs/x.csv", "/abs/x.csv"},
		{"conf", "https://example.org/x.csv", "https://example.org/x.csv"},
		{"conf", "", ""},
		{".", "data/x.csv", "data/x.csv"},
		{"", "data/x.csv", "data/x.csv"},
	} {
		cfg := &Config{Dir: c.dir}
		if got := cfg.Resolve(c.in); got != c.want {
			t.Errorf("Resolve(%q) in %q = %q, want %q", c.in, c.dir, got, c.want)
		}
	}
}
