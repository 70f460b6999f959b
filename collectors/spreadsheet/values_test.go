package spreadsheet

import (
	"fmt"
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

// parseDate's fast path must say exactly what time.Parse's layouts say, for
// every day and month number around the valid range, leap and century years,
// each separator and each format.
func TestFastDateAgreesWithLayouts(t *testing.T) {
	var cells []string
	for _, y := range []string{"0000", "0001", "1900", "1999", "2000", "2023", "2024", "2100", "9999"} {
		for d := 0; d <= 32; d++ {
			for m := 0; m <= 13; m++ {
				for _, sep := range []string{"-", "/", "."} {
					cells = append(cells, fmt.Sprintf("%02d%s%02d%s%s", d, sep, m, sep, y))
				}
			}
		}
	}
	cells = append(cells, "1-9-1990", "01-9-1990", "01-09-90", "01-09-19901", "0a-09-1990", "01-0b-1990", "01-09-199x",
		"+1-09-1990", "01/09-1990", "01-09/1990", "2025-01-16", "33117", "01-09-1990 12:00", "１2-09-1990")
	fast := 0
	for _, format := range []string{"dd-mm-yyyy", "dd/mm/yyyy", "", "excel", "yyyy-mm-dd", "mm/dd/yyyy"} {
		for _, c := range cells {
			got, gerr := parseDate(c, format)
			want, werr := parseDateLayouts(c, format)
			if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("parseDate(%q, %q) = %q, %v; the layouts say %q, %v", c, format, got, gerr, want, werr)
			}
			if _, ok := fastDate(c, format); ok {
				fast++
			}
		}
	}
	if fast < 1000 {
		t.Fatalf("the fast path took only %d cells", fast)
	}
}

func TestNormPostcodeFastPath(t *testing.T) {
	slow := func(s string) string {
		s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
		if len(s) < 5 || len(s) > 7 {
			return s
		}
		return s[:len(s)-3] + " " + s[len(s)-3:]
	}
	for _, s := range []string{"PO6 3AA", "po6 3aa", "PO63AA", "P O 6 3AA", "PO6  3AA", "SW1A 1AA", "W1 1AA", "W1A 1A", "A 1AA",
		"XX", "", " PO6 3AA", "PO6 3AA ", "PO6\t3AA", "PO6 3Aa", "PO6-3AA", "PO6 3ÄA", "EC1A 1BBX", "12345 678", "AB 123"} {
		if got, want := normPostcode(s), slow(s); got != want {
			t.Errorf("normPostcode(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestContainsLower(t *testing.T) {
	for _, s := range []string{"Community special school", "SPECIAL", "Special Schools", "specia", "", "Resourced Provision",
		"Resourced provision and SEN unit", "SEN Unit", "sen  unit", "ſpecial", "Spec\u0130al", "Special K\u212a", "unit SEN"} {
		for _, sub := range []string{"special", "resourced provision", "sen unit", ""} {
			if got, want := containsLower(s, sub), strings.Contains(strings.ToLower(s), sub); got != want {
				t.Errorf("containsLower(%q, %q) = %v, want %v", s, sub, got, want)
			}
		}
	}
}
