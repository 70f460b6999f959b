// Package redact hides secrets before text is logged or stored: values that
// came from ${ENV} expansion in pipelines.yaml, the userinfo of any URL, and
// query parameters whose names say they carry a credential.
package redact

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Mask replaces every secret.
const Mask = "***"

// MinSecretLen: shorter ${ENV} values are not masked as free text (masking
// "1" or "on" everywhere would garble every message); they are still masked
// inside URLs by the userinfo and parameter rules.
const MinSecretLen = 4

var (
	// scheme://userinfo@ — everything up to the last @ before the host.
	userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s"'<>@]+@`)
	// ?api_key=…, &access_token=…, ;signature=… and names ending in one of
	// the words (client_secret, x-api-key, refresh_token).
	// JSON writers escape & as \u0026, so that counts as a separator too.
	param = regexp.MustCompile(`(?i)([?&;]|\\u0026)((?:[a-z0-9._-]*[_-])?(?:key|token|secret|password|passwd|signature|sig|api_key|apikey|access_token))=([^&;#\s"'<>\\]*)`)
)

// Text masks URL userinfo and credential query parameters anywhere in s.
func Text(s string) string {
	if strings.Contains(s, "@") {
		s = userinfo.ReplaceAllString(s, "${1}"+Mask+"@")
	}
	if strings.Contains(s, "=") {
		s = param.ReplaceAllStringFunc(s, func(m string) string {
			sub := param.FindStringSubmatch(m)
			if sub[3] == "" || sub[3] == Mask {
				return m
			}
			return sub[1] + sub[2] + "=" + Mask
		})
	}
	return s
}

// URL masks one URL's userinfo and credential parameters; it is Text, named
// for call sites that hold a URL.
func URL(raw string) string { return Text(raw) }

// Redactor also masks known secret values (and their URL-escaped forms)
// wherever they appear. The zero value and nil mask patterns only.
type Redactor struct {
	values []string // longest first, so a secret containing another is masked whole
}

// New returns a Redactor for these secret values.
func New(values ...string) *Redactor {
	seen := map[string]bool{}
	r := &Redactor{}
	for _, v := range values {
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if len(form) >= MinSecretLen && !seen[form] {
				seen[form] = true
				r.values = append(r.values, form)
			}
		}
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r
}

// String masks secrets in s.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, v := range r.values {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, Mask)
			}
		}
	}
	return Text(s)
}

// Error wraps err so its message is masked; errors.Is and errors.As still
// see the cause. nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &maskedError{err: err, r: r}
}

type maskedError struct {
	err error
	r   *Redactor
}

func (e *maskedError) Error() string { return e.r.String(e.err.Error()) }
func (e *maskedError) Unwrap() error { return e.err }
