package spreadsheet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/localoffer/localoffer/transform/needs"
)

// parseDate turns a cell into YYYY-MM-DD. Excel serials are accepted in any
// format (XLSX cells keep dates as serial numbers).
func parseDate(s, format string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if d, ok := fastDate(s, format); ok {
		return d, nil
	}
	return parseDateLayouts(s, format)
}

// fastDate is parseDate's common case without time.Parse and its
// allocations: a valid two-digit-day, two-digit-month, four-digit-year date
// in the form the format's first layout reads ("02-01-2006" for dd-mm-yyyy;
// "02/01/2006" for dd/mm/yyyy and unspecified formats, which try that layout
// first and are not Excel serials with a slash in them). ok is false for
// anything else, which parseDateLayouts then decides.
func fastDate(s, format string) (string, bool) {
	var sep byte
	switch format {
	case "dd-mm-yyyy":
		sep = '-'
	case "dd/mm/yyyy", "", "excel":
		sep = '/'
	default:
		return "", false
	}
	if len(s) != 10 || s[2] != sep || s[5] != sep {
		return "", false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	d, okD := num(s[0:2])
	m, okM := num(s[3:5])
	y, okY := num(s[6:10])
	if !okD || !okM || !okY || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return "", false
	}
	return s[6:10] + "-" + s[3:5] + "-" + s[0:2], true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDateLayouts is parseDate for a trimmed, non-empty cell by way of
// strconv and time.Parse.
func parseDateLayouts(s, format string) (string, error) {
	// A number is an Excel serial unless the format names a layout and the
	// cell has a date's separators (checked first: it is cheaper).
	if format == "" || format == "excel" || !strings.ContainsAny(s, "/-") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return excelDate(f)
		}
	}
	try := dateLayouts[format]
	if format == "" || format == "excel" {
		try = anyDateLayouts
	}
	for _, l := range try {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	if format == "" {
		return "", fmt.Errorf("not a date: %q", s)
	}
	return "", fmt.Errorf("not a date in %s: %q", format, s)
}

var dateLayouts = map[string][]string{
	"dd/mm/yyyy": {"02/01/2006", "2/1/2006", "02/01/2006 15:04", "02/01/2006 15:04:05"},
	"dd-mm-yyyy": {"02-01-2006", "2-1-2006"},
	"mm/dd/yyyy": {"01/02/2006", "1/2/2006"},
	"yyyy-mm-dd": {"2006-01-02", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05"},
}

// anyDateLayouts is for unspecified formats: the UK forms first, then ISO.
var anyDateLayouts = append(append(append([]string{}, dateLayouts["dd/mm/yyyy"]...), dateLayouts["dd-mm-yyyy"]...), dateLayouts["yyyy-mm-dd"]...)

// excelDate converts a 1900-system serial (day 1 = 1900-01-01, with Excel's
// phantom 1900-02-29) to a date.
func excelDate(f float64) (string, error) {
	if f < 1 || f > 2958465 || math.IsNaN(f) {
		return "", fmt.Errorf("not an Excel date serial: %v", f)
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if f < 61 {
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, int(f)).Format("2006-01-02"), nil
}

// parseNumber reads a count or age: commas and spaces allowed; empty and the
// DfE suppression symbols (x, z, c, low, u, :, ..) are "no value".
func parseNumber(s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if suppressed(s) {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("not a number: %q", s)
	}
	return &f, nil
}

func suppressed(s string) bool {
	switch strings.ToLower(s) {
	case "", "x", "z", "c", "low", "u", ":", "..", "n/a", "na", "-":
		return true
	}
	return false
}

func parseInt(s string) (*int, error) {
	f, err := parseNumber(s)
	if f == nil || err != nil {
		return nil, err
	}
	if *f != math.Trunc(*f) || *f < 0 || *f > 130 {
		return nil, fmt.Errorf("not a whole age: %q", s)
	}
	n := int(*f)
	return &n, nil
}

// normPostcode upper-cases and puts one space before the inward code.
func normPostcode(s string) string {
	if normalPostcode(s) {
		return s
	}
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 5 || len(s) > 7 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// normalPostcode reports whether normPostcode would return s unchanged and
// can tell cheaply: upper-case letters and digits, five to seven of them, one
// space before the last three.
func normalPostcode(s string) bool {
	n := len(s)
	if n < 6 || n > 8 || s[n-4] != ' ' {
		return false
	}
	for i := 0; i < n; i++ {
		if c := s[i]; i != n-4 && !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// containsLower is strings.Contains(strings.ToLower(s), sub) for a lower-case
// ASCII sub, without the copy when s is ASCII.
func containsLower(s, sub string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), sub)
		}
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// needReader reads need cells through the needs vocabulary
// (transform/needs): codes ("ASD", "SpLD - Specific…"), DfE wording, legacy
// BESD and the other words the vocabulary knows. A label read once is
// remembered: a file repeats the same few labels on every row.
type needReader struct {
	vocab *needs.Vocab
	seen  map[string][]string // label → codes; nil codes = names no need
}

// builtinNeeds is the vocabulary shipped in the binary, parsed once.
var builtinNeeds = sync.OnceValues(func() (*needs.Vocab, error) { return needs.Load("") })

func newNeedReader() (*needReader, error) {
	v, err := builtinNeeds()
	if err != nil {
		return nil, err
	}
	return &needReader{vocab: v, seen: map[string][]string{}}, nil
}

// maxSeenNeeds bounds the label memory: a hostile file of distinct labels
// costs lookups, not memory.
const maxSeenNeeds = 4096

// codes returns the DfE need codes one cell names; ok is false when it names
// none (an unknown word, or only a broad area).
func (n *needReader) codes(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if c, ok := n.seen[s]; ok {
		return c, c != nil
	}
	c, _, _ := n.vocab.Normalize([]string{s}, "need_codes")
	if len(n.seen) < maxSeenNeeds {
		n.seen[s] = c
	}
	return c, c != nil
}

// slug makes an id-safe key from text.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func ptr[T any](v T) *T { return &v }

func parseTime(date string) (time.Time, error) { return time.Parse("2006-01-02", date) }
