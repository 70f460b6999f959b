package schema

import (
	"regexp"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Hand-written matchers for the patterns our schema uses on nearly every
// record. Go's regexp spends most of a record's pattern time backtracking
// through the web-address pattern; these do one pass. Each is proved equal to
// regexp on the same source by TestPatternMatchersAgreeWithRegexp and
// FuzzPatternMatchers; a pattern not in this table keeps using regexp.
const (
	patternWebURL  = `^(file:///[^\s]+|(https?://)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:[0-9]{1,5})?([/?#][^\s]*)?)$`
	patternDate    = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	patternGSSCode = `^[EWSNK][0-9]{8}$`
	patternSHA256  = `^[0-9a-f]{64}$` // provenance.document_sha256, on every record
	patternLAOld   = `^[0-9]{3}$`     // the DfE's three-digit LA codes
)

var patternMatchers = map[string]func(string) bool{
	patternWebURL:  matchWebURL,
	patternDate:    matchDate,
	patternGSSCode: matchGSSCode,
	patternSHA256:  matchSHA256,
	patternLAOld:   matchLAOld,
}

// patternMatcher returns the fastest equivalent of a compiled pattern. Only
// Go-regexp patterns are replaced: another engine may read the source differently.
func patternMatcher(re jsonschema.Regexp) func(string) bool {
	if re == nil {
		return nil
	}
	if g, ok := re.(*regexp.Regexp); ok {
		if m := patternMatchers[g.String()]; m != nil {
			return m
		}
	}
	return re.MatchString
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// isSpaceRE is regexp's \s: [\t\n\f\r ] (not \v, not Unicode spaces).
func isSpaceRE(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func noSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpaceRE(s[i]) {
			return false
		}
	}
	return true
}

func matchDate(s string) bool {
	return len(s) == 10 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' &&
		isDigit(s[5]) && isDigit(s[6]) && s[7] == '-' && isDigit(s[8]) && isDigit(s[9])
}

func matchSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !(c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func matchLAOld(s string) bool {
	return len(s) == 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2])
}

func matchGSSCode(s string) bool {
	if len(s) != 9 {
		return false
	}
	switch s[0] {
	case 'E', 'W', 'S', 'N', 'K':
	default:
		return false
	}
	for i := 1; i < 9; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// matchWebURL is patternWebURL. The host's characters [A-Za-z0-9.-] never
// occur in what may follow it (':', '/', '?', '#' or the end), so the host is
// the longest run of them and no backtracking is needed; likewise the port is
// the whole digit run after ':'. "http://" cannot be read as a host ("http"
// would need a dot before ':'), and "file:///" cannot either.
func matchWebURL(s string) bool {
	if len(s) >= 8 && s[:8] == "file:///" {
		return len(s) > 8 && noSpace(s[8:])
	}
	switch {
	case len(s) >= 8 && s[:8] == "https://":
		s = s[8:]
	case len(s) >= 7 && s[:7] == "http://":
		s = s[7:]
	}
	// Host: two or more dot-separated labels of [A-Za-z0-9-], each starting
	// and ending with a letter or digit.
	labels, labelStart, i := 0, 0, 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if !labelOK(s[labelStart:i]) {
				return false
			}
			labels++
			labelStart = i + 1
			continue
		}
		if !isAlnum(c) && c != '-' {
			break
		}
	}
	if !labelOK(s[labelStart:i]) {
		return false
	}
	if labels+1 < 2 {
		return false
	}
	s = s[i:]
	if len(s) > 0 && s[0] == ':' {
		j := 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == 1 || j > 6 {
			return false
		}
		s = s[j:]
	}
	if len(s) == 0 {
		return true
	}
	switch s[0] {
	case '/', '?', '#':
		return noSpace(s[1:])
	}
	return false
}

func labelOK(l string) bool {
	return len(l) > 0 && isAlnum(l[0]) && isAlnum(l[len(l)-1])
}
