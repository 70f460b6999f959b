package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/embedded"
)

// cli runs this test binary as the localoffer command in a process of its own
// (TestMain turns it into main), so it can be killed and hold its own engine.
func cli(t *testing.T, tmp string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LOCALOFFER_TEST_MAIN=1", "TMPDIR="+tmp)
	return cmd
}

// kill -9 mid-run, then a second run: the first run ends up interrupted with
// a finished_at, the second runs normally, and no insert file is left over.
func TestKillDashNineThenRerun(t *testing.T) {
	var finite atomic.Bool
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/services" {
			http.NotFound(w, r)
			return
		}
		n := pages.Add(1)
		last := finite.Load()
		if !last {
			time.Sleep(100 * time.Millisecond) // an endless, slow pagination
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"total_items":0,"page_number":1,"size":2,"last_page":%v,"contents":[`+
			`{"id":"k-%d-a","name":"Service %d a","description":"Support for children with SEND.","status":"active"},`+
			`{"id":"k-%d-b","name":"Service %d b","description":"Support for children with SEND.","status":"active"}]}`, last, n, n, n, n)
	}))
	defer srv.Close()
	dir := t.TempDir()
	wh := filepath.Join(dir, "warehouse")
	cfg := filepath.Join(dir, "pipelines.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`warehouse: {path: %s}
http: {per_host_rps: 500, ignore_robots: true}
pipelines:
  - name: api
    collector: {type: hsds_api, url: "%s/api", profile: hsds, per_page: 2, fetch_details: never, incremental: false}
`, wh, srv.URL)), 0o644)
	// The children's own temp directory: nothing may be left in it.
	sysTmp := filepath.Join(dir, "tmp")
	os.MkdirAll(sysTmp, 0o755)

	first := cli(t, sysTmp, "run", "--config", cfg)
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for pages.Load() < 4 {
		if time.Now().After(deadline) {
			first.Process.Kill()
			first.Wait()
			t.Fatalf("the first run never got going:\n%s", firstOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup runs
		t.Fatal(err)
	}
	first.Wait()
	// What a killed insert would leave behind.
	leftover := filepath.Join(wh, embedded.InsertTempDir, "insert-killed.tsv")
	if err := os.WriteFile(leftover, []byte("x\ty\n"), 0o600); err != nil {
		t.Fatalf("the warehouse has no insert directory: %v", err)
	}

	finite.Store(true)
	second := cli(t, sysTmp, "run", "--config", cfg)
	if out, err := second.CombinedOutput(); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the killed run's insert file is still there (%v)", err)
	}
	if left, _ := filepath.Glob(filepath.Join(sysTmp, "*insert*")); len(left) > 0 {
		t.Errorf("insert files in the system temp directory: %v", left)
	}

	q := cli(t, sysTmp, "query", "--config", cfg, "--format", "json", "SELECT status, finished_at IS NOT NULL AS finished, error FROM runs FINAL ORDER BY started_at")
	out, err := q.Output()
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var runs []struct {
		Status   string `json:"status"`
		Finished int    `json:"finished"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(out, &runs); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if len(runs) != 2 || runs[0].Status != "interrupted" || runs[0].Finished != 1 || runs[0].Error == "" || runs[1].Status != "ok" {
		t.Fatalf("runs after kill -9 and a rerun: %s", out)
	}
}
