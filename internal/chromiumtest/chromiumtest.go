// Package chromiumtest renders the HTML reports in headless Chromium for
// tests: the DOM after scripts would have run, and a screenshot on request.
// Tests install nothing: `make test` (scripts/setup.sh --test) installs
// Debian's chromium, and without it the test is skipped with the reason.
package chromiumtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// timeout bounds one Chromium run; it starts in a second or two when idle,
// far slower on a loaded machine.
const timeout = 60 * time.Second

// Page is an HTML page written to a temporary file for Chromium to open.
type Page struct {
	t    testing.TB
	bin  string
	path string
}

// Open writes page to a temporary file, or skips the test when Chromium is
// not installed.
func Open(t testing.TB, page []byte) *Page {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("headless Chromium check skipped: chromium is not installed (`make setup-test` installs Debian's chromium)")
	}
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	return &Page{t: t, bin: bin, path: path}
}

// DOM returns the document as Chromium leaves it after loading the page.
func (p *Page) DOM() string {
	p.t.Helper()
	return string(p.run("--dump-dom", "file://"+p.path))
}

// ScreenshotTo writes a screenshot (window "width,height") to the file named
// by the environment variable env, when it is set: docs/ images are made so.
func (p *Page) ScreenshotTo(env, window string) {
	p.t.Helper()
	out := os.Getenv(env)
	if out == "" {
		return
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		p.t.Fatal(err)
	}
	p.run("--screenshot="+abs, "--window-size="+window, "--hide-scrollbars", "file://"+p.path)
	p.t.Logf("screenshot written to %s", abs)
}

// run starts Chromium with a fresh profile in a temporary directory and with
// everything that would reach the network off.
func (p *Page) run(args ...string) []byte {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + p.t.TempDir()}
	cmd := exec.CommandContext(ctx, p.bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("chromium %v: %v\n%s", args, err, lastLines(stderr.Bytes(), 10))
	}
	return stdout.Bytes()
}

func lastLines(b []byte, n int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
