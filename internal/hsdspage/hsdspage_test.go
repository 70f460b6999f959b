package hsdspage

import (
	"math"
	"testing"
)

func TestMore(t *testing.T) {
	tp := func(n int) Said { return Said{TotalPages: n, HasTotalPages: true} }
	with := func(s Said, items int) Said { s.Items = items; return s }
	last := func(v bool) Said { return Said{Last: v, HasLast: true} }
	size := func(n int) Said { return Said{Size: n, HasSize: true} }
	cases := []struct {
		name          string
		page, perPage int
		said          Said
		want          bool
	}{
		// The two places the collector and validate used to disagree.
		{"total_pages reached on a full page: stop (collector asked one more)", 2, 5, with(tp(2), 5), false},
		{"short page, no metadata: stop (validate asked the next)", 1, 5, with(Said{}, 3), false},

		{"total_pages says more", 1, 5, with(tp(3), 5), true},
		{"total_pages says more on a short page", 2, 5, with(tp(3), 2), true},
		{"total_pages beats last_page=true", 1, 5, with(Said{TotalPages: 2, HasTotalPages: true, Last: true, HasLast: true}, 5), true},
		{"total_pages beats last_page=false", 2, 5, with(Said{TotalPages: 2, HasTotalPages: true, HasLast: true}, 5), false},
		{"page beyond total_pages", 4, 5, with(tp(3), 5), false},
		{"last_page=true", 1, 5, with(last(true), 5), false},
		{"last_page=false on a short page", 1, 5, with(last(false), 2), true},
		{"full page, no metadata", 1, 5, with(Said{}, 5), true},
		{"more than asked, no metadata", 1, 5, with(Said{}, 9), true},
		{"bare array", 1, 5, Said{Items: 5, Bare: true}, false},
		{"bare array even when full", 1, 1, Said{Items: 1, Bare: true}, false},

		// size: the server's real page size when it caps per_page.
		{"server caps per_page: full at size", 1, 50, with(size(10), 10), true},
		{"server caps per_page: short at size", 2, 50, with(size(10), 4), false},
		{"HSDS 3.0 size = item count: go on to the empty page", 3, 50, with(size(7), 7), true},
		{"size above per_page ignored", 1, 5, with(size(100), 5), true},
		{"size above per_page ignored, short", 1, 5, with(size(100), 4), false},

		// Hostile pages.
		{"empty page, huge total_pages", 2, 5, with(tp(math.MaxInt32), 0), false},
		{"empty page, last_page=false", 2, 5, with(last(false), 0), false},
		{"empty page, no metadata", 1, 5, Said{}, false},
		{"negative item count", 1, 5, Said{Items: -1}, false},
		{"negative size ignored", 1, 5, with(size(-3), 5), true},
		{"negative size ignored, short", 1, 5, with(size(-3), 1), false},
		{"zero size ignored", 1, 5, with(size(0), 5), true},
		{"zero total_pages with items ignored, falls to last_page", 1, 5, with(Said{HasTotalPages: true, Last: false, HasLast: true}, 5), true},
		{"negative total_pages ignored, short page", 1, 5, with(tp(-4), 2), false},
		{"zero per_page asked: any non-empty page is full", 1, 0, with(Said{}, 1), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := More(tc.page, tc.perPage, tc.said); got != tc.want {
				t.Errorf("More(%d, %d, %+v) = %v, want %v", tc.page, tc.perPage, tc.said, got, tc.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		in   float64
		want int
		ok   bool
	}{
		{3, 3, true},
		{0, 0, true},
		{-2, -2, true},
		{2.5, 0, false},
		{1e300, 0, false},
		{-1e300, 0, false},
		{math.NaN(), 0, false},
		{math.Inf(1), 0, false},
		{math.MaxInt32, math.MaxInt32, true},
		{math.MaxInt32 + 1, 0, false},
	}
	for _, tc := range cases {
		got, ok := Count(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Count(%v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
