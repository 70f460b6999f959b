package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The test binary doubles as the CLI when LOCALOFFER_TEST_MAIN=1, so a test can
// run it as a separate process with its own environment.
func TestMain(m *testing.M) {
	if os.Getenv("LOCALOFFER_TEST_MAIN") == "1" {
		main()
		return
	}
	whtest.Main(m)
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMain(context.Background(), args, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestHelpForEveryVerb(t *testing.T) {
	for _, verb := range []string{"run", "schedule", "query", "validate", "export", "gaps", "health", "serve"} {
		code, out, _ := runCLI(t, verb, "--help")
		if code != exitOK || !strings.Contains(out, "Usage: localoffer "+verb) {
			t.Errorf("%s --help: exit %d, output %q", verb, code, out)
		}
	}
	if code, out, _ := runCLI(t, "--help"); code != exitOK || !strings.Contains(out, "localoffer run") {
		t.Errorf("--help: exit %d", code)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errs := runCLI(t, "frobnicate"); code != exitUsage || !strings.Contains(errs, `unknown verb "frobnicate"`) {
		t.Errorf("unknown verb: exit %d, %q", code, errs)
	}
	if code, _, _ := runCLI(t); code != exitUsage {
		t.Errorf("no verb: exit %d", code)
	}
	if code, _, _ := runCLI(t, "run", "--no-such-flag"); code != exitUsage {
		t.Errorf("bad flag: exit %d", code)
	}
}

func TestBadConfigExitsTwoNamingTheLine(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pipelines.yaml")
	os.WriteFile(cfg, []byte("pipelines:\n  - name: a\n    schedule: \"not a cron\"\n    collector: {type: hsds_api, url: x}\n"), 0o644)
	code, _, errs := runCLI(t, "run", "--config", cfg)
	if code != exitUsage || !strings.Contains(errs, cfg+":3:") || !strings.Contains(errs, "pipelines[0].schedule") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "run", "--config", filepath.Join(dir, "missing.yaml"))
	if code != exitUsage || !strings.Contains(errs, "missing.yaml") {
		t.Fatalf("missing config: exit %d, %q", code, errs)
	}
}

// A binary without libchdb starts; a command that needs the warehouse fails
// with one sentence saying how to install it.
func TestMissingLibraryIsOneClearSentence(t *testing.T) {
	if _, err := os.Stat("/usr/local/lib/libchdb.so"); err == nil {
		t.Skip("skipping: /usr/local/lib/libchdb.so exists, so the library cannot be hidden from the binary")
	}
	empty := t.TempDir()
	cfg := filepath.Join(empty, "pipelines.yaml")
	os.WriteFile(cfg, []byte("warehouse: {path: "+filepath.Join(empty, "wh")+"}\npipelines:\n  - name: a\n    collector: {type: hsds_api, url: x}\n"), 0o644)
	run := func(args ...string) (int, string) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = []string{"LOCALOFFER_TEST_MAIN=1", "HOME=" + empty, "XDG_CACHE_HOME=" + empty, "PATH=" + os.Getenv("PATH")}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return code, errb.String()
	}
	if code, _ := run("--help"); code != 0 {
		t.Fatalf("--help without libchdb: exit %d", code)
	}
	code, errs := run("query", "--config", cfg, "SELECT 1")
	if code != exitFailed || !strings.Contains(errs, "make setup") || !strings.Contains(errs, "LOCALOFFER_CHDB_LIB") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

var dbSeq atomic.Int64

// sampleConfig copies the shipped pipelines.yaml into a temp dir with paths
// pointing back at the repository's examples and a database of its own inside
// the test process's one engine path.
func sampleConfig(t *testing.T) string {
	t.Helper()
	repo, _ := filepath.Abs("../..")
	data, err := os.ReadFile(filepath.Join(repo, "pipelines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("cli%d_%d", os.Getpid(), dbSeq.Add(1))
	text := strings.Replace(string(data), "path: var/warehouse", fmt.Sprintf("path: %s\n  database: %s\n  blob_dir: %s", whtest.Path(t), db, t.TempDir()), 1)
	text = strings.ReplaceAll(text, " examples/", " "+repo+"/examples/")
	cfg := filepath.Join(t.TempDir(), "pipelines.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func visibleCounts(t *testing.T, cfg string) map[string]int {
	t.Helper()
	code, out, errs := runCLI(t, "query", "--config", cfg, "--format", "json", `SELECT
		(SELECT count() FROM services_current) AS services,
		(SELECT count() FROM organizations_current) AS organizations,
		(SELECT count() FROM locations_current) AS locations,
		(SELECT count() FROM sen_reports_current) AS sen_reports,
		(SELECT count() FROM demand FINAL) AS demand,
		(SELECT count() FROM capacity FINAL) AS capacity,
		(SELECT count() FROM flags_current) AS flags,
		(SELECT count() FROM services FINAL) AS service_versions`)
	if code != exitOK {
		t.Fatalf("query: exit %d: %s", code, errs)
	}
	var rows []map[string]int
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("query output %q: %v", out, err)
	}
	return rows[0]
}

// The default job runs offline on the bundled sample, and running it twice
// changes no visible row counts.
func TestSampleRunTwiceIsIdempotent(t *testing.T) {
	cfg := sampleConfig(t)
	code, out, errs := runCLI(t, "run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"PIPELINE", "STATUS", "QUARANTINED", "FLAGS"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %s:\n%s", want, out)
		}
	}
	first := visibleCounts(t, cfg)
	if first["services"] == 0 {
		t.Fatalf("no services loaded: %v", first)
	}
	if code, out, errs := runCLI(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errs)
	}
	second := visibleCounts(t, cfg)
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s: %d after the first run, %d after the second", k, v, second[k])
		}
	}
	t.Logf("visible counts: %v", first)
	// query formats
	code, out, _ = runCLI(t, "query", "--config", cfg, "--format", "csv", "SELECT 'a,b' AS x, 1 AS n")
	if code != exitOK || out != "x,n\n\"a,b\",1\n" {
		t.Errorf("csv: exit %d %q", code, out)
	}
	code, out, _ = runCLI(t, "query", "--config", cfg, "SELECT 1 AS n WHERE 0")
	if code != exitOK || !strings.Contains(out, "(no rows)") {
		t.Errorf("empty table: exit %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "query", "--config", cfg, "SELECT * FROM"); code != exitFailed || !strings.Contains(errs, "Syntax error") {
		t.Errorf("bad SQL: exit %d %q", code, errs)
	}
	checkHealth(t, cfg)
}

// checkHealth reads the health report of the sample after its two runs.
func checkHealth(t *testing.T, cfg string) {
	t.Helper()
	code, out, errs := runCLI(t, "health", "--config", cfg, "--format", "json", "--la", "E06000044")
	if code != exitOK {
		t.Fatalf("health: exit %d: %s", code, errs)
	}
	var r struct {
		Sources []struct {
			Pipeline string   `json:"pipeline"`
			Status   string   `json:"status"`
			History  []any    `json:"history"`
			Assured  *float64 `json:"assured_share"`
		} `json:"sources"`
		Fixes int `json:"fix_list_total"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("health json: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, s := range r.Sources {
		seen[s.Pipeline] = true
		if s.Status != "ok" || len(s.History) != 2 {
			t.Errorf("%s: status %s, %d runs of history; want ok and 2", s.Pipeline, s.Status, len(s.History))
		}
		if s.Pipeline == "portsmouth-directory" && (s.Assured == nil || *s.Assured <= 0 || *s.Assured >= 1) {
			t.Errorf("directory assured share %v: the sample has both recent and old assured dates", s.Assured)
		}
	}
	if !seen["portsmouth-directory"] || !seen["portsmouth-schools-sen"] || seen["ehcp-need"] {
		t.Errorf("sources with services in E06000044: %v", seen)
	}
	if r.Fixes == 0 {
		t.Error("the sample's open flags are not on the fix list")
	}
	code, out, _ = runCLI(t, "health", "--config", cfg, "--format", "csv", "--pipeline", "portsmouth-directory")
	if code != exitOK || !strings.HasPrefix(out, "pipeline,entity_type,record_id,name,source_url,field,problem,original_value,suggested_repair,kind\n") {
		t.Errorf("health csv: exit %d %.200q", code, out)
	}
	if code, _, errs := runCLI(t, "health", "--config", cfg, "--runs", "0"); code != exitUsage || !strings.Contains(errs, "--runs") {
		t.Errorf("--runs 0: exit %d %q", code, errs)
	}
}
