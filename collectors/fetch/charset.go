package fetch

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"github.com/localoffer/localoffer/internal/textenc"
)

// Charset names the document's character encoding: a BOM, the Content-Type
// charset, an HTML <meta> declaration, or else UTF-8 when the whole body is
// valid UTF-8 and windows-1252 (a superset of latin-1) when it is not.
// Undeclared text is checked in full, not by its first kilobyte, because feeds
// are often ASCII for pages before the first accented name.
func (d *Document) Charset() (string, error) {
	_, name, err := d.encoding()
	return name, err
}

// OpenUTF8 returns the body decoded to UTF-8 (a leading BOM removed). The raw
// bytes stay in the blob store as fetched.
func (d *Document) OpenUTF8() (io.ReadCloser, error) {
	enc, name, err := d.encoding()
	if err != nil {
		return nil, err
	}
	rc, err := d.Open()
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, 64<<10)
	if name == "utf-8" {
		if b, _ := br.Peek(3); len(textenc.TrimUTF8BOM(b)) < len(b) {
			br.Discard(3)
		}
		return readCloser{br, rc}, nil
	}
	return readCloser{transform.NewReader(br, enc.NewDecoder()), rc}, nil
}

// Text returns the whole body as UTF-8 text.
func (d *Document) Text() (string, error) {
	rc, err := d.OpenUTF8()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var sb strings.Builder
	if _, err := io.Copy(&sb, rc); err != nil {
		return "", fmt.Errorf("decode %s: %w", d.URL, err)
	}
	return sb.String(), nil
}

// UTF8 returns the whole body decoded to UTF-8 (a leading BOM removed). A
// body kept in memory (KeepBody) that is UTF-8 already comes back as it is,
// not copied: the caller must not modify it.
func (d *Document) UTF8() ([]byte, error) {
	if d.body == nil {
		rc, err := d.OpenUTF8()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", d.URL, err)
		}
		return b, nil
	}
	enc, name, err := d.encoding()
	if err != nil {
		return nil, err
	}
	if name == "utf-8" {
		return textenc.TrimUTF8BOM(d.body), nil
	}
	b, err := enc.NewDecoder().Bytes(d.body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", d.URL, err)
	}
	return b, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (d *Document) encoding() (encoding.Encoding, string, error) {
	if d.body != nil {
		head := d.body[:min(len(d.body), 1024)]
		if e, name, certain := charset.DetermineEncoding(head, d.ContentType); certain || (e != nil && name != "windows-1252" && name != "utf-8") {
			return e, normName(name), nil
		}
		if utf8.Valid(d.body) {
			return encoding.Nop, "utf-8", nil
		}
		return charmap.Windows1252, "windows-1252", nil
	}
	rc, err := d.Open()
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(1024)
	if e, name, certain := charset.DetermineEncoding(head, d.ContentType); certain || (e != nil && name != "windows-1252" && name != "utf-8") {
		return e, normName(name), nil
	}
	// Nothing declared: decide on the whole body.
	valid, err := textenc.ValidUTF8(br)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", d.URL, err)
	}
	if valid {
		return encoding.Nop, "utf-8", nil
	}
	return charmap.Windows1252, "windows-1252", nil
}

func normName(n string) string {
	if strings.EqualFold(n, "utf8") {
		return "utf-8"
	}
	return strings.ToLower(n)
}
