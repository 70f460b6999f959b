package layout

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/archive"
)

func TestParseDescriptorAndResources(t *testing.T) {
	d, err := ParseDescriptor([]byte(`{"name":"pkg","resources":[
 {"name":"services","path":"data/services.csv","dialect":{"delimiter":";"}},
 {"name":"phones","path":["phones-1.csv","phones-2.csv",7]},
 {"name":"locations","path":"https://example.org/locations.csv","dialect":{"delimiter":"||"}},
 {"name":"nothing","path":{"not":"a path"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		paths, delim string
	}{
		{"data/services.csv", ";"},
		{"phones-1.csv phones-2.csv", ","}, // chunks; a non-string entry is skipped
		{"https://example.org/locations.csv", ","},
		{"", ","},
	}
	if len(d.Resources) != len(cases) {
		t.Fatalf("%d resources", len(d.Resources))
	}
	for i, c := range cases {
		r := d.Resources[i]
		if got := strings.Join(r.Paths(), " "); got != c.paths {
			t.Errorf("%s: paths %q, want %q", r.Name, got, c.paths)
		}
		if got := r.Delimiter(); got != c.delim {
			t.Errorf("%s: delimiter %q, want %q (a dialect's must be one character)", r.Name, got, c.delim)
		}
	}
	if !IsRemote(d.Resources[2].Paths()[0]) || IsRemote("data/services.csv") {
		t.Error("IsRemote")
	}
	if _, err := ParseDescriptor([]byte(`{"resources": [`)); err == nil || !strings.HasPrefix(err.Error(), "datapackage.json: ") {
		t.Errorf("broken descriptor: %v", err)
	}
}

func TestDescriptorsShallowestFirst(t *testing.T) {
	got := Descriptors([]string{"b/c/datapackage.json", "data/services.csv", "z/datapackage.json", "a/datapackage.json", "datapackage.json", "x/datapackage.json.bak"})
	if want := "datapackage.json a/datapackage.json z/datapackage.json b/c/datapackage.json"; strings.Join(got, " ") != want {
		t.Errorf("Descriptors = %v, want %s", got, want)
	}
}

// ListDir lists regular files as slash paths, skipping hidden folders and
// symbolic links, and refuses a package with too many files.
func TestListDir(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"datapackage.json", "data/services.csv", "data/more/phones.csv", ".git/config"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "secret.csv")
	os.WriteFile(outside, []byte("x"), 0o644)
	if err := os.Symlink(outside, filepath.Join(root, "data", "link.csv")); err != nil {
		t.Fatal(err)
	}
	got, err := ListDir(root, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := "data/more/phones.csv data/services.csv datapackage.json"; strings.Join(got, " ") != want {
		t.Errorf("ListDir = %v, want %s", got, want)
	}
	if _, err := ListDir(root, 2); err == nil || !strings.Contains(err.Error(), "holds more than 2 files") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ListDir(filepath.Join(root, "missing"), 10); err == nil {
		t.Error("a missing folder listed")
	}
}

func TestZip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pkg.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range map[string]string{"./datapackage.json": `{"resources":[]}`, `data\services.csv`: "id,name\n1,Club\n", "big.csv": strings.Repeat("x", 5000)} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	zw.Close()
	f.Close()

	// The zip directory is checked against the limits before anything is read.
	if _, err := OpenZip(path, "pkg.zip", archive.Limits{MaxEntryBytes: 1000}); !errors.Is(err, archive.ErrLimit) {
		t.Errorf("an entry over the limit: %v", err)
	}
	z, err := OpenZip(path, "pkg.zip", archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	files := z.Files()
	if len(files) != 3 || !contains(files, "datapackage.json") || !contains(files, "data/services.csv") {
		t.Fatalf("files %v: want slash paths without ./", files)
	}
	rc, err := z.Open("data/services.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "id,name\n1,Club\n" {
		t.Errorf("services.csv = %q", b)
	}
	if _, err := z.Open("data/phones.csv"); !IsNotInZip(err) || !strings.Contains(err.Error(), "pkg.zip: data/phones.csv") {
		t.Errorf("absent file: %v", err)
	}
	if _, err := OpenZip(filepath.Join(t.TempDir(), "none.zip"), "none.zip", archive.Limits{}); err == nil {
		t.Error("a missing zip opened")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
