// Package hsdspage holds the one end-of-list rule for walking a paginated
// HSDS list (/services?page=N&per_page=M), shared by the hsds_api collector
// and `localoffer validate`, so the two never disagree about where a list
// ends.
//
// The rule, in order (HSDS 3.0 / ORUK 3.0 Page: total_items, total_pages,
// page_number, size, first_page, last_page, empty, contents; ORUK 1.0 spells
// them totalPages, size, last, content):
//
//  1. A bare JSON array is the whole list: it has no pagination.
//  2. An empty page ends the list, whatever its metadata says: a feed
//     claiming a huge total_pages or last_page=false while serving nothing
//     must not make us walk on to max_pages.
//  3. total_pages, when present and at least 1, is authoritative: there is
//     another page exactly when the page asked for is below it. A full last
//     page is not followed by one more request (the spec's count is the
//     contract; a feed that understates it is reported through total_items).
//     Only this page's own total_pages counts, not an earlier page's.
//  4. Otherwise last_page (last), when present, decides.
//  5. Otherwise a short page ends the list. A page is full when it holds at
//     least per_page items, or at least `size` when size is positive and
//     smaller than per_page (ORUK 1.0 and servers that cap per_page state
//     their real page size there; in HSDS 3.0 size is the item count, so a
//     page is always "full" and the walk ends on the next, empty page).
//     Negative, zero or oversized size is ignored.
//
// Callers keep their own limits (max_pages, repeated pages, cancellation).
package hsdspage

// Said is what one list page said about itself. A Has… field false means
// the page did not carry that field (or carried it with the wrong type).
type Said struct {
	Items int // items on the page

	TotalPages    int
	HasTotalPages bool
	Size          int
	HasSize       bool
	Last          bool
	HasLast       bool

	// Bare: the document was a JSON array, not a page object.
	Bare bool
}

// More reports whether to ask for the page after page, given the per_page
// that was asked for and what that page said.
func More(page, perPage int, s Said) bool {
	if s.Bare || s.Items <= 0 {
		return false
	}
	// total_pages of 0 or less on a page holding items contradicts itself,
	// so it is treated as absent rather than trusted.
	if s.HasTotalPages && s.TotalPages >= 1 {
		return page < s.TotalPages
	}
	if s.HasLast {
		return !s.Last
	}
	capacity := perPage
	if s.HasSize && s.Size > 0 && s.Size < capacity {
		capacity = s.Size
	}
	return s.Items >= capacity
}

// Count turns a decoded JSON number into a page count, refusing values that
// are not whole numbers in a sane range (NaN, fractions, 1e300), which a
// hostile feed can send and a plain int conversion would turn into garbage.
func Count(f float64) (int, bool) {
	if f != f || f < -1<<31 || f > 1<<31-1 || f != float64(int64(f)) {
		return 0, false
	}
	return int(f), true
}
