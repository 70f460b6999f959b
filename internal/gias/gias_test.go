package gias

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/internal/sheet"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "edubasealldata.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReader(t *testing.T) {
	// Windows-1252 as GIAS publishes it; a header in other case and spacing.
	body := "URN,establishmentname, Postcode ,TelephoneNum\r\n" + strings.Repeat("1,Filler School,PO1 1AA,0\r\n", 40) +
		"116201,St Mary\x92s Infant School , PO4  8AB,02392 000000\r\n"
	g, err := Open(write(t, body), sheet.Options{Name: "gias.csv"}, URN, EstablishmentName)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	urn, name, pc, town := g.Column(URN), g.Column(EstablishmentName), g.Column(Postcode), g.Column(Town)
	if town != Absent || name != 1 || pc != 2 {
		t.Fatalf("columns: name %d, postcode %d, town %d", name, pc, town)
	}
	var last []string
	n := 0
	for {
		row, err := g.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		last = row
	}
	if n != 41 || Cell(last, urn) != "116201" || Cell(last, name) != "St Mary\u2019s Infant School" || Cell(last, pc) != "PO4  8AB" || Cell(last, town) != "" {
		t.Errorf("read %d rows, last %q", n, last)
	}
	// TelephoneNum was not asked for: the reader need not fill it.
	if g.Line() != 42 {
		t.Errorf("line %d", g.Line())
	}
}

func TestMissingColumn(t *testing.T) {
	_, err := Open(write(t, "Name,Town\r\nA,B\r\n"), sheet.Options{Name: "schools.csv"}, URN)
	var m *MissingColumnError
	if !errors.As(err, &m) || m.Column != URN || !strings.Contains(err.Error(), "schools.csv") {
		t.Fatalf("err = %v", err)
	}
}
