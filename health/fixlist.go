package health

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Fix is one thing a data owner should put right in their source.
type Fix struct {
	Pipeline   string `json:"pipeline"`
	EntityType string `json:"entity_type"`
	RecordID   string `json:"record_id"` // the id as the source has it
	Name       string `json:"name"`
	SourceURL  string `json:"source_url"`
	Field      string `json:"field"` // JSON pointer, or empty for the whole record
	Problem    string `json:"problem"`
	Original   string `json:"original_value"`
	Suggestion string `json:"suggested_repair"`
	Kind       string `json:"kind"` // quarantined | repaired | dropped | flag:<name>
}

// FixColumns is the CSV header of the fix list.
var FixColumns = []string{"pipeline", "entity_type", "record_id", "name", "source_url", "field", "problem", "original_value", "suggested_repair", "kind"}

// Values returns the fix in FixColumns order.
func (f Fix) Values() []string {
	return []string{f.Pipeline, f.EntityType, f.RecordID, f.Name, f.SourceURL, f.Field, f.Problem, f.Original, f.Suggestion, f.Kind}
}

// flagFixes says what a data owner does about each flag.
var flagFixes = map[string]struct{ field, fix string }{
	schema.FlagAssuranceOverdue:   {"/assured_date", "Check the record with the provider and set assured_date to the date it was confirmed (ORUK asks for every three months)."},
	schema.FlagReviewOverdue:      {"/last_modified", "Review the record with the provider and update it; the change will move last_modified on."},
	schema.FlagNoContact:          {"/contacts", "Add at least one way to reach the service: an email, phone, web page or named contact."},
	schema.FlagMissingFromSource:  {"", "The source no longer lists this record: confirm it has closed (then mark it inactive or defunct) or restore it."},
	schema.FlagStatusConflict:     {"/status", "Sources disagree about whether this is open: confirm its status and correct the source that is wrong."},
	schema.FlagBrokenLink:         {"/url", "The link does not answer: correct or remove it."},
	schema.FlagReportStale:        {"", "Publish this year's SEN information report (SEND Regulations 2014, reg. 51: updated every year)."},
	schema.FlagReportNotFound:     {"", "Link the SEN information report from the school's home page or SEND page so parents can find it."},
	schema.FlagReportUndated:      {"", "State the date the SEN information report was written or reviewed in the report itself."},
	schema.FlagReportItemsMissing: {"", "Add the Schedule 1 items the report lacks (the flag's evidence lists them)."},
	schema.FlagNoSENCOContact:     {"", "Give the SENCO's name and an email or phone number in the report (Schedule 1, item 5)."},
	schema.FlagSiteUnreachable:    {"", "The school website did not answer: check it is up and reachable without a login."},
}

// FixList collects the fix list of the given sources: records quarantined in
// their latest run (one row per problem), fields repaired or dropped in their
// latest run, then every open flag. With limit >
// 0 only the first limit rows are read; total counts them all.
func FixList(ctx context.Context, c warehouse.Conn, pipelines []string, laCode string, limit int) (fixes []Fix, total int, err error) {
	if len(pipelines) == 0 {
		return nil, 0, nil
	}
	in := quoteList(pipelines)
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf(" LIMIT %d", limit)
	}
	type qrow struct {
		Pipeline   string `json:"pipeline"`
		EntityType string `json:"entity_type"`
		RecordID   string `json:"record_id"`
		SourceURL  string `json:"source_url"`
		Errors     string `json:"errors"`
		Payload    string `json:"payload"`
		Total      int    `json:"total"`
	}
	latest := `SELECT pipeline, argMax(run_id, started_at) FROM runs WHERE pipeline IN (` + in + `) GROUP BY pipeline`
	quarantined := 0
	err = warehouse.QueryEach(ctx, c, `SELECT CAST(pipeline AS String) AS pipeline, CAST(entity_type AS String) AS entity_type,
    record_id, source_url, errors, payload, toUInt64(sum(length(JSONExtractArrayRaw(errors))) OVER ()) AS total
FROM quarantine FINAL
WHERE pipeline IN (`+in+`) AND (pipeline, last_seen_run) IN (`+latest+`)
ORDER BY pipeline, entity_type, record_id`+lim, func(r qrow) error {
		quarantined = r.Total
		var problems []struct {
			Pointer string `json:"pointer"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal([]byte(r.Errors), &problems)
		var payload any
		_ = json.Unmarshal([]byte(r.Payload), &payload)
		name, _ := pointer(payload, "/name")
		base := Fix{Pipeline: r.Pipeline, EntityType: r.EntityType, RecordID: sourceID(r.Pipeline, r.RecordID),
			Name: name, SourceURL: r.SourceURL, Kind: "quarantined"}
		if len(problems) == 0 {
			base.Problem = "record failed validation"
			base.Suggestion = "Correct the record so it has an id and a name."
			fixes = append(fixes, base)
			return nil
		}
		for _, p := range problems {
			f := base
			f.Field, f.Problem = p.Pointer, p.Message
			f.Original, _ = pointer(payload, p.Pointer)
			f.Suggestion = suggestFor(p.Pointer, p.Message)
			fixes = append(fixes, f)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read quarantine for the fix list: %w", err)
	}
	if limit > 0 {
		if len(fixes) >= limit {
			fixes = fixes[:limit]
			lim = " LIMIT 1" // only the count is still needed
		} else {
			lim = fmt.Sprintf(" LIMIT %d", limit-len(fixes))
		}
	}
	// Repairs and drops of the latest runs: the record loaded, but its owner
	// should put the field right at the source.
	type irow struct {
		Pipeline   string `json:"pipeline"`
		EntityType string `json:"entity_type"`
		RecordID   string `json:"record_id"`
		Pointer    string `json:"pointer"`
		Original   string `json:"original_value"`
		Action     string `json:"action"`
		Repaired   string `json:"repaired_value"`
		Rule       string `json:"rule"`
		Reason     string `json:"reason"`
		SourceURL  string `json:"source_url"`
		Total      int    `json:"total"`
	}
	issues := 0
	err = warehouse.QueryEach(ctx, c, `SELECT CAST(pipeline AS String) AS pipeline, CAST(entity_type AS String) AS entity_type,
    record_id, pointer, original_value, CAST(action AS String) AS action, repaired_value, CAST(rule AS String) AS rule, reason, source_url,
    toUInt64(count() OVER ()) AS total
FROM field_issues FINAL
WHERE pipeline IN (`+in+`) AND (pipeline, run_id) IN (`+latest+`)
ORDER BY action DESC, pipeline, entity_type, record_id, pointer`+lim, func(r irow) error {
		issues = r.Total
		if limit > 0 && len(fixes) >= limit {
			return nil
		}
		f := Fix{Pipeline: r.Pipeline, EntityType: r.EntityType, RecordID: sourceID(r.Pipeline, r.RecordID), SourceURL: r.SourceURL,
			Field: r.Pointer, Original: r.Original, Kind: r.Action}
		if r.Action == "repaired" {
			f.Problem = "repaired by rule " + r.Rule
			f.Suggestion = "Change it at the source to " + strconv.Quote(r.Repaired) + " (loaded so, by rule " + r.Rule + ")."
		} else {
			f.Problem = r.Reason
			if f.Problem == "" {
				f.Problem = "dropped by rule " + r.Rule
			}
			f.Suggestion = suggestFor(r.Pointer, f.Problem) + " (not loaded until then)"
		}
		fixes = append(fixes, f)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read field issues for the fix list: %w", err)
	}
	if limit > 0 {
		if len(fixes) >= limit {
			lim = " LIMIT 1"
		} else {
			lim = fmt.Sprintf(" LIMIT %d", limit-len(fixes))
		}
	}
	laFilter := ""
	if laCode != "" {
		// Records outside the LA are someone else's to fix.
		laFilter = " WHERE n.la = '' OR n.la = " + warehouse.Quote(laCode)
	}
	type frow struct {
		Pipeline   string `json:"pipeline"`
		EntityType string `json:"entity_type"`
		EntityID   string `json:"entity_id"`
		Flag       string `json:"flag"`
		Reason     string `json:"reason"`
		Evidence   string `json:"evidence"`
		Name       string `json:"name"`
		SourceID   string `json:"source_id"`
		SourceURL  string `json:"source_url"`
		Total      int    `json:"total"`
	}
	// Names come from the entity tables' latest versions of the flagged ids
	// only, read by key rather than through the *_current views.
	flagged := `SELECT entity_id FROM flags FINAL WHERE pipeline IN (` + in + `) AND active = 1 AND entity_type = `
	latestOf := func(kind, table, name, srcID, srcURL string) string {
		return fmt.Sprintf(`SELECT %s AS t, id, argMax(%s, _version) AS name, argMax(%s, _version) AS source_id,
        argMax(%s, _version) AS source_url, argMax(CAST(la_code AS String), _version) AS la
    FROM %s WHERE pipeline IN (%s) AND id IN (%s%s) GROUP BY id`, warehouse.Quote(kind), name, srcID, srcURL, table, in, flagged, warehouse.Quote(kind))
	}
	flagRows := 0
	err = warehouse.QueryEach(ctx, c, `SELECT CAST(f.pipeline AS String) AS pipeline, CAST(f.entity_type AS String) AS entity_type,
    f.entity_id AS entity_id, CAST(f.flag AS String) AS flag, f.reason AS reason, f.evidence AS evidence,
    n.name AS name, n.source_id AS source_id, n.source_url AS source_url, toUInt64(count() OVER ()) AS total
FROM (SELECT pipeline, entity_type, entity_id, flag, reason, evidence FROM flags FINAL WHERE pipeline IN (`+in+`) AND active = 1) AS f
LEFT JOIN (
    `+latestOf("service", "services", "name", "source_id", "source_url")+`
    UNION ALL `+latestOf("organization", "organizations", "name", "source_id", "source_url")+`
    UNION ALL `+latestOf("location", "locations", "name", "source_id", "source_url")+`
    UNION ALL `+latestOf("sen_report", "sen_reports", "school_name", "urn", "if(report_url != '', report_url, site_url)")+`
) AS n ON n.t = f.entity_type AND n.id = f.entity_id`+laFilter+`
ORDER BY pipeline, entity_type, entity_id, flag`+lim, func(r frow) error {
		flagRows = r.Total
		if limit > 0 && len(fixes) >= limit {
			return nil
		}
		fx := flagFixes[r.Flag]
		id := r.SourceID
		if id == "" {
			id = sourceID(r.Pipeline, r.EntityID)
		}
		suggestion := fx.fix
		if suggestion == "" {
			suggestion = "Review the record: " + r.Reason
		}
		fixes = append(fixes, Fix{Pipeline: r.Pipeline, EntityType: r.EntityType, RecordID: id, Name: r.Name, SourceURL: r.SourceURL,
			Field: fx.field, Problem: r.Reason, Original: r.Evidence, Suggestion: suggestion, Kind: "flag:" + r.Flag})
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read flags for the fix list: %w", err)
	}
	return fixes, quarantined + issues + flagRows, nil
}

// sourceID strips our pipeline namespace from a record id.
func sourceID(pipeline, id string) string {
	return strings.TrimPrefix(id, pipeline+"/")
}

// suggestFor proposes a repair for a validation problem at a field.
func suggestFor(ptr, msg string) string {
	field := ptr[strings.LastIndexByte(ptr, '/')+1:]
	m := strings.ToLower(msg)
	switch {
	case field == "id" || (strings.Contains(m, "missing") && strings.Contains(m, "'id'")):
		return "Give the record a stable id: without one it cannot be published or tracked."
	case field == "name" || strings.Contains(m, "'name'"):
		return "Give the record a name."
	case field == "email":
		return "Correct the email address (one address, like name@example.org) or remove it."
	case field == "url" || field == "website":
		return "Give a full web address starting https:// or remove it."
	case field == "number" || strings.Contains(ptr, "/phones/"):
		return "Correct the phone number (UK format, like 023 9268 8000) or remove it."
	case field == "postal_code" || field == "postcode":
		return "Correct the postcode (like PO1 2AL)."
	case field == "opens_at" || field == "closes_at":
		return "Give opening times as HH:MM (24-hour clock), like 09:00."
	case field == "minimum_age" || field == "maximum_age":
		return "Give ages in whole years from 0 to 25, the minimum not above the maximum."
	case field == "status":
		return "Set status to active, inactive, defunct or temporarily closed."
	case strings.Contains(m, "date") || strings.HasSuffix(field, "_date"):
		return "Give the date as YYYY-MM-DD."
	}
	return "Correct " + strconv.Quote(ptr) + ": " + msg
}

// pointer resolves a JSON pointer in a decoded document and renders the value
// found as text (JSON for objects and arrays).
func pointer(doc any, ptr string) (string, bool) {
	if ptr == "" || ptr == "/" {
		return "", false
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return "", false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return "", false
			}
			cur = v[i]
		default:
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case nil:
		return "null", true
	default:
		b, _ := json.Marshal(v)
		return string(b), true
	}
}
