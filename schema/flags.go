package schema

// Flag names: stable snake_case words, the keys of the flags table. Every flag
// the pipeline raises is named here, whoever raises it, so a query, a fix list
// or a report never spells one by hand.
const (
	// Record-level, raised by transform/staleness on services.
	FlagAssuranceOverdue = "assurance_overdue"
	FlagReviewOverdue    = "review_overdue"
	FlagNoContact        = "no_contact"

	// Warehouse-level, raised after a run (runner/afterrun): they need other
	// runs or other sources.
	FlagMissingFromSource = "missing_from_source"
	FlagStatusConflict    = "status_conflict"
	FlagBrokenLink        = "broken_link" // also raised by the SEN report collector for a dead report link

	// About a school's SEN information report: the report rules are in
	// transform/staleness; whether the site or report could be reached is
	// decided by the SEN report collector.
	FlagReportStale        = "report_stale"
	FlagReportUndated      = "report_undated"
	FlagReportItemsMissing = "report_items_missing"
	FlagNoSENCOContact     = "no_senco_contact"
	FlagReportNotFound     = "report_not_found"
	FlagSiteUnreachable    = "site_unreachable"
)

// FlagNames lists every flag the pipeline raises.
var FlagNames = []string{
	FlagAssuranceOverdue, FlagReviewOverdue, FlagNoContact,
	FlagMissingFromSource, FlagStatusConflict, FlagBrokenLink,
	FlagReportStale, FlagReportUndated, FlagReportItemsMissing, FlagNoSENCOContact, FlagReportNotFound, FlagSiteUnreachable,
}

// StaleFlags are the flags that make a service stale: the gap analysis, the
// health record, the annual report and the API's include_stale all count these.
// (The SQL views in sinks/warehouse/migrations spell the same three, as
// migrations are fixed once applied.)
var StaleFlags = []string{FlagReviewOverdue, FlagAssuranceOverdue, FlagMissingFromSource}
