package samples

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// examples is the repository's examples/ directory, which the generator wrote.
const examples = "../../../../examples"

// The files shipped in examples/ are exactly what the generator writes: an
// edit to either without the other fails here (regenerate with
// `go run ./collectors/spreadsheet/internal/samples/gen -out examples`).
func TestGeneratorWritesTheShippedExamples(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{"gias/edubasealldata_portsmouth.csv", func(w io.Writer) error { return WriteGIAS(w, PortsmouthSchools()) }},
		{"demand/sen_needs_all_plans.csv", WriteNeeds},
		{"demand/caseload.csv", WriteCaseload},
		{"providers/providers.xlsx", WriteProviders},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		want, err := os.ReadFile(filepath.Join(examples, c.path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("examples/%s (%d bytes) differs from the generator's output (%d bytes)", c.path, len(want), b.Len())
		}
	}
}

func TestCheckRefusesAnAreaWithoutEveryPeriod(t *testing.T) {
	saved := DemandAreas
	t.Cleanup(func() { DemandAreas = saved })
	DemandAreas = append([]Area{}, saved...)
	DemandAreas[1].Totals = DemandAreas[1].Totals[:3]
	err := Check()
	if err == nil || err.Error() != `area "Portsmouth" has 3 totals for 5 periods` {
		t.Errorf("Check = %v", err)
	}
}

func TestSyntheticGIAS(t *testing.T) {
	var buf bytes.Buffer
	if err := SyntheticGIAS(&buf, 40); err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(charmap.Windows1252.NewDecoder().Reader(&buf)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := all[0], all[1:]
	if len(rows) != 40 || len(header) != len(giasColumns) || header[0] != "URN" {
		t.Fatalf("%d rows, header %v", len(rows), header[:3])
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	special := 0
	for i, r := range rows {
		if r[col["URN"]] != strconv.Itoa(100000+i) {
			t.Errorf("row %d URN %s", i, r[col["URN"]])
		}
		if r[col["TypeOfEstablishment (name)"]] != "Community school" {
			special++
		}
	}
	if special != 2 {
		t.Errorf("%d special schools of 40, want every twentieth", special)
	}
	// Deterministic: the benchmarks compare like with like.
	var a, b bytes.Buffer
	SyntheticGIAS(&a, 40)
	SyntheticGIAS(&b, 40)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs differ")
	}
}

func TestStreamXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"ID", "Name", "Places"}
	err = StreamXLSX(f, "Providers & <Co>", header, 3, func(i int) []string {
		return []string{"p-" + strconv.Itoa(i), `Tom & "Jerry" <club>`, strconv.Itoa(10 * i)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	all, err := x.GetRows("Providers & <Co>")
	if err != nil {
		t.Fatal(err)
	}
	if got := all[0]; len(got) != 3 || got[0] != "ID" || got[2] != "Places" {
		t.Fatalf("header %v", got)
	}
	rows := all[1:]
	want := [][]string{{"p-0", `Tom & "Jerry" <club>`, "0"}, {"p-1", `Tom & "Jerry" <club>`, "10"}, {"p-2", `Tom & "Jerry" <club>`, "20"}}
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d cell %d = %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}

// The synthetic provider list has the template's header and n rows whose
// values the mapping in examples/ reads (ids, needs, ages).
func TestSyntheticProviders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := SyntheticProviders(f, 12); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	all, err := x.GetRows("Providers")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 13 || len(all[0]) != len(ProviderColumns) || all[0][0] != ProviderColumns[0][0] {
		t.Fatalf("%d rows, header %v", len(all), all[0])
	}
	if r := all[12]; r[0] != "P-000011" || r[4] != "SEMH" || r[5] != "4" || r[6] != "18" {
		t.Errorf("last row %v", r)
	}
}
