package lacodes

import "testing"

func TestTable(t *testing.T) {
	if Len() != 153 {
		t.Fatalf("table has %d LAs, want 153", Len())
	}
	la, ok := ByOld("851")
	if !ok || la.GSS != "E06000044" || la.Name != "Portsmouth" {
		t.Fatalf("851 = %+v", la)
	}
	if la, ok := ByGSS("E09000001"); !ok || la.Old != "201" {
		t.Fatalf("E09000001 = %+v", la)
	}
	all := All()
	if len(all) != 153 || all[0].GSS != "E09000001" {
		t.Fatalf("All: %d LAs, first %+v", len(all), all[0])
	}
	if _, ok := ByOld("999"); ok {
		t.Fatal("999 should be unknown")
	}
}

// The checks the code base used to write four ways disagreed on wards and
// regions (any GSS code passed in config and gaps), on Scottish and Northern
// Irish councils (rejected by serve and health) and on non-digits (passed by
// transform/areas); these are the cases they disagreed on.
func TestCodeShapes(t *testing.T) {
	for _, tc := range []struct {
		code              string
		gss, la, oldShape bool
	}{
		{"E06000044", true, true, false},  // Portsmouth, unitary
		{"E07000085", true, true, false},  // East Hampshire, non-metropolitan district
		{"E08000025", true, true, false},  // Birmingham, metropolitan district
		{"E09000001", true, true, false},  // City of London
		{"E10000014", true, true, false},  // Hampshire, county
		{"W06000015", true, true, false},  // Cardiff
		{"S12000036", true, true, false},  // City of Edinburgh
		{"N09000003", true, true, false},  // Belfast
		{"E05012345", true, false, false}, // a ward
		{"E12000008", true, false, false}, // South East region
		{"E92000001", true, false, false}, // England
		{"K04000001", true, false, false}, // England and Wales
		{"W05000001", true, false, false}, // a Welsh ward
		{"S13002516", true, false, false}, // a Scottish ward
		{"E06ABCDEF", false, false, false},
		{"E0600004", false, false, false},
		{"E060000444", false, false, false},
		{"e06000044", false, false, false}, // callers upper-case user input first
		{"X06000044", false, false, false},
		{"E06٠٠٠٠٤٤", false, false, false}, // Arabic-Indic digits are not digits here
		{"", false, false, false},
		{"851", false, false, true},
		{"85", false, false, false},
		{"8511", false, false, false},
		{"85a", false, false, false},
	} {
		if got := IsGSS(tc.code); got != tc.gss {
			t.Errorf("IsGSS(%q) = %v, want %v", tc.code, got, tc.gss)
		}
		if got := IsLA(tc.code); got != tc.la {
			t.Errorf("IsLA(%q) = %v, want %v", tc.code, got, tc.la)
		}
		if got := IsOld(tc.code); got != tc.oldShape {
			t.Errorf("IsOld(%q) = %v, want %v", tc.code, got, tc.oldShape)
		}
	}
}

// Every LA in the table passes both checks.
func TestTableCodesPassTheChecks(t *testing.T) {
	for old, la := range byOld {
		if !IsOld(old) || !IsLA(la.GSS) {
			t.Errorf("%s / %s fails IsOld or IsLA", old, la.GSS)
		}
	}
}
