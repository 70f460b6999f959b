package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// apiDump is a real ORUK list dump (testdata/realworld/<name>/services.json,
// see PROVENANCE.md) served as the API it came from.
type apiDump struct {
	name     string
	services []map[string]any
}

func loadDumps(t *testing.T) []apiDump {
	t.Helper()
	files, err := filepath.Glob("testdata/realworld/*/services.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("want at least two real API dumps in testdata/realworld: %v %v", files, err)
	}
	var out []apiDump
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := apiDump{name: filepath.Base(filepath.Dir(f))}
		if err := json.Unmarshal(b, &d.services); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, d)
	}
	return out
}

// serveORUKv1 serves a dump as an ORUK 1.0 paginated /services list, as the
// Open Place directories do.
func serveORUKv1(t *testing.T, services []map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services" {
			http.NotFound(w, r)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if page < 1 || size < 1 {
			http.Error(w, "page and per_page required", http.StatusBadRequest)
			return
		}
		from, to := min((page-1)*size, len(services)), min(page*size, len(services))
		pages := (len(services) + size - 1) / size
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"totalElements": len(services), "totalPages": pages, "number": page - 1,
			"size": size, "first": page == 1, "last": page >= pages, "empty": from == to, "content": services[from:to]})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return strings.TrimSpace(s)
}

// query runs SQL through the CLI and decodes the JSON rows.
func query[T any](t *testing.T, cfg, sql string) []T {
	t.Helper()
	code, out, errs := runCLI(t, "query", "--config", cfg, "--format", "json", sql)
	if code != exitOK {
		t.Fatalf("query %s: exit %d: %s", sql, code, errs)
	}
	var rows []T
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("query output %q: %v", out, err)
	}
	return rows
}

// Real feeds end to end through `localoffer run`: every record in the source
// is loaded, quarantined or reported; at least 95% of services and
// organisations load; five services per source match the source field by
// field; a rerun adds no quarantine rows.
func TestRealWorldFeedsEndToEnd(t *testing.T) {
	dumps := loadDumps(t)
	var pipes strings.Builder
	for _, d := range dumps {
		srv := serveORUKv1(t, d.services)
		fmt.Fprintf(&pipes, "  - name: %s\n    collector: {type: oruk_v1_api, url: %q, per_page: 40, fetch_details: never}\n", d.name, srv.URL+"/services")
	}
	db := fmt.Sprintf("realworld%d_%d", os.Getpid(), dbSeq.Add(1))
	cfg := filepath.Join(t.TempDir(), "pipelines.yaml")
	text := fmt.Sprintf("warehouse: {driver: embedded, path: %s, database: %s, blob_dir: %s}\nhttp: {per_host_rps: 1000, ignore_robots: true}\npipelines:\n%s",
		whtest.Path(t), db, t.TempDir(), pipes.String())
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	t.Logf("run summary:\n%s", out)

	for _, d := range dumps {
		t.Run(d.name, func(t *testing.T) {
			p := "'" + d.name + "'"
			// The source's own counts: services by id (a repeated id is one
			// service, reported as a duplicate), organisations by nested id.
			ids, orgIDs := map[string]bool{}, map[string]bool{}
			noID, dups := 0, 0
			for _, s := range d.services {
				id := str(s, "id")
				switch {
				case id == "":
					noID++
				case ids[id]:
					dups++
				default:
					ids[id] = true
				}
				if o, ok := s["organization"].(map[string]any); ok && str(o, "id") != "" {
					orgIDs[str(o, "id")] = true
				}
			}
			type counts struct {
				Services, QuarantinedServices, Orgs, QuarantinedOrgs, NoIDWarnings, DupWarnings int
				Status, Reason                                                                  string
			}
			c := query[counts](t, cfg, fmt.Sprintf(`SELECT
				(SELECT count() FROM services_current WHERE pipeline = %[1]s) AS Services,
				(SELECT count() FROM quarantine FINAL WHERE pipeline = %[1]s AND entity_type = 'service') AS QuarantinedServices,
				(SELECT count() FROM organizations_current WHERE pipeline = %[1]s) AS Orgs,
				(SELECT count() FROM quarantine FINAL WHERE pipeline = %[1]s AND entity_type = 'organization') AS QuarantinedOrgs,
				(SELECT count() FROM run_warnings WHERE pipeline = %[1]s AND kind = 'no_id' AND record_id = '') AS NoIDWarnings,
				(SELECT count() FROM run_warnings WHERE pipeline = %[1]s AND kind = 'duplicate') AS DupWarnings,
				(SELECT status FROM runs_latest WHERE pipeline = %[1]s) AS Status,
				(SELECT status_reason FROM runs_latest WHERE pipeline = %[1]s) AS Reason`, p))[0]
			t.Logf("%s: %d services in source (%d without id, %d repeated ids): %d loaded, %d quarantined; %d organisations: %d loaded, %d quarantined; run %s %s",
				d.name, len(d.services), noID, dups, c.Services, c.QuarantinedServices, len(orgIDs), c.Orgs, c.QuarantinedOrgs, c.Status, c.Reason)
			if got := c.Services + c.QuarantinedServices + c.NoIDWarnings + c.DupWarnings; got != len(d.services) || c.NoIDWarnings != noID || c.DupWarnings != dups {
				t.Errorf("services: %d in source ≠ %d loaded + %d quarantined + %d reported without id + %d reported duplicate",
					len(d.services), c.Services, c.QuarantinedServices, c.NoIDWarnings, c.DupWarnings)
			}
			if c.Orgs+c.QuarantinedOrgs != len(orgIDs) {
				t.Errorf("organisations: %d in source ≠ %d loaded + %d quarantined", len(orgIDs), c.Orgs, c.QuarantinedOrgs)
			}
			if 100*c.Services < 95*len(ids) || 100*c.Orgs < 95*len(orgIDs) {
				t.Errorf("loaded %d/%d services and %d/%d organisations: below 95%%", c.Services, len(ids), c.Orgs, len(orgIDs))
			}
			if c.Status != "ok" && c.Status != "degraded" {
				t.Errorf("run status %q (%s)", c.Status, c.Reason)
			}
			compareFiveServices(t, cfg, d)
			checkFieldIssues(t, cfg, d)
		})
	}

	// The export publishes what passes the official HSDS 3.0 schema and
	// lists the rest with reasons: every current service is one or the other.
	outDir := filepath.Join(t.TempDir(), "feed")
	if code, out, errs := runCLI(t, "export", "--config", cfg, "--format", "ndjson", "--out", outDir); code != exitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errs)
	}
	var idx struct {
		Services int `json:"services"`
		Withheld []struct {
			Type    string   `json:"type"`
			ID      string   `json:"id"`
			Reasons []string `json:"reasons"`
		} `json:"withheld"`
	}
	if b, err := os.ReadFile(filepath.Join(outDir, "index.json")); err != nil || json.Unmarshal(b, &idx) != nil {
		t.Fatalf("index.json: %v", err)
	}
	withheld := 0
	for _, wh := range idx.Withheld {
		if wh.Type == "service" {
			withheld++
		}
		if len(wh.Reasons) == 0 {
			t.Errorf("withheld %s %s without a reason", wh.Type, wh.ID)
		}
	}
	total := query[struct{ N int }](t, cfg, "SELECT count() AS N FROM services_current")[0].N
	if idx.Services+withheld != total || idx.Services < total*95/100 {
		t.Errorf("export: %d services published + %d withheld, %d current", idx.Services, withheld, total)
	}
	t.Logf("export: %d services published, %d records withheld", idx.Services, len(idx.Withheld))

	// A rerun of the same sources adds nothing to quarantine or field_issues.
	type n struct{ Q, F, QRows int }
	before := query[n](t, cfg, "SELECT (SELECT count() FROM quarantine FINAL) AS Q, (SELECT count() FROM field_issues FINAL) AS F, 0 AS QRows")[0]
	if code, out, errs := runCLI(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errs)
	}
	after := query[n](t, cfg, "SELECT (SELECT count() FROM quarantine FINAL) AS Q, (SELECT count() FROM field_issues FINAL) AS F, (SELECT count() FROM quarantine FINAL WHERE first_seen_run != last_seen_run) AS QRows")[0]
	if after.Q != before.Q || after.F != before.F || after.QRows != before.Q {
		t.Errorf("rerun: quarantine %d → %d rows (%d seen twice), field_issues %d → %d", before.Q, after.Q, after.QRows, before.F, after.F)
	}
}

// compareFiveServices checks five services spread through the source, field
// by field, against what the warehouse holds.
func compareFiveServices(t *testing.T, cfg string, d apiDump) {
	t.Helper()
	type row struct {
		Name, Description, URL, Email, Status, OrganizationID, AssuredDate, OrgName, OrgWebsite string
	}
	first := map[string]int{} // id → position of its first occurrence (a repeat is ignored)
	for j, s := range d.services {
		if _, ok := first[str(s, "id")]; !ok {
			first[str(s, "id")] = j
		}
	}
	compared, picked := 0, map[int]bool{}
	for _, i := range []int{0, len(d.services) / 4, len(d.services) / 2, 3 * len(d.services) / 4, len(d.services) - 1} {
		// The nearest service from i (forwards, then backwards) with a name
		// and an organisation, so the comparison covers the organisation too.
		var s map[string]any
		usable := func(j int) bool {
			o, ok := d.services[j]["organization"].(map[string]any)
			return ok && str(d.services[j], "name") != "" && str(o, "id") != "" && first[str(d.services[j], "id")] == j && !picked[j]
		}
		for j := i; s == nil && j < len(d.services); j++ {
			if usable(j) {
				s, picked[j] = d.services[j], true
			}
		}
		for j := i - 1; s == nil && j >= 0; j-- {
			if usable(j) {
				s, picked[j] = d.services[j], true
			}
		}
		if s == nil {
			continue
		}
		id := d.name + "/" + str(s, "id")
		rows := query[row](t, cfg, fmt.Sprintf(`SELECT s.name AS Name, s.description AS Description, s.url AS URL, s.email AS Email,
			s.status AS Status, s.organization_id AS OrganizationID, toString(s.assured_date) AS AssuredDate,
			o.name AS OrgName, o.website AS OrgWebsite
			FROM services_current AS s LEFT JOIN organizations_current AS o ON o.id = s.organization_id
			WHERE s.id = '%s'`, id))
		if len(rows) != 1 {
			t.Errorf("service %s: %d rows in services_current", id, len(rows))
			continue
		}
		got, o := rows[0], s["organization"].(map[string]any)
		want := row{Name: str(s, "name"), Description: str(s, "description"), URL: repairedURL(str(s, "url")), Email: str(s, "email"),
			Status: strings.ToLower(str(s, "status")), OrganizationID: d.name + "/" + str(o, "id"), AssuredDate: str(s, "assured_date"),
			OrgName: str(o, "name"), OrgWebsite: repairedURL(str(o, "url"))}
		if got != want {
			t.Errorf("service %s differs from the source:\n got %+v\nwant %+v", id, got, want)
		}
		compared++
	}
	if compared < 5 {
		t.Errorf("compared %d services field by field, want 5", compared)
	}
}

// repairedURL is what the pipeline should load for a source URL: the
// repairs the README promises for these feeds' faults.
func repairedURL(u string) string {
	switch {
	case strings.HasPrefix(u, "http:www."):
		return "http://" + u[len("http:"):]
	case strings.HasPrefix(u, "https:/") && !strings.HasPrefix(u, "https://"):
		return "https://" + u[len("https:/"):]
	case strings.HasPrefix(u, "HTTPS://"):
		return "https://" + u[len("HTTPS://"):]
	case u != "" && !strings.Contains(u, "://") && !strings.ContainsAny(u, " @") && strings.Contains(u, "."):
		return "https://" + u // a bare host name: www.x, example.org/page
	}
	return u
}

// checkFieldIssues: every URL in the source that is not a web address was
// dropped from its service with a field_issues row naming it, and every
// repaired one has a row too.
func checkFieldIssues(t *testing.T, cfg string, d apiDump) {
	t.Helper()
	type issue struct {
		RecordID, Pointer, Original, Action, Value, Rule string
	}
	rows := query[issue](t, cfg, fmt.Sprintf(`SELECT record_id AS RecordID, pointer AS Pointer, original_value AS Original,
		action AS Action, repaired_value AS Value, rule AS Rule FROM field_issues FINAL WHERE pipeline = '%s' AND entity_type = 'service' AND pointer = '/url'`, d.name))
	byID := map[string]issue{}
	for _, r := range rows {
		byID[r.RecordID] = r
	}
	seen := map[string]bool{}
	for _, s := range d.services {
		id, u := str(s, "id"), str(s, "url")
		if id == "" || str(s, "name") == "" || seen[id] || u == "" {
			continue
		}
		seen[id] = true
		is, found := byID[d.name+"/"+id]
		switch fixed := repairedURL(u); {
		case !strings.Contains(u, "."):
			if !found || is.Action != "dropped" || is.Original != u {
				t.Errorf("service %s: url %q is no web address; field_issues %+v", id, u, is)
			}
		case fixed != u:
			if !found || is.Action != "repaired" || is.Value != fixed || is.Rule != "url_scheme" {
				t.Errorf("service %s: url %q should be repaired to %q; field_issues %+v", id, u, fixed, is)
			}
		case found:
			t.Errorf("service %s: valid url %q has a field issue %+v", id, u, is)
		}
	}
}
