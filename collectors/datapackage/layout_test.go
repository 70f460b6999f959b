package datapackage

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/localoffer/localoffer/collectors/datapackage/layout"
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
	if w := hasWarning(t, res.warns, WarnMissingResource+": "); !Degrading(Kind(w)) {
		t.Errorf("a missing resource must degrade the run: %q", w)
	}
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
	hasWarning(t, res.warns, "missing_resource: 1 resource listed in datapackage.json is absent: phones (phones.csv; 2 files elsewhere share its name: backup/phones.csv, data/phones.csv)")
	if s := res.byKind(schema.KindService)["pcc-dp/1"]; s == nil || len(s.Service.Phones) != 0 {
		t.Errorf("service: %+v", s)
	}
	if Degrading(WarnMovedResource) {
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
			_, err := collectFrom(t, srv.URL+"/pkg/datapackage.json")
			if !errors.Is(err, layout.ErrEscapes) {
				t.Errorf("err = %v", err)
			}
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
			if _, err := collectFrom(t, dir); !errors.Is(err, layout.ErrEscapes) {
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
