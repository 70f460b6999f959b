package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

const good = `warehouse: {driver: embedded, path: var/warehouse}
http: {user_agent: "localoffer-test/1.0 (+mailto:data@example.org)", per_host_rps: 2, concurrency: 8, timeout: 10s}
staleness: {review_after_days: 365, assurance_after_days: 90, missing_after_runs: 3}
pipelines:
  - name: city-directory
    schedule: "@daily"
    collector: {type: hsds_api, url: "https://directory.example.gov.uk/api"}
  - name: gias
    schedule: "0 3 * * 1"
    area: E06000044
    collector: {type: spreadsheet, preset: gias, path: "data/edubasealldata.csv"}
`

func TestParseGood(t *testing.T) {
	cfg, err := Parse("pipelines.yaml", []byte(good), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Pipelines) != 2 || cfg.Pipelines[1].Collector.Type != "spreadsheet" || cfg.HTTP.PerHostRPS != 2 {
		t.Fatalf("decoded wrongly: %+v", cfg)
	}
	if cfg.Warehouse.ChunkRows != 10000 {
		t.Fatalf("defaults not applied: chunk=%d", cfg.Warehouse.ChunkRows)
	}
	if cfg.Pipelines[1].Line != 8 {
		t.Fatalf("pipeline line = %d, want 8", cfg.Pipelines[1].Line)
	}
}

func TestPipelineStatusKeys(t *testing.T) {
	cfg, err := Parse("pipelines.yaml", []byte("pipelines:\n  - name: a\n    quarantine_fail_share: 0.2\n    default_status: active\n    collector: {type: hsds_api, url: x}\n  - name: b\n    collector: {type: hsds_api, url: y}\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Pipelines[0], cfg.Pipelines[1]
	if a.FailShare() != 0.2 || a.DefaultStatus != "active" {
		t.Errorf("pipeline a: share %v, default_status %q", a.FailShare(), a.DefaultStatus)
	}
	if b.FailShare() != DefaultQuarantineFailShare || b.DefaultStatus != "" {
		t.Errorf("pipeline b: share %v, default_status %q; want the defaults", b.FailShare(), b.DefaultStatus)
	}
}

// Each bad configuration must be refused with the file, line and field at fault.
func TestParseErrorsNameLineAndField(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top-level key", "warehouse: {driver: embedded}\nwarehous_typo: 1\npipelines: []\n",
			[]string{"pipelines.yaml:2:", "warehous_typo", "unknown field"}},
		{"unknown nested key", "warehouse:\n  driver: embedded\n  pth: x\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:3:", "pth", "warehouse"}},
		{"wrong type", "http:\n  concurrency: lots\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:2:", "wrong type", "lots"}},
		{"invalid cron", "pipelines:\n  - name: a\n    schedule: \"61 * * * *\"\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:3:", "pipelines[0].schedule", "invalid cron spec"}},
		{"duplicate names", "pipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n  - name: a\n    collector: {type: hsds_api, url: y}\n",
			[]string{"pipelines.yaml:4:", "pipelines[1].name", `duplicate pipeline name "a" (first defined on line 2)`}},
		{"bad area code", "pipelines:\n  - name: a\n    area: Portsmouth\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:2:", "pipelines[0].area", "GSS"}},
		{"fail share above one", "pipelines:\n  - name: a\n    quarantine_fail_share: 5\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:2:", "pipelines[0].quarantine_fail_share", "between 0 and 1"}},
		{"unknown default status", "pipelines:\n  - name: a\n    default_status: open\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:2:", "pipelines[0].default_status", `"open" is not an HSDS service status`}},
		{"unset env var", "warehouse: {driver: clickhouse, dsn: \"clickhouse://u:${CH_PASSWORD}@h:9000/db\"}\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n",
			[]string{"pipelines.yaml:1:", "${CH_PASSWORD}", "not set"}},
		{"syntax error", "pipelines:\n  - name: a\n   collector: [\n", []string{"pipelines.yaml:"}},
		{"unknown driver", "warehouse: {driver: duckdb}\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n",
			[]string{"warehouse.driver", `unknown driver "duckdb"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("pipelines.yaml", []byte(c.yaml), noEnv)
			if err == nil {
				t.Fatal("accepted a bad configuration")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEnvExpansionOnlyInValues(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "CH_PASSWORD" {
			return "s3cret: {injected: true}", true
		}
		return "", false
	}
	cfg, err := Parse("p.yaml", []byte("warehouse: {driver: clickhouse, dsn: \"clickhouse://u:${CH_PASSWORD}@h:9000/db\"}\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n"), env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse.DSN != "clickhouse://u:s3cret: {injected: true}@h:9000/db" {
		t.Fatalf("dsn = %q: a secret must stay a plain string", cfg.Warehouse.DSN)
	}
	if len(cfg.Secrets) != 1 || cfg.Secrets[0] != "s3cret: {injected: true}" {
		t.Errorf("secrets = %q, want the expanded value for redaction", cfg.Secrets)
	}
}

// Every YAML file shipped in the repository must parse.
func TestShippedConfigsParse(t *testing.T) {
	root, _ := filepath.Abs("..")
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "var" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
			// examples/matches.yaml is the matcher's decisions file (transform.matches), not a config.
			if strings.Contains(filepath.Base(p), "pipelines") || (filepath.Dir(p) == filepath.Join(root, "examples") && !strings.HasPrefix(filepath.Base(p), "matches")) {
				files = append(files, p)
			}
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no pipelines YAML found in the repository")
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestAnalystPassword(t *testing.T) {
	yml := good + "serve: {analyst_password: \"${ANALYST_PASSWORD}\"}\n"
	cfg, err := Parse("pipelines.yaml", []byte(yml), func(k string) (string, bool) {
		if k == "ANALYST_PASSWORD" {
			return "pa55", true
		}
		return "", false
	})
	if err != nil || cfg.Serve.AnalystPassword != "pa55" {
		t.Fatalf("set: %v %+v", err, cfg.Serve)
	}
	// Unset: the endpoint is off, every other command still runs.
	cfg, err = Parse("pipelines.yaml", []byte(yml), noEnv)
	if err != nil || cfg.Serve.AnalystPassword != "" {
		t.Fatalf("unset: %v %+v", err, cfg.Serve)
	}
	// Other secrets stay required.
	other := strings.Replace(yml, "{driver: embedded, path: var/warehouse}", "{driver: clickhouse, dsn: \"${CH_DSN}\"}", 1)
	if _, err := Parse("pipelines.yaml", []byte(other), noEnv); err == nil || !strings.Contains(err.Error(), "CH_DSN") {
		t.Fatalf("unset CH_DSN: %v", err)
	}
	// Strict: a typo under serve is an error naming the line.
	_, err = Parse("pipelines.yaml", []byte(good+"serve: {analyst_pasword: x}\n"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "pipelines.yaml:12:") || !strings.Contains(err.Error(), "analyst_pasword") {
		t.Fatalf("typo: %v", err)
	}
}
