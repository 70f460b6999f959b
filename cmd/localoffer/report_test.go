package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The report verbs refuse what they cannot do before opening anything.
func TestReportVerbsUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"gaps", "extra"}, `localoffer gaps: unexpected argument "extra"`},
		{[]string{"gaps", "--format", "pdf"}, `localoffer gaps: unknown --format "pdf" (table, csv, json, html)`},
		{[]string{"gaps", "--limit", "-1"}, "localoffer gaps: --limit -1: want 0 (all) or more"},
		{[]string{"gaps", "--config", missing}, "missing.yaml"},
		{[]string{"health", "extra"}, `localoffer health: unexpected argument "extra"`},
		{[]string{"health", "--format", "pdf"}, `localoffer health: unknown --format "pdf" (table, csv, json, html)`},
		{[]string{"health", "--runs", "0", "--server", "http://127.0.0.1:1"}, "localoffer health: --runs 0: want 1 or more"},
		{[]string{"health", "--config", missing}, "missing.yaml"},
		{[]string{"annual-report", "--la", "E06000044", "--year", "2025", "extra"}, `localoffer annual-report: unexpected argument "extra"`},
		{[]string{"annual-report", "--year", "2025"}, "localoffer annual-report: --la is required"},
		{[]string{"annual-report", "--la", "851", "--year", "25"}, "localoffer annual-report: "},
		{[]string{"annual-report", "--la", "851", "--year", "2025", "--format", "csv"}, `localoffer annual-report: unknown --format "csv" (html, json)`},
		{[]string{"annual-report", "--la", "851", "--year", "2025", "--config", missing}, "missing.yaml"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want exit %d and %q", c.args, code, errs, exitUsage, c.want)
		}
	}
	for _, verb := range []string{"gaps", "health", "annual-report"} {
		code, out, _ := runCLI(t, verb, "--help")
		for _, flag := range []string{"-config", "-la", "-format", "-out"} {
			if code != exitOK || !strings.Contains(out, flag) {
				t.Errorf("%s --help: exit %d, lacks %s:\n%s", verb, code, flag, out)
			}
		}
	}
}

// --out is written whole or not at all: a failed report leaves the previous
// one in place and no temporary file beside it.
func TestReportWriteOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	format, outFlag := "html", out
	rf := &reportFlags{verb: "gaps", format: &format, out: &outFlag}
	var stdout, stderr strings.Builder
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}

	if code := rf.write(env, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	code := rf.write(env, func(w io.Writer) error {
		io.WriteString(w, "half of the sec")
		return errors.New("the warehouse went away")
	})
	if code != exitFailed || stderr.String() != "localoffer gaps: the warehouse went away\n" {
		t.Errorf("failed write: exit %d, stderr %q", code, stderr.String())
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "first" {
		t.Errorf("previous report: %q, %v", b, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode: %v, %v", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the output directory, want only the report", len(entries))
	}
	if stdout.Len() != 0 {
		t.Errorf("--out also wrote to standard output: %q", stdout.String())
	}
	// Without --out: standard output.
	outFlag = ""
	if code := rf.write(env, func(w io.Writer) error { _, err := io.WriteString(w, "to stdout"); return err }); code != exitOK || stdout.String() != "to stdout" {
		t.Errorf("stdout: exit %d, %q", code, stdout.String())
	}
	// An --out in a directory that does not exist.
	outFlag = filepath.Join(dir, "no", "such", "dir", "r.html")
	stderr.Reset()
	if code := rf.write(env, func(io.Writer) error { return nil }); code != exitFailed || !strings.HasPrefix(stderr.String(), "localoffer gaps: write "+outFlag) {
		t.Errorf("missing directory: exit %d, %q", code, stderr.String())
	}
}

// --server reads a running serve's reports; what it cannot read is a failure
// of the verb, and --out works as it does locally.
func TestRemoteReports(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RequestURI())
		switch r.URL.Path {
		case "/reports/gaps.json":
			io.WriteString(w, `[{"la_code":"E06000044","la_name":"Portsmouth","need_code":"ASD","age_band":"11-15","category":"leisure","status":"none","severity":3}]`)
		case "/reports/health.csv":
			io.WriteString(w, "pipeline,entity_type\ncity-api,service\n")
		case "/reports/health.json":
			io.WriteString(w, `{"sources":[{"pipeline":"city-api","status":"ok","records_seen":3}],"fix_list_total":0}`)
		case "/reports/gaps":
			io.WriteString(w, "not json")
		default:
			http.Error(w, "no such report", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "gaps.csv")
	code, stdout, errs := runCLI(t, "gaps", "--server", srv.URL, "--la", "E06000044", "--limit", "5", "--format", "csv", "--out", out)
	b, _ := os.ReadFile(out)
	if code != exitOK || stdout != "" || !strings.Contains(string(b), "E06000044") {
		t.Errorf("gaps --out: exit %d %s, file %q", code, errs, b)
	}
	if asked[0] != "/reports/gaps.json?la=E06000044&limit=5" {
		t.Errorf("asked %q", asked[0])
	}
	code, stdout, errs = runCLI(t, "health", "--server", srv.URL, "--pipeline", "city-api", "--la", "851", "--runs", "3", "--format", "csv")
	if code != exitOK || stdout != "pipeline,entity_type\ncity-api,service\n" {
		t.Errorf("health csv: exit %d %s, %q", code, errs, stdout)
	}
	if asked[1] != "/reports/health.csv?la=851&pipeline=city-api&runs=3" {
		t.Errorf("asked %q", asked[1])
	}
	code, stdout, errs = runCLI(t, "health", "--server", srv.URL)
	if code != exitOK || !strings.HasPrefix(stdout, "SOURCE ") || !strings.Contains(stdout, "city-api") {
		t.Errorf("health table from JSON: exit %d %s\n%s", code, errs, stdout)
	}
	// The rows are not JSON: the table cannot be made.
	srvBad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") }))
	defer srvBad.Close()
	for _, verb := range []string{"gaps", "health"} {
		code, _, errs = runCLI(t, verb, "--server", srvBad.URL)
		if code != exitFailed || !strings.HasPrefix(errs, "localoffer "+verb+": read the ") {
			t.Errorf("%s from a server that answers HTML: exit %d %q", verb, code, errs)
		}
	}
	// A report the server does not have.
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	for _, verb := range []string{"gaps", "health"} {
		code, _, errs = runCLI(t, verb, "--server", srv404.URL, "--format", "html")
		if code != exitFailed || !strings.HasPrefix(errs, "localoffer "+verb+": ") {
			t.Errorf("%s from a server without the report: exit %d %q", verb, code, errs)
		}
	}
}
