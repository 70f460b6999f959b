package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:s3cret@api.example.org/v1":                              "https://***@api.example.org/v1",
		"https://token@api.example.org/":                                      "https://***@api.example.org/",
		"https://x.org/feed?api_key=abc123&page=2":                            "https://x.org/feed?api_key=***&page=2",
		"https://x.org/feed?page=2&APIKEY=abc#top":                            "https://x.org/feed?page=2&APIKEY=***#top",
		"https://x.org/?Access_Token=a.b.c&Signature=zz;key=k":                "https://x.org/?Access_Token=***&Signature=***;key=***",
		"https://x.org/?client_secret=q&refresh_token=r&x-api-key=s":          "https://x.org/?client_secret=***&refresh_token=***&x-api-key=***",
		"https://x.org/?password=p&Secret=s&token=t":                          "https://x.org/?password=***&Secret=***&token=***",
		`Get "https://u:p@h.org/a?key=1": dial tcp: refused`:                  `Get "https://***@h.org/a?key=***": dial tcp: refused`,
		"https://x.org/?monkey=1&keyword=send&page=2":                         "https://x.org/?monkey=1&keyword=send&page=2",
		"contact jo@example.org about https://x.org/services?id=1":            "contact jo@example.org about https://x.org/services?id=1",
		"https://x.org/search?q=autism&per_page=50":                           "https://x.org/search?q=autism&per_page=50",
		"https://***@x.org/?api_key=***":                                      "https://***@x.org/?api_key=***",
		`{"where":"https://x.org/s?page=1\u0026api_key=abc\u0026per_page=5"}`: `{"where":"https://x.org/s?page=1\u0026api_key=***\u0026per_page=5"}`,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

func TestRedactorValues(t *testing.T) {
	secret := "Tr0ub4dor&3 x"
	r := New(secret, "ab", "")
	msg := "fetch https://h.org/" + url.PathEscape(secret) + "/feed?q=" + url.QueryEscape(secret) + " failed; header " + secret
	got := r.String(msg)
	if strings.Contains(got, "Tr0ub4dor") {
		t.Errorf("secret survived: %s", got)
	}
	if strings.Count(got, Mask) != 3 {
		t.Errorf("want 3 masks in %s", got)
	}
	// Too short to mask as free text.
	if got := r.String("tab stop"); got != "tab stop" {
		t.Errorf("short value masked: %q", got)
	}
	var nilR *Redactor
	if got := nilR.String("https://u:p@h.org/"); got != "https://***@h.org/" {
		t.Errorf("nil Redactor: %q", got)
	}
}

func TestError(t *testing.T) {
	cause := errors.New("dial clickhouse://ch:s3cret-dsn@ch1:9000/db: refused")
	err := New("s3cret-dsn").Error(fmt.Errorf("open warehouse: %w", cause))
	if strings.Contains(err.Error(), "s3cret") || !errors.Is(err, cause) {
		t.Errorf("masked error %q (is cause: %v)", err, errors.Is(err, cause))
	}
	if New().Error(nil) != nil {
		t.Error("nil error wrapped")
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	r := New("hunter2-secret")
	log := slog.New(Handler(slog.NewJSONHandler(&buf, nil), r))
	u, _ := url.Parse("https://feed:pw@h.org/x?api_key=K")
	log.With("base", "https://h.org/?token=T").Error("fetch failed hunter2-secret",
		"url", u, "err", errors.New("GET https://h.org/?key=hunter2-secret: 500"),
		slog.Group("req", "header", "hunter2-secret"), "list", []string{"a", "hunter2-secret"}, "n", 3)
	out := buf.String()
	for _, leak := range []string{"hunter2", ":pw@", "api_key=K", "token=T"} {
		if strings.Contains(out, leak) {
			t.Errorf("log shows %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) {
		t.Errorf("numbers changed: %s", out)
	}
}

func BenchmarkText(b *testing.B) {
	r := New("a-long-secret-value", "another-secret")
	s := "fetch https://api.example.org/v1/services?page=12&per_page=50: HTTP 500 Internal Server Error"
	for b.Loop() {
		r.String(s)
	}
}
