package senreports

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/senreports/internal/pdfgen"
)

// loopbackOnly is a transport that dials 127.0.0.1 only: any other host
// fails at once, before a DNS lookup, so tests never leave the machine.
func loopbackOnly() http.RoundTripper {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || (host != "127.0.0.1" && host != "localhost") {
				return nil, &net.DNSError{Err: "not resolved in tests", Name: host, IsNotFound: true}
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 64,
	}
}

// testSession is a fetch session with no warehouse behind it.
func testSession(t testing.TB, opts fetch.Options) *fetch.Session {
	t.Helper()
	if opts.Retries == 0 {
		opts.Retries = -1
	}
	if opts.Transport == nil {
		opts.Transport = loopbackOnly()
	}
	c := fetch.New(opts, &fetch.Blobs{Dir: t.TempDir()}, nil)
	return c.Session("test", "run-1", nil)
}

// copySite copies a fixture site to a temporary directory and renders every
// "<name>.pdf.txt" there as "<name>.pdf" (see writePDF).
func copySite(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if rel == "expected.json" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".pdf.txt") {
			return os.WriteFile(strings.TrimSuffix(out, ".txt"), pdfFromText(t, string(b)), 0o644)
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// pdfFromText renders a fixture: "Title:" and "Modified:" header lines, a
// blank line, then the report's paragraphs.
func pdfFromText(t testing.TB, s string) []byte {
	t.Helper()
	head, body, _ := strings.Cut(s, "\n\n")
	var d pdfgen.Doc
	for _, l := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Title":
			d.Title = v
		case "Modified":
			tm, err := time.Parse("2006-01-02", v)
			if err != nil {
				t.Fatalf("fixture Modified: %v", err)
			}
			d.Modified = tm
		}
	}
	d.Lines = strings.Split(body, "\n")
	return d.Bytes()
}

func siteConfig(urn, name, path string) Site {
	return Site{URN: urn, Name: name, URL: path}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
