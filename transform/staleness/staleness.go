// Package staleness raises the record-level staleness flags: a service whose
// assurance or review is overdue, or that gives no way to get in touch
// (Rules), and a school's SEN information report that is out of date or
// incomplete (ReportRules). The warehouse-level flags (missing_from_source,
// status_conflict, broken_link) need other runs and other sources and are
// raised after a run (afterrun.After). Flag names are schema.Flag*.
package staleness

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
)

// Rules evaluates the record-level rules against a clock. The thresholds are
// staleness.review_after_days and assurance_after_days (0: rule off); the
// package takes them as numbers rather than config.Staleness so collectors can
// use ReportRules without depending on config.
type Rules struct {
	ReviewAfterDays    int
	AssuranceAfterDays int
	Now                func() time.Time
}

const day = 24 * time.Hour

// Apply appends the record's staleness flags to rec.Flags (once each).
func (r *Rules) Apply(rec *schema.Record) {
	s, ok := rec.Entity().(*schema.Service)
	if !ok {
		return
	}
	now := r.Now().UTC()
	if s.AssuredDate != "" && r.AssuranceAfterDays > 0 {
		if d, err := time.Parse("2006-01-02", firstN(s.AssuredDate, 10)); err == nil {
			if age := int(now.Sub(d) / day); age > r.AssuranceAfterDays {
				// Concatenated, not Sprintf: two flags on most services of a stale feed.
				add(rec, schema.FlagAssuranceOverdue,
					"assured "+strconv.Itoa(age)+" days ago; assurance is due every "+strconv.Itoa(r.AssuranceAfterDays)+" days (staleness.assurance_after_days)",
					"assured_date "+d.Format("2006-01-02"))
			}
		}
	}
	if s.LastModified != nil && r.ReviewAfterDays > 0 {
		if age := int(now.Sub(*s.LastModified) / day); age > r.ReviewAfterDays {
			add(rec, schema.FlagReviewOverdue,
				"last changed "+strconv.Itoa(age)+" days ago; review is due every "+strconv.Itoa(r.ReviewAfterDays)+" days (staleness.review_after_days)",
				"last_modified "+s.LastModified.UTC().Format("2006-01-02"))
		}
	}
	if !s.HasContact() {
		add(rec, schema.FlagNoContact, "no email, phone, web page or contact for the service or its organisation", "no contact fields")
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

// ReportRules judge a school's SEN information report against the duty to
// publish one and update it every year (SEND Regulations 2014, reg. 51 and
// Schedule 1). Whether the site or the report could be reached at all is the
// collector's finding, not a rule over the report.
type ReportRules struct {
	ReviewAfterDays int // a report dated longer ago is stale
	ScheduleItems   int // how many Schedule 1 items were looked for (for the reason)
}

// Flags returns the report's quality flags as read at now.
func (r ReportRules) Flags(rep *schema.SENReport, now time.Time) []schema.Flag {
	var out []schema.Flag
	flag := func(name, reason, evidence string) {
		out = append(out, schema.Flag{Flag: name, Reason: reason, Evidence: evidence})
	}
	weakDate := rep.ReportDate == "" || rep.ReportDateSource == schema.ReportDateWeak
	if rep.ReportDate == "" {
		flag(schema.FlagReportUndated, "The SEN information report states no date, school year or review date", rep.ReportURL)
	} else if t, err := time.Parse("2006-01-02", rep.ReportDate); err == nil {
		if age := now.Sub(t); age > time.Duration(r.ReviewAfterDays)*day {
			flag(schema.FlagReportStale, fmt.Sprintf("The SEN information report is dated %s, more than %d days ago (it must be updated every year)",
				rep.ReportDate, r.ReviewAfterDays), rep.ReportDate+" ("+rep.ReportDateSource+")")
			weakDate = false // already stale; the terms below add nothing
		}
	}
	if len(rep.LegacyTerms) > 0 && weakDate {
		flag(schema.FlagReportStale, "The SEN information report uses pre-2014 terms, a sign it has not been revised since the 2014 reforms",
			strings.Join(rep.LegacyTerms, ", "))
	}
	if len(rep.ItemsMissing) > 0 {
		flag(schema.FlagReportItemsMissing, fmt.Sprintf("The SEN information report does not cover %d of the %d Schedule 1 items",
			len(rep.ItemsMissing), r.ScheduleItems), strings.Join(rep.ItemsMissing, ", "))
	}
	if rep.SENCOEmail == "" && rep.SENCOPhone == "" {
		ev := "no SENCO email or phone in the report"
		if rep.SENCOName != "" {
			ev = "SENCO " + rep.SENCOName + " named without an email or phone"
		}
		flag(schema.FlagNoSENCOContact, "The SEN information report gives no contact details for the SENCO", ev)
	}
	return out
}
