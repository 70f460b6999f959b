package layout

import (
	"errors"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{"services.csv": "services.csv", "./data/services.csv": "data/services.csv", `data\services.csv`: "data/services.csv", "data//x.csv": "data/x.csv"} {
		if got, err := Clean(in); err != nil || got != want {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"../x.csv", "data/../../x.csv", "/etc/passwd", `C:\x.csv`, `..\x.csv`, ""} {
		if _, err := Clean(in); !errors.Is(err, ErrEscapes) {
			t.Errorf("Clean(%q) accepted", in)
		}
	}
}

func TestLocate(t *testing.T) {
	files := []string{"datapackage.json", "data/services.csv", "data/phones.csv", "old/phones.csv", "pkg/locations.csv"}
	cases := []struct {
		dir, declared, found string
		moved                bool
		cands                int
	}{
		{"", "data/services.csv", "data/services.csv", false, 0},
		{"", "services.csv", "data/services.csv", true, 0},
		{"", "SERVICES.CSV", "data/services.csv", true, 0},
		{"pkg", "locations.csv", "pkg/locations.csv", false, 0},
		{"", "phones.csv", "", false, 2},
		{"", "contacts.csv", "", false, 0},
	}
	for _, c := range cases {
		found, moved, cands := Locate(files, c.dir, c.declared)
		if found != c.found || moved != c.moved || len(cands) != c.cands {
			t.Errorf("Locate(%q, %q) = %q %v %v", c.dir, c.declared, found, moved, cands)
		}
	}
}

func TestTable(t *testing.T) {
	for in, want := range map[string]string{
		"services_at_location": "service_at_location", "physical_addresses": "physical_address", "postal_addresses": "postal_address",
		"regular_schedules": "regular_schedule", "eligibility": "eligibility", "services_taxonomy": "service_taxonomy",
		"taxonomy": "taxonomy", "accessibility_for_disabilities": "accessibility", "Organisations": "organization", "readme": "",
	} {
		if got := Table(in, ""); got != want {
			t.Errorf("Table(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Table("", "data/services_at_location.csv"); got != "service_at_location" {
		t.Errorf("by file name: %q", got)
	}
}

func TestGuess(t *testing.T) {
	res := Guess([]string{"services.csv", "phones.csv", "notes.csv", "copy/services.csv", "README.md"})
	var got []string
	for _, r := range res {
		got = append(got, r.Path.(string))
	}
	if strings.Join(got, ",") != "phones.csv,services.csv" {
		t.Errorf("Guess = %v", got)
	}
}
