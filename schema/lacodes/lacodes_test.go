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
