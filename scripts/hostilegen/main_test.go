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

	"github.com/localoffer/localoffer/collectors/spreadsheet/sheet"
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
			if len(lines) != 51 || lines[0] != "id,organization_id,name,description,status" || !strings.HasPrefix(lines[50], "svc-0000049,org-1,") {
				t.Errorf("%s: %d lines, last %q", p, len(lines), lines[len(lines)-1])
			}
		}
		if files["data/organizations.csv"] != "id,name\norg-1,Portsmouth City Council\n" {
			t.Errorf("organizations.csv %q", files["data/organizations.csv"])
		}
	}
}

// The workbook is read by the collector's own reader: every row's name comes
// from the shared strings, and a table over the cap is refused.
func TestWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := writeZip(path, func(zw *zip.Writer) error { return workbook(zw, 20, 5) }); err != nil {
		t.Fatal(err)
	}
	r, err := sheet.Open(path, sheet.Options{Sheet: "Providers"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); len(h) != 2 || h[0] != "ID" || h[1] != "Name" {
		t.Fatalf("header %v", h)
	}
	n := 0
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rowNum := n + 2
		want := []string{"prov-" + strconv.Itoa(rowNum), "Provider " + strconv.Itoa(2+(rowNum*7919)%18)}
		if row[0] != want[0] || row[1] != want[1] {
			t.Errorf("row %d = %v, want %v", rowNum, row, want)
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
	if _, err := sheet.Open(path, sheet.Options{Sheet: "Providers", MaxSharedStrings: 19}); err == nil {
		t.Error("20 shared strings read under a cap of 19")
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
