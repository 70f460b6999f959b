// Package match finds records from different sources that describe the same
// real-world organisation or service. Strong keys link first (URN, UKPRN,
// charity or company number, website domain); then normalised names are
// compared within blocks (postcode district × name word, and each record's
// rarest name word) and scored with the postcode. Links carry their score and
// reason; linked records share one canonical id.
package match

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/transform/text"
)

// Entity is what matching needs to know about one record.
type Entity struct {
	ID       string
	Pipeline string
	Name     string
	Postcode string   // normalised "PO4 0GE", or empty
	Domain   string   // registrable domain of its website, or empty
	Keys     []string // strong identifiers as scheme:value (see Key)
}

// Link says two entities are the same, how sure we are and why.
type Link struct {
	A, B   string // ids, A < B
	Score  float64
	Reason string
}

// Options tunes matching.
type Options struct {
	// Threshold is the score at or above which a name match links (default 0.85).
	Threshold float64
	// MaxBlock skips blocks larger than this: a word shared by that many
	// records in one district does not identify anything (default 500).
	MaxBlock int
}

// Result is the links found and each entity's canonical id (by input index).
type Result struct {
	Links     []Link
	Canonical []string
	Compared  int // name comparisons made
}

// Key normalises a third-party identifier to scheme:value, or "" when the
// scheme is not one that identifies a single organisation.
func Key(scheme, value string) string {
	v := strings.ToUpper(strings.Join(strings.Fields(value), ""))
	if v == "" {
		return ""
	}
	s := strings.ToUpper(strings.TrimSpace(scheme))
	switch {
	case s == "GB-URN" || s == "URN":
		return "urn:" + strings.TrimLeft(v, "0")
	case s == "GB-UKPRN" || s == "UKPRN":
		return "ukprn:" + v
	case s == "GB-CHC" || s == "GB-SC" || s == "GB-NIC" || strings.Contains(s, "CHARITY"):
		return "charity:" + v
	case s == "GB-COH" || strings.Contains(s, "COMPANY"):
		// Companies House numbers are eight characters, often written without leading zeros.
		for len(v) < 8 {
			v = "0" + v
		}
		return "company:" + v
	}
	return ""
}

var stopwords = map[string]bool{"the": true, "and": true, "of": true, "a": true, "at": true, "for": true, "in": true,
	"ltd": true, "limited": true, "cic": true, "plc": true, "llp": true}

// synonyms fold spellings that name the same thing.
var synonyms = map[string]string{"saint": "st", "centre": "center", "cofe": "ce", "catholic": "rc", "prim": "primary",
	"sch": "school", "acad": "academy", "jnr": "junior", "inf": "infant", "infants": "infant", "juniors": "junior",
	"children": "childrens", "childs": "childrens", "services": "service"}

// typeWords say what kind of place something is, not which one: "Redwood Park
// School" became "Redwood Park Academy". They count for less than the words
// that name the place, however rare they are in a small set.
var typeWords = map[string]bool{"school": true, "academy": true, "college": true, "center": true, "service": true,
	"group": true, "club": true, "trust": true, "project": true, "team": true}

// NameWords returns a name's normalised words, stopwords removed.
func NameWords(name string) []string {
	toks := text.Tokenize(name, nil)
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		w := toks[i].Word
		// "Church of England" and "C of E" → ce; "Roman Catholic" → rc
		if w == "church" && i+2 < len(toks) && toks[i+1].Word == "of" && toks[i+2].Word == "england" {
			out, i = append(out, "ce"), i+2
			continue
		}
		if w == "c" && i+2 < len(toks) && toks[i+1].Word == "of" && toks[i+2].Word == "e" {
			out, i = append(out, "ce"), i+2
			continue
		}
		if w == "roman" && i+1 < len(toks) && toks[i+1].Word == "catholic" {
			out, i = append(out, "rc"), i+1
			continue
		}
		if stopwords[w] {
			continue
		}
		if s, ok := synonyms[w]; ok {
			w = s
		}
		out = append(out, w)
	}
	return out
}

// prepared is an entity ready for fast comparison.
type prepared struct {
	words    []int32 // sorted unique word ids
	weight   float64 // sum of the words' weights
	grams    []uint32
	district string
	// interned ids (0: unknown) so comparisons do not compare strings
	pc, sec, dist int32
	pipeline      int32
}

type matcher struct {
	opt   Options
	ents  []Entity
	prep  []prepared
	idf   []float64
	vocab map[string]int32
	df    []int32
}

func (m *matcher) prepare() {
	m.vocab = map[string]int32{}
	m.prep = make([]prepared, len(m.ents))
	pipelines := map[string]int32{}
	places := map[string]int32{}
	for i := range m.ents {
		e := &m.ents[i]
		words := NameWords(e.Name)
		p := &m.prep[i]
		pid, ok := pipelines[e.Pipeline]
		if !ok {
			pid = int32(len(pipelines))
			pipelines[e.Pipeline] = pid
		}
		p.pipeline = pid
		for _, w := range words {
			id, ok := m.vocab[w]
			if !ok {
				id = int32(len(m.df))
				m.vocab[w] = id
				m.df = append(m.df, 0)
			}
			if !slices.Contains(p.words, id) {
				p.words = append(p.words, id)
				m.df[id]++
			}
		}
		slices.Sort(p.words)
		p.grams = bigrams(strings.Join(words, " "))
		if pc := e.Postcode; pc != "" {
			if sp := strings.IndexByte(pc, ' '); sp > 0 && sp+2 <= len(pc) {
				p.district = pc[:sp]
				p.pc, p.sec, p.dist = intern(places, pc), intern(places, pc[:sp+2]), intern(places, pc[:sp])
			}
		}
	}
	n := float64(len(m.ents)) + 1
	m.idf = make([]float64, len(m.df))
	for w, id := range m.vocab {
		m.idf[id] = math.Log(n / float64(m.df[id]))
		if typeWords[w] {
			m.idf[id] *= 0.3
		}
	}
	for i := range m.prep {
		for _, w := range m.prep[i].words {
			m.prep[i].weight += m.idf[w]
		}
	}
}

func intern(m map[string]int32, s string) int32 {
	id, ok := m[s]
	if !ok {
		id = int32(len(m) + 1)
		m[s] = id
	}
	return id
}

// bigrams: hashed letter pairs of the joined name, sorted, for a typo-tolerant comparison.
func bigrams(s string) []uint32 {
	if len(s) < 2 {
		return nil
	}
	out := make([]uint32, 0, len(s)-1)
	for i := 0; i+1 < len(s); i++ {
		out = append(out, uint32(s[i])<<8|uint32(s[i+1]))
	}
	slices.Sort(out)
	return out
}

func diceSorted(a, b []uint32) float64 {
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

// nameScore: the mean of an IDF-weighted word overlap (rare shared words count
// most, "portsmouth" and "school" little) and a letter-pair overlap (typos).
func (m *matcher) nameScore(a, b *prepared) float64 {
	return 0.5*m.wordScore(a, b) + 0.5*diceSorted(a.grams, b.grams)
}

func (m *matcher) wordScore(a, b *prepared) float64 {
	if a.weight == 0 || b.weight == 0 {
		return 0
	}
	i, j, common := 0, 0, 0.0
	for i < len(a.words) && j < len(b.words) {
		switch {
		case a.words[i] == b.words[j]:
			common += m.idf[a.words[i]]
			i++
			j++
		case a.words[i] < b.words[j]:
			i++
		default:
			j++
		}
	}
	return 2 * common / (a.weight + b.weight)
}

// postcodeScore: 1 same postcode, 0.7 same sector, 0.4 same district, 0
// different districts, 0.3 when either is unknown.
func postcodeScore(a, b *prepared) float64 {
	switch {
	case a.pc == 0 || b.pc == 0:
		return 0.3
	case a.pc == b.pc:
		return 1
	case a.sec == b.sec:
		return 0.7
	case a.dist == b.dist:
		return 0.4
	}
	return 0
}

// Score weights: name 0.75, postcode 0.25.
const nameWeight, postcodeWeight = 0.75, 0.25

// score is the weighted name and postcode similarity of two entities. It
// stops early (ok false) when even identical letter pairs could not lift the
// pair to the threshold, which spares most of the letter-pair comparisons.
func (m *matcher) score(i, j int) (score, name float64, ok bool) {
	a, b := &m.prep[i], &m.prep[j]
	pc := postcodeScore(a, b)
	words := m.wordScore(a, b)
	if nameWeight*(0.5*words+0.5)+postcodeWeight*pc < m.opt.Threshold {
		return 0, 0, false
	}
	name = 0.5*words + 0.5*diceSorted(a.grams, b.grams)
	return nameWeight*name + postcodeWeight*pc, name, true
}

// Match links entities of one type from different pipelines.
func Match(ents []Entity, opt Options) Result {
	if opt.Threshold <= 0 {
		opt.Threshold = 0.85
	}
	if opt.MaxBlock <= 0 {
		opt.MaxBlock = 500
	}
	m := &matcher{opt: opt, ents: ents}
	m.prepare()
	uf := newUnionFind(len(ents))
	var res Result
	linked := map[[2]int32]bool{}
	addLink := func(i, j int, score float64, reason string) {
		if i > j {
			i, j = j, i
		}
		k := [2]int32{int32(i), int32(j)}
		if linked[k] {
			return
		}
		linked[k] = true
		a, b := ents[i].ID, ents[j].ID
		if a > b {
			a, b = b, a
		}
		res.Links = append(res.Links, Link{A: a, B: b, Score: math.Round(score*1000) / 1000, Reason: reason})
		uf.union(i, j)
	}
	m.strongKeys(addLink)
	res.Compared = m.byName(addLink)
	res.Canonical = make([]string, len(ents))
	// The canonical id of a group is its smallest id: stable whichever source
	// arrives first.
	best := map[int]string{}
	for i := range ents {
		r := uf.find(i)
		if b, ok := best[r]; !ok || ents[i].ID < b {
			best[r] = ents[i].ID
		}
	}
	for i := range ents {
		res.Canonical[i] = best[uf.find(i)]
	}
	sort.Slice(res.Links, func(i, j int) bool {
		if res.Links[i].A != res.Links[j].A {
			return res.Links[i].A < res.Links[j].A
		}
		return res.Links[i].B < res.Links[j].B
	})
	return res
}

// platformDomains host many unrelated organisations: never a key.
var platformDomains = map[string]bool{"facebook.com": true, "instagram.com": true, "twitter.com": true, "x.com": true,
	"linkedin.com": true, "google.com": true, "youtube.com": true, "eventbrite.co.uk": true, "eventbrite.com": true,
	"wixsite.com": true, "wordpress.com": true, "squarespace.com": true, "gov.uk": true, "nhs.uk": true, "org.uk": true,
	"justgiving.com": true, "linktr.ee": true}

// strongKeys links entities sharing an identifier. A key that more than one
// entity of the same pipeline carries (a trust's company number on each of
// its schools, a council domain on each of its services) identifies no one
// entity and is skipped. A shared domain also needs some name agreement.
func (m *matcher) strongKeys(addLink func(i, j int, score float64, reason string)) {
	groups := map[string][]int32{}
	for i := range m.ents {
		e := &m.ents[i]
		for _, k := range e.Keys {
			if k != "" {
				groups[k] = append(groups[k], int32(i))
			}
		}
		// Council and NHS domains host many services each.
		if d := strings.ToLower(e.Domain); d != "" && !platformDomains[d] && !strings.HasSuffix(d, ".gov.uk") && !strings.HasSuffix(d, ".nhs.uk") {
			groups["domain:"+d] = append(groups["domain:"+d], int32(i))
		}
	}
	keys := make([]string, 0, len(groups))
	for k, g := range groups {
		if len(g) > 1 {
			keys = append(keys, k)
		}
	}
	// Identifiers before domains, so a link's reason names the strongest key.
	sort.Slice(keys, func(i, j int) bool {
		di, dj := strings.HasPrefix(keys[i], "domain:"), strings.HasPrefix(keys[j], "domain:")
		if di != dj {
			return dj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		g := groups[k]
		perPipeline := map[string]int{}
		for _, i := range g {
			perPipeline[m.ents[i].Pipeline]++
		}
		if len(perPipeline) < 2 {
			continue
		}
		unique := true
		for _, n := range perPipeline {
			unique = unique && n == 1
		}
		if !unique {
			continue
		}
		isDomain := strings.HasPrefix(k, "domain:")
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				i, j := int(g[x]), int(g[y])
				if isDomain {
					if name := m.nameScore(&m.prep[i], &m.prep[j]); name < 0.5 {
						continue
					}
				}
				addLink(i, j, 1, k)
			}
		}
	}
}

// byName compares entities sharing a block and links those scoring at or
// above the threshold. Each pair is compared once (a stamp per entity).
func (m *matcher) byName(addLink func(i, j int, score float64, reason string)) int {
	blocks := map[string][]int32{}
	// Pairs in different districts score at most nameWeight, and pairs with an
	// unknown postcode at most nameWeight + 0.3*postcodeWeight: district blocks
	// find every pair that can reach the threshold unless it is below that.
	// Only then are records also blocked by name words across districts.
	global := m.opt.Threshold <= nameWeight+0.3*postcodeWeight
	// Prefix filtering: to reach the threshold a pair needs a weighted word
	// overlap O of at least minWords of the Dice score, so O >= minWords*w/(2-minWords)
	// for each side's word weight w. Ordering every record's words rarest first,
	// the first shared word lies within each record's prefix (the words before
	// the remaining weight drops below that bound), so blocking on prefix words
	// alone loses no pair that can match.
	minName := (m.opt.Threshold - postcodeWeight) / nameWeight
	minWords := max(2*minName-1, 0)
	var kb []byte
	var order []int32
	for i := range m.prep {
		p := &m.prep[i]
		order = append(order[:0], p.words...)
		slices.SortFunc(order, func(a, b int32) int {
			if m.idf[a] != m.idf[b] {
				if m.idf[a] > m.idf[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		bound := minWords * p.weight / (2 - minWords)
		rest := p.weight
		for _, w := range order {
			if rest < bound-1e-9 {
				break
			}
			rest -= m.idf[w]
			if p.district != "" {
				kb = append(append(append(kb[:0], p.district...), '|'), wordKey(w)...)
				blocks[string(kb)] = append(blocks[string(kb)], int32(i))
			}
			if global {
				kb = append(append(kb[:0], '*', '|'), wordKey(w)...)
				blocks[string(kb)] = append(blocks[string(kb)], int32(i))
			}
		}
	}
	// Each entity's blocks, so candidates can be gathered per entity.
	member := make([][]int32, len(m.prep))
	var lists [][]int32
	for _, b := range blocks {
		if len(b) < 2 || len(b) > m.opt.MaxBlock {
			continue
		}
		id := int32(len(lists))
		lists = append(lists, b)
		for _, i := range b {
			member[i] = append(member[i], id)
		}
	}
	stamp := make([]int32, len(m.prep))
	for i := range stamp {
		stamp[i] = -1
	}
	compared := 0
	for i := range m.prep {
		for _, bl := range member[i] {
			for _, j32 := range lists[bl] {
				j := int(j32)
				if j <= i || stamp[j] == int32(i) || m.prep[i].pipeline == m.prep[j].pipeline {
					continue
				}
				stamp[j] = int32(i)
				compared++
				if conflicting(&m.ents[i], &m.ents[j]) {
					continue
				}
				s, name, ok := m.score(i, j)
				if ok && s >= m.opt.Threshold {
					addLink(i, j, s, reasonFor(name, m.ents[i].Postcode, m.ents[j].Postcode))
				}
			}
		}
	}
	return compared
}

// conflicting: both carry an identifier of the same scheme with different
// values (two URNs): different entities, whatever their names say.
func conflicting(a, b *Entity) bool {
	for _, ka := range a.Keys {
		scheme, _, _ := strings.Cut(ka, ":")
		for _, kb := range b.Keys {
			if kb != ka && strings.HasPrefix(kb, scheme+":") {
				return true
			}
		}
	}
	return false
}

func wordKey(w int32) []byte {
	return []byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)}
}

func reasonFor(name float64, pa, pb string) string {
	pc := "postcode unknown"
	switch {
	case pa != "" && pa == pb:
		pc = "same postcode"
	case pa != "" && pb != "":
		pc = "postcodes " + pa + " / " + pb
	}
	return "name " + strconv.FormatFloat(name, 'f', 2, 64) + ", " + pc
}

type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *unionFind) find(i int) int {
	for int(u.parent[i]) != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = int(u.parent[i])
	}
	return i
}

func (u *unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[rb] = int32(ra)
	}
}
