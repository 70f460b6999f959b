package serve

import (
	"math"
	"slices"
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
	if q.search != "" && !strings.Contains(e.text, q.search) {
		return false
	}
	return true
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
	return func(i int32) bool {
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
	return func(i int32) bool {
		se := &s.sals[i]
		return q.matchService(&s.services[se.svc]) && (!q.hasPoint || q.near(se))
	}
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
