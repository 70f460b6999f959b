package extract

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
)

// Date sources, strongest first.
const (
	DateText       = "text"             // "Reviewed: September 2023"
	DateNextReview = "text_next_review" // "Next review: September 2024", less a year
	DateOpening    = "text_opening"     // "SEN Information Report 2023-24" in the report's opening lines
	DateTitle      = "title"
	DateHeading    = "heading"
	DateURL        = "url"
	DateHTTPWeak   = schema.ReportDateWeak
)

const month = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

var (
	dayMonthYear = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + month + `\.?,?\s+(\d{4})\b`)
	// "May 9th 2019", "September 4, 2023".
	monthDayYear = regexp.MustCompile(`\b` + month + `\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	monthYear    = regexp.MustCompile(`\b` + month + `\.?,?\s+(\d{4})\b`)
	// "Updated: Sept 23" (a two-digit year; read only after a date keyword).
	monthShortYear = regexp.MustCompile(`\b` + month + `\.?,?\s+'?(\d{2})\b`)
	numericDate    = regexp.MustCompile(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b`)
	isoDate        = regexp.MustCompile(`\b(20\d{2})-(\d{2})-(\d{2})\b`)
	termYear       = regexp.MustCompile(`\b(autumn|spring|summer)(?:\s+term)?\s+(\d{4})\b`)
	// 2023-24, 2023/24, 2023–2024, 2023_24, 202324 in file names.
	academicYear = regexp.MustCompile(`(?:^|[^0-9])(20\d{2})\s*(?:[-/–_]|\s+to\s+)\s*(?:20)?(\d{2})(?:[^0-9]|$)`)
	uploadsPath  = regexp.MustCompile(`/(20\d{2})/(0[1-9]|1[0-2])/`)
	bareYear     = regexp.MustCompile(`(?:^|[^0-9])(20[0-4]\d)(?:[^0-9]|$)`)
)

var dateKeywords = []struct {
	phrase string
	next   bool
}{
	{"date of next review", true}, {"next review", true}, {"review due", true}, {"to be reviewed", true}, {"due for review", true},
	// "Written: October 2015 / Review date: September 2016": schools write
	// "review date" for when the report is next due.
	{"review date", true},
	{"last reviewed", false}, {"last review", false}, {"date of review", false}, {"date reviewed", false}, {"date agreed", false},
	{"reviewed", false}, {"last updated", false}, {"date updated", false}, {"updated", false}, {"date written", false}, {"written", false},
	{"date of report", false}, {"report date", false}, {"date of publication", false}, {"approved", false}, {"ratified", false}, {"published", false}, {"date:", false}, {"dated", false}, {"issued", false},
}

type dateFind struct{ date, source, evidence string }

func findDate(doc Document, text, lower string, f found, opt Options) dateFind {
	now := opt.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	limit := now.AddDate(1, 0, 0)
	plausible := func(t time.Time) bool { return t.Year() >= 2000 && !t.After(limit) }

	// Stated dates: the newest plausible "reviewed/updated" date, else a next-review date less a year.
	var best, bestNext time.Time
	var bestEv, nextEv string
	for _, kw := range dateKeywords {
		for _, i := range f.at(kw.phrase) {
			off := i + len(kw.phrase)
			end := min(len(lower), off+60)
			if nl := strings.IndexByte(lower[off:end], '\n'); nl >= 0 && nl > 3 {
				end = off + nl
			} else if nl >= 0 {
				// "Reviewed:\nSeptember 2023" (a table cell on its own line).
				end = min(len(lower), off+nl+1+40)
			}
			t, ok := keywordDate(lower[off:end])
			if !ok || policyDate(lower, i) {
				continue
			}
			if !kw.next && strings.HasSuffix(lower[max(0, i-7):i], "review ") {
				continue // "Review date:" is the next review, matched as such
			}
			if kw.next {
				t = t.AddDate(-1, 0, 0)
				if plausible(t) && t.After(bestNext) {
					bestNext, nextEv = t, excerpt(text, i, end)
				}
				continue
			}
			if plausible(t) && t.After(best) {
				best, bestEv = t, excerpt(text, i, end)
			}
		}
	}
	if !best.IsZero() {
		return dateFind{best.Format("2006-01-02"), DateText, bestEv}
	}
	if !bestNext.IsZero() {
		return dateFind{bestNext.Format("2006-01-02"), DateNextReview, nextEv}
	}
	if t, ok := parseDate(asciiLower(doc.Title), true); ok && plausible(t) {
		return dateFind{t.Format("2006-01-02"), DateTitle, doc.Title}
	}
	if t, ok := yearAfterReport(asciiLower(doc.Title)); ok && plausible(t) {
		return dateFind{t.Format("2006-01-02"), DateTitle, doc.Title}
	}
	for i, h := range doc.Headings {
		if i >= 8 {
			break
		}
		if t, ok := parseDate(asciiLower(h), true); ok && plausible(t) {
			return dateFind{t.Format("2006-01-02"), DateHeading, h}
		}
	}
	if t, ev, ok := openingDate(text, lower); ok && plausible(t) {
		return dateFind{t.Format("2006-01-02"), DateOpening, ev}
	}
	if t, ok := urlDate(doc.URL); ok && plausible(t) {
		return dateFind{t.Format("2006-01-02"), DateURL, doc.URL}
	}
	for _, d := range doc.MetaDates {
		if t, err := time.Parse("2006-01-02", d); err == nil && plausible(t) {
			return dateFind{d, doc.MetaSource, ""}
		}
	}
	if opt.LastModified != "" {
		if t, err := http.ParseTime(opt.LastModified); err == nil && plausible(t) {
			return dateFind{t.UTC().Format("2006-01-02"), DateHTTPWeak, opt.LastModified}
		}
	}
	return dateFind{}
}

// policyDate says a keyword at i dates a policy, not the report: "The SEN
// policy (updated Spring 2017) can be found…" in a report written for 2018-19.
func policyDate(lower string, i int) bool {
	start := max(0, i-80)
	if nl := strings.LastIndexByte(lower[start:i], '\n'); nl >= 0 {
		start += nl + 1
	}
	before := lower[start:i]
	return strings.Contains(before, "policy") && !strings.Contains(before, "report")
}

// openingSpan is how far into a report its own heading is looked for.
const openingSpan = 1200

// openingDate reads the date a report gives itself in its opening lines: a
// line that names the report ("SEN information report for Sparhawk Infant
// School 2022/2023", "SEND Report (September 2018)", "The SEND information
// report January 2020 conforms…") or the short line after it.
func openingDate(text, lower string) (time.Time, string, bool) {
	head := lower[:min(len(lower), openingSpan)]
	off := 0
	for off < len(head) {
		end := strings.IndexByte(head[off:], '\n')
		if end < 0 {
			end = len(head)
		} else {
			end += off
		}
		line := head[off:end]
		if strings.Contains(line, "report") && !aboutTheLaw(line) {
			if t, ok := parseDate(line, true); ok {
				return t, excerpt(text, off, end), true
			}
			if t, ok := yearAfterReport(line); ok {
				return t, excerpt(text, off, end), true
			}
			// The date on a line of its own under the report's name.
			next := end + 1
			for next < len(head) && head[next] == '\n' {
				next++
			}
			if next < len(head) {
				nend := strings.IndexByte(head[next:], '\n')
				if nend < 0 {
					nend = len(head)
				} else {
					nend += next
				}
				if nend-next < 80 {
					if t, ok := parseDate(head[next:nend], true); ok {
						return t, excerpt(text, next, nend), true
					}
				}
			}
		}
		off = end + 1
	}
	return time.Time{}, "", false
}

// aboutTheLaw says a line dates the law, not the report: "the SEND
// Information Report, which becomes statutory in September 2014 under the
// Children and Families Act".
func aboutTheLaw(line string) bool {
	if strings.Contains(line, "statutory") || strings.Contains(line, "code of practice") || strings.Contains(line, "regulation") {
		return true
	}
	for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if w == "act" || w == "bill" {
			return true
		}
	}
	return false
}

var reportYear = regexp.MustCompile(`report[\s:–—\-(]*(20\d{2})\b`)

// yearAfterReport reads "Information Report 2021" as the year 2021 (a bare
// year counts only right after the report's name: "the 2014 Act" is no date).
func yearAfterReport(s string) (time.Time, bool) {
	m := reportYear.FindStringSubmatchIndex(s)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(s[m[2]:m[3]])
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), true
}

var months = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

func monthOf(s string) time.Month { return months[s[:3]] }

func mkDate(y int, m time.Month, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Month() != m {
		return time.Time{}, false
	}
	return t, true
}

// keywordDate reads the date after a keyword ("Reviewed:", "Updated:"),
// where a month with a two-digit year ("Sept 23") can only be a year.
func keywordDate(s string) (time.Time, bool) {
	if t, ok := parseDate(s, false); ok {
		return t, true
	}
	if !strings.ContainsAny(s, "0123456789") {
		return time.Time{}, false
	}
	if m := monthShortYear.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[4]:m[5]])
		return mkDate(2000+y, monthOf(s[m[2]:m[3]]), 1)
	}
	return time.Time{}, false
}

// parseDate finds the first date in s (lower case). With years, a school year
// ("2023-24") counts as 1 September of its first year.
func parseDate(s string, years bool) (time.Time, bool) {
	if !strings.ContainsAny(s, "0123456789") {
		return time.Time{}, false // every form has a year; most keyword hits have none
	}
	type cand struct {
		at int
		t  time.Time
	}
	var cs []cand
	if m := dayMonthYear.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if t, ok := mkDate(y, monthOf(s[m[4]:m[5]]), d); ok {
			cs = append(cs, cand{m[0], t})
		}
	}
	if m := monthDayYear.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if t, ok := mkDate(y, monthOf(s[m[2]:m[3]]), d); ok {
			cs = append(cs, cand{m[0], t})
		}
	}
	if m := isoDate.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		if t, ok := mkDate(y, time.Month(mo), d); ok {
			cs = append(cs, cand{m[0], t})
		}
	}
	if m := numericDate.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if y < 100 {
			y += 2000
		}
		if t, ok := mkDate(y, time.Month(mo), d); ok { // UK order: day/month/year
			cs = append(cs, cand{m[0], t})
		}
	}
	if m := monthYear.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[4]:m[5]])
		if t, ok := mkDate(y, monthOf(s[m[2]:m[3]]), 1); ok {
			cs = append(cs, cand{m[0], t})
		}
	}
	if m := termYear.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[4]:m[5]])
		mo := map[string]time.Month{"autumn": 9, "spring": 1, "summer": 4}[s[m[2]:m[3]]]
		if t, ok := mkDate(y, mo, 1); ok {
			cs = append(cs, cand{m[0], t})
		}
	}
	if years {
		if t, at, ok := schoolYear(s); ok {
			cs = append(cs, cand{at, t})
		}
	}
	if len(cs) == 0 {
		return time.Time{}, false
	}
	// The earliest in the string; a full date beats a month-year at the same place.
	best := cs[0]
	for _, c := range cs[1:] {
		if c.at < best.at {
			best = c
		}
	}
	return best.t, true
}

func schoolYear(s string) (time.Time, int, bool) {
	for _, m := range academicYear.FindAllStringSubmatchIndex(s, -1) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		y2, _ := strconv.Atoi(s[m[4]:m[5]])
		if (y+1)%100 == y2 {
			return time.Date(y, 9, 1, 0, 0, 0, 0, time.UTC), m[2], true
		}
	}
	return time.Time{}, 0, false
}

// urlDate reads a date from a report's address: a school year, a dated file
// name, a CMS uploads folder (/2023/09/), or a bare year.
func urlDate(raw string) (time.Time, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return time.Time{}, false
	}
	p, _ := url.PathUnescape(u.Path)
	p = asciiLower(p)
	if t, _, ok := schoolYear(p); ok {
		return t, true
	}
	if t, ok := parseDate(p, false); ok {
		return t, true
	}
	// sen-report-september-2023.pdf
	if t, ok := parseDate(strings.NewReplacer("-", " ", "_", " ", "/", " ").Replace(p), false); ok {
		return t, true
	}
	if m := uploadsPath.FindStringSubmatch(p); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC), true
	}
	if m := bareYear.FindStringSubmatch(p); m != nil {
		y, _ := strconv.Atoi(m[1])
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}
