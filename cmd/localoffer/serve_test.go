package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `localoffer serve` in this process on a free port and
// returns its URL and a stop function (SIGTERM's equivalent) giving the exit code.
func startServe(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		code := runMain(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), &Env{Stdout: pw, Stderr: stderr, Getenv: func(string) string { return "" }})
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		close(lines)
	}()
	var base string
	select {
	case l, ok := <-lines:
		if !ok || !strings.HasPrefix(l, "localoffer: serving ") {
			cancel()
			t.Fatalf("serve did not start: %q\n%s", l, stderr.String())
		}
		base = strings.TrimPrefix(l, "localoffer: serving ")
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d\n%s", code, stderr.String())
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("serve did not start in time")
	}
	stopped := false
	var code int
	stop := func() int {
		if !stopped {
			stopped = true
			cancel()
			code = <-done
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// The served sample passes `localoffer validate` with no level 1 problem and
// no endpoint or pagination warning, and an hsds_api pipeline pointed at it
// collects exactly the services served.
func TestServeSampleValidatesAndRoundTrips(t *testing.T) {
	cfg := sampleConfig(t)
	if code, out, errs := runCLI(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	base, stop := startServe(t, "--config", cfg, "--no-schedule")

	code, out, errs := runCLI(t, "validate", "--format", "json", base)
	var rep struct {
		Level1 int `json:"level1_problems"`
		Groups []struct {
			Level   int    `json:"level"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"groups"`
		Records int `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("validate: exit %d %v\n%s\n%s", code, err, out, errs)
	}
	if code != exitOK || rep.Level1 != 0 || rep.Records == 0 {
		t.Errorf("validate: exit %d, %d level 1 problems over %d records\n%s", code, rep.Level1, rep.Records, out)
	}
	for _, g := range rep.Groups {
		switch g.Code {
		case "endpoint", "optional_endpoint", "pagination", "content_type", "not_json", "syntax", "duplicate_id":
			t.Errorf("validate warns about the API itself: level %d %s: %s", g.Level, g.Code, g.Message)
		}
	}

	served := servedServices(t, base)
	if len(served) == 0 {
		t.Fatal("nothing served")
	}

	// Round trip: collect our own API with the hsds_api collector.
	rt := roundTripConfig(t, base)
	if code, out, errs := runCLI(t, "run", "--config", rt); code != exitOK {
		t.Fatalf("round-trip run: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "query", "--config", rt, "--format", "json", "SELECT payload FROM services_current")
	if code != exitOK {
		t.Fatalf("query: %d %s", code, errs)
	}
	var rows []struct{ Payload string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	collected := map[string]summary{}
	for _, r := range rows {
		var s schema.Service
		if err := json.Unmarshal([]byte(r.Payload), &s); err != nil {
			t.Fatal(err)
		}
		// Ages read from free text are not published as the service's own
		// (export and serve write only stated ages), so the collector reads
		// them again from the same text: compare the stated ones.
		minAge, maxAge := s.MinimumAge, s.MaximumAge
		if !schema.AgeStated(s.AgeSource) {
			if minAge != nil || maxAge != nil {
				if s.AgeSource != schema.AgeSourceText {
					t.Errorf("%q: collected ages %v–%v with age_source %q", s.Name, minAge, maxAge, s.AgeSource)
				}
			}
			minAge, maxAge = nil, nil
		}
		collected[s.Name] = summarise(s.Name, minAge, maxAge, s.NeedCodes, s.Contacts)
	}
	withAges, withNeeds, withContacts := 0, 0, 0
	for _, v := range served {
		if v.ages != "-–-" {
			withAges++
		}
		if v.needs != "" {
			withNeeds++
		}
		if v.contacts != "" {
			withContacts++
		}
	}
	t.Logf("served %d services (%d with ages, %d with need codes, %d with contacts); the round trip collected %d",
		len(served), withAges, withNeeds, withContacts, len(rows))
	if len(rows) != len(served) || len(collected) != len(served) {
		t.Errorf("served %d services, collected %d (%d names)", len(served), len(rows), len(collected))
	}
	for name, want := range served {
		if got, ok := collected[name]; !ok {
			t.Errorf("served %q was not collected", name)
		} else if got != want {
			t.Errorf("%q differs after the round trip:\nserved    %+v\ncollected %+v", name, want, got)
		}
	}
	// gaps --server gives what gaps gives from the warehouse.
	code, local, errs := runCLI(t, "gaps", "--config", cfg, "--format", "csv", "--la", "E06000044")
	if code != exitOK {
		t.Fatalf("gaps: %d %s", code, errs)
	}
	code, remote, errs := runCLI(t, "gaps", "--server", base, "--format", "csv", "--la", "E06000044")
	if code != exitOK || remote != local || !strings.Contains(remote, "la_code,") {
		t.Errorf("gaps --server: exit %d %s\n%s\nwant\n%s", code, errs, remote, local)
	}
	if code, html, errs := runCLI(t, "gaps", "--server", base, "--format", "html"); code != exitOK || !strings.Contains(html, "<html") {
		t.Errorf("gaps --server html: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "gaps", "--server", base, "--la", "nowhere"); code != exitFailed || !strings.Contains(errs, "la") {
		t.Errorf("gaps --server with a bad LA: exit %d %s", code, errs)
	}
	// health --server gives what health gives from the warehouse.
	code, local, errs = runCLI(t, "health", "--config", cfg, "--format", "csv")
	if code != exitOK {
		t.Fatalf("health: %d %s", code, errs)
	}
	code, remote, errs = runCLI(t, "health", "--server", base, "--format", "csv")
	if code != exitOK || remote != local {
		t.Errorf("health --server csv: exit %d %s\n%s\nwant\n%s", code, errs, remote, local)
	}
	for _, f := range []string{"table", "html", "json"} {
		if code, out, errs := runCLI(t, "health", "--server", base, "--format", f); code != exitOK || len(out) < 100 {
			t.Errorf("health --server --format %s: exit %d %s\n%s", f, code, errs, out)
		}
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exit %d after stop", code)
	}
}

type summary struct {
	ages, needs, contacts string
}

func summarise(name string, min, max *float64, needs []string, contacts []schema.Contact) summary {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	n := slices.Clone(needs)
	sort.Strings(n)
	var cs []string
	for _, c := range contacts {
		cs = append(cs, c.Name+"|"+c.Email)
	}
	sort.Strings(cs)
	return summary{ages: f(min) + "–" + f(max), needs: strings.Join(n, ","), contacts: strings.Join(cs, ";")}
}

// servedServices reads every served service (NDJSON, fully nested).
func servedServices(t *testing.T, base string) map[string]summary {
	t.Helper()
	resp, err := http.Get(base + "/services?format=ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]summary{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var s struct {
			schema.Service
			Localoffer struct {
				NeedCodes []string `json:"need_codes"`
			} `json:"localoffer"`
		}
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[s.Name]; dup {
			t.Fatalf("two served services named %q: the round trip compares by name", s.Name)
		}
		out[s.Name] = summarise(s.Name, s.MinimumAge, s.MaximumAge, s.Localoffer.NeedCodes, s.Contacts)
	}
	return out
}

func roundTripConfig(t *testing.T, base string) string {
	t.Helper()
	db := fmt.Sprintf("cli%d_%d", os.Getpid(), dbSeq.Add(1))
	text := fmt.Sprintf(`warehouse: {driver: embedded, path: %s, database: %s, blob_dir: %s}
http: {user_agent: "localoffer-test", per_host_rps: 1000, concurrency: 8, timeout: 30s, ignore_robots: true}
pipelines:
  - name: ourselves
    schedule: "@daily"
    collector: {type: hsds_api, url: %q}
`, whtest.Path(t), db, t.TempDir(), base)
	cfg := filepath.Join(t.TempDir(), "roundtrip.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// query --server speaks ClickHouse's HTTP interface to serve's /clickhouse/
// endpoint: the SQL in a POST body, JSONCompactEachRowWithNames back, the
// analyst password as basic auth.
func TestQueryServerSpeaksClickHouseHTTP(t *testing.T) {
	var gotSQL, gotFormat, gotPass string
	ch := http.NewServeMux()
	ch.HandleFunc("POST /clickhouse/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotSQL, gotFormat = string(b), r.URL.Query().Get("default_format")
		_, gotPass, _ = r.BasicAuth()
		if gotPass != "s3cret" {
			http.Error(w, "Code: 516. Authentication failed", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "[\"pipeline\",\"n\"]\n[\"gias\",47]\n[\"portsmouth-directory\",\"53\"]\n")
	})
	ts := httptest.NewServer(ch)
	defer ts.Close()
	env := func(pass string) *Env {
		return &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string {
			if k == "ANALYST_PASSWORD" {
				return pass
			}
			return ""
		}}
	}
	e := env("s3cret")
	sql := "SELECT pipeline, count() AS n FROM services_current GROUP BY pipeline"
	if code := runMain(context.Background(), []string{"query", "--server", ts.URL, "--format", "csv", sql}, e); code != exitOK {
		t.Fatalf("exit %d: %s", code, e.Stderr)
	}
	if gotSQL != sql || gotFormat != "JSONCompactEachRowWithNames" {
		t.Errorf("sent %q with format %q", gotSQL, gotFormat)
	}
	if out := e.Stdout.(*bytes.Buffer).String(); out != "pipeline,n\ngias,47\nportsmouth-directory,53\n" {
		t.Errorf("csv = %q", out)
	}
	e = env("wrong")
	if code := runMain(context.Background(), []string{"query", "--server", ts.URL, "SELECT 1"}, e); code != exitFailed ||
		!strings.Contains(e.Stderr.(*bytes.Buffer).String(), "ANALYST_PASSWORD") {
		t.Errorf("wrong password: exit %d %s", code, e.Stderr)
	}
	e = env("s3cret")
	if code := runMain(context.Background(), []string{"query", "--server", ts.URL + "/nothing-here", "SELECT 1"}, e); code != exitFailed ||
		!strings.Contains(e.Stderr.(*bytes.Buffer).String(), "analyst_password") {
		t.Errorf("no endpoint: exit %d %s", code, e.Stderr)
	}
}

// serve runs the pipelines on their schedules and serves each run's result
// as soon as it is loaded; it stops cleanly afterwards.
func TestServeSchedulesAndRefreshes(t *testing.T) {
	cfg := sampleConfig(t)
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The directory runs every second; the other pipelines keep their daily or weekly schedules.
	os.WriteFile(cfg, bytes.Replace(text, []byte(`schedule: "@daily"`), []byte(`schedule: "@every 1s"`), 1), 0o644)
	base, stop := startServe(t, "--config", cfg)
	var p struct {
		TotalItems int `json:"total_items"`
	}
	resp, err := http.Get(base + "/services")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if p.TotalItems != 0 {
		t.Fatalf("an empty warehouse serves %d services", p.TotalItems)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for p.TotalItems == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		resp, err := http.Get(base + "/services")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
	}
	if p.TotalItems == 0 {
		t.Fatal("the scheduled run's services were not served")
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`localoffer_runs_total{pipeline="portsmouth-directory",status="ok"}`, `localoffer_last_success_timestamp_seconds{pipeline="portsmouth-directory"}`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exit %d", code)
	}
}

// serve mounts the real /clickhouse/ endpoint when serve.analyst_password is
// set; query --server and a ClickHouse client's ping reach it.
func TestServeClickHouseEndpoint(t *testing.T) {
	cfg := sampleConfig(t)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `analyst_password: "${ANALYST_PASSWORD}"`, `analyst_password: "s3cret"`, 1)
	if text == string(data) {
		t.Fatal("the sample configuration has no serve.analyst_password to set")
	}
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop := startServe(t, "--config", cfg, "--no-schedule")
	defer stop()
	e := &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string {
		if k == "ANALYST_PASSWORD" {
			return "s3cret"
		}
		return ""
	}}
	if code := runMain(context.Background(), []string{"query", "--server", base, "--format", "csv", "--param", "n=41", "SELECT {n:UInt8} + 1 AS answer"}, e); code != exitOK {
		t.Fatalf("query --server: exit %d: %s", code, e.Stderr)
	}
	if out := e.Stdout.(*bytes.Buffer).String(); out != "answer\n42\n" {
		t.Errorf("query --server: %q", out)
	}
	e.Stdout, e.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
	if code := runMain(context.Background(), []string{"query", "--server", base, "INSERT INTO quarantine (pipeline) VALUES ('x')"}, e); code != exitFailed ||
		!strings.Contains(e.Stderr.(*bytes.Buffer).String(), "READONLY") {
		t.Errorf("INSERT through serve: exit %d %s", code, e.Stderr)
	}
	// The other mounts: the data dictionary, and the health report, which
	// says so plainly while nothing has run.
	for _, c := range []struct {
		path, want string
		code       int
	}{
		{"/docs/warehouse", "services_current", 200},
		{"/reports/health.json", `"no_runs"`, 404},
		{"/reports/health?runs=0", "runs", 400},
	} {
		res, err := http.Get(base + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.code || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %.200s", c.path, res.StatusCode, b)
		}
	}
	res, err := http.Get(base + "/clickhouse/ping")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "Ok.\n" {
		t.Errorf("ping: %d %q", res.StatusCode, b)
	}
}
