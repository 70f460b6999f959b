package spreadsheet

import (
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	cases := []struct{ in, format, want, err string }{
		{"01-09-2011", "dd-mm-yyyy", "2011-09-01", ""},
		{"1/9/2011", "dd/mm/yyyy", "2011-09-01", ""},
		{"31/12/2025", "", "2025-12-31", ""},
		{"2025-12-31", "", "2025-12-31", ""},
		{"45930", "excel", "2025-09-30", ""},
		{"45930", "", "2025-09-30", ""},
		{"59", "excel", "1900-02-28", ""}, // before Excel's phantom 1900-02-29 (serial 60)…
		{"61", "excel", "1900-03-01", ""}, // …and after it
		{"1", "excel", "1900-01-01", ""},
		{"31-02-1990", "dd-mm-yyyy", "", `not a date in dd-mm-yyyy: "31-02-1990"`},
		{"soon", "", "", `not a date: "soon"`},
		{"", "dd/mm/yyyy", "", ""},
	}
	for _, c := range cases {
		got, err := parseDate(c.in, c.format)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("parseDate(%q, %q) = %q, %v; want %q, %q", c.in, c.format, got, err, c.want, c.err)
		}
	}
}

func TestAgeRange(t *testing.T) {
	cases := []struct {
		in     string
		lo, hi int
		ok     bool
	}{
		{"age 10", 10, 10, true}, {"Age 3", 3, 3, true}, {"under 3", 0, 2, true}, {"Under age 5", 0, 4, true},
		{"age 2 and under", 0, 2, true}, {"age 20 and over", 20, 25, true}, {"unknown", 0, 0, false}, {"age 99", 0, 0, false},
	}
	for _, c := range cases {
		lo, hi, ok := ageRange(c.in)
		if ok != c.ok || (ok && (lo != c.lo || hi != c.hi)) {
			t.Errorf("ageRange(%q) = %d, %d, %v; want %d, %d, %v", c.in, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}

func TestNeedCode(t *testing.T) {
	cases := map[string]string{
		"ASD - Autistic Spectrum Disorder": "ASD", "SpLD - Specific Learning Difficulty": "SPLD", "slcn": "SLCN",
		"BESD - Behaviour, Emotional and Social Difficulties": "SEMH", "Moderate learning difficulty": "MLD",
		// Words the needs vocabulary knows beyond the DfE codes and names.
		"Dyslexia": "SPLD", "Deafblind": "MSI",
		// No need, or only a broad area: unknown.
		"Tall": "", "learning difficulties": "",
	}
	nr, err := newNeedReader()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range cases {
		got, ok := nr.codes(in)
		if strings.Join(got, ",") != want || ok != (want != "") {
			t.Errorf("codes(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, s := range []string{"x", "z", "c", "low", "", " ", ":"} {
		if f, err := parseNumber(s); f != nil || err != nil {
			t.Errorf("parseNumber(%q) = %v, %v; want NULL", s, f, err)
		}
	}
	if f, err := parseNumber("1,234"); err != nil || *f != 1234 {
		t.Errorf("1,234 = %v, %v", f, err)
	}
	if f, err := parseNumber("0"); err != nil || f == nil || *f != 0 {
		t.Errorf("0 must load as 0, not NULL: %v, %v", f, err)
	}
	if _, err := parseNumber("twelve"); err == nil {
		t.Error("twelve parsed")
	}
}
