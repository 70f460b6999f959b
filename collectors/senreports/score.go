package senreports

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Scores: how strongly a link's text, address or a page's title says "this is
// the SEN information report". Weights are additive; phrase weights dominate.
var (
	reportPhrases = []struct {
		phrase string
		weight float64
	}{
		{"special educational needs and disabilities information report", 12},
		{"special educational needs and disability information report", 12},
		{"special educational needs information report", 12},
		{"send information report", 12},
		{"sen information report", 12},
		{"sen and disability information report", 12},
		{"sen information", 7},
		{"send information", 7},
		{"sen report", 8},
		{"send report", 8},
		{"information report", 6},
		{"school offer", 5},
		{"send offer", 5},
		{"sen offer", 5},
		{"local offer", 3},
		{"special educational needs", 4},
		{"additional needs", 2},
		{"inclusion", 2},
	}
	penalties = []string{"accessibility", "newsletter", "calendar", "admission", "vacanc", "uniform", "term date", "lunch menu",
		"lettings", "privacy", "gdpr", "safeguarding", "behaviour", "charging", "pupil premium", "sports premium", "ofsted", "governor"}
	urlReport = []string{"sen-information-report", "send-information-report", "sen_information_report", "send_information_report",
		"seninformationreport", "sendinformationreport", "senir", "sen-report", "send-report", "sen_report", "send_report", "information-report",
		"information_report", "school-offer", "sen-offer", "send-offer"}
	hubWords = []string{"send", "sen", "special educational", "inclusion", "polic", "about", "key information", "statutory", "information",
		"parents", "our school", "school info", "documents", "additional needs", "support"}
	yearMarker = regexp.MustCompile(`20\d{2}\s*[-/–_]\s*(?:20)?\d{2}`)
	nonAlnum   = regexp.MustCompile(`[^a-z0-9]+`)
)

// normText lower-cases and folds the spellings schools use for SEND: "SEN(D)",
// "SEN/D", "S.E.N.D." all become "send"/"sen".
func normText(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("sen(d)", "send", "sen/d", "send", "s.e.n.d.", "send", "s.e.n.d", "send", "s.e.n.", "sen", "&", "and",
		"’", "'", "\u00a0", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func hasWord(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if f == w {
			return true
		}
	}
	return false
}

// textScore scores link text or a title.
func textScore(s string) float64 {
	t := normText(s)
	if t == "" {
		return 0
	}
	var sc float64
	best := 0.0
	for _, p := range reportPhrases {
		if strings.Contains(t, p.phrase) && p.weight > best {
			best = p.weight
		}
	}
	sc += best
	if best < 6 && (hasWord(t, "send") || hasWord(t, "sen")) {
		sc += 3
	}
	if yearMarker.MatchString(t) && sc > 0 {
		sc++
	}
	for _, p := range penalties {
		if strings.Contains(t, p) {
			sc -= 3
			break
		}
	}
	if strings.Contains(t, "policy") || strings.Contains(t, "policies") {
		sc -= 1
	}
	return sc
}

// urlScore scores an address by its path.
func urlScore(raw string) float64 {
	u, err := url.Parse(raw)
	if err != nil {
		return 0
	}
	p := strings.ToLower(u.Path)
	if q := u.RawQuery; q != "" {
		p += "?" + strings.ToLower(q)
	}
	if up, err := url.PathUnescape(p); err == nil {
		p = up
	}
	var sc float64
	for _, w := range urlReport {
		if strings.Contains(p, w) {
			sc += 6
			break
		}
	}
	tokens := strings.Fields(nonAlnum.ReplaceAllString(p, " "))
	has := map[string]bool{}
	for _, t := range tokens {
		has[t] = true
	}
	if sc == 0 && has["information"] && has["report"] {
		sc += 4
	}
	if has["sen"] || has["send"] || has["senco"] || has["inclusion"] || strings.Contains(p, "special-educational") {
		sc += 2
	}
	if yearMarker.MatchString(p) && sc > 0 {
		sc++
	}
	for _, pen := range penalties {
		if strings.Contains(p, strings.ReplaceAll(pen, " ", "-")) {
			sc -= 2
			break
		}
	}
	return sc
}

// hubScore says whether a page is worth opening to look for more links:
// SEND, policy, "about us" and information pages.
func hubScore(text, raw string) float64 {
	t := normText(text)
	p := ""
	if u, err := url.Parse(raw); err == nil {
		p = strings.ToLower(u.Path)
	}
	all := t + " " + nonAlnum.ReplaceAllString(p, " ")
	var sc float64
	for _, w := range hubWords {
		if len(w) <= 4 {
			if hasWord(all, w) {
				sc++
			}
		} else if strings.Contains(all, w) {
			sc++
		}
	}
	return sc
}

// formatOf names a document's format from its content type, address and first bytes.
func formatOf(contentType, raw string, head []byte) string {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "pdf"):
		return "pdf"
	case strings.Contains(ct, "wordprocessingml"):
		return "docx"
	case strings.Contains(ct, "html"):
		return "html"
	}
	if len(head) >= 5 && string(head[:5]) == "%PDF-" {
		return "pdf"
	}
	if len(head) >= 4 && string(head[:4]) == "PK\x03\x04" {
		return "docx"
	}
	switch linkFormat(raw) {
	case "pdf":
		return "pdf"
	case "docx":
		return "docx"
	case "html":
		return "html"
	}
	h := strings.ToLower(strings.TrimSpace(string(head)))
	if strings.HasPrefix(h, "<") {
		return "html"
	}
	return ""
}

// linkFormat guesses a link's format from its extension: pdf, docx, html
// (pages, including extension-less ones), or "other" (images, zips, doc…).
func linkFormat(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "other"
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".pdf":
		return "pdf"
	case ".docx":
		return "docx"
	case "", ".html", ".htm", ".php", ".aspx", ".asp", ".jsp", ".shtml", ".cfm":
		return "html"
	}
	// Paths like /page/sen-information-report.2023 are still pages; only known
	// binary extensions are ruled out.
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".zip", ".doc", ".xls", ".xlsx", ".ppt", ".pptx",
		".mp3", ".mp4", ".mov", ".avi", ".css", ".js", ".xml", ".rss", ".ics", ".txt", ".csv", ".odt", ".rtf":
		return "other"
	}
	return "html"
}
