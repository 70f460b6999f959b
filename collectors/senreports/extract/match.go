package extract

import (
	"strings"
	"sync"
)

// matcher finds many lower-case phrases in one pass over a text
// (Aho–Corasick, as a DFA over byte classes). Scanning a 100 KB report once
// instead of once per phrase is what keeps extraction fast.
type matcher struct {
	pats   []string
	class  [256]uint8
	nclass int
	next   []int32   // state*nclass + class → state
	out    [][]int32 // state → pattern ids ending here
}

func newMatcher(pats []string) *matcher {
	m := &matcher{pats: pats, nclass: 1}
	for _, p := range pats {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// Trie.
	type node struct{ child map[uint8]int32 }
	nodes := []node{{child: map[uint8]int32{}}}
	m.out = [][]int32{nil}
	for id, p := range pats {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := m.class[p[i]]
			nx, ok := nodes[s].child[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{child: map[uint8]int32{}})
				m.out = append(m.out, nil)
				nodes[s].child[c] = nx
			}
			s = nx
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Failure links, breadth first, folded into a full transition table.
	n := len(nodes)
	m.next = make([]int32, n*m.nclass)
	fail := make([]int32, n)
	queue := []int32{}
	for c := 0; c < m.nclass; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok {
			m.next[c] = nx
			queue = append(queue, nx)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for c := 0; c < m.nclass; c++ {
			if nx, ok := nodes[s].child[uint8(c)]; ok {
				fail[nx] = m.next[int(fail[s])*m.nclass+c]
				m.next[int(s)*m.nclass+c] = nx
				queue = append(queue, nx)
			} else {
				m.next[int(s)*m.nclass+c] = m.next[int(fail[s])*m.nclass+c]
			}
		}
	}
	return m
}

// scan returns, per pattern, the start offsets of its first max matches
// that begin at a word boundary.
func (m *matcher) scan(lower string, max int) [][]int {
	hits := make([][]int, len(m.pats))
	s := int32(0)
	for i := 0; i < len(lower); i++ {
		s = m.next[int(s)*m.nclass+int(m.class[lower[i]])]
		for _, id := range m.out[s] {
			if len(hits[id]) >= max {
				continue
			}
			start := i + 1 - len(m.pats[id])
			if start == 0 || !isLetter(lower[start-1]) {
				hits[id] = append(hits[id], start)
			}
		}
	}
	return hits
}

// phrases is every phrase Analyze looks for, with its id in the matcher.
type phrases struct {
	m  *matcher
	id map[string]int
}

var allPhrases = sync.OnceValue(func() *phrases {
	p := &phrases{id: map[string]int{}}
	var list []string
	add := func(s string) {
		if _, ok := p.id[s]; !ok {
			p.id[s] = len(list)
			list = append(list, s)
		}
	}
	for _, it := range Items {
		for _, ph := range it.Phrases {
			add(ph)
		}
	}
	for _, k := range dateKeywords {
		add(k.phrase)
	}
	for _, l := range legacy {
		add(l.phrase)
	}
	for _, t := range lawTriggers {
		add(t)
	}
	for _, w := range sencoWords {
		add(w)
	}
	p.m = newMatcher(list)
	return p
})

// found is one text's matches, by phrase.
type found struct {
	p    *phrases
	hits [][]int
}

func findPhrases(lower string) found {
	p := allPhrases()
	return found{p: p, hits: p.m.scan(lower, 20)}
}

// at returns the start offsets of a phrase (at most 20).
func (f found) at(phrase string) []int {
	if id, ok := f.p.id[phrase]; ok {
		return f.hits[id]
	}
	return nil
}

// firstSaying is the first offset of phrase that is not inside one of the
// not phrases nor in a skipped span, or -1. "parent partnership" counts only as a name (capitalised):
// "strong parent partnerships" is no service.
func (f found) firstSaying(text, lower, phrase string, not []string, skip [][2]int) int {
next:
	for _, i := range f.at(phrase) {
		if inside(lower, i, len(phrase), not) {
			continue
		}
		for _, s := range skip {
			if i >= s[0] && i < s[1] {
				continue next
			}
		}
		if phrase == "parent partnership" && text[i] != 'P' {
			continue
		}
		return i
	}
	return -1
}

// inside says whether lower[i:i+n] lies within an occurrence of one of outer.
func inside(lower string, i, n int, outer []string) bool {
	for _, o := range outer {
		lo := max(0, i+n-len(o))
		hi := min(len(lower), i+len(o))
		if j := strings.Index(lower[lo:hi], o); j >= 0 && lo+j <= i && lo+j+len(o) >= i+n {
			return true
		}
	}
	return false
}
