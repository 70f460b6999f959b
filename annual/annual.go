// Package annual builds the Local Offer annual report for one local
// authority and academic year: coverage and freshness of the Local Offer,
// the gaps and demand trend (from gaps.Build), SEN information report
// compliance, what families said (the feedback views) and what was done
// about it ("You said, we did"), and the sources with their dates. It
// recomputes nothing the gap analysis or the feedback views already hold.
package annual

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Year is an academic year, named by the year it ends in (August): 2025 is
// 2024/25, the DfE's period 202425.
type Year int

// Label is the year as written in reports: 2024/25.
func (y Year) Label() string { return fmt.Sprintf("%d/%02d", int(y)-1, int(y)%100) }

// Period is the DfE time_period code: 202425.
func (y Year) Period() string { return fmt.Sprintf("%d%02d", int(y)-1, int(y)%100) }

// Start is 1 September of the year before; End is 31 August.
func (y Year) Start() time.Time { return time.Date(int(y)-1, time.September, 1, 0, 0, 0, 0, time.UTC) }
func (y Year) End() time.Time   { return time.Date(int(y), time.August, 31, 0, 0, 0, 0, time.UTC) }

// ParseYear reads --year: a four-digit year between 2000 and 2100.
func ParseYear(s string) (Year, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 2000 || n > 2100 {
		return 0, fmt.Errorf("--year %q: want the four-digit year the academic year ends in (2025 for 2024/25)", s)
	}
	return Year(n), nil
}

// AssuredWithinDays is "assured within three months".
const AssuredWithinDays = 90

// Report is everything the annual report shows.
type Report struct {
	Generated time.Time `json:"generated"`
	LACode    string    `json:"la_code"`
	LAName    string    `json:"la_name"`
	Year      int       `json:"year"`
	YearLabel string    `json:"year_label"`
	Period    string    `json:"dfe_period"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	// AsOf is the date freshness is judged at: the end of the year, or
	// today for the year in progress.
	AsOf     string         `json:"as_of"`
	Coverage Coverage       `json:"coverage"`
	Gaps     *gaps.LAReport `json:"gaps"`
	Feedback Feedback       `json:"feedback"`
	Sources  []gaps.Source  `json:"sources"`
	Options  gaps.Options   `json:"gap_options"`
}

// Coverage is the Local Offer's services and how fresh they are.
type Coverage struct {
	Services      int             `json:"services"`
	AssuredRecent int             `json:"assured_recent"` // assured within AssuredWithinDays of AsOf
	Stale         int             `json:"stale"`          // flagged review_overdue, assurance_overdue or missing_from_source
	Missing       int             `json:"missing"`        // flagged missing_from_source
	ByCategory    []CategoryCount `json:"by_category"`
}

// AssuredShare is the share of services assured within three months.
func (c Coverage) AssuredShare() float64 {
	if c.Services == 0 {
		return 0
	}
	return float64(c.AssuredRecent) / float64(c.Services)
}

// CategoryCount is one Local Offer category's services.
type CategoryCount struct {
	Category      string `json:"category"`
	Services      int    `json:"services"`
	AssuredRecent int    `json:"assured_recent"`
	Stale         int    `json:"stale"`
	// AssuredFresh are assured within three months and not flagged stale now
	// (flags are judged today, assurance at AsOf, so the two can overlap).
	AssuredFresh int `json:"assured_not_stale"`
}

// Feedback is what families, young people and professionals said in the year.
type Feedback struct {
	Comments      int          `json:"comments"`
	Answered      int          `json:"answered"`
	MedianDays    *float64     `json:"median_days_to_response"`
	ParentCarers  int          `json:"parent_carers"`
	YoungPeople   int          `json:"young_people"`
	Professionals int          `json:"professionals"`
	Months        []MonthCount `json:"months"`
	Categories    []Theme      `json:"categories"`
	Needs         []Theme      `json:"needs"`
	AgeBands      []Theme      `json:"age_bands"`
	Examples      []Comment    `json:"examples"`
	YouSaid       []Comment    `json:"you_said_we_did"`
	FamiliesSay   []GapVoices  `json:"families_say"`
	Sources       []string     `json:"sources"`
}

// AnsweredShare is the share of comments answered or closed.
func (f Feedback) AnsweredShare() float64 {
	if f.Comments == 0 {
		return 0
	}
	return float64(f.Answered) / float64(f.Comments)
}

// MonthCount is one month's comments.
type MonthCount struct {
	Month    string `json:"month"` // YYYY-MM-01
	Comments int    `json:"comments"`
	Answered int    `json:"answered"`
}

// Theme is one category, need or age band and the comments naming it.
type Theme struct {
	Value    string `json:"value"`
	Comments int    `json:"comments"`
	Answered int    `json:"answered"`
}

// Comment is one anonymised comment (scrubbed before it was stored).
type Comment struct {
	ReceivedDate string   `json:"received_date"`
	Respondent   string   `json:"respondent"`
	About        string   `json:"about"`
	Comment      string   `json:"comment"`
	Response     string   `json:"response"`
	ResponseDate string   `json:"response_date"`
	NeedCodes    []string `json:"need_codes"`
	AgeBands     []string `json:"age_bands"`
	Categories   []string `json:"categories"`
}

// GapVoices is one gap with the comments that speak to it.
type GapVoices struct {
	NeedCode  string    `json:"need_code"`
	AgeBand   string    `json:"age_band"`
	GapStatus string    `json:"gap_status"`
	GapReason string    `json:"gap_reason"`
	Comments  []Comment `json:"comments"`
}

// Limits keep the report readable.
const (
	maxExamples     = 8
	maxYouSaid      = 25
	maxGapVoices    = 12
	maxVoicesPerGap = 3
)

// Build gathers the report. la is a GSS code (resolve DfE codes with
// gaps.ResolveLA first); o are the gap thresholds.
func Build(ctx context.Context, c warehouse.Conn, la string, y Year, o gaps.Options, now time.Time) (*Report, error) {
	if la == "" {
		return nil, fmt.Errorf("annual report: no local authority given")
	}
	o.LACode = la
	g, err := gaps.Build(ctx, c, o, now)
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	asOf := y.End()
	if now.Before(asOf) {
		asOf = now.UTC().Truncate(24 * time.Hour)
	}
	r := &Report{Generated: now.UTC(), LACode: la, Year: int(y), YearLabel: y.Label(), Period: y.Period(),
		From: y.Start().Format(time.DateOnly), To: y.End().Format(time.DateOnly), AsOf: asOf.Format(time.DateOnly),
		Sources: g.Sources, Options: o}
	for i := range g.LAs {
		if g.LAs[i].Code == la {
			r.Gaps = &g.LAs[i]
			r.LAName = g.LAs[i].Name
		}
	}
	if r.Gaps == nil {
		r.Gaps = &gaps.LAReport{Code: la}
	}
	if err := r.coverage(ctx, c); err != nil {
		return nil, err
	}
	if err := r.feedback(ctx, c); err != nil {
		return nil, err
	}
	return r, nil
}

// staleFlags is schema.StaleFlags as an SQL tuple.
var staleFlags = func() string {
	q := make([]string, len(schema.StaleFlags))
	for i, f := range schema.StaleFlags {
		q[i] = warehouse.Quote(f)
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

func (r *Report) coverage(ctx context.Context, c warehouse.Conn) error {
	la, asOf := warehouse.Quote(r.LACode), warehouse.Quote(r.AsOf)
	base := `SELECT s.id AS id, s.categories AS categories,
		toUInt8(ifNull(s.assured_date >= toDate(` + asOf + `) - ` + strconv.Itoa(AssuredWithinDays) + `, 0)) AS is_recent,
		toUInt8(s.id IN (SELECT entity_id FROM flags_current WHERE entity_type = 'service' AND flag IN ` + staleFlags + `)) AS is_stale,
		toUInt8(s.id IN (SELECT entity_id FROM flags_current WHERE entity_type = 'service' AND flag = ` + warehouse.Quote(schema.FlagMissingFromSource) + `)) AS is_missing
		FROM services_current AS s
		WHERE s.la_code = ` + la + ` AND lower(s.status) NOT IN ('inactive', 'defunct')`
	tot, err := warehouse.QueryInto[struct {
		Services int `json:"services"`
		Recent   int `json:"recent"`
		Stale    int `json:"stale"`
		Missing  int `json:"missing"`
	}](ctx, c, `SELECT toInt64(count()) AS services, toInt64(sum(is_recent)) AS recent, toInt64(sum(is_stale)) AS stale, toInt64(sum(is_missing)) AS missing FROM (`+base+`)`)
	if err != nil {
		return fmt.Errorf("annual report coverage: %w", err)
	}
	if len(tot) == 1 {
		r.Coverage.Services, r.Coverage.AssuredRecent, r.Coverage.Stale, r.Coverage.Missing = tot[0].Services, tot[0].Recent, tot[0].Stale, tot[0].Missing
	}
	r.Coverage.ByCategory, err = warehouse.QueryInto[CategoryCount](ctx, c, `SELECT category, toInt64(count()) AS services,
		toInt64(sum(is_recent)) AS assured_recent, toInt64(sum(is_stale)) AS stale, toInt64(sum(is_recent AND NOT is_stale)) AS assured_not_stale
		FROM (`+base+`) ARRAY JOIN if(empty(categories), ['uncategorised'], categories) AS category
		GROUP BY category ORDER BY services DESC, category`)
	if err != nil {
		return fmt.Errorf("annual report coverage by category: %w", err)
	}
	return nil
}

func (r *Report) feedback(ctx context.Context, c warehouse.Conn) error {
	where := ` WHERE la_code = ` + warehouse.Quote(r.LACode) + ` AND received_date BETWEEN toDate(` + warehouse.Quote(r.From) +
		`) AND toDate(` + warehouse.Quote(r.To) + `)`
	answered := `countIf(status IN ('answered', 'closed'))`
	sum, err := warehouse.QueryInto[Feedback](ctx, c, `SELECT toInt64(count()) AS comments, toInt64(`+answered+`) AS answered,
		if(countIf(days_to_response IS NOT NULL) = 0, NULL, toFloat64(quantileExactIf(0.5)(days_to_response, days_to_response IS NOT NULL))) AS median_days_to_response,
		toInt64(countIf(respondent = 'parent_carer')) AS parent_carers, toInt64(countIf(respondent = 'young_person')) AS young_people,
		toInt64(countIf(respondent = 'professional')) AS professionals,
		arraySort(groupUniqArray(source_url)) AS sources
		FROM feedback_current`+where)
	if err != nil {
		return fmt.Errorf("annual report feedback: %w", err)
	}
	if len(sum) == 1 {
		r.Feedback = sum[0]
	}
	r.Feedback.Months, err = warehouse.QueryInto[MonthCount](ctx, c, `SELECT toString(month) AS month, toInt64(count()) AS comments,
		toInt64(`+answered+`) AS answered FROM feedback_current`+where+` GROUP BY month ORDER BY month`)
	if err != nil {
		return fmt.Errorf("annual report feedback by month: %w", err)
	}
	for _, d := range []struct {
		col string
		dst *[]Theme
	}{{"categories", &r.Feedback.Categories}, {"need_codes", &r.Feedback.Needs}, {"age_bands", &r.Feedback.AgeBands}} {
		*d.dst, err = warehouse.QueryInto[Theme](ctx, c, `SELECT CAST(v AS String) AS value, toInt64(count()) AS comments, toInt64(`+answered+`) AS answered
			FROM feedback_current ARRAY JOIN `+d.col+` AS v`+where+` GROUP BY value ORDER BY comments DESC, value`)
		if err != nil {
			return fmt.Errorf("annual report feedback themes (%s): %w", d.col, err)
		}
	}
	const cols = `toString(received_date) AS received_date, CAST(respondent AS String) AS respondent, about, comment, response,
		ifNull(toString(response_date), '') AS response_date, arrayMap(x -> CAST(x AS String), need_codes) AS need_codes,
		arrayMap(x -> CAST(x AS String), age_bands) AS age_bands, arrayMap(x -> CAST(x AS String), categories) AS categories`
	// Aliases shadow columns in WHERE: filter in a subquery first.
	inYear := ` FROM (SELECT * FROM feedback_current` + where + `)`
	r.Feedback.Examples, err = warehouse.QueryInto[Comment](ctx, c, `SELECT `+cols+inYear+
		` ORDER BY length(need_codes) + length(categories) + length(age_bands) DESC, received_date, id LIMIT `+strconv.Itoa(maxExamples))
	if err != nil {
		return fmt.Errorf("annual report example comments: %w", err)
	}
	r.Feedback.YouSaid, err = warehouse.QueryInto[Comment](ctx, c, `SELECT `+cols+inYear+
		` WHERE response != '' ORDER BY received_date, id LIMIT `+strconv.Itoa(maxYouSaid))
	if err != nil {
		return fmt.Errorf("annual report responses: %w", err)
	}
	type voice struct {
		NeedCode  string `json:"need_code"`
		AgeBand   string `json:"age_band"`
		GapStatus string `json:"gap_status"`
		GapReason string `json:"gap_reason"`
		Received  string `json:"received_date"`
		Who       string `json:"respondent"`
		Text      string `json:"comment"`
		Response  string `json:"response"`
	}
	voices, err := warehouse.QueryInto[voice](ctx, c, `SELECT need_code, age_band, gap_status, gap_reason,
		toString(received_date) AS received_date, CAST(respondent AS String) AS respondent, comment, response
		FROM (SELECT * FROM feedback_gaps`+where+`) ORDER BY severity DESC, need_code, age_band, received_date, feedback_id`)
	if err != nil {
		return fmt.Errorf("annual report families say: %w", err)
	}
	for _, v := range voices {
		n := len(r.Feedback.FamiliesSay)
		if n == 0 || r.Feedback.FamiliesSay[n-1].NeedCode != v.NeedCode || r.Feedback.FamiliesSay[n-1].AgeBand != v.AgeBand {
			if n == maxGapVoices {
				break
			}
			r.Feedback.FamiliesSay = append(r.Feedback.FamiliesSay, GapVoices{NeedCode: v.NeedCode, AgeBand: v.AgeBand, GapStatus: v.GapStatus, GapReason: v.GapReason})
			n++
		}
		if g := &r.Feedback.FamiliesSay[n-1]; len(g.Comments) < maxVoicesPerGap {
			g.Comments = append(g.Comments, Comment{ReceivedDate: v.Received, Respondent: v.Who, Comment: v.Text, Response: v.Response})
		}
	}
	return nil
}
