package match

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[1:]
}

// TestRealSheffieldSchools measures matching on real cross-source data (see
// testdata/sheffield/PROVENANCE): a GIAS-derived list of schools in S
// postcodes (URN, name, postcode) against the places a geocoder returned for
// a school list (its own name for the place, a full or district-only
// postcode, coordinates; no URN). Every record of both sources goes through
// one pass; the labelled pairs say which are the same school. Any link
// between a place and a school other than its labelled one is a false link.
func TestRealSheffieldSchools(t *testing.T) {
	var ents []Entity
	for _, r := range readCSV(t, "testdata/sheffield/gias_sheffield.csv") {
		ents = append(ents, Entity{ID: "gias/" + r[0], Pipeline: "gias", Name: r[1], Postcodes: []string{r[2]}, Keys: []string{Key("URN", r[0])}})
	}
	for _, r := range readCSV(t, "testdata/sheffield/places_sheffield.csv") {
		e := Entity{ID: "place/" + r[0], Pipeline: "places", Name: r[2]}
		if r[3] != "" {
			e.Postcodes = []string{r[3]}
		}
		lat, err1 := strconv.ParseFloat(r[4], 64)
		lon, err2 := strconv.ParseFloat(r[5], 64)
		if err1 == nil && err2 == nil {
			e.Points = []Point{{Lat: lat, Lon: lon}}
		}
		ents = append(ents, e)
	}
	same := map[[2]string]bool{}
	labelled := map[[2]string]bool{}
	positives := 0
	for _, r := range readCSV(t, "testdata/sheffield/labels.csv") {
		k := [2]string{"gias/" + r[0], "place/" + r[1]}
		labelled[k] = true
		if r[2] == "1" {
			same[k] = true
			positives++
		}
	}
	if len(labelled) < 100 {
		t.Fatalf("only %d labelled pairs", len(labelled))
	}
	for _, th := range []float64{0.80, 0.90} {
		p, r := evaluate(t, ents, same, labelled, positives, th, false)
		t.Logf("threshold %.2f: precision %.3f, recall %.3f", th, p, r)
	}
	precision, recall := evaluate(t, ents, same, labelled, positives, 0.85, true)
	if precision < 0.98 || recall < 0.90 {
		t.Errorf("precision %.3f (floor 0.98), recall %.3f (floor 0.90)", precision, recall)
	}
}

func evaluate(t *testing.T, ents []Entity, same, labelled map[[2]string]bool, positives int, threshold float64, verbose bool) (float64, float64) {
	t.Helper()
	res := Match(ents, Options{Threshold: threshold})
	members := map[string][]string{}
	for _, a := range res.Assignments {
		members[a.Canonical] = append(members[a.Canonical], a.ID)
	}
	tp, fp := 0, 0
	for _, ids := range members {
		for _, a := range ids {
			for _, b := range ids {
				if !strings.HasPrefix(a, "gias/") || !strings.HasPrefix(b, "place/") {
					continue
				}
				k := [2]string{a, b}
				if same[k] {
					tp++
					continue
				}
				fp++
				if verbose {
					t.Logf("false link %s ~ %s (labelled: %v)", a, b, labelled[k])
				}
			}
		}
	}
	for k := range same {
		if verbose && testing.Verbose() && !sameCluster(res, k[0], k[1]) {
			t.Logf("missed %s ~ %s", k[0], k[1])
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(positives)
	if verbose {
		t.Logf("threshold %.2f: %d labelled pairs (%d same): precision %.3f, recall %.3f (tp %d, fp %d, fn %d)",
			threshold, len(labelled), positives, precision, recall, tp, fp, positives-tp)
	}
	return precision, recall
}

func sameCluster(res Result, a, b string) bool {
	var ca, cb string
	for _, x := range res.Assignments {
		switch x.ID {
		case a:
			ca = x.Canonical
		case b:
			cb = x.Canonical
		}
	}
	return ca != "" && ca == cb
}
