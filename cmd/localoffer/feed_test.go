package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/localoffer/localoffer/internal/sharedtest"
)

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ndjson")
	os.WriteFile(good, []byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"Portsmouth Parent Voice","status":"active","assured_date":"2020-01-01"}`+"\n"), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"Portsmouth Parent Voice","status":"open"}`), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", good}, exitOK, "RESULT: PASS"},                             // level 2 warning only
		{[]string{"validate", good, "--format", "json"}, exitOK, `"level2_problems": 1`}, // flags after the target
		{[]string{"validate", bad}, exitFailed, "/status"},
		{[]string{"validate", "--format", "json", bad}, exitFailed, `"level1_problems": 1`},
		{[]string{"validate", filepath.Join(dir, "absent.json")}, exitUsage, "no such file"},
		{[]string{"validate"}, exitUsage, "exactly one TARGET"},
		{[]string{"validate", "--format", "xml", good}, exitUsage, "unknown --format"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
}

func TestExportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"export", "--format", "hsds-json"},
		{"export", "--format", "xml", "--out", t.TempDir()},
		{"export", "--out", t.TempDir()},
	} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// The demo warehouse exports as valid HSDS 3.0: every service file passes the
// official compiled schema, and `validate` accepts every export format.
func TestExportDemoIsValidHSDS(t *testing.T) {
	official := sharedtest.Path(t, "conformance", "hsds-3.0", "schema", "compiled", "service.json")
	cfg := sampleConfig(t)
	// The whole sample: its sources give partial addresses (postcode only, no
	// county) and attributes that exports must still turn into valid HSDS.
	if code, out, errs := runCLI(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	f, _ := os.Open(official)
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AddResource("file:///official/service.json", doc)
	sch, err := c.Compile("file:///official/service.json")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "feed")
	if code, stdout, errs := runCLI(t, "export", "--config", cfg, "--format", "hsds-json", "--out", out); code != exitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, errs)
	}
	files, _ := filepath.Glob(filepath.Join(out, "services", "*.json"))
	if len(files) == 0 {
		t.Fatal("no services exported")
	}
	for _, file := range files {
		f, _ := os.Open(file)
		v, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s is not valid HSDS 3.0:\n%v", filepath.Base(file), err)
		}
	}
	var idx map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "index.json"))
	if json.Unmarshal(b, &idx); idx["version"] != "3.0" {
		t.Errorf("index.json: %s", b)
	}
	t.Logf("%d services exported and valid", len(files))
	for _, format := range []string{"ndjson", "datapackage"} {
		dir := filepath.Join(t.TempDir(), format)
		if code, stdout, errs := runCLI(t, "export", "--config", cfg, "--format", format, "--out", dir); code != exitOK {
			t.Fatalf("export %s: exit %d\n%s\n%s", format, code, stdout, errs)
		}
		target := dir
		if format == "ndjson" {
			target = filepath.Join(dir, "services.ndjson")
		}
		if code, stdout, errs := runCLI(t, "validate", target); code != exitOK {
			t.Errorf("validate %s export: exit %d\n%s\n%s", format, code, stdout, errs)
		}
	}
}
