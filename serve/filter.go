package serve

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/localoffer/localoffer/transform/areas"
)

// matchService applies the service-level filters. Query parameters are
// cumulative (boolean AND), as the HSDS API reference requires.
func (q *query) matchService(e *svcEntry) bool {
	if !q.includeStale && e.stale {
		return false
	}
	if q.pipeline != "" && e.pipeline != q.pipeline {
		return false
	}
	if q.orgID != "" && e.orgID != q.orgID {
		return false
	}
	if q.termID != "" && !slices.Contains(e.terms, q.termID) {
		return false
	}
	if q.taxID != "" && !slices.Contains(e.taxes, q.taxID) {
		return false
	}
	if q.modifiedAfter != 0 && e.modified < q.modifiedAfter {
		return false
	}
	// ORUK: minimum_age returns services whose minimum age is at least the
	// value, maximum_age those whose maximum is at most it; unknown ages do not match.
	if !math.IsNaN(q.minimumAge) && !(e.minAge >= q.minimumAge) {
		return false
	}
	if !math.IsNaN(q.maximumAge) && !(e.maxAge <= q.maximumAge) {
		return false
	}
	// age: services for a child of that age. An unknown bound is open, as in
	// HSDS, where a service without minimum_age has no lower limit.
	if !math.IsNaN(q.age) {
		if !math.IsNaN(e.minAge) && q.age < e.minAge {
			return false
		}
		if !math.IsNaN(e.maxAge) && q.age > e.maxAge {
			return false
		}
	}
	if q.la != "" && e.la != q.la {
		return false
	}
	if q.postcodeLA != "" && e.la != q.postcodeLA {
		return false
	}
	if q.need != "" && !slices.Contains(e.needs, q.need) {
		return false
	}
	if q.category != "" && !slices.Contains(e.cats, q.category) {
		return false
	}
	return true // search is applied through the snapshot's text arena (serviceMatcher)
}

func (q *query) near(se *salEntry) bool {
	return se.hasCoord && areas.Distance(q.lat, q.lon, se.lat, se.lon) <= q.proximity
}

// unfiltered reports whether a services query has no filter but staleness,
// so the precomputed lists answer it without a pass over the index.
func (q *query) unfiltered() bool {
	return q.search == "" && q.termID == "" && q.taxID == "" && q.orgID == "" && q.modifiedAfter == 0 &&
		math.IsNaN(q.minimumAge) && math.IsNaN(q.maximumAge) && q.la == "" && q.need == "" && math.IsNaN(q.age) &&
		q.category == "" && q.pipeline == "" && !q.hasPoint && q.postcodeLA == ""
}

// serviceMatcher says which services match; list pages and streams walk
// every service with it, keeping only the page they need.
func (s *Snapshot) serviceMatcher(q *query) func(int32) bool {
	found := s.searchServices(q.search)
	return func(i int32) bool {
		if found != nil && !found.has(i) {
			return false
		}
		e := &s.services[i]
		if !q.matchService(e) {
			return false
		}
		if q.hasPoint {
			for _, si := range e.sals {
				if q.near(&s.sals[si]) {
					return true
				}
			}
			return false
		}
		return true
	}
}

func (s *Snapshot) salMatcher(q *query) func(int32) bool {
	found := s.searchServices(q.search)
	return func(i int32) bool {
		se := &s.sals[i]
		return (found == nil || found.has(se.svc)) && q.matchService(&s.services[se.svc]) && (!q.hasPoint || q.near(se))
	}
}

// bitset marks services.
type bitset []uint64

func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// searchServices finds the services whose text contains term with one pass
// of bytes.Index over the contiguous text arena, rather than a string
// comparison per service: a sequential scan the CPU prefetches. nil when
// there is no term.
func (s *Snapshot) searchServices(term string) bitset {
	if term == "" {
		return nil
	}
	// Paging through one search asks the same term page after page: the
	// result is kept with the snapshot (so it can never outlive its data),
	// for a bounded number of terms.
	s.searchMu.Lock()
	found, ok := s.searchCache[term]
	s.searchMu.Unlock()
	if ok {
		return found
	}
	found = s.scanText(term)
	s.searchMu.Lock()
	if s.searchCache == nil || len(s.searchCache) >= searchCacheTerms {
		s.searchCache = map[string]bitset{}
	}
	s.searchCache[term] = found
	s.searchMu.Unlock()
	return found
}

// searchCacheTerms bounds the cached searches of one snapshot (12.5 KB each per 100,000 services).
const searchCacheTerms = 256

func (s *Snapshot) scanText(term string) bitset {
	found := make(bitset, (len(s.services)+63)/64)
	t := []byte(term)
	pos := 0
	for pos < len(s.text) {
		k := bytes.Index(s.text[pos:], t)
		if k < 0 {
			break
		}
		at := pos + k
		// The service whose text holds position at: the last offset <= at.
		i := sort.Search(len(s.textOff), func(j int) bool { return int(s.textOff[j]) > at }) - 1
		found[i>>6] |= 1 << (uint(i) & 63)
		if i+1 < len(s.textOff) {
			pos = int(s.textOff[i+1]) // on to the next service
		} else {
			break
		}
	}
	return found
}

func (s *Snapshot) orgMatcher(q *query) func(int32) bool {
	return func(i int32) bool {
		return q.search == "" || strings.Contains(s.orgs[i].text, q.search)
	}
}

func (s *Snapshot) filterTerms(q *query) []int32 {
	var out []int32
	for i := range s.terms {
		t := &s.terms[i]
		if q.search != "" && !strings.Contains(t.text, q.search) {
			continue
		}
		if q.taxID != "" && t.taxonomyID != q.taxID {
			continue
		}
		if q.topOnly && t.parentID != "" {
			continue
		}
		if q.parentID != "" && t.parentID != q.parentID {
			continue
		}
		out = append(out, int32(i))
	}
	return out
}

func (s *Snapshot) filterTaxes(q *query) []int32 {
	var out []int32
	for i := range s.taxes {
		if q.search != "" && !strings.Contains(s.taxes[i].text, q.search) {
			continue
		}
		out = append(out, int32(i))
	}
	return out
}
