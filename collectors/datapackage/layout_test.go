package datapackage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

func writePkg(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A package without its services table fails the run with a typed error,
// whatever else it holds; a missing optional table is only a warning.
func TestMissingServicesTableFails(t *testing.T) {
	cases := map[string]map[string]string{
		"declared as services.csv but absent": {
			"datapackage.json":  `{"resources":[{"name":"services","path":"services.csv"},{"name":"organizations","path":"organizations.csv"}]}`,
			"organizations.csv": "id,name\n1,Portsmouth Parent Voice\n",
		},
		"declares no services resource": {
			"datapackage.json":  `{"resources":[{"name":"organizations","path":"organizations.csv"}]}`,
			"organizations.csv": "id,name\n1,Portsmouth Parent Voice\n",
		},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := collectFrom(t, writePkg(t, files))
			var mt *MissingTableError
			if !errors.Is(err, ErrMissingMainTable) || !errors.As(err, &mt) || !strings.Contains(err.Error(), name) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"}]}`,
		"services.csv":     "id,name,status\n1,Portage,active\n",
	}))
	if err != nil || len(res.byKind(schema.KindService)) != 1 {
		t.Fatalf("optional table missing: %v", err)
	}
	hasWarning(t, res.warns, collect.KindMissingResource+": resource phones (phones.csv) listed in datapackage.json is absent")
}

// A declared path that is absent is found elsewhere only when exactly one
// file has its name; two candidates are not guessed between.
func TestMovedResource(t *testing.T) {
	desc := `{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"}]}`
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json":     desc,
		"data/services.csv":    "id,name\n1,Portage\n",
		"data/phones.csv":      "id,service_id,number\np1,1,023 9268 8000\n",
		"backup/phones.csv":    "id,service_id,number\np1,1,000\n",
		".hidden/services.csv": "id,name\n9,Hidden\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	hasWarning(t, res.warns, "moved_resource: 1 resource is not where datapackage.json says; each was read from the only file of its name in the package: services.csv → data/services.csv")
	hasWarning(t, res.warns, "missing_resource: resource phones (phones.csv; 2 files elsewhere share its name: backup/phones.csv, data/phones.csv) listed in datapackage.json is absent")
	if s := res.byKind(schema.KindService)["pcc-dp/1"]; s == nil || len(s.Service.Phones) != 0 {
		t.Errorf("service: %+v", s)
	}
	if slices.Contains(collect.DegradingKinds, WarnMovedResource) {
		t.Error("a moved file that was read does not degrade the run")
	}
}

// The same file declared three times is read once.
func TestDuplicateResource(t *testing.T) {
	c := New(writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"},{"name":"services2","path":"services.csv"},{"name":"services3","path":"./services.csv"}]}`,
		"services.csv":     "id,name\n1,Portage\n2,Speech and language therapy\n",
	}), configUK())
	res, err := collectWith(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.byKind(schema.KindService)); n != 2 || c.Accounts[0].Rows != 2 {
		t.Errorf("%d services, accounts %+v", n, c.Accounts)
	}
	if n := strings.Count(strings.Join(res.warns, "\n"), "duplicate_resource: "); n != 2 {
		t.Errorf("%d duplicate warnings: %v", n, res.warns)
	}
}

// Thousands of dangling rows make one warning per table, with a count and
// a few examples; rows without any key are counted apart.
func TestDanglingKeysOneWarningPerTable(t *testing.T) {
	var phones, sal strings.Builder
	phones.WriteString("id,service_id,location_id,number\n")
	sal.WriteString("id,service_id,location_id\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&phones, "p%d,s%d,,023 %d\n", i, i%7, i)
		fmt.Fprintf(&sal, "sal%d,s%d,l%d\n", i, i%3, i)
	}
	phones.WriteString("px,,,999\n")
	c := New(writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"},{"name":"service_at_location","path":"sal.csv"},{"name":"locations","path":"locations.csv"}]}`,
		"services.csv":     "id,name\ns0,A\ns1,B\n",
		"phones.csv":       phones.String(),
		"sal.csv":          sal.String(),
		"locations.csv":    "id,name\nl0,Here\n",
	}), configUK())
	res, err := collectWith(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.warns) != 3 {
		t.Fatalf("%d warnings: %v", len(res.warns), res.warns)
	}
	// phones: s0 and s1 take 2 of every 7; sal: s0, s1 take 2 of every 3.
	hasWarning(t, res.warns, "unjoined_rows: phones: 2143 of 3001 rows could not be joined and were dropped: 2142 name a service_id/location_id that is not in the package (e.g. service_id s2, service_id s3, service_id s4, service_id s5, service_id s6); 1 has no service_id/location_id at all")
	hasWarning(t, res.warns, "unjoined_rows: service_at_locations: 1000 of 3000 rows could not be joined and were dropped: 1000 name a service_id that is not in the package (e.g. service_id s2)")
	hasWarning(t, res.warns, "dangling_reference: service_at_locations: 1999 rows whose location_id names no row of locations (e.g. l3, l6, l9, l12, l15); loaded without it")
	for _, a := range c.Accounts {
		if a.Loaded+a.Dropped != a.Rows {
			t.Errorf("%+v", a)
		}
	}
	// Each dropped row and each dangling reference is also one dangling_key
	// warning, which the runner caps and counts for the run's status.
	if n := res.kinds[collect.KindDanglingKey]; n != 2143+1000+1999 {
		t.Errorf("%d dangling_key warnings", n)
	}
}

// A remote package's resources stay on its origin: another host, file://
// and climbing out of the folder are refused, and the other host hears nothing.
func TestRemoteResourcesStayOnOrigin(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Write([]byte("id,name\nx,Stolen\n"))
	}))
	defer other.Close()
	for name, path := range map[string]string{"other host": other.URL + "/services.csv", "file": "file:///etc/passwd", "parent": "../services.csv"} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/pkg/datapackage.json":
					fmt.Fprintf(w, `{"resources":[{"name":"services","path":%q}]}`, path)
				default:
					w.Write([]byte("id,name\n1,Portage\n"))
				}
			}))
			defer srv.Close()
			res, err := collectFrom(t, srv.URL+"/pkg/datapackage.json")
			if !errors.Is(err, ErrMissingMainTable) || !strings.Contains(err.Error(), "which leaves the package") {
				t.Errorf("err = %v", err)
			}
			hasWarning(t, res.warns, "missing_resource: resource services: path ")
		})
	}
	if otherHits.Load() != 0 {
		t.Errorf("the other host was asked %d times", otherHits.Load())
	}
	// Relative paths resolve against the descriptor's folder.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pkg/datapackage.json":
			w.Write([]byte(`{"resources":[{"name":"services","path":"data/services.csv"}]}`))
		case "/pkg/data/services.csv":
			w.Write([]byte("id,name\n1,Portage\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	res, err := collectFrom(t, srv.URL+"/pkg/datapackage.json")
	if err != nil || len(res.byKind(schema.KindService)) != 1 {
		t.Fatalf("relative resource: %v", err)
	}
}

// A local package never reads outside its folder: not through "..", an
// absolute path, a URL or a symbolic link.
func TestLocalResourcesStayInFolder(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "services.csv"), []byte("id,name\nx,Outside\n"), 0o644)
	for name, p := range map[string]string{"parent": "../" + filepath.Base(outside) + "/services.csv", "absolute": filepath.Join(outside, "services.csv"), "url": "file://" + filepath.Join(outside, "services.csv")} {
		t.Run(name, func(t *testing.T) {
			dir := writePkg(t, map[string]string{"datapackage.json": fmt.Sprintf(`{"resources":[{"name":"services","path":%q}]}`, p)})
			if _, err := collectFrom(t, dir); !errors.Is(err, ErrMissingMainTable) || !strings.Contains(err.Error(), "which leaves the package") {
				t.Errorf("err = %v", err)
			}
		})
	}
	dir := writePkg(t, map[string]string{"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"}]}`})
	if err := os.Symlink(filepath.Join(outside, "services.csv"), filepath.Join(dir, "services.csv")); err != nil {
		t.Skip(err)
	}
	_, err := collectFrom(t, dir)
	if !errors.Is(err, ErrMissingMainTable) {
		t.Errorf("a symbolic link was followed: %v", err)
	}
}

// A resource's dialect.delimiter is honoured; a cell holding the other
// character stays one cell.
func TestResourceDialect(t *testing.T) {
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv","dialect":{"delimiter":";"}}]}`,
		"services.csv":     "id;name;description\n1;Portage;Home visits, play, advice\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s := res.byKind(schema.KindService)["pcc-dp/1"]; s == nil || s.Service.Description != "Home visits, play, advice" {
		t.Errorf("service %+v", s)
	}
}

// A configured datapackage.json path makes its folder the package: its
// resources follow the folder rules, never a file:// elsewhere.
func TestLocalDescriptorPath(t *testing.T) {
	dir := writePkg(t, map[string]string{
		"export.json":       `{"resources":[{"name":"services","path":"services.csv"}]}`,
		"data/services.csv": "id,name\n1,Portage\n",
	})
	for _, src := range []string{filepath.Join(dir, "export.json"), "file://" + filepath.Join(dir, "export.json")} {
		res, err := collectFrom(t, src)
		if err != nil || len(res.byKind(schema.KindService)) != 1 {
			t.Errorf("%s: %v", src, err)
		}
	}
	os.WriteFile(filepath.Join(dir, "evil.json"), []byte(`{"resources":[{"name":"services","path":"file:///etc/passwd"}]}`), 0o644)
	if _, err := collectFrom(t, "file://"+filepath.Join(dir, "evil.json")); !errors.Is(err, ErrMissingMainTable) {
		t.Errorf("file:// resource of a local descriptor: %v", err)
	}
	// An optional table that leaves the package is refused and warned of;
	// the rest loads.
	os.WriteFile(filepath.Join(dir, "mixed.json"), []byte(`{"resources":[{"name":"services","path":"data/services.csv"},{"name":"phones","path":"../../etc/passwd"}]}`), 0o644)
	res, err := collectFrom(t, filepath.Join(dir, "mixed.json"))
	if err != nil || len(res.byKind(schema.KindService)) != 1 {
		t.Fatalf("mixed: %v", err)
	}
	hasWarning(t, res.warns, `missing_resource: resource phones: path "../../etc/passwd" leaves the package; not read`)
}

// A remote package whose services file answers 404 fails the run; a
// missing optional table only warns.
func TestRemoteMissingServices(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/datapackage.json":
			w.Write([]byte(`{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	res, err := collectFrom(t, srv.URL+"/datapackage.json")
	if !errors.Is(err, ErrMissingMainTable) || !strings.Contains(err.Error(), "declared as services.csv but absent") {
		t.Fatalf("err = %v (warnings %v)", err, res.warns)
	}
}

// HSDS 2.0: service_attributes and other_attributes link services and
// organisations to taxonomy_terms, whose name is in "term".
func TestHSDS20Attributes(t *testing.T) {
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json":       `{"resources":[{"name":"services","path":"services.csv"},{"name":"organizations","path":"organizations.csv"},{"name":"service_attributes","path":"service_attributes.csv"},{"name":"other_attributes","path":"other_attributes.csv"},{"name":"taxonomy_terms","path":"taxonomy_terms.csv"}]}`,
		"services.csv":           "id,organization_id,name\ns1,o1,Portage\n",
		"organizations.csv":      "id,name\no1,Portsmouth City Council\n",
		"service_attributes.csv": "id,service_id,taxonomy_term_id\na1,s1,t1\na2,s1,t9\n",
		"other_attributes.csv":   "id,link_id,taxonomy_term_id,link_type\nb1,o1,t2,organization\n",
		"taxonomy_terms.csv":     "id,term,description,parent_id,taxonomy,language\nt1,Early years,,,LGA,en\nt2,Local authority,,,LGA,en\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := res.byKind(schema.KindService)["pcc-dp/s1"].Service
	var names []string
	for _, a := range s.Attributes {
		if a.TaxonomyTerm != nil {
			names = append(names, a.TaxonomyTerm.Name)
		}
	}
	if strings.Join(names, ",") != "Early years" || s.Organization == nil || len(s.Organization.Attributes) != 1 || s.Organization.Attributes[0].TaxonomyTerm.Name != "Local authority" {
		t.Errorf("attributes %v; organization %+v", names, s.Organization)
	}
	hasWarning(t, res.warns, "dangling_reference: attributes: 1 row whose taxonomy_term_id names no row of taxonomy_terms (e.g. t9)")
}

// A services table split into chunks with one chunk absent loads the rest
// but is not a full sweep: services in the absent chunk are not gone.
func TestMissingServicesChunkIsNotASweep(t *testing.T) {
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":["services-1.csv","services-2.csv"]}]}`,
		"services-1.csv":   "id,name\n1,Portage\n",
	}))
	if err != nil || len(res.byKind(schema.KindService)) != 1 {
		t.Fatalf("%v", err)
	}
	if res.run.FullSweep {
		t.Error("a package missing part of its services table counted as a full sweep")
	}
	hasWarning(t, res.warns, "missing_resource: resource services (services-2.csv) listed in datapackage.json is absent")
}

// An empty table file is a table with no rows, not an error.
func TestEmptyTableFile(t *testing.T) {
	res, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"}]}`,
		"services.csv":     "id,name\n1,Portage\n",
		"phones.csv":       "",
	}))
	if err != nil || len(res.byKind(schema.KindService)) != 1 || len(res.warns) != 0 {
		t.Fatalf("%v %v", err, res.warns)
	}
}

// A login page served in place of a table is named, not read as CSV.
func TestHTMLInsteadOfCSV(t *testing.T) {
	_, err := collectFrom(t, writePkg(t, map[string]string{
		"datapackage.json": `{"resources":[{"name":"services","path":"services.csv"}]}`,
		"services.csv":     "\n<!DOCTYPE html><html><title>Sign in</title></html>",
	}))
	if err == nil || !strings.Contains(err.Error(), "is an HTML or XML page, not CSV") {
		t.Errorf("err = %v", err)
	}
}

// Under the fetch layer's URL policy (as the runner sets it), a resource
// that redirects to another host is refused and warned of, not fatal.
func TestPolicyRefusalIsNotFatal(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Write([]byte("id,service_id,number\np1,1,000\n"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/datapackage.json":
			w.Write([]byte(`{"resources":[{"name":"services","path":"services.csv"},{"name":"phones","path":"phones.csv"}]}`))
		case "/services.csv":
			w.Write([]byte("id,name\n1,Portage\n"))
		case "/phones.csv":
			http.Redirect(w, r, other.URL+"/phones.csv", http.StatusFound)
		}
	}))
	defer srv.Close()
	c := New(srv.URL+"/datapackage.json", configUK())
	client := fetch.New(fetch.Options{PerHostRPS: -1, Timeout: 5 * time.Second, Retries: -1}, &fetch.Blobs{Dir: t.TempDir()}, nil)
	res := &result{kinds: map[string]int{}}
	run := &collect.Run{Pipeline: "pcc-dp", RunID: "r1", Now: time.Now(), Fetch: client.Session("pcc-dp", "r1", nil).WithOrigins(c.Source),
		Log: slog.New(slog.DiscardHandler), State: collecttest.NewState(),
		Emit:     func(_ context.Context, r *schema.Record) error { res.recs = append(res.recs, r); return nil },
		Warn:     func(_, _, msg string) { res.warns = append(res.warns, msg) },
		WarnKind: func(kind, _, _, msg string) { res.warns = append(res.warns, kind+": "+msg) }}
	if err := c.Collect(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	if len(res.byKind(schema.KindService)) != 1 {
		t.Errorf("services: %d", len(res.byKind(schema.KindService)))
	}
	if w := hasWarning(t, res.warns, "missing_resource: resource phones (phones.csv: "); !strings.Contains(w, "refused by the URL policy (host rule)") {
		t.Errorf("warning does not say why: %s", w)
	}
	if otherHits.Load() != 0 {
		t.Errorf("the other host was asked %d times", otherHits.Load())
	}
}
