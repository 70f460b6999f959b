package datapackage

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/sharedtest"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

const example = "../../examples/directory"

type result struct {
	recs  []*schema.Record
	warns []string       // untyped warnings, and "kind: message" for all but collect.KindDanglingKey
	kinds map[string]int // warnings by kind
	run   *collect.Run
}

func (r *result) byKind(k schema.Kind) map[string]*schema.Record {
	out := map[string]*schema.Record{}
	for _, rec := range r.recs {
		if rec.Kind == k {
			out[rec.ID()] = rec
		}
	}
	return out
}

func configUK() Options { return Options{Profile: "uk"} }

func collectFrom(t testing.TB, source string) (*result, error) {
	t.Helper()
	return collectWith(t, New(source, configUK()))
}

func collectWith(t testing.TB, c *Collector) (*result, error) {
	t.Helper()
	client := fetch.New(fetch.Options{PerHostRPS: -1, Timeout: 5 * time.Second}, &fetch.Blobs{Dir: t.TempDir()}, nil)
	res := &result{kinds: map[string]int{}}
	res.run = &collect.Run{Pipeline: "pcc-dp", RunID: "r1", Now: time.Now(), Fetch: client.Session("pcc-dp", "r1", nil),
		Log: slog.New(slog.DiscardHandler), State: collecttest.NewState(),
		Emit: func(_ context.Context, r *schema.Record) error { res.recs = append(res.recs, r); return nil },
		Warn: func(_, _, msg string) { res.warns = append(res.warns, msg) },
		WarnKind: func(kind, _, _, msg string) {
			res.kinds[kind]++
			if kind != collect.KindDanglingKey {
				res.warns = append(res.warns, kind+": "+msg)
			}
		}}
	return res, c.Collect(context.Background(), res.run)
}

// zipTree packs a directory tree into a zip, paths relative to dir.
func zipTree(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// zipDir packs a directory into a zip (under a top folder, as zips usually are).
func zipDir(t *testing.T, dir string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		w, _ := zw.Create("portsmouth-directory/" + e.Name())
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func TestExampleDirectoryZipAndURL(t *testing.T) {
	tmp := t.TempDir()
	zipPath := filepath.Join(tmp, "directory.zip")
	os.WriteFile(zipPath, zipDir(t, example), 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(example)))
	defer srv.Close()
	abs, _ := filepath.Abs(example)
	for _, src := range []string{example, "file://" + abs, zipPath, srv.URL + "/datapackage.json"} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			res, err := collectFrom(t, src)
			if err != nil {
				t.Fatal(err)
			}
			services := res.byKind(schema.KindService)
			if len(services) != 35 || len(res.byKind(schema.KindOrganization)) != 10 || len(res.byKind(schema.KindLocation)) != 11 {
				t.Fatalf("services %d orgs %d locations %d", len(services), len(res.byKind(schema.KindOrganization)), len(res.byKind(schema.KindLocation)))
			}
			if !res.run.FullSweep {
				t.Error("a package is a full snapshot")
			}
			s := services["pcc-dp/sendiass"].Service
			if s.Organization == nil || s.Organization.Name != "Portsmouth City Council" || len(s.Contacts) != 1 || len(s.Schedules) != 1 ||
				len(s.ServiceAtLocations) != 1 || s.ServiceAtLocations[0].Location.LocationType != "virtual" {
				t.Errorf("sendiass not joined: %+v", s)
			}
			if len(s.Attributes) != 1 || s.Attributes[0].TaxonomyTerm == nil || s.Attributes[0].TaxonomyTerm.Name != "Information and advice" {
				t.Errorf("attributes %+v", s.Attributes)
			}
			sat := services["pcc-dp/short-breaks-sat"].Service
			if len(sat.CostOptions) != 1 || *sat.CostOptions[0].Amount != 5 || sat.EligibilityDescription != "Children aged 8 to 17 with a disability" {
				t.Errorf("short breaks %+v", sat)
			}
			loc := sat.ServiceAtLocations[0].Location
			if loc.Addresses[0].PostalCode != "PO2 8AL" || len(loc.Accessibility) != 1 {
				t.Errorf("location %+v", loc)
			}
			if e := services["pcc-dp/redwood-school"].Service.Email; e != "" {
				t.Errorf("blank email kept: %q", e)
			}
			if e := services["pcc-dp/ppv-forum"].Service.Email; e != "info@portsmouthparentvoice.org" {
				t.Errorf("mailto: not stripped: %q", e)
			}
			if n := len(services["pcc-dp/ppv-helpline"].Service.Contacts); n != 0 {
				t.Errorf("an all-empty contact row became a contact")
			}
			if !strings.Contains(services["pcc-dp/slt-0-5"].Service.Name, "0-5") {
				t.Error("BOM-prefixed header broke the id column")
			}
		})
	}
}

func TestZipBombAndEscapes(t *testing.T) {
	tmp := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("datapackage.json")
	w.Write([]byte(`{"resources":[{"name":"services","path":"services.csv"}]}`))
	w, _ = zw.Create("services.csv")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 100; i++ { // 100 MiB of zeros compresses ~1000:1
		w.Write(zeros)
	}
	zw.Close()
	bomb := filepath.Join(tmp, "bomb.zip")
	os.WriteFile(bomb, buf.Bytes(), 0o644)
	if _, err := collectFrom(t, bomb); err == nil || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("bomb: %v", err)
	}

	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ = zw.Create("datapackage.json")
	w.Write([]byte(`{"resources":[{"name":"services","path":"../../etc/passwd"}]}`))
	zw.Close()
	esc := filepath.Join(tmp, "escape.zip")
	os.WriteFile(esc, buf.Bytes(), 0o644)
	if _, err := collectFrom(t, esc); err == nil || !strings.Contains(err.Error(), "leaves the package") {
		t.Errorf("path escape: %v", err)
	}
}

func TestDanglingReferencesWarn(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "datapackage.json"), []byte(`{"resources":[{"name":"services","path":"services.csv"},{"name":"service_at_location","path":"sal.csv"},{"name":"phones","path":"missing.csv"}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "services.csv"), []byte("id,organization_id,name,status\n1,99,Portage home visiting,active\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sal.csv"), []byte("id,service_id,location_id\ns1,1,404\n"), 0o644)
	res, err := collectFrom(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dangling_reference: services: 1 row whose organization_id names no row of organizations (e.g. 99)",
		"dangling_reference: service_at_locations: 1 row whose location_id names no row of locations (e.g. 404)",
		"missing_resource: resource phones (missing.csv) listed in datapackage.json is absent"}
	for _, w := range want {
		found := false
		for _, got := range res.warns {
			found = found || strings.Contains(got, w)
		}
		if !found {
			t.Errorf("no warning %q in %v", w, res.warns)
		}
	}
}

// The HSDS 3.0 specification's own example package.
func TestHSDSSpecExample(t *testing.T) {
	dir := sharedtest.Path(t, "conformance", "hsds-3.0", "examples", "csv")
	// Its datapackage.json is a pointer to the spec's; read the tables with the spec descriptor.
	tmp := t.TempDir()
	spec, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(dir)), "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "datapackage.json"), spec, 0o644)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644)
		}
	}
	res, err := collectFrom(t, tmp)
	if err != nil {
		t.Fatal(err)
	}
	s := res.byKind(schema.KindService)["pcc-dp/ac148810-d857-441c-9679-408f346de14b"]
	if s == nil {
		t.Fatalf("example service missing; got %d records", len(res.recs))
	}
	sv := s.Service
	if sv.Organization == nil || len(sv.ServiceAtLocations) != 1 || sv.ServiceAtLocations[0].Location == nil || len(sv.CostOptions) != 1 {
		t.Errorf("example service not joined: %+v", sv)
	}
}

// A second run over an unchanged package writes nothing new.
func TestPackageRunsIdempotent(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := runner.Runner{W: w, Fetch: fetch.New(fetch.Options{PerHostRPS: -1}, &fetch.Blobs{Dir: t.TempDir()}, nil), ChunkRows: 1000, Log: slog.New(slog.DiscardHandler)}
	job := runner.Job{Pipeline: "pcc-dp", Collector: "hsds_datapackage", Source: New(example, Options{Profile: "uk"})}
	first := r.Run(ctx, job)
	second := r.Run(ctx, job)
	if first.Err != nil || second.Err != nil {
		t.Fatal(first.Err, second.Err)
	}
	if first.RecordsLoaded != 35+10+11 || second.RecordsLoaded != 0 || second.DocumentsUnchanged != 15 {
		t.Errorf("first loaded %d; second loaded %d, unchanged docs %d", first.RecordsLoaded, second.RecordsLoaded, second.DocumentsUnchanged)
	}
	n, err := warehouse.QueryScalar[int](ctx, w, "SELECT count() FROM services_current WHERE pipeline = 'pcc-dp'")
	if err != nil || n != 35 {
		t.Errorf("services_current has %d (%v)", n, err)
	}
}

// Through the runner: a real package with absent tables and dangling keys
// is degraded with the counts as the reason; one without services fails.
func TestRunStatuses(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r := runner.Runner{W: w, Fetch: fetch.New(fetch.Options{PerHostRPS: -1}, &fetch.Blobs{Dir: t.TempDir()}, nil), ChunkRows: 1000, Log: slog.New(slog.DiscardHandler)}
	res := r.Run(ctx, runner.Job{Pipeline: "miami", Collector: "hsds_datapackage", Source: New("testdata/miami-211", configUK())})
	if res.Err != nil || res.Status != runner.StatusDegraded || res.StatusReason != "9 declared resources missing; 250 dangling foreign keys" {
		t.Errorf("miami: status %q (%s), err %v", res.Status, res.StatusReason, res.Err)
	}
	if res.RecordsLoaded+res.RecordsQuarantined != 300+len(sourceTable(t, "testdata/miami-211/data/organizations.csv"))+300 {
		t.Errorf("miami: loaded %d + quarantined %d", res.RecordsLoaded, res.RecordsQuarantined)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "datapackage.json"), []byte(`{"resources":[{"name":"services","path":"services.csv"},{"name":"organizations","path":"organizations.csv"}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "organizations.csv"), []byte("id,name\n1,Portsmouth Parent Voice\n"), 0o644)
	res = r.Run(ctx, runner.Job{Pipeline: "nosvc", Collector: "hsds_datapackage", Source: New(dir, configUK())})
	if res.Status != runner.StatusFailed || !errors.Is(res.Err, ErrMissingMainTable) {
		t.Errorf("no services: status %q, err %v", res.Status, res.Err)
	}
}
