package match

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
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
		e := Entity{ID: id, Pipeline: pipeline, Name: c[0]}
		if c[1] != "" {
			e.Postcodes = []string{c[1]}
		}
		if c[3] != "" {
			e.Domains = []string{c[3]}
		}
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
	res := Match(ents, Options{})
	canon := map[string]string{}
	for _, a := range res.Assignments {
		canon[a.ID] = a.Canonical
	}
	tp, fp, fn := 0, 0, 0
	for _, p := range pairs {
		linked := canon[p.a.ID] == canon[p.b.ID]
		switch {
		case linked && p.same:
			tp++
		case linked && !p.same:
			fp++
			t.Logf("false link %q ~ %q", p.a.Name, p.b.Name)
		case !linked && p.same:
			fn++
			t.Logf("missed %q ~ %q", p.a.Name, p.b.Name)
		}
	}
	// Links across different pairs are all false.
	groups := map[string]int{}
	for _, c := range canon {
		groups[c]++
	}
	for c, n := range groups {
		if n > 2 {
			fp++
			t.Logf("cluster %s has %d records", c, n)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("precision %.2f recall %.2f (tp %d fp %d fn %d)", precision, recall, tp, fp, fn)
	if precision < 0.95 || recall < 0.8 {
		t.Errorf("precision %.2f (floor 0.95), recall %.2f (floor 0.80)", precision, recall)
	}
}

func canonOf(t *testing.T, x *Index, ids ...string) []string {
	t.Helper()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = x.Canonical(id)
	}
	return out
}

func TestCanonicalGroups(t *testing.T) {
	ents := []Entity{
		{ID: "gias/116614", Pipeline: "gias", Name: "Redwood Park School", Postcodes: []string{"PO6 2PS"}, Keys: []string{Key("GB-URN", "116614")}},
		{ID: "sen/116614", Pipeline: "sen", Name: "Redwood Park", Keys: []string{Key("URN", "116614")}},
		{ID: "dir/77", Pipeline: "dir", Name: "Redwood Park School", Postcodes: []string{"PO6 2PS"}},
		{ID: "dir/78", Pipeline: "dir", Name: "Cosham Library", Postcodes: []string{"PO6 3EH"}},
	}
	res := Match(ents, Options{})
	want := []string{"dir/77", "dir/77", "dir/77", "dir/78"}
	links := 0
	for i, a := range res.Assignments {
		if a.Canonical != want[i] {
			t.Errorf("canonical of %s = %s, want %s (%+v)", ents[i].ID, a.Canonical, want[i], res.Assignments)
		}
		if a.LinkedTo != "" {
			links++
			if a.Score <= 0 || a.Reason == "" {
				t.Errorf("link without evidence: %+v", a)
			}
		}
	}
	// A cluster of three is held by two links: a tree, not every pair.
	if links != 2 {
		t.Errorf("%d links for one cluster of three, want 2: %+v", links, res.Assignments)
	}
}

func TestSharedKeyIsNotIdentifying(t *testing.T) {
	// A multi-academy trust's company number on two of its schools in one source.
	ents := []Entity{
		{ID: "gias/1", Pipeline: "gias", Name: "Alpha Primary", Keys: []string{Key("GB-COH", "7654321")}},
		{ID: "gias/2", Pipeline: "gias", Name: "Beta Primary", Keys: []string{Key("GB-COH", "07654321")}},
		{ID: "dir/1", Pipeline: "dir", Name: "Gamma Trust", Keys: []string{Key("GB-COH", "07654321")}},
	}
	for _, a := range Match(ents, Options{}).Assignments {
		if a.LinkedTo != "" {
			t.Errorf("link through a shared company number: %+v", a)
		}
	}
}

func TestIdentifierReasonBeatsDomain(t *testing.T) {
	ents := []Entity{
		{ID: "gias/116201", Pipeline: "gias", Name: "Harbourside Infant School", Domains: []string{"harbourside.example.org"}, Keys: []string{Key("GB-URN", "116201")}},
		{ID: "sen/116201", Pipeline: "sen", Name: "Harbourside Infant", Domains: []string{"harbourside.example.org"}, Keys: []string{Key("GB-URN", "116201")}},
	}
	res := Match(ents, Options{})
	if a := res.Assignments[1]; a.LinkedTo != "gias/116201" || a.Reason != "urn:116201" || a.Score != 1 {
		t.Errorf("assignment = %+v, want a link to gias/116201 with reason urn:116201", a)
	}
}

// A directory organisation "<School> (<Town>)" with no postcode of its own
// matches the GIAS school through the postcode of its services' location.
func TestOrganisationByQualifiedNameAndItsLocations(t *testing.T) {
	ents := []Entity{
		{ID: "gias/116213", Pipeline: "gias", Name: "Eastney Sands Primary School", Postcodes: []string{"PO4 3SE"}, Area: "E06000044", Keys: []string{Key("GB-URN", "116213")}},
		{ID: "gias/116215", Pipeline: "gias", Name: "Fratton Park Primary School", Postcodes: []string{"PO4 8HL"}, Area: "E06000044", Keys: []string{Key("GB-URN", "116215")}},
		{ID: "dir/eastney", Pipeline: "dir", Name: "Eastney Sands Primary School (Portsmouth)", Postcodes: []string{"PO4 3SE"}},
		{ID: "dir/other", Pipeline: "dir", Name: "Eastney Sands Primary School (Portsmouth)"}, // no place at all: not enough
	}
	res := Match(ents, Options{})
	if a := res.Assignments[2]; a.Canonical != "dir/eastney" || res.Assignments[0].Canonical != "dir/eastney" {
		t.Errorf("directory school not matched to GIAS: %+v", res.Assignments)
	} else if !strings.Contains(a.Reason+res.Assignments[0].Reason, "same postcode PO4 3SE") {
		t.Errorf("reason %q / %q", a.Reason, res.Assignments[0].Reason)
	}
	if res.Assignments[3].Canonical != "dir/other" || res.Assignments[1].Canonical != "gias/116215" {
		t.Errorf("unexpected links: %+v", res.Assignments)
	}
}

// nationalCharity: one charity listed by every council (same name, same
// website), each council with its own stroke group at its own postcode.
func nationalCharity(councils int) (orgs, svcs []Entity) {
	for i := 0; i < councils; i++ {
		p := fmt.Sprintf("council%03d", i)
		area := fmt.Sprintf("E%08d", i)
		pc := fmt.Sprintf("AB%d %dCD", i%90+1, i%10)
		orgs = append(orgs, Entity{ID: p + "/org/stroke", Pipeline: p, Name: "The Stroke Association", Domains: []string{"stroke.org.uk"}, Area: area, Postcodes: []string{pc}})
		svcs = append(svcs, Entity{ID: p + "/svc/stroke-group", Pipeline: p, Name: "Stroke support group", Org: p + "/org/stroke", Area: area, Postcodes: []string{pc}, Domains: []string{"stroke.org.uk"}})
	}
	return orgs, svcs
}

func TestNationalCharityIsOneOrganisationWithManyServices(t *testing.T) {
	orgs, svcs := nationalCharity(153)
	ox := NewIndex(Options{Kind: Organization})
	for _, e := range orgs {
		ox.Upsert(e)
	}
	st := ox.Pass()
	canon := map[string]bool{}
	for _, e := range orgs {
		canon[ox.Canonical(e.ID)] = true
	}
	if len(canon) != 1 || st.Links != 152 {
		t.Errorf("national charity: %d canonical ids, %d links; want 1 and 152 (a tree)", len(canon), st.Links)
	}
	// Beyond MaxBlock its records are sampled, not all compared: still one.
	small := NewIndex(Options{Kind: Organization, MaxBlock: 20})
	for _, e := range orgs {
		small.Upsert(e)
	}
	if st := small.Pass(); st.Grouped != 153 || st.Compared > 153*(exactSample+1) {
		t.Errorf("oversized block: %+v", st)
	}
	sx := NewIndex(Options{Kind: Service, OrgCanonical: ox.Canonical})
	for _, e := range svcs {
		sx.Upsert(e)
	}
	if st := sx.Pass(); st.Links != 0 || st.Grouped != 0 {
		t.Errorf("services of one charity in different councils linked: %+v", st)
	}
}

func TestServicesNeedSameOrganisationAndPlace(t *testing.T) {
	ents := []Entity{
		{ID: "a/1", Pipeline: "a", Name: "Saturday Club", Org: "a/org1", Postcodes: []string{"PO4 9QS"}},
		{ID: "b/1", Pipeline: "b", Name: "Saturday Club", Org: "b/org1", Postcodes: []string{"PO4 9QS"}},
		{ID: "c/1", Pipeline: "c", Name: "Saturday Club", Postcodes: []string{"PO6 3LS"}},
		{ID: "d/1", Pipeline: "d", Name: "Saturday Club", Org: "d/org", Postcodes: []string{"PO4 9QS"}},
	}
	orgCanon := func(id string) string {
		if id == "b/org1" {
			return "a/org1" // matched organisations
		}
		return id
	}
	res := Match(ents, Options{Kind: Service, OrgCanonical: orgCanon})
	got := []string{}
	for _, a := range res.Assignments {
		got = append(got, a.Canonical)
	}
	if want := []string{"a/1", "a/1", "c/1", "d/1"}; !slices.Equal(got, want) {
		t.Errorf("canonical = %v, want %v (%+v)", got, want, res.Assignments)
	}
}

// TestDecisionsSurviveResync: matches.yaml pairs override the matcher, and
// re-upserting changed records (a re-sync) keeps them.
func TestDecisionsSurviveResync(t *testing.T) {
	ents := []Entity{
		{ID: "dir/harbour", Pipeline: "dir", Name: "The Harbour School", Postcodes: []string{"PO3 6RH"}},
		{ID: "gias/harbour", Pipeline: "gias", Name: "Harbour School", Postcodes: []string{"PO3 6RH"}},
		{ID: "dir/tipner", Pipeline: "dir", Name: "Tipner Youth Project", Postcodes: []string{"PO2 8QR"}},
		{ID: "prov/tyc", Pipeline: "prov", Name: "TYP Portsmouth", Postcodes: []string{"PO2 8QR"}},
	}
	x := NewIndex(Options{})
	x.SetDecisions([][2]string{{"prov/tyc", "dir/tipner"}}, [][2]string{{"dir/harbour", "gias/harbour"}})
	for _, e := range ents {
		x.Upsert(e)
	}
	check := func(when string) {
		t.Helper()
		c := canonOf(t, x, "dir/harbour", "gias/harbour", "dir/tipner", "prov/tyc")
		if c[0] == c[1] || c[2] != c[3] {
			t.Errorf("%s: canonical ids %v break the decisions", when, c)
		}
		if a := x.Assignment("prov/tyc"); a.LinkedTo != "dir/tipner" || a.Reason != "matches.yaml: same" {
			t.Errorf("%s: prov/tyc assignment %+v", when, a)
		}
	}
	x.Pass()
	check("first pass")
	// Re-sync: every record comes back with new details.
	for _, e := range ents {
		e.Postcodes = append(e.Postcodes, "PO1 2AL")
		e.Domains = []string{"harbour.example.org"}
		x.Upsert(e)
	}
	x.Pass()
	check("after a re-sync")
	// Without the decisions the matcher links the Harbour pair and not the other.
	x.SetDecisions(nil, nil)
	x.Pass()
	c := canonOf(t, x, "dir/harbour", "gias/harbour", "dir/tipner", "prov/tyc")
	if c[0] != c[1] || c[2] == c[3] {
		t.Errorf("decisions withdrawn: canonical ids %v", c)
	}
}

// TestIncrementalMatchesFull: the same records fed in batches, with changes,
// end in the same clusters as one full pass over the final records.
func TestIncrementalMatchesFull(t *testing.T) {
	ents := synthetic(6000, 3)
	x := NewIndex(Options{})
	reported := map[string]Assignment{}
	apply := func(st PassStats) {
		for _, a := range st.Changed {
			reported[a.ID] = a
		}
	}
	for i := 0; i < len(ents); i += 1500 {
		for _, e := range ents[i:min(i+1500, len(ents))] {
			x.Upsert(e)
		}
		apply(x.Pass())
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3 {
		for range 300 {
			i := rng.IntN(len(ents))
			switch rng.IntN(3) {
			case 0:
				ents[i].Name += " Extra"
			case 1:
				ents[i].Postcodes = []string{"ZZ9 9ZZ"}
			default:
				ents[i].Name = ents[rng.IntN(len(ents))].Name
			}
			x.Upsert(ents[i])
		}
		apply(x.Pass())
	}
	full := Match(ents, Options{})
	partition := func(canon func(i int) string) map[string]string {
		// normalise: each record → smallest id of its cluster
		out := map[string]string{}
		for i := range ents {
			out[ents[i].ID] = canon(i)
		}
		return out
	}
	inc := partition(func(i int) string { return x.Canonical(ents[i].ID) })
	fromRows := partition(func(i int) string {
		if a, ok := reported[ents[i].ID]; ok {
			return a.Canonical
		}
		return ents[i].ID
	})
	want := partition(func(i int) string { return full.Assignments[i].Canonical })
	diff := 0
	for id, c := range want {
		if inc[id] != c {
			diff++
			if diff < 5 {
				t.Logf("%s: incremental %s, full %s", id, inc[id], c)
			}
		}
		if fromRows[id] != inc[id] {
			t.Fatalf("%s: reported rows say %s, index says %s", id, fromRows[id], inc[id])
		}
	}
	// IDF drifts between batches, so a handful of borderline pairs may differ.
	if diff > len(ents)/200 {
		t.Errorf("%d of %d records clustered differently from a full pass", diff, len(ents))
	}
}

// synthetic makes n organisations over k pipelines: a third are copies of
// another record with a perturbed name, the rest distinct.
func synthetic(n, k int) []Entity {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"autism", "support", "group", "primary", "school", "academy", "family", "hub", "youth", "club", "sensory",
		"play", "therapy", "speech", "language", "parent", "carers", "forum", "short", "breaks", "holiday", "swimming", "dance",
		"music", "drama", "football", "library", "rhyme", "time", "nurture", "centre", "nursery", "college", "sixth", "form"}
	places := []string{"Portsmouth", "Southsea", "Cosham", "Fratton", "Milton", "Eastney", "Hilsea", "Copnor", "Drayton", "Paulsgrove",
		"Buckland", "Stamshaw", "Landport", "Baffins", "Farlington", "Wymering", "Anchorage", "Highbury", "Tipner", "Portsea"}
	ents := make([]Entity, 0, n)
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("p%d", i%k)
		if i%3 == 2 {
			src := ents[rng.IntN(len(ents))]
			e := src
			e.ID = fmt.Sprintf("%s/%d", p, i)
			e.Pipeline = p
			e.Name = "The " + src.Name
			ents = append(ents, e)
			continue
		}
		name := fmt.Sprintf("%s %s %s %s %d", places[rng.IntN(len(places))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], rng.IntN(1000))
		pc := fmt.Sprintf("%s%d %d%c%c", []string{"PO", "SO", "GU", "BN", "RG", "SP", "BH", "OX"}[rng.IntN(8)], 1+rng.IntN(40), rng.IntN(10), 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		ents = append(ents, Entity{ID: fmt.Sprintf("%s/%d", p, i), Pipeline: p, Name: name, Postcodes: []string{pc}})
	}
	return ents
}

// BenchmarkPass500k reports a full pass over 500,000 records and, beside it,
// an incremental pass after 5,000 of them changed (the target is < 2 s), and
// the index snapshot's write and read times.
func BenchmarkPass500k(b *testing.B) {
	ents := synthetic(500_000, 5)
	var full, inc, incCPU, snapWrite, snapRead time.Duration
	var snapBytes int
	var stFull, stInc PassStats
	for b.Loop() {
		start := time.Now()
		x := NewIndex(Options{})
		for _, e := range ents {
			x.Upsert(e)
		}
		stFull = x.Pass()
		full += time.Since(start)
		// What a new process pays to continue from the last pass.
		var buf bytes.Buffer
		start = time.Now()
		if err := x.WriteSnapshot(&buf, "bench"); err != nil {
			b.Fatal(err)
		}
		snapWrite += time.Since(start)
		snapBytes = buf.Len()
		start = time.Now()
		if _, _, err := ReadSnapshot(&buf, Options{}); err != nil {
			b.Fatal(err)
		}
		snapRead += time.Since(start)
		rng := rand.New(rand.NewPCG(3, 4))
		changed := make([]Entity, 5000)
		for i := range changed {
			e := ents[rng.IntN(len(ents))]
			e.Name += " Annexe"
			changed[i] = e
		}
		start = time.Now()
		c0 := cpuTime()
		for _, e := range changed {
			x.Upsert(e)
		}
		stInc = x.Pass()
		inc += time.Since(start)
		incCPU += cpuTime() - c0
	}
	b.ReportMetric(full.Seconds()/float64(b.N), "full-s")
	b.ReportMetric(inc.Seconds()/float64(b.N), "incremental-s")
	b.ReportMetric(incCPU.Seconds()/float64(b.N), "incremental-cpu-s")
	b.ReportMetric(snapWrite.Seconds()/float64(b.N), "snapshot-write-s")
	b.ReportMetric(snapRead.Seconds()/float64(b.N), "snapshot-read-s")
	b.ReportMetric(float64(snapBytes)/1e6, "snapshot-MB")
	b.ReportMetric(float64(stFull.Compared), "full-comparisons")
	b.ReportMetric(float64(stInc.Compared), "incremental-comparisons")
	b.ReportMetric(float64(stFull.Grouped), "grouped")
}

// TestRestoreThenIncremental: an index rebuilt from what the passes wrote
// (a new process) continues exactly as the one that wrote it.
func TestRestoreThenIncremental(t *testing.T) {
	ents := synthetic(3000, 3)
	x := NewIndex(Options{})
	rows := map[string]Assignment{}
	for _, e := range ents {
		x.Upsert(e)
	}
	for _, a := range x.Pass().Changed {
		rows[a.ID] = a
	}
	y := NewIndex(Options{})
	for _, e := range ents {
		a, ok := rows[e.ID]
		if !ok {
			a = Assignment{Canonical: e.ID}
		}
		y.Restore(e, a.Canonical, a.LinkedTo, a.Score, a.Reason)
	}
	y.FinishRestore()
	if st := y.Pass(); st.Staged != 0 || st.Grouped != x.Pass().Grouped {
		t.Fatalf("restored index: %+v", st)
	}
	// And one read back from a snapshot of the original.
	var buf bytes.Buffer
	if err := x.WriteSnapshot(&buf, "pass-1"); err != nil {
		t.Fatal(err)
	}
	z, id, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Options{})
	if err != nil || id != "pass-1" || z.Len() != x.Len() {
		t.Fatalf("snapshot: %v, id %q, %d records", err, id, z.Len())
	}
	if _, _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Options{Kind: Service}); err == nil {
		t.Error("a snapshot of organisations was read as services")
	}
	if _, _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()[:buf.Len()/2]), Options{}); err == nil {
		t.Error("a truncated snapshot was read")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		i := rng.IntN(len(ents))
		ents[i].Name = ents[rng.IntN(len(ents))].Name
		x.Upsert(ents[i])
		y.Upsert(ents[i])
		z.Upsert(ents[i])
	}
	sx, sy, sz := x.Pass(), y.Pass(), z.Pass()
	if sx.Compared != sy.Compared || len(sx.Changed) != len(sy.Changed) {
		t.Errorf("after changes: original %d compared %d changed, restored %d compared %d changed", sx.Compared, len(sx.Changed), sy.Compared, len(sy.Changed))
	}
	if sx.Compared != sz.Compared || len(sx.Changed) != len(sz.Changed) || sx.Grouped != sz.Grouped {
		t.Errorf("after changes: original %d compared %d changed %d grouped, from snapshot %d %d %d",
			sx.Compared, len(sx.Changed), sx.Grouped, sz.Compared, len(sz.Changed), sz.Grouped)
	}
	for _, e := range ents {
		if cx, cy, cz := x.Canonical(e.ID), y.Canonical(e.ID), z.Canonical(e.ID); cx != cy || cx != cz {
			t.Fatalf("%s: original %s, restored %s, from snapshot %s", e.ID, cx, cy, cz)
		}
		if ax, az := x.Assignment(e.ID), z.Assignment(e.ID); ax != az {
			t.Fatalf("%s: original %+v, from snapshot %+v", e.ID, ax, az)
		}
	}
}

// cpuTime is the CPU time this process has used (user + system): on a
// machine shared with other work it says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
