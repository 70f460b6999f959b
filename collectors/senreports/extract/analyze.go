package extract

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/needs"
)

// builtinNeeds is transform/needs' embedded vocabulary, loaded once; nil if it
// fails to parse (a build defect its own tests catch).
var builtinNeeds = sync.OnceValue(func() *needs.Vocab {
	v, err := needs.Load("")
	if err != nil {
		return nil
	}
	return v
})

// needCodes maps the needs a report names to DfE codes and broad areas, both
// in the DfE's order, and returns the first words that named a need.
func needCodes(v *needs.Vocab, text string) (codes, areas []string, first string) {
	found := v.FindText(text, "sen_report")
	// "Speech and Language Therapy" and "Mental Health Service" name who
	// helps, not a need the school provides for.
	service := map[string]bool{}
	found = slices.DeleteFunc(found, func(f needs.Found) bool {
		s, ok := service[f.Words]
		if !ok {
			s = onlyAsService(text, f.Words)
			service[f.Words] = s
		}
		return s
	})
	for _, f := range found {
		if f.Code != "" {
			first = f.Words
			break
		}
	}
	for _, c := range schema.NeedCodes {
		for _, f := range found {
			if f.Code == c {
				codes = append(codes, c)
				break
			}
		}
	}
	for _, a := range schema.BroadAreas {
		for _, f := range found {
			if f.Area == a || schema.NeedArea[f.Code] == a {
				areas = append(areas, a)
				break
			}
		}
	}
	return codes, areas, first
}

// onlyAsService says whether every use of words in text is the name of a
// therapy, service or team.
func onlyAsService(text, words string) bool {
	if words == "" {
		return false
	}
	off := 0
	seen := false
	for {
		i := strings.Index(text[off:], words)
		if i < 0 {
			return seen
		}
		seen = true
		after := asciiLower(text[off+i+len(words) : min(len(text), off+i+len(words)+10)])
		if !strings.HasPrefix(after, " therap") && !strings.HasPrefix(after, " service") && !strings.HasPrefix(after, " team") {
			return false
		}
		off += i + len(words)
	}
}

// Result is what one report says and lacks. It is deterministic for a given
// Document and Now, so an unchanged report yields a byte-identical record.
type Result struct {
	ItemsPresent     []string          `json:"items_present"`
	ItemsMissing     []string          `json:"items_missing"`
	Evidence         []schema.Evidence `json:"evidence,omitempty"`
	SENCOName        string            `json:"senco_name,omitempty"`
	SENCOEmail       string            `json:"senco_email,omitempty"`
	SENCOPhone       string            `json:"senco_phone,omitempty"`
	NeedCodes        []string          `json:"need_codes,omitempty"`
	BroadAreas       []string          `json:"broad_areas,omitempty"`
	LegacyTerms      []string          `json:"legacy_terms,omitempty"`
	LocalOfferURL    string            `json:"local_offer_url,omitempty"`
	ReportDate       string            `json:"report_date,omitempty"`
	ReportDateSource string            `json:"report_date_source,omitempty"`
}

// Item is one Schedule 1 item (SEND Regulations 2014) and the phrases that show
// a report covers it. Phrases are lower case; matching is on lower-cased text.
// A phrase inside one of Not says nothing about the item: "facilities" in the
// legal definition of disability ("making use of facilities of a kind
// generally provided…") is not the school's facilities.
type Item struct {
	Key     string
	Phrases []string
	Not     []string
}

// Items are the Schedule 1 items in the order the Regulations list them. The
// phrases were tuned on the labelled corpus of real reports (testdata/corpus).
var Items = []Item{
	{Key: "kinds_of_sen", Phrases: []string{"kinds of special educational need", "kinds of sen", "types of special educational need", "types of sen",
		"kinds of need", "types of need", "areas of need", "four broad areas", "range of needs", "cognition and learning", "communication and interaction"}},
	{Key: "identification_assessment", Phrases: []string{"identification", "identifying", "how we identify", "we identify", "school identify",
		"identify children", "identify pupils", "identify students", "identify needs", "identify which", "identify and assess",
		"know if children", "know if my child", "know if a child", "know if pupils", "know if students", "know if young people",
		"know when pupils", "know when children", "assessment of the needs", "assessment of need", "assessment of their needs",
		"specific assessment", "assess needs", "assessing needs"}},
	{Key: "evaluating_effectiveness", Phrases: []string{"effectiveness", "evaluate provision", "evaluate the provision", "evaluating provision",
		"evaluating the provision", "evaluation of provision", "evaluation of the provision", "evaluate the impact", "evaluating the impact",
		"evaluate the success", "measure the impact", "impact of interventions", "impact of the support"}},
	{Key: "assessing_reviewing_progress", Phrases: []string{"review progress", "reviewing progress", "progress is reviewed", "progress is monitored",
		"assess, plan, do, review", "assess, plan, do and review", "assess-plan-do-review", "plan, do, review", "plan-do-review", "graduated approach",
		"review meeting", "monitor progress", "monitoring progress", "track progress", "tracking progress", "progress review",
		"progress meeting", "monitoring the progress", "monitor the progress", "monitors the progress", "checking on the progress",
		"check on progress", "reviewed at least termly", "reviewed termly", "reviewed each term", "termly review", "annual review",
		"targets are reviewed", "targets which are reviewed"}},
	{Key: "teaching_approach", Phrases: []string{"approach to teaching", "approaches to teaching", "quality first teaching", "quality-first teaching",
		"high quality teaching", "high-quality teaching", "adaptive teaching", "inclusive teaching", "teaching approaches", "wave 1",
		"teaching, learning", "our teaching"},
		Not: []string{"teaching assistant"}},
	{Key: "adapting_curriculum", Phrases: []string{"adapt", "differentiat", "learning environment", "modify the curriculum", "modified curriculum",
		"reasonable adjustment"}},
	{Key: "additional_support", Phrases: []string{"additional support", "intervention", "extra support", "additional adult", "1:1 support",
		"1-1 support", "one-to-one support", "one to one support", "small group", "additional help", "teaching assistant", "nurture group",
		"additional focused support", "different and additional", "provision in addition", "sen support involve"},
		Not: []string{"needing extra support", "require extra support", "additional support required by", "additional help to care"}},
	{Key: "inclusion_activities", Phrases: []string{"extra-curricular", "extracurricular", "extra curricular", "school trips", "trips", "clubs",
		"residential", "educational visits", "activities outside the classroom", "activities available", "all our activities",
		"all aspects of the life of the school", "all aspects of school life", "cultural activities"}},
	{Key: "emotional_social_development", Phrases: []string{"emotional and social development", "social and emotional development",
		"emotional development", "social development", "emotional support", "emotional wellbeing", "emotional well-being", "wellbeing",
		"well-being", "pastoral", "bullying", "counselling", "counsellor", "self-esteem", "mental health support", "emotional literacy"}},
	{Key: "senco_contact"}, // present only when a SENCO is named or given contact details
	{Key: "staff_expertise_training", Phrases: []string{"training", "trained", "expertise", "cpd", "professional development",
		"national award for sen", "qualified", "qualification", "experienced"},
		Not: []string{"training provision"}},
	{Key: "equipment_facilities", Phrases: []string{"equipment", "facilities", "accessibility plan", "accessibility", "wheelchair",
		"specialist resources", "disabled toilet", "accessible toilet"},
		Not: []string{"facilities of a kind", "facilities of a child", "same facilities", "facilities and services provided"}},
	{Key: "consulting_parents", Phrases: []string{"consult", "involve parents", "involving parents", "work with parents", "working with parents",
		"partnership with parents", "parents' evening", "parents’ evening", "parents evening", "parent meeting", "views of parents",
		"parental involvement", "parents and carers are involved", "meet with parents", "with parents", "with families", "from parents",
		"parental request", "communication with parents", "talk to families"}},
	{Key: "consulting_young_people", Phrases: []string{"pupil voice", "student voice", "learner voice", "child's views", "child’s views",
		"views of the child", "views of pupils", "pupils' views", "pupils’ views", "children's views", "children’s views", "involve pupils",
		"involving pupils", "involve children", "involving children", "involving young people", "involve young people", "one-page profile",
		"one page profile", "pupil passport", "voice of the child", "their views", "their own targets", "views of parents and children",
		"produced with pupils", "opportunities to feedback", "self-assessment"}},
	{Key: "complaints", Phrases: []string{"complain", "not being resolved", "concerns are not resolved", "if you are unhappy"}},
	{Key: "other_bodies", Phrases: []string{"educational psycholog", "speech and language therap", "camhs", "school nurse", "social care",
		"social services", "occupational therap", "physiotherap", "outside agencies", "external agencies", "other agencies", "health services",
		"specialist teacher", "voluntary", "early help", "health professionals", "specialist services", "outreach"},
		Not: []string{"voluntary school", "voluntary aided", "voluntary controlled"}},
	{Key: "parent_support_services", Phrases: []string{"sendiass", "sendias", "information, advice and support", "information advice and support",
		"iass", "parent partnership", "contact a family", "parent carer forum", "parent support advisor", "family support worker"}},
	{Key: "transitions", Phrases: []string{"transition", "preparing for adulthood", "moving on", "next stage of education", "secondary school",
		"changing schools", "new school", "moving to", "pre-school", "preschool"}},
	{Key: "local_offer", Phrases: []string{"local offer"}},
}

// Options tune Analyze.
type Options struct {
	// Now bounds plausible report dates (a date more than a year ahead is a typo).
	Now time.Time
	// LastModified is the HTTP Last-Modified header, the weakest date source.
	LastModified string
	// Needs maps the words for kinds of need to DfE codes (nil: the built-in
	// vocabulary of transform/needs).
	Needs *needs.Vocab
}

// Analyze reads one report document into findings.
func Analyze(doc Document, opt Options) Result {
	text := doc.Text
	lower := asciiLower(text)
	r := Result{ItemsPresent: []string{}, ItemsMissing: []string{}}

	f := findPhrases(lower)
	law := lawSpans(text, lower, f)
	senco := findSENCO(text, lower, f)
	r.SENCOName, r.SENCOEmail, r.SENCOPhone = senco.name, senco.email, senco.phone

	vocab := opt.Needs
	if vocab == nil {
		vocab = builtinNeeds()
	}
	var needWords string
	if vocab != nil {
		r.NeedCodes, r.BroadAreas, needWords = needCodes(vocab, text)
	}

	for _, it := range Items {
		if it.Key == "senco_contact" {
			if senco.mention >= 0 && (senco.name != "" || senco.email != "" || senco.phone != "") {
				r.ItemsPresent = append(r.ItemsPresent, it.Key)
				r.Evidence = append(r.Evidence, schema.Evidence{Item: it.Key, Excerpt: excerpt(text, senco.mention, senco.mention+1)})
			} else {
				r.ItemsMissing = append(r.ItemsMissing, it.Key)
			}
			continue
		}
		found := false
		for _, ph := range it.Phrases {
			if i := f.firstSaying(text, lower, ph, it.Not, law); i >= 0 {
				r.ItemsPresent = append(r.ItemsPresent, it.Key)
				r.Evidence = append(r.Evidence, schema.Evidence{Item: it.Key, Excerpt: excerpt(text, i, i+len(ph))})
				found = true
				break
			}
		}
		if !found && it.Key == "kinds_of_sen" && needWords != "" {
			// Naming the needs provided for covers the item without its heading.
			if i := strings.Index(text, needWords); i >= 0 {
				r.ItemsPresent = append(r.ItemsPresent, it.Key)
				r.Evidence = append(r.Evidence, schema.Evidence{Item: it.Key, Excerpt: excerpt(text, i, i+len(needWords))})
				found = true
			}
		}
		if !found {
			r.ItemsMissing = append(r.ItemsMissing, it.Key)
		}
	}

	r.LegacyTerms = legacyTerms(text, lower, f)
	r.LocalOfferURL = localOffer(doc.Links)

	d := findDate(doc, text, lower, f, opt)
	r.ReportDate, r.ReportDateSource = d.date, d.source
	if d.evidence != "" {
		r.Evidence = append(r.Evidence, schema.Evidence{Item: "report_date", Excerpt: d.evidence})
	}
	return r
}

// lawTriggers introduce the Regulations' list of what a report must contain,
// which some reports copy before (or instead of) saying what they do.
var lawTriggers = []string{"must include information about", "must include information on", "must include details about",
	"must include:", "should include information about", "must also show:", "must include the following"}

// lawSpans are the parts of a report that restate the law: a trigger and the
// list after it, whose items start in lower case as the Regulations' do ("the
// kinds of special educational needs…", "arrangements for consulting…").
// Naming an item there says nothing about the school.
func lawSpans(text, lower string, f found) [][2]int {
	var out [][2]int
	for _, t := range lawTriggers {
		for _, i := range f.at(t) {
			end := strings.IndexByte(lower[i:], '\n')
			if end < 0 {
				out = append(out, [2]int{i, len(lower)})
				continue
			}
			end += i
			for end+1 < len(lower) {
				next := strings.IndexByte(lower[end+1:], '\n')
				line := text[end+1:]
				if next >= 0 {
					line = text[end+1 : end+1+next]
				}
				if !lowerCaseItem(line) {
					break
				}
				if next < 0 {
					end = len(lower)
					break
				}
				end += 1 + next
			}
			out = append(out, [2]int{i, end})
		}
	}
	return out
}

// lowerCaseItem: a line of the original text that starts in lower case,
// after any bullet.
func lowerCaseItem(line string) bool {
	line = strings.TrimLeft(line, " \t•-–·*●∙")
	return line != "" && line[0] >= 'a' && line[0] <= 'z'
}

// asciiLower lower-cases ASCII letters only, so byte offsets match the original.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// excerpt returns the line around s[start:end], cut to about 200 characters.
func excerpt(s string, start, end int) string {
	ls := strings.LastIndexByte(s[:start], '\n') + 1
	le := strings.IndexByte(s[end:], '\n')
	if le < 0 {
		le = len(s)
	} else {
		le += end
	}
	const half = 100
	pre, post := "", ""
	if start-ls > half {
		ls = start - half
		for ls < start && s[ls] != ' ' {
			ls++
		}
		pre = "…"
	}
	if le-end > half {
		le = end + half
		for le > end && s[le] != ' ' {
			le--
		}
		post = "…"
	}
	return pre + strings.TrimSpace(strings.ToValidUTF8(s[ls:le], "")) + post
}

var legacy = []struct{ phrase, name string }{
	{"school action plus", "School Action Plus"},
	{"school action", "School Action"},
	{"statement of special educational need", "Statement of SEN"},
	{"statements of special educational need", "Statement of SEN"},
	{"statement of sen", "Statement of SEN"},
	{"statemented", "Statement of SEN"},
	{"parent partnership", "Parent Partnership"},
	{"learning difficulty assessment", "Learning Difficulty Assessment"},
	{"2001 code of practice", "SEN Code of Practice 2001"},
	{"code of practice (2001)", "SEN Code of Practice 2001"},
	{"code of practice 2001", "SEN Code of Practice 2001"},
	{"local education authority", "Local Education Authority (LEA)"},
}

// historical words before a pre-2014 term say the report knows it is gone:
// "EHC plans (used to be known as Statements…)", "SENDIASS (formerly Parent Partnership)".
var historical = []string{"formerly", "used to be known as", "used to be called", "previously known as", "previously called",
	"replaced", "replacing", "instead of"}

func isHistorical(lower string, i int) bool {
	before := lower[max(0, i-30):i]
	for _, h := range historical {
		if strings.Contains(before, h) {
			return true
		}
	}
	return false
}

func legacyTerms(text, lower string, f found) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range legacy {
		ok := false
		for _, i := range f.at(l.phrase) {
			switch {
			case l.phrase == "school action" && strings.HasPrefix(lower[i:], "school action plus"):
				// "School Action" counts only where it does not start "School Action Plus".
			case l.phrase == "parent partnership" && text[i] != 'P':
				// "strong parent partnerships" is no service.
			case isHistorical(lower, i):
			default:
				ok = true
			}
			if ok {
				break
			}
		}
		if ok && !seen[l.name] {
			seen[l.name] = true
			out = append(out, l.name)
		}
	}
	sort.Strings(out)
	return out
}

func localOffer(links []Link) string {
	for _, l := range links {
		t := strings.ToLower(l.Text + " " + l.URL)
		if strings.Contains(t, "local offer") || strings.Contains(t, "localoffer") || strings.Contains(t, "local-offer") || strings.Contains(t, "local_offer") {
			if strings.HasPrefix(l.URL, "http://") || strings.HasPrefix(l.URL, "https://") {
				return l.URL
			}
		}
	}
	return ""
}

type sencoFind struct {
	mention            int
	name, email, phone string
}

var (
	// A name with a title: Mrs Jane Smith, Mr J. Patel, Miss O'Neill. Words
	// are joined by spaces only, never across lines.
	// An initial may run into the surname: "Mrs. S.Wilson", "Mr J.Smith".
	titledName = regexp.MustCompile(`\b(?:Mrs|Mr|Miss|Ms|Mx|Dr)\.?[ \t]+(?:[A-Z]\.[ \t]*|[A-Z][ \t]+|[A-Z][a-z'’\-]+[ \t]+){0,2}[A-Z][a-zA-Z'’\-]+`)
	// A name right after "SENCO is" / "SENCO:" / "SENCo –" / "Co-ordinator (SENCO) –",
	// with or without a title.
	nameAfter = regexp.MustCompile(`^\)?[ \t]*(?:\([A-Za-z]{2,8}\))?[ \t:–—\-]*(?:is[ \t]+|:[ \t]*)?((?:(?:Mrs|Mr|Miss|Ms|Mx|Dr)\.?[ \t]+)?(?:[A-Z]\.[ \t]*|[A-Z][ \t]+|[A-Z][a-z'’\-]+[ \t]+){0,2}[A-Z][a-zA-Z'’\-]+)`)
	phoneRe   = regexp.MustCompile(`(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)\d{2,4}\)?[\s\-]?\d{3,4}[\s\-]?\d{3,4}`)
)

// notName are capitalised words that follow a name but are not part of it.
var notName = map[string]bool{"Email": true, "E-mail": true, "Tel": true, "Telephone": true, "Phone": true, "Contact": true,
	"SENCO": true, "SENCo": true, "SENDCo": true, "Deputy": true, "Head": true, "Assistant": true, "Our": true, "The": true,
	"She": true, "He": true, "They": true, "And": true, "Who": true, "Can": true, "Is": true, "Inclusion": true, "School": true}

func trimName(n string) string {
	f := strings.Fields(n)
	for len(f) > 1 && notName[f[len(f)-1]] {
		f = f[:len(f)-1]
	}
	if len(f) == 1 {
		return ""
	}
	return strings.Join(f, " ")
}

func findSENCO(text, lower string, f found) sencoFind {
	out := sencoFind{mention: -1}
	mentions := sencoMentions(lower, f, 50)
	if len(mentions) == 0 {
		return out
	}
	out.mention = mentions[0][0]
	const window = 250
	for _, m := range mentions {
		if out.name != "" && out.email != "" && out.phone != "" {
			break // later mentions can only repeat what is known
		}
		lo, hi := max(0, m[0]-window), min(len(text), m[1]+window)
		if out.name == "" {
			after := text[m[1]:hi]
			// A label on a line of its own ("SENCO:" in a definition list, a
			// table cell pdftotext puts on its own line): the name is on the next.
			if nl := strings.IndexByte(after, '\n'); nl >= 0 && strings.Trim(after[:nl], " \t:–—-)(") == "" {
				after = after[nl+1:]
			}
			if sm := nameAfter.FindStringSubmatch(after); sm != nil {
				if n := trimName(sm[1]); n != "" && !notName[strings.Fields(n)[0]] {
					out.name, out.mention = n, m[0]
				}
			}
		}
		if out.name == "" {
			// The titled name nearest the mention, before or after it.
			best, bestDist := "", window*2
			for _, nm := range titledName.FindAllStringIndex(text[lo:hi], -1) {
				s, e := nm[0]+lo, nm[1]+lo
				d := s - m[1]
				if e <= m[0] {
					d = m[0] - e
				}
				if d < 0 {
					d = -d
				}
				if d < bestDist {
					if n := trimName(text[s:e]); n != "" {
						best, bestDist = n, d
					}
				}
			}
			if best != "" {
				out.name, out.mention = best, m[0]
			}
		}
		if out.email == "" {
			if es := emails(text[m[0]:hi], 1); len(es) > 0 {
				out.email = es[0]
			}
		}
		if out.phone == "" {
			if p := phoneRe.FindString(text[m[0]:hi]); p != "" {
				out.phone = strings.Join(strings.Fields(p), " ")
			}
		}
	}
	// The SENCO's own address anywhere in the report ("b.youll@…" for Mrs
	// Bernice Youll), and a phone given just before it ("contacted on the
	// Academy number: … or directly at b.youll@…").
	if out.name != "" && (out.email == "" || out.phone == "") {
		if e, at := ownEmail(text, out.name); e != "" {
			if out.email == "" {
				out.email = e
			}
			if out.phone == "" {
				if ps := phoneRe.FindAllString(text[max(0, at-300):at], -1); len(ps) > 0 {
					out.phone = strings.Join(strings.Fields(ps[len(ps)-1]), " ")
				}
			}
		}
	}
	// An address naming SEN anywhere in the report beats one merely near a mention.
	for _, e := range emails(text, 100) {
		l := strings.ToLower(e)
		local, _, _ := strings.Cut(l, "@")
		if strings.Contains(local, "senco") || strings.Contains(local, "sendco") || strings.Contains(local, "inclusion") ||
			local == "sen" || local == "send" || strings.HasPrefix(local, "sen.") || strings.HasPrefix(local, "send.") {
			out.email = e
			break
		}
	}
	return out
}

// sencoWords are the (lower-case) ways reports name the SENCO; regular
// expressions over a whole report were the slowest part of extraction.
var sencoWords = []string{"senco", "sendco", "special educational needs co", "special educational needs and disabilit",
	"inclusion lead", "inclusion manager", "inclusion co", "head of inclusion",
	"send co", "sen co", "send lead", "sen lead", "head of send", "head of sen"}

// sencoMentions returns [start, end) of each SENCO mention, in text order.
func sencoMentions(lower string, f found, limit int) [][2]int {
	var out [][2]int
	for _, w := range sencoWords {
		for _, i := range f.at(w) {
			end := i + len(w)
			// Finish the word: "co-ordinator", "leader", "disabilities co-ordinator".
			for end < len(lower) && (isLetter(lower[end]) || lower[end] == '-') {
				end++
			}
			switch w {
			case "send co", "sen co":
				// "SEND Co-ordinator", never "send copies".
				if word := lower[i+len(w)-2 : end]; word != "coordinator" && word != "co-ordinator" {
					continue
				}
			case "send lead", "sen lead":
				if word := lower[i+len(w)-4 : end]; word != "lead" && word != "leader" {
					continue
				}
			}
			if w == "special educational needs and disabilit" {
				if !strings.HasPrefix(lower[end:], " co") {
					continue
				}
				end += 3
				for end < len(lower) && (isLetter(lower[end]) || lower[end] == '-') {
					end++
				}
			}
			out = append(out, [2]int{i, end})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// ownEmail finds an address whose local part carries the person's surname
// ("b.youll", "jsmith", "sarah.alden") and where it is in text.
func ownEmail(text, name string) (string, int) {
	f := strings.Fields(name)
	surname := strings.ToLower(strings.Trim(f[len(f)-1], ".,"))
	if len(surname) < 3 {
		return "", -1
	}
	off := 0
	for _, e := range emails(text, 100) {
		at := strings.Index(text[off:], e)
		if at < 0 {
			continue
		}
		at += off
		off = at + len(e)
		local, _, _ := strings.Cut(strings.ToLower(e), "@")
		if strings.Contains(local, surname) {
			return e, at
		}
	}
	return "", -1
}

func isEmailLocal(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isEmailDomain(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// emails finds up to limit e-mail addresses by scanning around each '@'.
func emails(text string, limit int) []string {
	var out []string
	off := 0
	for len(out) < limit {
		i := strings.IndexByte(text[off:], '@')
		if i < 0 {
			break
		}
		at := off + i
		off = at + 1
		s := at
		for s > 0 && isEmailLocal(text[s-1]) {
			s--
		}
		e := at + 1
		for e < len(text) && isEmailDomain(text[e]) {
			e++
		}
		local, domain := strings.TrimLeft(text[s:at], "."), strings.Trim(text[at+1:e], ".-")
		if local == "" || !strings.Contains(domain, ".") {
			continue
		}
		out = append(out, local+"@"+domain)
	}
	return out
}
