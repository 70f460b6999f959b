package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The archives are written small here; hostile-rss.sh writes them full size.

func entries(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
	}
	return out
}

func TestRepeatedTablePackage(t *testing.T) {
	for _, c := range []struct {
		distinct bool
		tables   []string
		entries  int // zip entries: descriptor, organisations, each distinct table
	}{
		{false, []string{"data/services.csv", "data/services.csv", "data/services.csv"}, 3},
		{true, []string{"a/services.csv", "b/services.csv", "c/services.csv"}, 5},
	} {
		path := filepath.Join(t.TempDir(), "dp.zip")
		if err := writeZip(path, func(zw *zip.Writer) error { return repeatedTablePackage(zw, 50, c.distinct) }); err != nil {
			t.Fatal(err)
		}
		files := entries(t, path)
		var desc struct {
			Resources []struct{ Name, Path string }
		}
		if err := json.Unmarshal([]byte(files["datapackage.json"]), &desc); err != nil {
			t.Fatal(err)
		}
		var services []string
		for _, r := range desc.Resources {
			if r.Name == "services" {
				services = append(services, r.Path)
			}
		}
		if strings.Join(services, " ") != strings.Join(c.tables, " ") {
			t.Errorf("distinct=%v: services resources %v, want %v", c.distinct, services, c.tables)
		}
		// Each named table is stored once, with every row.
		if len(files) != c.entries {
			t.Errorf("distinct=%v: %d entries, want %d", c.distinct, len(files), c.entries)
		}
		for _, p := range c.tables {
			lines := strings.Split(strings.TrimSuffix(files[p], "\n"), "\n")
			header := "id,organization_id,name,description,status"
			if c.distinct {
				header += ",email,url"
			}
			if len(lines) != 51 || lines[0] != header || !strings.HasPrefix(lines[50], "svc-0000049,org-1,") {
				t.Errorf("%s: %d lines, last %q", p, len(lines), lines[len(lines)-1])
			}
		}
		if files["data/organizations.csv"] != "id,name\norg-1,Portsmouth City Council\n" {
			t.Errorf("organizations.csv %q", files["data/organizations.csv"])
		}
	}
}

// The workbook opens in excelize: every row's name comes from the shared
// strings table, which holds n items.
func TestWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := writeZip(path, func(zw *zip.Writer) error { return workbook(zw, 20, 5) }); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(entries(t, path)["xl/sharedStrings.xml"], "<si>"); n != 20 {
		t.Errorf("%d shared strings, want 20", n)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Providers")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || strings.Join(rows[0], ",") != "ID,Name" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, row := range rows[1:] {
		r := i + 2
		want := []string{"prov-" + strconv.Itoa(r), "Provider " + strconv.Itoa(2+(r*7919)%18)}
		if strings.Join(row, ",") != strings.Join(want, ",") {
			t.Errorf("row %d = %v, want %v", r, row, want)
		}
	}
}

func TestEntryReportsAWriteError(t *testing.T) {
	zw := zip.NewWriter(io.Discard)
	boom := errors.New("boom")
	if err := entry(zw, "x", func(*bufio.Writer) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("entry = %v", err)
	}
	if err := writeZip(filepath.Join(t.TempDir(), "no", "such", "dir.zip"), nil); err == nil {
		t.Error("writeZip created a file in a missing directory")
	}
}
