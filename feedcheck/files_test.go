package feedcheck

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Golden: the text report of a small NDJSON feed with typical mistakes.
func TestNDJSONReportGolden(t *testing.T) {
	k := newChecker(t, Options{})
	r := check(t, k, filepath.Join("testdata", "ndjson", "input.ndjson"))
	got := text(r)
	golden := filepath.Join("testdata", "ndjson", "expected.txt")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (run with -update to accept):\n%s", golden, got)
	}
	if r.Valid() || r.Records != 8 || r.Invalid != 5 {
		t.Errorf("records %d invalid %d valid %v", r.Records, r.Invalid, r.Valid())
	}
}

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Hostile and broken input: a clear message with its location, never a panic.
func TestBadInput(t *testing.T) {
	good := `{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"Portsmouth Parent Voice","status":"active"}`
	bigName := strings.Repeat("x", 50<<20)
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"truncated JSON", "s.json", []byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"Portsmouth Par`), "line 1, column"},
		{"truncated page", "p.json", []byte("{\"total_items\":2,\"contents\":[\n" + good + ",\n{\"id\":"), "unexpected end"},
		{"deep nesting", "d.json", []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)), "nested deeper than 512 levels"},
		{"deep nesting in a page item", "d2.json", []byte(`{"total_items":1,"total_pages":1,"page_number":1,"size":1,"contents":[{"id":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}]}`), "nested deeper than 512"},
		{"HTML error page", "h.json", []byte("<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head></html>"), `HTML or XML page, not JSON (page title "503 Service Unavailable")`},
		{"Latin-1 bytes", "l.json", []byte("{\"id\":\"6f1c2d3e-4a5b-4c6d-8e9f-000000000001\",\"name\":\"Caf\xe9 SEND drop-in\",\"status\":\"active\"}"), "invalid UTF-8 byte 0xe9"},
		{"UTF-16", "u.json", []byte{0xFF, 0xFE, '{', 0, '}', 0}, "UTF-16"},
		{"empty", "e.json", nil, "empty"},
		{"not an object", "n.json", []byte(`"hello"`), "expected an object or array"},
		{"50 MB single line", "big.ndjson", []byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"` + bigName + `","status":"active"}` + "\n" + good + "\n"), "line is longer than 16 MiB"},
		{"NDJSON line of HTML", "h.ndjson", []byte(good + "\n<html><body>Error</body></html>\n"), "h.ndjson: line 2"},
		{"NDJSON broken line", "b.ndjson", []byte(good + "\n" + `{"id": 1,,}` + "\n"), "expected a quoted key, found ',' (column 10)"},
		{"CSV wrong field count", "services.csv", []byte("id,name,status,organization_id\n6f1c2d3e-4a5b-4c6d-8e9f-000000000001,Club,active\n"), "wrong number of fields"},
	}
	k := newChecker(t, Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := check(t, k, write(t, c.file, c.data))
			out := text(r)
			if r.Valid() {
				t.Fatalf("passed:\n%s", out)
			}
			if !strings.Contains(out, c.want) {
				t.Fatalf("report lacks %q:\n%.3000s", c.want, out)
			}
		})
	}
	// A 50 MB single-line JSON document that is valid is checked, not refused.
	r := check(t, k, write(t, "big.json", []byte(`{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"`+bigName+`","status":"active"}`)))
	if !r.Valid() || r.Records != 1 {
		t.Fatalf("50 MB service:\n%s", text(r))
	}
}

func TestUnusableTargets(t *testing.T) {
	k := newChecker(t, Options{})
	for _, target := range []string{filepath.Join(t.TempDir(), "absent.json"), t.TempDir(), write(t, "notes.csv", []byte("a,b\n"))} {
		if _, err := k.Check(context.Background(), target); err == nil {
			t.Errorf("%s: no error", target)
		}
	}
}

// A CSV data package of our own making, with a broken foreign key and a
// missing tabular-required column.
func TestDatapackage(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"datapackage.json":  `{"resources":[{"name":"organization","path":"organizations.csv"},{"name":"service","path":"services.csv"},{"name":"location","path":"locations.csv"}]}`,
		"organizations.csv": "id,name,description\n0a0a0a0a-1b1b-4c4c-8d8d-000000000851,Portsmouth City Council,Local authority\n",
		"services.csv": "id,organization_id,name,status,minimum_age,maximum_age\n" +
			"6f1c2d3e-4a5b-4c6d-8e9f-000000000001,0a0a0a0a-1b1b-4c4c-8d8d-000000000851,Portsmouth Parent Voice,active,0,25\n" +
			"6f1c2d3e-4a5b-4c6d-8e9f-000000000002,0a0a0a0a-1b1b-4c4c-8d8d-999999999999,Orphan service,active,5,x\n" +
			"6f1c2d3e-4a5b-4c6d-8e9f-000000000003,,No organisation,active,,\n",
	}
	for name, body := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	r := check(t, k(t), dir)
	out := text(r)
	for _, want := range []string{"refers to no row of the organization table", "organization_id is required in the service table",
		"/maximum_age", "resource location is listed but locations.csv is absent", "services.csv: line 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if r.Valid() || r.Records != 4 {
		t.Errorf("records %d valid %v", r.Records, r.Valid())
	}
}

func k(t *testing.T) *Checker { return newChecker(t, Options{}) }

// BenchmarkNDJSON100k validates a 100,000-service NDJSON file and reports
// throughput and the heap in use at the end (bounded: it does not grow with
// the file beyond the id set kept for duplicate detection).
func BenchmarkNDJSON100k(b *testing.B) {
	var buf bytes.Buffer
	path := filepath.Join(b.TempDir(), "services.ndjson")
	f, _ := os.Create(path)
	for i := 0; i < 100000; i++ {
		buf.Reset()
		fmt.Fprintf(&buf, `{"id":"6f1c2d3e-4a5b-4c6d-8e9f-%012d","name":"Portsmouth SEND service %d","status":"active","description":"Support for children and young people with SEND in Portsmouth.","url":"https://www.portsmouthlocaloffer.org/services/%d","email":"send@portsmouthcc.gov.uk","minimum_age":0,"maximum_age":25,"assured_date":"2026-09-01","phones":[{"id":"0b3f8d4c-1a2b-4c3d-9e8f-%012d","number":"023 9284 1000"}]}`+"\n", i, i, i, i)
		f.Write(buf.Bytes())
	}
	f.Close()
	st, _ := os.Stat(path)
	kc, _ := New(Options{})
	b.ResetTimer()
	for b.Loop() {
		r, err := kc.Check(context.Background(), path)
		if err != nil || r.Records != 100000 || !r.Valid() {
			b.Fatalf("%v %+v", err, r)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.ReportMetric(heapMiB(), "heap-MiB")
}

// A zipped package reads as run reads it: the descriptor found inside,
// paths relative to it, a file moved under data/ found by its name.
func TestZippedDatapackage(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"export/datapackage.json":       `{"resources":[{"name":"organization","path":"organizations.csv"},{"name":"service","path":"services.csv"},{"name":"location","path":"locations.csv"}]}`,
		"export/data/organizations.csv": "id,name,description\n0a0a0a0a-1b1b-4c4c-8d8d-000000000851,Portsmouth City Council,Local authority\n",
		"export/services.csv": "id,organization_id,name,status\n" +
			"6f1c2d3e-4a5b-4c6d-8e9f-000000000001,0a0a0a0a-1b1b-4c4c-8d8d-000000000851,Portsmouth Parent Voice,active\n" +
			"6f1c2d3e-4a5b-4c6d-8e9f-000000000002,0a0a0a0a-1b1b-4c4c-8d8d-999999999999,Orphan service,active\n",
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	r := check(t, k(t), write(t, "package.zip", buf.Bytes()))
	out := text(r)
	for _, want := range []string{"HSDS tabular data package (zip)", "organizations.csv is not where datapackage.json says; checked export/data/organizations.csv",
		"resource location is listed but locations.csv is absent", "refers to no row of the organization table"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if r.Records != 3 {
		t.Errorf("records %d:\n%s", r.Records, out)
	}
	if strings.Contains(out, "malformed JSON") {
		t.Errorf("a zip read as JSON:\n%s", out)
	}
	// A zip bomb is refused before anything is inflated.
	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ := zw.Create("services.csv")
	w.Write(make([]byte, 64<<20))
	zw.Close()
	if _, err := k(t).Check(context.Background(), write(t, "bomb.zip", buf.Bytes())); err == nil || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("bomb: %v", err)
	}
}
