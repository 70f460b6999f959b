package match

import "slices"

// group is a cluster being built during a pass.
type group struct {
	members []int32
	attrs   []attr
	// constrained lists the members a human said differ from someone.
	constrained []int32
	// oldRoots are the untouched clusters merged into it.
	oldRoots []int32
	hasM     bool
}

// Service and location clusters never mix organisations or areas.
const schemeOrg, schemeArea = -1, -2

func (x *Index) exclusive(r *rec) []attr {
	switch x.opt.Kind {
	case Organization:
		return slices.Clone(r.keys)
	case Service, Location:
		var out []attr
		if r.e.Org != "" {
			out = append(out, attr{scheme: schemeOrg, value: x.intern("org:" + x.orgCanon(r.e.Org))})
		}
		if x.opt.Kind == Service && r.area != 0 {
			out = append(out, attr{scheme: schemeArea, value: r.area})
		}
		return out
	}
	return nil
}

func (x *Index) hasDifferent(id string) bool {
	for _, p := range x.partners[id] {
		if x.diff[pairKey(id, p)] {
			return true
		}
	}
	return false
}

// cluster joins the touched records by the edges, strongest first (human
// decisions before all), into spanning trees; it reports every record whose
// canonical id or joining link changed.
func (x *Index) cluster(M []int32, inM []bool, edges []edge, st *PassStats) int {
	uf := map[int32]int32{}
	find := func(s int32) int32 {
		if !inM[s] {
			s = x.recs[s].root
		}
		for {
			p, ok := uf[s]
			if !ok {
				return s
			}
			if gp, ok := uf[p]; ok {
				uf[s] = gp
			}
			s = p
		}
	}
	groups := map[int32]*group{}
	groupOf := func(root int32) *group {
		if g := groups[root]; g != nil {
			return g
		}
		g := &group{}
		if inM[root] {
			g.members, g.hasM = []int32{root}, true
		} else {
			g.members = slices.Clone(x.members(root))
			g.oldRoots = []int32{root}
		}
		for _, s := range g.members {
			r := &x.recs[s]
			g.attrs = append(g.attrs, x.exclusive(r)...)
			if x.hasDifferent(r.e.ID) {
				g.constrained = append(g.constrained, s)
			}
		}
		groups[root] = g
		return g
	}
	// forbidden: a human said a member of one differs from a member of the other.
	forbidden := func(ga *group, rb int32) bool {
		for _, s := range ga.constrained {
			id := x.recs[s].e.ID
			for _, p := range x.partners[id] {
				if o, ok := x.byID[p]; ok && x.diff[pairKey(id, p)] && find(o) == rb {
					return true
				}
			}
		}
		return false
	}
	links := 0
	for i := range edges {
		e := &edges[i]
		ra, rb := find(e.a), find(e.b)
		if ra == rb {
			continue
		}
		ga, gb := groupOf(ra), groupOf(rb)
		if !e.human && (conflicting(ga.attrs, gb.attrs) || forbidden(ga, rb) || forbidden(gb, ra)) {
			continue
		}
		x.evert(e.a)
		r := &x.recs[e.a]
		r.parent, r.score, r.reason = e.b, float32(e.score), e.reason
		if len(ga.members) < len(gb.members) {
			ra, rb, ga, gb = rb, ra, gb, ga
		}
		uf[rb] = ra
		ga.members = append(ga.members, gb.members...)
		ga.attrs = append(ga.attrs, gb.attrs...)
		ga.constrained = append(ga.constrained, gb.constrained...)
		ga.oldRoots = append(ga.oldRoots, gb.oldRoots...)
		ga.hasM = ga.hasM || gb.hasM
		delete(groups, rb)
		links++
	}
	for _, m := range M {
		if _, ok := uf[m]; !ok && groups[m] == nil {
			groups[m] = &group{members: []int32{m}, hasM: true}
		}
	}
	for _, g := range groups {
		if !g.hasM {
			continue // an untouched cluster only looked at
		}
		for _, old := range g.oldRoots {
			if c := x.clusters[old]; c != nil {
				x.grouped -= len(c.members)
				delete(x.clusters, old)
			}
		}
		// The canonical record (smallest id) becomes the tree's root, so
		// every other record's link leads towards it.
		treeRoot, canon := int32(-1), ""
		for _, s := range g.members {
			if id := x.recs[s].e.ID; canon == "" || id < canon {
				treeRoot, canon = s, id
			}
		}
		x.evert(treeRoot)
		for _, s := range g.members {
			x.recs[s].root = treeRoot
		}
		if len(g.members) > 1 {
			x.clusters[treeRoot] = &cluster{members: g.members, canon: canon}
			x.grouped += len(g.members)
		}
		for _, s := range g.members {
			x.report(s, canon, st)
		}
	}
	return links
}

// evert makes v the root of its tree by reversing the path from v to the
// root; each link's evidence moves with it.
func (x *Index) evert(v int32) {
	prev, ps, pr := int32(-1), float32(0), ""
	for v != -1 {
		r := &x.recs[v]
		next, ns, nr := r.parent, r.score, r.reason
		r.parent, r.score, r.reason = prev, ps, pr
		prev, ps, pr = v, ns, nr
		v = next
	}
}

func (x *Index) report(s int32, canon string, st *PassStats) {
	r := &x.recs[s]
	if r.outCanon == canon && r.outLinked == r.parent && r.outScore == r.score && r.outReason == r.reason {
		return
	}
	r.outCanon, r.outLinked, r.outScore, r.outReason = canon, r.parent, r.score, r.reason
	st.Changed = append(st.Changed, x.assignment(s))
}

func (x *Index) assignment(s int32) Assignment {
	r := &x.recs[s]
	a := Assignment{ID: r.e.ID, Pipeline: r.e.Pipeline, Canonical: r.e.ID}
	if c := x.clusters[r.root]; c != nil {
		a.Canonical = c.canon
	}
	if r.parent >= 0 {
		p := &x.recs[r.parent]
		a.LinkedTo, a.LinkedPipe = p.e.ID, p.e.Pipeline
		a.Score, a.Reason = roundScore(r.score), r.reason
	}
	return a
}

func roundScore(f float32) float64 {
	return float64(int(float64(f)*1000+0.5)) / 1000
}

// Assignment returns a record's current assignment (its own id when unknown).
func (x *Index) Assignment(id string) Assignment {
	s, ok := x.byID[id]
	if !ok {
		return Assignment{ID: id, Canonical: id}
	}
	return x.assignment(s)
}

// Canonical returns the canonical id of a record (its own id when unknown).
func (x *Index) Canonical(id string) string {
	s, ok := x.byID[id]
	if !ok {
		return id
	}
	if c := x.clusters[x.recs[s].root]; c != nil {
		return c.canon
	}
	return id
}

// SetDecisions installs the human decisions (matches.yaml) that override the
// matcher: pairs that are the same and pairs that differ. Records whose
// decisions changed are compared again at the next pass.
func (x *Index) SetDecisions(same, different [][2]string) {
	newSame, newDiff := map[[2]string]bool{}, map[[2]string]bool{}
	for _, p := range same {
		newSame[pairKey(p[0], p[1])] = true
	}
	for _, p := range different {
		k := pairKey(p[0], p[1])
		newDiff[k] = true
		delete(newSame, k) // a pair listed both ways: differ wins
	}
	var touched []string
	for _, m := range []struct{ a, b map[[2]string]bool }{{x.same, newSame}, {newSame, x.same}, {x.diff, newDiff}, {newDiff, x.diff}} {
		for k := range m.a {
			if !m.b[k] {
				touched = append(touched, k[0], k[1])
			}
		}
	}
	x.same, x.diff = newSame, newDiff
	for id := range x.partners {
		if s, ok := x.byID[id]; ok {
			x.recs[s].decided = false
		}
	}
	x.partners = map[string][]string{}
	for _, m := range []map[[2]string]bool{newSame, newDiff} {
		for k := range m {
			x.partners[k[0]] = append(x.partners[k[0]], k[1])
			x.partners[k[1]] = append(x.partners[k[1]], k[0])
		}
	}
	for id := range x.partners {
		if s, ok := x.byID[id]; ok {
			x.recs[s].decided = true
		}
	}
	x.Touch(touched...)
}

type restored struct {
	slot              int32
	canonical, linked string
	score             float64
	reason            string
}

// Restore adds a record as an earlier pass left it (read back from the
// warehouse) without comparing it: its features, canonical id and the link
// that joined it. FinishRestore must follow before the next pass.
func (x *Index) Restore(e Entity, canonical, linkedTo string, score float64, reason string) {
	if _, ok := x.byID[e.ID]; ok {
		x.Upsert(e)
		return
	}
	slot := int32(len(x.recs))
	x.recs = append(x.recs, rec{root: slot, parent: -1, outCanon: e.ID, outLinked: -1, decided: len(x.partners[e.ID]) > 0})
	x.byID[e.ID] = slot
	r := &x.recs[slot]
	r.e, r.hash = e, entityHash(&e)
	x.prepare(r)
	if e.Org != "" {
		x.byOrg[e.Org] = append(x.byOrg[e.Org], slot)
	}
	if canonical == "" {
		canonical = e.ID
	}
	x.restoring = append(x.restoring, restored{slot: slot, canonical: canonical, linked: linkedTo, score: score, reason: reason})
}

// FinishRestore files the restored records in their blocks and rebuilds
// their clusters. A cluster whose links do not hold together (a record it
// names is gone) is compared again at the next pass.
func (x *Index) FinishRestore() {
	if len(x.restoring) == 0 {
		return
	}
	x.computeIDF()
	var keys []uint64
	var scratch []int32
	byCanon := map[string][]int32{}
	for _, rs := range x.restoring {
		r := &x.recs[rs.slot]
		keys, scratch = x.keysOf(r, keys, scratch, false)
		for _, k := range keys {
			x.blocks[k] = append(x.blocks[k], entry{slot: rs.slot, gen: r.gen})
		}
		if rs.linked == "" && rs.canonical == r.e.ID {
			continue
		}
		if p, ok := x.byID[rs.linked]; ok && rs.linked != "" {
			r.parent, r.score, r.reason = p, float32(rs.score), rs.reason
		}
		byCanon[rs.canonical] = append(byCanon[rs.canonical], rs.slot)
	}
	x.restoring = x.restoring[:0]
	for canon, members := range byCanon {
		root, ok := x.byID[canon]
		if ok && !slices.Contains(members, root) {
			members = append(members, root)
		}
		valid := ok && x.recs[root].parent < 0
		for _, s := range members {
			// every member's links must lead to the canonical record
			v, steps := s, 0
			for v >= 0 && v != root && steps <= len(members) {
				v, steps = x.recs[v].parent, steps+1
			}
			valid = valid && v == root
		}
		if !valid {
			for _, s := range members {
				r := &x.recs[s]
				r.parent, r.score, r.reason = -1, 0, ""
				r.outCanon, r.outLinked = canon, -2 // differs from any state: reported at the next pass
				x.stage(s)
			}
			continue
		}
		for _, s := range members {
			r := &x.recs[s]
			r.root = root
			r.outCanon, r.outLinked, r.outScore, r.outReason = canon, r.parent, r.score, r.reason
		}
		x.clusters[root] = &cluster{members: members, canon: canon}
		x.grouped += len(members)
	}
}
