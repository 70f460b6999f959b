// The dependency rule: the data path runs one way (collectors → transform →
// sinks), and the leaves stay leaves. Checked on `go list -deps`, so an
// indirect import through a third package counts too.
package internal_test

import (
	"bufio"
	"bytes"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/localoffer/localoffer/"

// rule forbids packages under From (a path inside the module; "x" means x and
// x/...) to depend on any package of ours matched by Forbidden, unless Allowed
// matches it. Packages under Exempt are not bound by it.
type rule struct {
	From      string
	Exempt    []string
	Forbidden []string
	Allowed   []string
	Why       string
}

var rules = []rule{
	{From: "sinks", Forbidden: []string{"collectors"},
		Why: "sinks store and publish records; the document store that joins fetch and warehouse lives in runner/documents"},
	{From: "transform", Forbidden: []string{"sinks", "collectors"},
		Why: "transforms are pure functions of records; post-load SQL steps live in runner/afterrun"},
	{From: "schema", Forbidden: []string{""}, Allowed: []string{"schema"},
		Why: "the schema is the leaf every stage shares"},
	{From: "collectors", Forbidden: []string{"config"},
		Why: "each collector (and the fetch layer) owns its Options; cmd/localoffer decodes pipelines.yaml into them"},
	{From: "config", Forbidden: []string{"collectors"},
		Why: "config keeps collector: as a YAML node and knows no collector"},
	// internal/fixtures builds planted warehouses for tests: it is test
	// support, not an ingestion helper, so it may load through the sinks.
	{From: "internal", Exempt: []string{"internal/fixtures"}, Forbidden: []string{""}, Allowed: []string{"internal"},
		Why: "shared ingestion helpers (archive, sheet, textenc, gias) are leaves any stage may use"},
}

// under reports whether pkg (module-relative) is dir or inside it; "" matches everything.
func under(pkg, dir string) bool {
	return dir == "" || pkg == dir || strings.HasPrefix(pkg, dir+"/")
}

// violations lists "pkg → dep (why)" for every dependency that breaks a rule.
// deps maps each package of ours to its transitive dependencies, all as
// module-relative paths.
func violations(deps map[string][]string, rules []rule) []string {
	var out []string
	for _, pkg := range slices.Sorted(maps.Keys(deps)) {
		for _, r := range rules {
			if !under(pkg, r.From) || slices.ContainsFunc(r.Exempt, func(e string) bool { return under(pkg, e) }) {
				continue
			}
			for _, d := range deps[pkg] {
				bad := slices.ContainsFunc(r.Forbidden, func(f string) bool { return under(d, f) })
				ok := slices.ContainsFunc(r.Allowed, func(a string) bool { return under(d, a) })
				if bad && !ok {
					out = append(out, pkg+" → "+d+" ("+r.Why+")")
				}
			}
		}
	}
	return out
}

// ourDeps runs `go list -deps` over the module: each package of ours → the
// packages of ours it depends on, directly or not (test files excluded).
func ourDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{end}}`, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr.String())
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || !strings.HasPrefix(fields[0], module) {
			continue
		}
		pkg := strings.TrimPrefix(fields[0], module)
		deps[pkg] = []string{}
		for _, d := range fields[1:] {
			if strings.HasPrefix(d, module) {
				deps[pkg] = append(deps[pkg], strings.TrimPrefix(d, module))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return deps
}

func TestDependenciesPointOneWay(t *testing.T) {
	deps := ourDeps(t)
	for _, must := range []string{"sinks/warehouse", "transform/staleness", "schema", "collectors/fetch"} {
		if _, ok := deps[must]; !ok {
			t.Fatalf("go list did not report %s: the check would pass vacuously", must)
		}
	}
	for _, v := range violations(deps, rules) {
		t.Error(v)
	}
	if _, ok := deps["internal/fixtures"]; !ok {
		t.Fatal("go list did not report internal/fixtures: the test-only check would pass vacuously")
	}
	for _, v := range testOnlyUsers(deps) {
		t.Error(v)
	}
}

// testOnly are helpers for tests alone; no package's own code may depend on
// them (go list -deps leaves test files out, so tests importing them are fine).
var testOnly = []string{"internal/fixtures"}

// testOnlyUsers lists the packages whose own code depends on a test-only helper.
func testOnlyUsers(deps map[string][]string) []string {
	var out []string
	for _, pkg := range slices.Sorted(maps.Keys(deps)) {
		for _, d := range deps[pkg] {
			if slices.ContainsFunc(testOnly, func(h string) bool { return under(d, h) }) {
				out = append(out, pkg+" → "+d+" (a helper for tests only)")
			}
		}
	}
	return out
}

func TestTestOnlyUsers(t *testing.T) {
	deps := map[string][]string{"internal/fixtures": {"schema", "sinks/warehouse"}, "gaps": {"internal/fixtures"}, "annual": {"gaps"}}
	if got := testOnlyUsers(deps); len(got) != 1 || !strings.HasPrefix(got[0], "gaps → internal/fixtures (") {
		t.Errorf("test-only users = %q, want gaps", got)
	}
}

// The rules catch what they are meant to, indirect imports included.
func TestViolationsFindsBackwardImports(t *testing.T) {
	deps := map[string][]string{
		"sinks/warehouse":     {"schema", "collectors/fetch"},
		"sinks/feed":          {"feedcheck", "collectors/spreadsheet/sheet"}, // through feedcheck
		"transform/staleness": {"config", "schema", "sinks/warehouse"},
		"transform/ages":      {"schema"},
		"schema":              {},
		"schema/official":     {"schema"},
		"schema/feedcheck":    {"schema", "internal/archive"},
		"collectors/fetch":    {"config", "internal/redact"},
		"collectorsx/fetch":   {"config"}, // not under collectors
		"config":              {"collectors/hsdsapi"},
		"internal/gias":       {"internal/textenc", "schema/lacodes"},
		"internal/fixtures":   {"sinks/warehouse", "schema"}, // exempt: test support
	}
	got := violations(deps, rules)
	want := []string{"collectors/fetch → config", "config → collectors/hsdsapi", "internal/gias → schema/lacodes", "schema/feedcheck → internal/archive", "sinks/feed → collectors/spreadsheet/sheet",
		"sinks/warehouse → collectors/fetch", "transform/staleness → sinks/warehouse"}
	if len(got) != len(want) {
		t.Fatalf("violations = %q, want %d: %q", got, len(want), want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]+" (") {
			t.Errorf("violation %d = %q, want %q", i, got[i], want[i])
		}
	}
}
