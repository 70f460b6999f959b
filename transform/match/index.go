package match

import (
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"
)

// entry is one record in a block; gen tells a stale entry (the record has
// changed since it was added) from a live one, so a change never has to
// search the blocks it leaves.
type entry struct {
	slot int32
	gen  uint32
}

type place struct{ pc, sec, dist int32 }

// attr is an exclusive attribute: a cluster may not hold two records whose
// values of one scheme differ (two URNs; services of two organisations or two
// areas).
type attr struct{ scheme, value int32 }

type rec struct {
	e     Entity
	hash  uint64
	gen   uint32
	pipe  int32
	words []int32  // sorted, unique
	grams []uint16 // letter pairs: two bytes each
	pcs   []place
	doms  []int32
	keys  []attr
	area  int32

	// cluster: every record is a node of a spanning tree of its cluster;
	// parent is the neighbour it was joined to (-1 for the tree's root).
	root   int32
	parent int32
	score  float32
	reason string

	// what was last reported for it, so a pass reports only changes
	outCanon  string
	outLinked int32
	outScore  float32
	outReason string

	staged  bool
	decided bool // named in a human decision
}

type cluster struct {
	members []int32
	canon   string
}

// Index is the incremental matcher for one kind of record.
type Index struct {
	opt       Options
	recs      []rec
	byID      map[string]int32
	byOrg     map[string][]int32
	strs      map[string]int32
	places    map[string]place // postcode → its interned parts (placeOf)
	strList   []string
	vocab     map[string]int32
	words     []string // by word id
	isType    []bool   // by word id: a type word (typeWords)
	df        []int32
	idf       []float64
	blocks    map[uint64][]entry
	clusters  map[int32]*cluster
	grouped   int
	staged    []int32
	stamp     []int32
	restoring []restored

	same map[[2]string]bool
	diff map[[2]string]bool
	// partners lists each id's decisions, for the constraint check and for
	// the human links.
	partners map[string][]string
}

// NewIndex returns an empty index.
func NewIndex(opt Options) *Index {
	if opt.Threshold <= 0 {
		opt.Threshold = 0.85
	}
	if opt.MaxBlock <= 0 {
		opt.MaxBlock = 500
	}
	if opt.Kind == "" {
		opt.Kind = Organization
	}
	return &Index{opt: opt, byID: map[string]int32{}, byOrg: map[string][]int32{}, strs: map[string]int32{"": 0}, strList: []string{""},
		vocab: map[string]int32{}, blocks: map[uint64][]entry{}, clusters: map[int32]*cluster{},
		same: map[[2]string]bool{}, diff: map[[2]string]bool{}, partners: map[string][]string{}}
}

// Reserve makes room for n records in an empty index, so building it from
// a known number of records neither copies the records as they grow nor
// leaves the doubling's slack (a record is about 400 bytes).
func (x *Index) Reserve(n int) {
	if len(x.recs) > 0 || n <= 0 {
		return
	}
	x.recs = make([]rec, 0, n)
	x.byID = make(map[string]int32, n)
}

// Len is the number of records held.
func (x *Index) Len() int { return len(x.recs) }

func (x *Index) intern(s string) int32 {
	id, ok := x.strs[s]
	if !ok {
		id = int32(len(x.strList))
		x.strs[s] = id
		x.strList = append(x.strList, s)
	}
	return id
}

func entityHash(e *Entity) uint64 {
	h := fnv.New64a()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(e.Pipeline)
	w(e.Name)
	w(e.Area)
	w(e.Org)
	for _, group := range [][]string{e.Keys, e.Postcodes, e.Domains} {
		for _, s := range group {
			w(s)
		}
		h.Write([]byte{1})
	}
	for _, p := range e.Points {
		w(strconvFloat(p.Lat))
		w(strconvFloat(p.Lon))
	}
	return h.Sum64()
}

func strconvFloat(f float64) string {
	b := math.Float64bits(f)
	return string([]byte{byte(b >> 56), byte(b >> 48), byte(b >> 40), byte(b >> 32), byte(b >> 24), byte(b >> 16), byte(b >> 8), byte(b)})
}

// Upsert adds a record or replaces its features; it is compared at the next
// pass. A record upserted unchanged costs nothing at the pass.
func (x *Index) Upsert(e Entity) {
	h := entityHash(&e)
	slot, ok := x.byID[e.ID]
	if ok {
		r := &x.recs[slot]
		if r.hash == h {
			return
		}
		for _, w := range r.words {
			x.df[w]--
		}
		r.gen++ // its block entries are stale from now on
	} else {
		slot = int32(len(x.recs))
		x.recs = append(x.recs, rec{root: slot, parent: -1, outCanon: e.ID, outLinked: -1})
		x.byID[e.ID] = slot
		x.recs[slot].decided = len(x.partners[e.ID]) > 0
	}
	r := &x.recs[slot]
	r.e, r.hash = e, h
	x.prepare(r)
	if e.Org != "" {
		x.byOrg[e.Org] = append(x.byOrg[e.Org], slot)
	}
	x.stage(slot)
}

func (x *Index) stage(slot int32) {
	if r := &x.recs[slot]; !r.staged {
		r.staged = true
		x.staged = append(x.staged, slot)
	}
}

// Touch has the records with these ids compared again at the next pass
// (a decision about them changed, or their organisation's canonical id did).
func (x *Index) Touch(ids ...string) {
	for _, id := range ids {
		if slot, ok := x.byID[id]; ok {
			x.stage(slot)
		}
	}
}

// TouchOrgs has the records of these organisations compared again.
func (x *Index) TouchOrgs(orgIDs ...string) {
	for _, o := range orgIDs {
		for _, slot := range x.byOrg[o] {
			if x.recs[slot].e.Org == o {
				x.stage(slot)
			}
		}
	}
}

func (x *Index) prepare(r *rec) {
	e := &r.e
	name := e.Name
	if x.opt.Kind != Service {
		name = StripQualifier(name)
	}
	words := NameWords(name)
	r.words = r.words[:0]
	for _, w := range words {
		id, ok := x.vocab[w]
		if !ok {
			id = int32(len(x.df))
			x.vocab[w] = id
			x.df = append(x.df, 0)
			x.words = append(x.words, w)
			x.isType = append(x.isType, typeWords[w])
		}
		if !slices.Contains(r.words, id) {
			r.words = append(r.words, id)
			x.df[id]++
		}
	}
	slices.Sort(r.words)
	r.grams = bigrams(strings.Join(words, " "))
	r.pipe = x.intern(e.Pipeline)
	r.area = x.intern(e.Area)
	r.pcs = r.pcs[:0]
	for _, pc := range e.Postcodes {
		p, ok := x.placeOf(pc)
		if ok && !slices.Contains(r.pcs, p) {
			r.pcs = append(r.pcs, p)
		}
	}
	r.doms = r.doms[:0]
	for _, d := range e.Domains {
		if d = strings.ToLower(d); usableDomain(d) {
			if id := x.intern(d); !slices.Contains(r.doms, id) {
				r.doms = append(r.doms, id)
			}
		}
	}
	r.keys = r.keys[:0]
	for _, k := range e.Keys {
		if scheme, _, ok := strings.Cut(k, ":"); ok {
			a := attr{scheme: x.intern(scheme), value: x.intern(k)}
			if !slices.Contains(r.keys, a) {
				r.keys = append(r.keys, a)
			}
		}
	}
}

// placeOf interns a postcode with its sector and district, once per
// distinct postcode (a list repeats a few thousand postcodes over its rows).
func (x *Index) placeOf(pc string) (place, bool) {
	if p, ok := x.places[pc]; ok {
		return p, p != place{}
	}
	var p place
	if sp := strings.IndexByte(pc, ' '); sp > 0 && sp+2 <= len(pc) {
		p = place{pc: x.intern(pc), sec: x.intern(pc[:sp+2]), dist: x.intern(pc[:sp])}
	} else if outwardCode(pc) {
		p = place{dist: x.intern(pc)} // a geocoder or directory that gives the district only
	}
	if x.places == nil {
		x.places = map[string]place{}
	}
	x.places[pc] = p // the zero place: not a postcode
	return p, p != place{}
}

// outwardCode: "S11", "PO4", "EC1A" — a postcode district on its own.
func outwardCode(s string) bool {
	if len(s) < 2 || len(s) > 4 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	digit := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digit
}

// platformDomains host many unrelated organisations: never evidence.
var platformDomains = map[string]bool{"facebook.com": true, "instagram.com": true, "twitter.com": true, "x.com": true,
	"linkedin.com": true, "google.com": true, "youtube.com": true, "eventbrite.co.uk": true, "eventbrite.com": true,
	"wixsite.com": true, "wordpress.com": true, "squarespace.com": true, "gov.uk": true, "nhs.uk": true, "org.uk": true,
	"justgiving.com": true, "linktr.ee": true, "sch.uk": true, "example.sch.uk": true}

// usableDomain: council and NHS domains host the pages of many organisations.
func usableDomain(d string) bool {
	return d != "" && !platformDomains[d] && !strings.HasSuffix(d, ".gov.uk") && !strings.HasSuffix(d, ".nhs.uk")
}

// bigrams: letter pairs of the joined name, sorted, for a typo-tolerant comparison.
func bigrams(s string) []uint16 {
	if len(s) < 2 {
		return nil
	}
	out := make([]uint16, 0, len(s)-1)
	for i := 0; i+1 < len(s); i++ {
		out = append(out, uint16(s[i])<<8|uint16(s[i+1]))
	}
	slices.Sort(out)
	return out
}

func diceSorted(a, b []uint16) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// computeIDF refreshes the word weights from the current counts.
func (x *Index) computeIDF() {
	n := float64(len(x.recs)) + 1
	if cap(x.idf) < len(x.df) {
		x.idf = make([]float64, len(x.df), 2*len(x.df))
	}
	x.idf = x.idf[:len(x.df)]
	for w, id := range x.vocab {
		if x.df[id] <= 0 {
			x.idf[id] = 0
			continue
		}
		x.idf[id] = math.Log(n / float64(x.df[id]))
		if typeWords[w] {
			x.idf[id] *= 0.3
		}
	}
}

// prefix returns a record's rarest words, enough of them that a pair whose
// names agree well enough to link shares at least one (prefix filtering: a
// pair needs a weighted word overlap of at least minWords of the Dice score,
// so the first shared word lies among the words taken before the remaining
// weight drops below that bound).
func (x *Index) prefix(r *rec, dst []int32) []int32 {
	dst = append(dst[:0], r.words...)
	slices.SortFunc(dst, func(a, b int32) int {
		if x.idf[a] != x.idf[b] {
			if x.idf[a] > x.idf[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	minName := (x.opt.Threshold - placeWeight) / nameWeight
	minWords := max(2*minName-1, 0)
	weight := 0.0
	for _, w := range dst {
		weight += x.idf[w]
	}
	bound := minWords * weight / (2 - minWords)
	rest := weight
	n := 0
	for _, w := range dst {
		// 0.9: the weights drift as records arrive; take a word more rather than miss a pair
		if n > 0 && rest < 0.9*bound {
			break
		}
		rest -= x.idf[w]
		n++
	}
	return dst[:n]
}

// blockKey packs a block's kind and two ids (each below 2^28) into one key:
// exact, and the same in every process, so a snapshot's blocks stay valid.
func (x *Index) blockKey(tag byte, a, b int32) uint64 {
	return uint64(tag)<<56 | uint64(uint32(a)&0xfffffff)<<28 | uint64(uint32(b)&0xfffffff)
}

// keysOf lists the blocks a record is filed under (probe false) or looks
// into (probe true). They differ only where one side must lack something:
// an organisation with postcodes files itself under its area for those
// without, but a pair that both have postcodes in different districts cannot
// link, so it does not look there.
func (x *Index) keysOf(r *rec, dst []uint64, scratch []int32, probe bool) ([]uint64, []int32) {
	dst = dst[:0]
	scratch = x.prefix(r, scratch)
	switch x.opt.Kind {
	case Organization:
		for _, k := range r.keys {
			dst = append(dst, x.blockKey('K', k.value, 0))
		}
		for _, w := range scratch {
			for _, p := range r.pcs {
				dst = append(dst, x.blockKey('D', p.dist, w))
			}
			if r.area != 0 {
				// With postcodes: filed under 'a', looks into 'A' (those
				// without). Without: filed under 'A', looks into both. So a
				// pair finds each other from both sides or from neither.
				has := len(r.pcs) > 0
				switch {
				case has && !probe:
					dst = append(dst, x.blockKey('a', r.area, w))
				case has && probe:
					dst = append(dst, x.blockKey('A', r.area, w))
				case !probe:
					dst = append(dst, x.blockKey('A', r.area, w))
				default:
					dst = append(dst, x.blockKey('A', r.area, w), x.blockKey('a', r.area, w))
				}
			}
			// Without place evidence on one side a pair scores at most
			// nameWeight + unknownPlace*placeWeight: name blocks only when that can link.
			if x.opt.Threshold <= nameWeight+unknownPlace*placeWeight {
				dst = append(dst, x.blockKey('N', w, 0))
			}
		}
		// A website with its rare name words: one national charity's
		// records meet however many other organisations link to its site.
		for _, d := range r.doms {
			for _, w := range scratch {
				dst = append(dst, x.blockKey('W', d, w))
			}
		}
		if e, ok := x.exactKey(r); ok && !probe {
			dst = append(dst, e) // probed separately (candidates)
		}
	case Service:
		for _, w := range scratch {
			for _, p := range r.pcs {
				if p.pc != 0 {
					dst = append(dst, x.blockKey('P', p.pc, w))
				}
			}
		}
	case Location:
		for _, p := range r.pcs {
			if p.pc != 0 {
				dst = append(dst, x.blockKey('L', p.pc, 0))
			}
		}
	}
	return dst, scratch
}

// exactKey: the same normalised name on the same website. A national
// charity listed by every council fills such a block beyond MaxBlock; each
// record is then compared with a few others of it instead of all, which is
// enough to join them (a tree needs one link per record).
func (x *Index) exactKey(r *rec) (uint64, bool) {
	if x.opt.Kind != Organization || len(r.doms) == 0 || len(r.words) == 0 {
		return 0, false
	}
	h := fnv.New64a()
	for _, w := range r.words {
		h.Write([]byte(x.words[w]))
		h.Write([]byte{0})
	}
	for _, d := range r.doms {
		h.Write([]byte(x.str(d)))
		h.Write([]byte{1})
	}
	return h.Sum64() | 1<<63, true // the top bit keeps it apart from blockKey's
}

// exactSample is how many records of an oversized exact block each record
// is compared with.
const exactSample = 3

// PassStats is what one pass did.
type PassStats struct {
	Staged   int // records new, changed or touched since the last pass
	Touched  int // records re-clustered (the staged and their clusters' members)
	Compared int // pairs scored
	Links    int // links in the touched clusters' trees
	Records  int // records in the index
	Grouped  int // records in a cluster of two or more
	// Capped counts the blocks over MaxBlock that this pass skipped (a key
	// so many records share identifies none of them; see candidates).
	Capped int
	// Changed lists the records whose assignment changed, to be written.
	Changed []Assignment
}

type edge struct {
	a, b   int32
	score  float64
	reason string
	human  bool
}

// Pass compares the staged records against the index and re-clusters what
// they touch.
func (x *Index) Pass() PassStats {
	st := PassStats{Staged: len(x.staged)}
	if len(x.staged) == 0 {
		st.Records, st.Grouped = len(x.recs), x.grouped
		return st
	}
	x.computeIDF()
	var keys []uint64
	var scratch []int32
	for _, s := range x.staged {
		r := &x.recs[s]
		keys, scratch = x.keysOf(r, keys, scratch, false)
		for _, k := range keys {
			x.blocks[k] = append(x.blocks[k], entry{slot: s, gen: r.gen})
		}
	}
	// The touched set: the staged records and every member of the clusters
	// they were in (a change may split a cluster).
	inM := make([]bool, len(x.recs))
	var M []int32
	oldRoots := map[int32]bool{}
	for _, s := range x.staged {
		root := x.recs[s].root
		if oldRoots[root] {
			continue
		}
		oldRoots[root] = true
		for _, m := range x.members(root) {
			if !inM[m] {
				inM[m] = true
				M = append(M, m)
			}
		}
	}
	for _, s := range x.staged {
		x.recs[s].staged = false
	}
	x.staged = x.staged[:0]
	slices.Sort(M)
	for root := range oldRoots {
		if c := x.clusters[root]; c != nil {
			x.grouped -= len(c.members)
			delete(x.clusters, root)
		}
	}
	for _, m := range M {
		r := &x.recs[m]
		r.root, r.parent, r.score, r.reason = m, -1, 0, ""
	}
	st.Touched = len(M)

	edges, compared, capped := x.candidates(M, inM)
	st.Compared, st.Capped = compared, capped
	sort.Slice(edges, func(i, j int) bool {
		a, b := &edges[i], &edges[j]
		if a.human != b.human {
			return a.human
		}
		if a.score != b.score {
			return a.score > b.score
		}
		ai, bi := x.pairIDs(a)
		aj, bj := x.pairIDs(b)
		if ai != aj {
			return ai < aj
		}
		return bi < bj
	})
	st.Links = x.cluster(M, inM, edges, &st)
	st.Records, st.Grouped = len(x.recs), x.grouped
	return st
}

func (x *Index) pairIDs(e *edge) (string, string) {
	a, b := x.recs[e.a].e.ID, x.recs[e.b].e.ID
	if a > b {
		a, b = b, a
	}
	return a, b
}

func (x *Index) members(root int32) []int32 {
	if c := x.clusters[root]; c != nil {
		return c.members
	}
	return []int32{root}
}

// candidates scores every touched record against its blocks. A block over
// MaxBlock live records is not scanned: its records are compared through
// their other blocks (rarer words, identifiers, the exact name and website,
// sampled) or not at all when they have none, as a location whose only key is
// a postcode shared by a whole list. Whether a block is over the cap is
// decided once a pass: the pass neither adds entries nor stales them, so
// compacting a block again for every record that probes it (the whole block
// once per record: quadratic in a block everyone shares) cannot change the
// answer. It returns the edges, the pairs compared and the blocks capped.
func (x *Index) candidates(M []int32, inM []bool) ([]edge, int, int) {
	var edges []edge
	stamp := x.stampSlice()
	var keys []uint64
	var scratch []int32
	compared := 0
	keyOK := map[int32]bool{}
	capped := map[uint64]bool{}
	for _, m := range M {
		r := &x.recs[m]
		for _, p := range x.partners[r.e.ID] {
			o, ok := x.byID[p]
			if !ok || (inM[o] && o < m) || !x.same[pairKey(r.e.ID, p)] {
				continue
			}
			edges = append(edges, edge{a: m, b: o, score: 1, reason: "matches.yaml: same", human: true})
		}
		keys, scratch = x.keysOf(r, keys, scratch, true)
		for _, k := range keys {
			list := x.blocks[k]
			if len(list) > x.opt.MaxBlock {
				if capped[k] {
					continue
				}
				// Too big, or full of entries left by changed records: compact
				// and look again.
				out := list[:0]
				for _, en := range list {
					if x.recs[en.slot].gen == en.gen {
						out = append(out, en)
					}
				}
				clear(list[len(out):])
				x.blocks[k], list = out, out
				if len(list) > x.opt.MaxBlock {
					capped[k] = true
					continue
				}
			}
			compared += x.scan(m, r, list, inM, stamp, keyOK, &edges, -1)
		}
		if k, ok := x.exactKey(r); ok {
			if list := x.blocks[k]; len(list) > x.opt.MaxBlock {
				compared += x.scan(m, r, list, inM, stamp, keyOK, &edges, exactSample)
			}
		}
	}
	return edges, compared, len(capped)
}

// scan compares record m with the records of one block (at most limit
// comparisons when limit >= 0).
func (x *Index) scan(m int32, r *rec, list []entry, inM []bool, stamp []int32, keyOK map[int32]bool, edges *[]edge, limit int) int {
	compared := 0
	for _, en := range list {
		if limit >= 0 && compared >= limit {
			break
		}
		j := en.slot
		if j == m || x.recs[j].gen != en.gen || stamp[j] == m+1 || (limit < 0 && inM[j] && j < m) {
			continue
		}
		stamp[j] = m + 1
		o := &x.recs[j]
		if o.pipe == r.pipe || (r.decided && o.decided && x.diff[pairKey(r.e.ID, o.e.ID)]) {
			continue
		}
		compared++
		if s, reason, ok := x.compare(r, o, keyOK); ok {
			*edges = append(*edges, edge{a: m, b: j, score: s, reason: reason})
		}
	}
	return compared
}

// stampSlice returns a per-record scratch slice, zeroed.
func (x *Index) stampSlice() []int32 {
	if cap(x.stamp) < len(x.recs) {
		x.stamp = make([]int32, len(x.recs), len(x.recs)+len(x.recs)/4)
	} else {
		x.stamp = x.stamp[:len(x.recs)]
		clear(x.stamp)
	}
	return x.stamp
}

func pairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// Score weights: name 0.75, place 0.25; an unknown place counts 0.3.
const nameWeight, placeWeight, unknownPlace = 0.75, 0.25, 0.3

func (x *Index) compare(a, b *rec, keyOK map[int32]bool) (float64, string, bool) {
	switch x.opt.Kind {
	case Organization:
		return x.compareOrgs(a, b, keyOK)
	case Service:
		return x.compareServices(a, b)
	default:
		return x.compareLocations(a, b)
	}
}

func (x *Index) compareOrgs(a, b *rec, keyOK map[int32]bool) (float64, string, bool) {
	if conflicting(a.keys, b.keys) {
		return 0, "", false
	}
	for _, ka := range a.keys {
		if slices.Contains(b.keys, ka) && x.identifying(ka.value, keyOK) {
			return 1, x.str(ka.value), true
		}
	}
	// Words and place first: when even identical letter pairs could not lift
	// the pair to the threshold, the letter pairs are not compared.
	words := x.wordScore(a, b)
	pl, why := x.placeScore(a, b)
	if nameWeight*(0.5*words+0.5)+placeWeight*pl < x.opt.Threshold {
		return 0, "", false
	}
	name := 0.5*words + 0.5*diceSorted(a.grams, b.grams)
	s := nameWeight*name + placeWeight*pl
	if s < x.opt.Threshold || x.phaseConflict(a, b) {
		return 0, "", false
	}
	return s, "name " + fmt2(name) + ", " + why, true
}

func (x *Index) str(id int32) string { return x.strList[id] }

func (x *Index) compareServices(a, b *rec) (float64, string, bool) {
	if a.area != 0 && b.area != 0 && a.area != b.area {
		return 0, "", false
	}
	sameOrg := false
	if a.e.Org != "" && b.e.Org != "" {
		if x.orgCanon(a.e.Org) != x.orgCanon(b.e.Org) {
			return 0, "", false
		}
		sameOrg = true
	}
	where, ok := x.samePlace(a, b)
	if !ok {
		return 0, "", false
	}
	words := x.wordScore(a, b)
	if nameWeight*(0.5*words+0.5)+placeWeight < x.opt.Threshold {
		return 0, "", false
	}
	name := 0.5*words + 0.5*diceSorted(a.grams, b.grams)
	s := nameWeight*name + placeWeight
	if s < x.opt.Threshold {
		return 0, "", false
	}
	reason := "name " + fmt2(name) + ", " + where
	if sameOrg {
		reason = "same organisation, " + reason
	}
	return s, reason, true
}

func (x *Index) compareLocations(a, b *rec) (float64, string, bool) {
	where, ok := x.samePlace(a, b)
	if !ok {
		return 0, "", false
	}
	name := x.nameScore(a, b)
	s := nameWeight*name + placeWeight
	if a.e.Org != "" && b.e.Org != "" && x.orgCanon(a.e.Org) == x.orgCanon(b.e.Org) && s < 0.9 {
		return 0.9, "same organisation, " + where, 0.9 >= x.opt.Threshold
	}
	if s < x.opt.Threshold || x.phaseConflict(a, b) {
		return 0, "", false
	}
	return s, "name " + fmt2(name) + ", " + where, true
}

func (x *Index) orgCanon(id string) string {
	if x.opt.OrgCanonical != nil {
		return x.opt.OrgCanonical(id)
	}
	return id
}

// identifying: a key carried by at most one record of each pipeline (a
// trust's company number on each of its schools identifies none of them).
func (x *Index) identifying(key int32, memo map[int32]bool) bool {
	if v, ok := memo[key]; ok {
		return v
	}
	seen := map[int32]bool{}
	ok := true
	for _, en := range x.blocks[x.blockKey('K', key, 0)] {
		r := &x.recs[en.slot]
		if r.gen != en.gen || !slices.ContainsFunc(r.keys, func(a attr) bool { return a.value == key }) {
			continue
		}
		if seen[r.pipe] {
			ok = false
			break
		}
		seen[r.pipe] = true
	}
	memo[key] = ok
	return ok
}

// conflicting: both carry values of one scheme and share none of them (two
// URNs): different entities, whatever their names say.
func conflicting(a, b []attr) bool {
	for _, ka := range a {
		if slices.Contains(b, ka) {
			continue
		}
		if slices.ContainsFunc(b, func(kb attr) bool { return kb.scheme == ka.scheme }) && !sharesScheme(a, b, ka.scheme) {
			return true
		}
	}
	return false
}

func sharesScheme(a, b []attr, scheme int32) bool {
	for _, ka := range a {
		if ka.scheme == scheme && slices.Contains(b, ka) {
			return true
		}
	}
	return false
}

// nameScore: the mean of an IDF-weighted word overlap (rare shared words
// count most, "portsmouth" and "school" little) and a letter-pair overlap (typos).
func (x *Index) nameScore(a, b *rec) float64 {
	return 0.5*x.wordScore(a, b) + 0.5*diceSorted(a.grams, b.grams)
}

// phase words that, one on each side alone, mean two establishments: an
// infant and a junior school on one site, a primary and a secondary.
var phaseConflicts = [][2]string{{"infant", "junior"}, {"primary", "secondary"}}

// phaseConflict: one name says infant (not junior), the other junior (not
// infant), or the same for primary and secondary. It is asked only of pairs
// that would otherwise link, so its map lookups cost little.
func (x *Index) phaseConflict(a, b *rec) bool {
	has := func(r *rec, w string) bool {
		id, ok := x.vocab[w]
		return ok && slices.Contains(r.words, id)
	}
	for _, p := range phaseConflicts {
		a0, a1, b0, b1 := has(a, p[0]), has(a, p[1]), has(b, p[0]), has(b, p[1])
		if (a0 && !a1 && b1 && !b0) || (a1 && !a0 && b0 && !b1) {
			return true
		}
	}
	return false
}

// wordScore: the IDF-weighted Dice overlap of the two names' words, or 0.9
// when every naming word (not a type word) of one name is in the other
// ("Whitehill Primary School" in "Brinsworth Whitehill Primary School"):
// directories add places and qualifiers to names.
func (x *Index) wordScore(a, b *rec) float64 {
	d := x.diceWords(a, b)
	if d < 0.9 && (x.contained(a, b) || x.contained(b, a)) {
		return 0.9
	}
	return d
}

// contained: a has at least one naming word and all of them are in b.
func (x *Index) contained(a, b *rec) bool {
	naming := 0
	for _, w := range a.words {
		if x.isType[w] {
			continue
		}
		if !slices.Contains(b.words, w) {
			return false
		}
		naming++
	}
	return naming > 0
}

func (x *Index) diceWords(a, b *rec) float64 {
	wa, wb, common := 0.0, 0.0, 0.0
	for _, w := range a.words {
		wa += x.idf[w]
	}
	for _, w := range b.words {
		wb += x.idf[w]
	}
	if wa == 0 || wb == 0 {
		return 0
	}
	i, j := 0, 0
	for i < len(a.words) && j < len(b.words) {
		switch {
		case a.words[i] == b.words[j]:
			common += x.idf[a.words[i]]
			i++
			j++
		case a.words[i] < b.words[j]:
			i++
		default:
			j++
		}
	}
	return 2 * common / (wa + wb)
}

// placeScore: how well two organisations' places agree. Postcodes: 1 same,
// 0.7 same sector, 0.4 same district; coordinates: 1 within 100 m, 0.7 within
// 500 m; a shared website 1; the same area 0.4 when postcodes do not tell,
// 0.2 when they are in different districts of it; 0.3 when nothing is known.
func (x *Index) placeScore(a, b *rec) (float64, string) {
	best, why := -1.0, ""
	set := func(v float64, w string) {
		if v > best {
			best, why = v, w
		}
	}
	if len(a.pcs) > 0 && len(b.pcs) > 0 {
		set(0, "postcodes differ")
		for _, pa := range a.pcs {
			for _, pb := range b.pcs {
				switch {
				case pa.pc != 0 && pa.pc == pb.pc:
					set(1, "same postcode "+x.str(pa.pc))
				case pa.sec != 0 && pa.sec == pb.sec:
					set(0.7, "same postcode sector")
				case pa.dist == pb.dist && (pa.pc == 0 || pb.pc == 0):
					// one side knows only the district: as close as it can tell
					set(0.6, "same postcode district "+x.str(pa.dist))
				case pa.dist == pb.dist:
					set(0.4, "same postcode district")
				}
			}
		}
	}
	if len(a.e.Points) > 0 && len(b.e.Points) > 0 {
		d := minDistance(a.e.Points, b.e.Points)
		switch {
		case d <= 100:
			set(1, "within 100 m")
		case d <= 500:
			set(0.7, "within 500 m")
		default:
			set(0, "far apart")
		}
	}
	for _, d := range a.doms {
		if slices.Contains(b.doms, d) {
			set(1, "website "+x.str(d))
		}
	}
	if a.area != 0 && b.area != 0 {
		switch {
		case a.area != b.area:
			set(0, "different areas")
		case best < 0:
			set(0.4, "same area")
		default:
			set(0.2, "same area")
		}
	}
	if best < 0 {
		return unknownPlace, "place unknown"
	}
	return best, why
}

// samePlace: a shared postcode or coordinates within 150 m.
func (x *Index) samePlace(a, b *rec) (string, bool) {
	for _, pa := range a.pcs {
		for _, pb := range b.pcs {
			if pa.pc != 0 && pa.pc == pb.pc {
				return "same postcode " + x.str(pa.pc), true
			}
		}
	}
	if len(a.e.Points) > 0 && len(b.e.Points) > 0 && minDistance(a.e.Points, b.e.Points) <= 150 {
		return "within 150 m", true
	}
	return "", false
}

func minDistance(a, b []Point) float64 {
	best := math.Inf(1)
	for _, p := range a {
		for _, q := range b {
			best = min(best, metres(p, q))
		}
	}
	return best
}

// metres: equirectangular distance, accurate to well under 1% at these ranges.
func metres(p, q Point) float64 {
	const r = 6371000.0
	lat := (p.Lat + q.Lat) / 2 * math.Pi / 180
	dx := (q.Lon - p.Lon) * math.Pi / 180 * math.Cos(lat)
	dy := (q.Lat - p.Lat) * math.Pi / 180
	return r * math.Sqrt(dx*dx+dy*dy)
}

func fmt2(f float64) string {
	v := int(math.Round(f * 100))
	return string([]byte{byte('0' + v/100), '.', byte('0' + v/10%10), byte('0' + v%10)})
}
