package match

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

type pair struct {
	a, b Entity
	same bool
}

func readPairs(t testing.TB) []pair {
	f, err := os.Open("testdata/pairs.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ent := func(id, pipeline string, c []string) Entity {
		e := Entity{ID: id, Pipeline: pipeline, Name: c[0], Postcode: c[1], Domain: c[3]}
		if k := c[2]; k != "" {
			scheme, v, _ := strings.Cut(k, ":")
			e.Keys = []string{Key(scheme, v)}
		}
		return e
	}
	var out []pair
	for i, row := range rows[1:] {
		out = append(out, pair{a: ent(fmt.Sprintf("a/%02d", i), "a", row[0:4]), b: ent(fmt.Sprintf("b/%02d", i), "b", row[4:8]), same: row[8] == "1"})
	}
	return out
}

// TestPrecisionRecall matches every labelled pair in one pass (so blocking,
// IDF and cross-pair links all count) and checks precision and recall.
func TestPrecisionRecall(t *testing.T) {
	pairs := readPairs(t)
	var ents []Entity
	for _, p := range pairs {
		ents = append(ents, p.a, p.b)
	}
	for _, th := range []float64{0.80, 0.85, 0.90} {
		res := Match(ents, Options{Threshold: th})
		linked := map[[2]string]Link{}
		for _, l := range res.Links {
			linked[[2]string{l.A, l.B}] = l
		}
		tp, fp, fn := 0, 0, 0
		for _, p := range pairs {
			l, ok := linked[[2]string{p.a.ID, p.b.ID}]
			switch {
			case ok && p.same:
				tp++
			case ok && !p.same:
				fp++
				t.Logf("threshold %.2f: false link %q ~ %q (%s, %.3f)", th, p.a.Name, p.b.Name, l.Reason, l.Score)
			case !ok && p.same:
				fn++
				t.Logf("threshold %.2f: missed %q ~ %q", th, p.a.Name, p.b.Name)
			}
			delete(linked, [2]string{p.a.ID, p.b.ID})
		}
		for _, l := range linked { // links across different pairs are all false
			fp++
			t.Logf("threshold %.2f: false cross-pair link %s ~ %s (%s)", th, l.A, l.B, l.Reason)
		}
		precision := float64(tp) / float64(max(tp+fp, 1))
		recall := float64(tp) / float64(max(tp+fn, 1))
		t.Logf("threshold %.2f: precision %.2f recall %.2f (tp %d fp %d fn %d)", th, precision, recall, tp, fp, fn)
		if th == 0.85 && (precision < 0.95 || recall < 0.8) {
			t.Errorf("default threshold: precision %.2f (floor 0.95), recall %.2f (floor 0.80)", precision, recall)
		}
	}
}

func TestCanonicalGroups(t *testing.T) {
	ents := []Entity{
		{ID: "gias/116614", Pipeline: "gias", Name: "Redwood Park School", Postcode: "PO6 2PS", Keys: []string{Key("GB-URN", "116614")}},
		{ID: "sen/116614", Pipeline: "sen", Name: "Redwood Park", Keys: []string{Key("URN", "116614")}},
		{ID: "dir/77", Pipeline: "dir", Name: "Redwood Park School", Postcode: "PO6 2PS"},
		{ID: "dir/78", Pipeline: "dir", Name: "Cosham Library", Postcode: "PO6 3EH"},
	}
	res := Match(ents, Options{})
	want := []string{"dir/77", "dir/77", "dir/77", "dir/78"}
	for i, c := range res.Canonical {
		if c != want[i] {
			t.Errorf("canonical of %s = %s, want %s (links %+v)", ents[i].ID, c, want[i], res.Links)
		}
	}
}

func TestSharedKeyIsNotIdentifying(t *testing.T) {
	// A multi-academy trust's company number on two of its schools in one source.
	ents := []Entity{
		{ID: "gias/1", Pipeline: "gias", Name: "Alpha Primary", Keys: []string{Key("GB-COH", "7654321")}},
		{ID: "gias/2", Pipeline: "gias", Name: "Beta Primary", Keys: []string{Key("GB-COH", "07654321")}},
		{ID: "dir/1", Pipeline: "dir", Name: "Gamma Trust", Keys: []string{Key("GB-COH", "07654321")}},
	}
	if res := Match(ents, Options{}); len(res.Links) != 0 {
		t.Errorf("links through a shared company number: %+v", res.Links)
	}
}

// synthetic makes n entities over k pipelines: a third are copies of another
// record with a perturbed name, the rest distinct.
func synthetic(n int) []Entity {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"autism", "support", "group", "primary", "school", "academy", "family", "hub", "youth", "club", "sensory",
		"play", "therapy", "speech", "language", "parent", "carers", "forum", "short", "breaks", "holiday", "swimming", "dance",
		"music", "drama", "football", "library", "rhyme", "time", "nurture", "centre", "nursery", "college", "sixth", "form"}
	places := []string{"Portsmouth", "Southsea", "Cosham", "Fratton", "Milton", "Eastney", "Hilsea", "Copnor", "Drayton", "Paulsgrove",
		"Buckland", "Stamshaw", "Landport", "Baffins", "Farlington", "Wymering", "Anchorage", "Highbury", "Tipner", "Portsea"}
	ents := make([]Entity, 0, n)
	for i := 0; i < n; i++ {
		if i%3 == 2 {
			src := ents[rng.IntN(len(ents))]
			e := src
			e.ID = fmt.Sprintf("p%d/%d", i%5, i)
			e.Pipeline = fmt.Sprintf("p%d", i%5)
			e.Name = "The " + src.Name
			ents = append(ents, e)
			continue
		}
		name := fmt.Sprintf("%s %s %s %s %d", places[rng.IntN(len(places))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], rng.IntN(1000))
		pc := fmt.Sprintf("%s%d %d%c%c", []string{"PO", "SO", "GU", "BN", "RG", "SP", "BH", "OX"}[rng.IntN(8)], 1+rng.IntN(40), rng.IntN(10), 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		ents = append(ents, Entity{ID: fmt.Sprintf("p%d/%d", i%5, i), Pipeline: fmt.Sprintf("p%d", i%5), Name: name, Postcode: pc})
	}
	return ents
}

func BenchmarkMatch500k(b *testing.B) {
	ents := synthetic(500_000)
	b.ResetTimer()
	var res Result
	for b.Loop() {
		res = Match(ents, Options{})
	}
	b.ReportMetric(float64(len(ents)*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(res.Links)), "links")
	b.ReportMetric(float64(res.Compared), "comparisons")
}

func BenchmarkMatch50k(b *testing.B) {
	ents := synthetic(50_000)
	b.ResetTimer()
	var res Result
	for b.Loop() {
		res = Match(ents, Options{})
	}
	b.ReportMetric(float64(len(ents)*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(res.Compared), "comparisons")
}

func TestIdentifierReasonBeatsDomain(t *testing.T) {
	ents := []Entity{
		{ID: "gias/116201", Pipeline: "gias", Name: "Harbourside Infant School", Domain: "harbourside.example.sch.uk", Keys: []string{Key("GB-URN", "116201")}},
		{ID: "sen/116201", Pipeline: "sen", Name: "Harbourside Infant", Domain: "harbourside.example.sch.uk", Keys: []string{Key("GB-URN", "116201")}},
	}
	res := Match(ents, Options{})
	if len(res.Links) != 1 || res.Links[0].Reason != "urn:116201" {
		t.Errorf("links = %+v, want one with reason urn:116201", res.Links)
	}
}
