package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ErrNoPDFTool says the PDF text extractor is not installed.
var ErrNoPDFTool = errors.New("PDF text extraction needs pdftotext and pdfinfo from the Debian package poppler-utils (apt-get install poppler-utils; `make setup` installs it)")

// PDF extracts PDF text with poppler's pdftotext in a child process: a hostile
// or broken PDF can hang or crash only that process, which the timeout and
// output cap bound.
type PDF struct {
	// ToText and Info are the tool paths (default: pdftotext and pdfinfo on PATH).
	ToText, Info string
	Timeout      time.Duration // per document (default 30s)
	MaxText      int64         // bytes of text kept (default 4 MiB)
}

func (p PDF) tools() (string, string, error) {
	tt, info := p.ToText, p.Info
	if tt == "" {
		tt = "pdftotext"
	}
	if info == "" {
		info = "pdfinfo"
	}
	ttPath, err := exec.LookPath(tt)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrNoPDFTool, err)
	}
	infoPath, err := exec.LookPath(info)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrNoPDFTool, err)
	}
	return ttPath, infoPath, nil
}

// Available reports whether the PDF tools are installed.
func (p PDF) Available() error {
	_, _, err := p.tools()
	return err
}

// Extract reads the PDF at path (a stored blob) into a Document.
func (p PDF) Extract(ctx context.Context, path, u string) (Document, error) {
	doc := Document{URL: u, Format: "pdf"}
	tt, info, err := p.tools()
	if err != nil {
		return doc, err
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	maxText := p.MaxText
	if maxText <= 0 {
		maxText = 4 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	text, err := runCapped(ctx, maxText, tt, "-q", "-enc", "UTF-8", "-nopgbrk", path, "-")
	if err != nil {
		return doc, fmt.Errorf("pdftotext %s: %w", u, err)
	}
	doc.Text = pdfLines(text)
	// Metadata is a bonus: a PDF whose Info dictionary is broken still has text.
	if meta, err := runCapped(ctx, 64<<10, info, "-isodates", path); err == nil {
		doc.Title, doc.MetaDates = parsePDFInfo(meta)
		doc.MetaSource = "pdf_metadata"
	}
	doc.Links = urlsInText(doc.Text)
	return doc, nil
}

func runCapped(ctx context.Context, limit int64, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	data, rerr := io.ReadAll(io.LimitReader(out, limit))
	// Drain and discard the rest so the child is not blocked on a full pipe.
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("gave up: %w", ctx.Err())
	}
	if rerr != nil {
		return nil, rerr
	}
	if werr != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return nil, fmt.Errorf("%w: %s", werr, msg)
		}
		return nil, werr
	}
	return data, nil
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// pdfLines joins pdftotext's wrapped lines back into paragraphs: a line that
// does not end a sentence continues on the next unless the next looks like a heading.
func pdfLines(b []byte) string {
	var out strings.Builder
	var para strings.Builder
	flush := func() {
		if para.Len() > 0 {
			out.WriteString(para.String())
			out.WriteByte('\n')
			para.Reset()
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := cleanSpace(sc.Text())
		if line == "" {
			flush()
			continue
		}
		if para.Len() > 0 {
			para.WriteByte(' ')
		}
		para.WriteString(line)
		if strings.HasSuffix(line, ".") || strings.HasSuffix(line, "?") || strings.HasSuffix(line, ":") {
			flush()
		}
	}
	flush()
	return out.String()
}

func parsePDFInfo(b []byte) (title string, dates []string) {
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Title":
			title = v
		case "ModDate", "CreationDate":
			// -isodates gives 2023-09-12T10:00:00+01 or similar.
			if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
				if _, err := time.Parse("2006-01-02", v[:10]); err == nil {
					dates = append(dates, v[:10])
				}
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dates)))
	return title, dates
}

var urlInText = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>()"']+[^\s<>()"'.,;:]`)

// urlsInText finds web addresses written out in plain text (PDF and DOCX reports).
func urlsInText(s string) []Link {
	var out []Link
	for _, m := range urlInText.FindAllString(s, 200) {
		u := m
		if strings.HasPrefix(strings.ToLower(u), "www.") {
			u = "https://" + u
		}
		out = append(out, Link{Text: m, URL: u})
	}
	return out
}
