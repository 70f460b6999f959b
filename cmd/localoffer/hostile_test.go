package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// The hostile-input suite: sources on 127.0.0.1 try to make a run read local
// files, reach a second host (127.0.0.2, which records every request and its
// headers), follow redirects off-site and leak the configured secrets.
// Each case is a real attempt through `localoffer run`; the assertions are on
// what reached the second host, what the warehouse, logs and an export hold,
// and the warnings naming the rule that refused each attempt.

const (
	localFileMarker = "LOCAL-FILE-MARKER-7731"
	localSENCO      = "senco@eastneysands.example.sch.uk" // in the sample school site copied below
)

var hostileSecrets = map[string]string{
	"LO_TEST_PW":   "pw-Zq81-hostile",
	"LO_TEST_QKEY": "qk-Jx55-hostile",
	"LO_TEST_HKEY": "hk-Vv42-hostile",
}

// recorder is a loopback server that keeps every request's path and headers.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

func record(t *testing.T, ip string, h http.Handler) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (needs Linux's 127/8 loopback): %v", ip, err)
	}
	rec := &recorder{}
	rec.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(r.Context()))
		rec.mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	rec.Listener.Close()
	rec.Listener = ln
	rec.Start()
	t.Cleanup(rec.Close)
	return rec
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hostileWorld starts the servers and writes the files every case uses.
type hostileWorld struct {
	repo       string
	secretFile string
	localSite  string
	one, two   *recorder
	redirect   *recorder
}

func newHostileWorld(t *testing.T) *hostileWorld {
	t.Helper()
	hw := &hostileWorld{}
	hw.repo, _ = filepath.Abs("../..")
	private := t.TempDir()
	hw.secretFile = filepath.Join(private, "passwd")
	os.WriteFile(hw.secretFile, []byte("root:x:0:0:"+localFileMarker+"\n"), 0o600)
	hw.localSite = filepath.Join(private, "site")
	copyTree(t, filepath.Join(hw.repo, "examples", "schools", "eastney-sands-primary"), hw.localSite)

	hw.two = record(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(w, "id,service_id,number\nph-stolen,slt-0-5,023 9200 0000\n")
	}))
	hw.redirect = record(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, hw.two.URL+"/landing", http.StatusFound)
	}))
	dir := filepath.Join(hw.repo, "examples", "directory")
	descriptor := func(extra ...map[string]string) []byte {
		res := []any{map[string]string{"name": "organizations", "path": "organizations.csv"},
			map[string]string{"name": "services", "path": "services.csv"}}
		for _, e := range extra {
			res = append(res, e)
		}
		b, _ := json.Marshal(map[string]any{"name": "hostile", "resources": res})
		return b
	}
	hw.one = record(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/api" || p == "/api/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"version":"3.0.0"}`)
		case p == "/api/services":
			if r.URL.Query().Get("page") != "1" {
				// Page 2 redirects to another host: the key must not follow.
				http.Redirect(w, r, hw.two.URL+"/api/services?page=2", http.StatusFound)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"total_items":3,"total_pages":2,"page_number":1,"size":2,"first_page":true,"last_page":false,"empty":false,"contents":[`+
				`{"id":"api-1","name":"Portsmouth short breaks club","description":"Saturday club for disabled children aged 8 to 17.","status":"active"},`+
				`{"id":"api-2","name":"Portsmouth parent carer forum","description":"Peer support for parents of children with SEND.","status":"active"}]}`)
		case p == "/dp-file/datapackage.json":
			w.Write(descriptor(map[string]string{"name": "contacts", "path": "file://" + hw.secretFile}))
		case p == "/dp-path/datapackage.json":
			w.Write(descriptor(map[string]string{"name": "contacts", "path": hw.secretFile}))
		case p == "/dp-host/datapackage.json":
			w.Write(descriptor(map[string]string{"name": "phones", "path": hw.two.URL + "/phones.csv"}))
		case p == "/dp-allowed/datapackage.json":
			w.Write(descriptor(map[string]string{"name": "phones", "path": "phones.csv"}))
		case p == "/dp-allowed/phones.csv":
			http.Redirect(w, r, hw.two.URL+"/phones.csv", http.StatusFound)
		case strings.HasPrefix(p, "/dp-") && strings.HasSuffix(p, ".csv"):
			http.ServeFile(w, r, filepath.Join(dir, filepath.Base(p)))
		case p == "/gias.csv":
			w.Header().Set("Content-Type", "text/csv")
			fmt.Fprintf(w, "URN,EstablishmentName,SchoolWebsite,EstablishmentStatus (name)\n"+
				"900201,Local File School,file://%s/index.html,Open\n"+
				"900202,Second Host School,%s/,Open\n"+
				"900203,Moved Away School,%s/,Open\n", hw.localSite, hw.two.URL, hw.redirect.URL)
		default:
			http.NotFound(w, r)
		}
	}))
	return hw
}

// config writes a pipelines.yaml into a database of its own.
func (hw *hostileWorld) config(t *testing.T, db string, allowed []string, pipelines string) string {
	t.Helper()
	hosts, _ := json.Marshal(allowed)
	text := fmt.Sprintf(`warehouse: {path: %s, database: %s, blob_dir: %s}
http: {per_host_rps: 200, timeout: 10s, allowed_hosts: %s}
pipelines:
%s`, whtest.Path(t), db, filepath.Join(t.TempDir(), "blobs"), hosts, pipelines)
	cfg := filepath.Join(t.TempDir(), "pipelines.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// tableDumps returns every table of the config's database as CSV, found by
// looping over system.tables (views are left out: they read these tables).
func tableDumps(t *testing.T, cfg string) map[string]string {
	t.Helper()
	code, out, errs := runCLI(t, "query", "--config", cfg, "--format", "json",
		"SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('View', 'MaterializedView') ORDER BY name")
	if code != exitOK {
		t.Fatalf("list tables: %s", errs)
	}
	var names []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &names); err != nil || len(names) < 10 {
		t.Fatalf("tables %q: %v", out, err)
	}
	dumps := map[string]string{}
	for _, n := range names {
		code, out, errs := runCLI(t, "query", "--config", cfg, "--format", "csv", "SELECT * FROM `"+n.Name+"`")
		if code != exitOK {
			t.Fatalf("dump %s: %s", n.Name, errs)
		}
		dumps[n.Name] = out
	}
	return dumps
}

func filesUnder(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

func TestHostileSources(t *testing.T) {
	for k, v := range hostileSecrets {
		t.Setenv(k, v)
	}
	hw := newHostileWorld(t)
	db := fmt.Sprintf("hostile%d_%d", os.Getpid(), dbSeq.Add(1))
	base := hw.one.URL
	creds := strings.Replace(base, "http://", "http://feeduser:${LO_TEST_PW}@", 1)
	headers := `headers: {X-Api-Key: "${LO_TEST_HKEY}"}`
	cfg := hw.config(t, db, []string{"127.0.0.1"}, fmt.Sprintf(`
  - name: api
    collector: {type: hsds_api, url: "%[1]s/api?api_key=${LO_TEST_QKEY}", profile: hsds, per_page: 2, fetch_details: never, %[3]s}
  - name: dp-file
    collector: {type: hsds_datapackage, url: "%[2]s/dp-file/datapackage.json?token=${LO_TEST_QKEY}", %[3]s}
  - name: dp-path
    collector: {type: hsds_datapackage, url: "%[2]s/dp-path/datapackage.json", %[3]s}
  - name: dp-host
    collector: {type: hsds_datapackage, url: "%[2]s/dp-host/datapackage.json", %[3]s}
  - name: sen
    collector: {type: sen_reports, schools_from: "%[2]s/gias.csv", site_timeout: 20s}
`, creds, base, headers))
	code, out, logs := runCLI(t, "run", "--config", cfg)
	t.Logf("run: exit %d\n%s", code, out)

	// Nothing reached the second host: not a data package resource, not a
	// redirect of the API, not a school website from GIAS, not a redirect of
	// a school home page.
	if reqs := hw.two.requests(); len(reqs) != 0 {
		for _, r := range reqs {
			t.Errorf("second host reached: %s %s (X-Api-Key %q)", r.Method, r.URL, r.Header.Get("X-Api-Key"))
		}
	}
	// The configured origin still got its credentials.
	var sawKey, sawBasic bool
	for _, r := range hw.one.requests() {
		if strings.HasPrefix(r.URL.Path, "/api/services") {
			sawKey = sawKey || r.Header.Get("X-Api-Key") == hostileSecrets["LO_TEST_HKEY"]
			_, pw, ok := r.BasicAuth()
			sawBasic = sawBasic || (ok && pw == hostileSecrets["LO_TEST_PW"])
		}
	}
	if !sawKey || !sawBasic {
		t.Errorf("the configured API did not receive its header (%v) or userinfo (%v)", sawKey, sawBasic)
	}

	// Each refusal is a warning naming its rule, and a failed document.
	dumps := tableDumps(t, cfg)
	warnings := dumps["run_warnings"]
	// (The data package collector refuses file://, bare paths and other
	// hosts in resource paths itself, before the fetch layer sees them: its
	// runs are degraded, naming the resource that "leaves the package".)
	for _, want := range []struct{ pipeline, rule string }{
		{"api", "host rule"},    // page 2 redirected to 127.0.0.2
		{"sen", "scheme rule"},  // GIAS SchoolWebsite file://
		{"sen", "address rule"}, // GIAS SchoolWebsite on 127.0.0.2
		{"sen", "host rule"},    // school home page redirecting to another host
	} {
		found := false
		for _, line := range strings.Split(warnings, "\n") {
			if strings.Contains(line, ","+want.pipeline+",") && strings.Contains(line, want.rule) {
				found = true
			}
		}
		if !found {
			t.Errorf("no run_warnings row for %s naming the %s", want.pipeline, want.rule)
		}
	}
	if t.Failed() {
		t.Logf("run_warnings:\n%s", warnings)
	}
	_, failed, _ := runCLI(t, "query", "--config", cfg, "--format", "csv",
		"SELECT pipeline, documents_failed FROM runs FINAL WHERE documents_failed > 0 ORDER BY pipeline")
	for _, p := range []string{"api", "sen"} {
		if !strings.Contains(failed, p+",") {
			t.Errorf("runs.documents_failed not counted for %s: %s", p, failed)
		}
	}
	_, refused, _ := runCLI(t, "query", "--config", cfg, "--format", "csv",
		"SELECT pipeline, status FROM runs FINAL WHERE pipeline LIKE 'dp-%' AND status != 'ok' AND concat(error, status_reason) LIKE '%leaves the package%' ORDER BY pipeline")
	for _, p := range []string{"dp-file", "dp-host", "dp-path"} {
		if !strings.Contains(refused, p+",") {
			t.Errorf("%s: the hostile resource path was not refused: %s", p, refused)
		}
	}

	// Local files were never read: not into any table, not into the blob store.
	blobs := filesUnder(t, filepath.Join(filepath.Dir(cfg), "blobs"))
	for _, marker := range []string{localFileMarker, localSENCO} {
		for name, dump := range dumps {
			if strings.Contains(dump, marker) {
				t.Errorf("table %s holds %q from a local file", name, marker)
			}
		}
		for p, body := range blobs {
			if strings.Contains(body, marker) {
				t.Errorf("blob %s holds %q from a local file", p, marker)
			}
		}
	}

	// Secrets appear in no table, no log line and no export.
	export := filepath.Join(t.TempDir(), "export")
	if code, _, errs := runCLI(t, "export", "--config", cfg, "--format", "ndjson", "--out", export); code != exitOK {
		t.Fatalf("export: %s", errs)
	}
	exported := filesUnder(t, export)
	for env, secret := range hostileSecrets {
		for name, dump := range dumps {
			if strings.Contains(dump, secret) {
				t.Errorf("table %s holds the secret ${%s}", name, env)
			}
		}
		if strings.Contains(logs, secret) || strings.Contains(out, secret) {
			t.Errorf("the run's output or logs show the secret ${%s}", env)
		}
		for p, body := range exported {
			if strings.Contains(body, secret) {
				t.Errorf("export file %s holds the secret ${%s}", filepath.Base(p), env)
			}
		}
	}
	// Provenance is still there, masked: the API's documents and records.
	if !strings.Contains(dumps["documents"], "http://***@127.0.0.1") || !strings.Contains(dumps["documents"], "api_key=***") {
		t.Errorf("documents.url does not keep the masked API URL:\n%s", dumps["documents"])
	}

	// With the second host allowed, a resource redirected there is fetched,
	// but without the feed's credentials.
	cfg2 := hw.config(t, db, []string{"127.0.0.1", "127.0.0.2"}, fmt.Sprintf(`
  - name: dp-allowed
    collector: {type: hsds_datapackage, url: "%s/dp-allowed/datapackage.json", %s}
`, creds, headers))
	code, out, _ = runCLI(t, "run", "--config", cfg2)
	t.Logf("allowed run: exit %d\n%s", code, out)
	reqs := hw.two.requests()
	if len(reqs) == 0 {
		t.Fatal("the allowed second host was never asked for its resource")
	}
	for _, r := range reqs {
		if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("%s on the second host received the feed's credentials: %v", r.URL, r.Header)
		}
	}
}

// export never deletes a directory it did not write.
func TestExportRefusesForeignDirectory(t *testing.T) {
	cfg := sampleConfig(t)
	foreign := filepath.Join(t.TempDir(), "var")
	os.MkdirAll(filepath.Join(foreign, "warehouse"), 0o755)
	keep := filepath.Join(foreign, "warehouse", "data.bin")
	os.WriteFile(keep, []byte("precious"), 0o644)
	code, _, errs := runCLI(t, "export", "--config", cfg, "--format", "ndjson", "--out", foreign)
	if code != exitUsage || !strings.Contains(errs, "not empty") {
		t.Fatalf("export into a foreign directory: exit %d, %q; want exit 2", code, errs)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "precious" {
		t.Fatalf("the foreign directory was touched: %v", err)
	}
	// A new directory, then the same one again (it holds the marker now).
	out := filepath.Join(t.TempDir(), "feed")
	for i := 0; i < 2; i++ {
		if code, _, errs := runCLI(t, "export", "--config", cfg, "--format", "ndjson", "--out", out); code != exitOK {
			t.Fatalf("export %d: exit %d: %s", i+1, code, errs)
		}
	}
}
