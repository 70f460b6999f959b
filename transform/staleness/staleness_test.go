package staleness

import (
	"testing"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	r := &Rules{Config: config.Staleness{ReviewAfterDays: 365, AssuranceAfterDays: 90, MissingAfterRuns: 3}, Now: func() time.Time { return now }}
	golden.Records(t, func(recs []*schema.Record) {
		for _, rec := range recs {
			r.Apply(rec)
		}
	})
}

func TestThresholdsAreConfigurable(t *testing.T) {
	s := &schema.Service{ID: "x", Email: "a@b", AssuredDate: "2026-10-01"} // 53 days before now
	for _, c := range []struct {
		days int
		want bool
	}{{90, false}, {30, true}} {
		rec := &schema.Record{Kind: schema.KindService, Service: s}
		(&Rules{Config: config.Staleness{AssuranceAfterDays: c.days, ReviewAfterDays: 365}, Now: func() time.Time { return now }}).Apply(rec)
		if got := len(rec.Flags) == 1 && rec.Flags[0].Flag == AssuranceOverdue; got != c.want {
			t.Errorf("assurance_after_days %d: flags %+v", c.days, rec.Flags)
		}
	}
}
