// Package staleness raises the record-level staleness flags: a service whose
// assurance or review is overdue, or that gives no way to get in touch. The
// warehouse-level flags (missing_from_source, status_conflict, broken_link)
// need other runs and other sources and are raised after a run (afterrun.After).
package staleness

import (
	"fmt"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
)

// Flag names: stable snake_case words, used as keys in the flags table.
const (
	AssuranceOverdue  = "assurance_overdue"
	ReviewOverdue     = "review_overdue"
	NoContact         = "no_contact"
	MissingFromSource = "missing_from_source"
	StatusConflict    = "status_conflict"
	BrokenLink        = "broken_link"
	ReportStale       = "report_stale" // raised by the SEN report collector
)

// Rules evaluates the record-level rules against a clock.
type Rules struct {
	Config config.Staleness
	Now    func() time.Time
}

const day = 24 * time.Hour

// Apply appends the record's staleness flags to rec.Flags (once each).
func (r *Rules) Apply(rec *schema.Record) {
	if rec.Kind != schema.KindService || rec.Service == nil {
		return
	}
	s := rec.Service
	now := r.Now().UTC()
	if s.AssuredDate != "" && r.Config.AssuranceAfterDays > 0 {
		if d, err := time.Parse("2006-01-02", firstN(s.AssuredDate, 10)); err == nil {
			if age := int(now.Sub(d) / day); age > r.Config.AssuranceAfterDays {
				add(rec, AssuranceOverdue,
					fmt.Sprintf("assured %d days ago; assurance is due every %d days (staleness.assurance_after_days)", age, r.Config.AssuranceAfterDays),
					"assured_date "+d.Format("2006-01-02"))
			}
		}
	}
	if s.LastModified != nil && r.Config.ReviewAfterDays > 0 {
		if age := int(now.Sub(*s.LastModified) / day); age > r.Config.ReviewAfterDays {
			add(rec, ReviewOverdue,
				fmt.Sprintf("last changed %d days ago; review is due every %d days (staleness.review_after_days)", age, r.Config.ReviewAfterDays),
				"last_modified "+s.LastModified.UTC().Format("2006-01-02"))
		}
	}
	if !s.HasContact() {
		add(rec, NoContact, "no email, phone, web page or contact for the service or its organisation", "no contact fields")
	}
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func add(rec *schema.Record, flag, reason, evidence string) {
	for _, f := range rec.Flags {
		if f.Flag == flag {
			return
		}
	}
	rec.Flags = append(rec.Flags, schema.Flag{Flag: flag, Reason: reason, Evidence: evidence})
}
