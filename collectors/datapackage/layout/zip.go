package layout

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/localoffer/localoffer/internal/archive"
)

// Zip is a zipped package opened through the shared archive guard (entry
// count, per-entry and total inflated bytes counted on every read, ratio).
type Zip struct {
	a     *archive.Archive
	names map[string]string // slash path → entry name
	list  []string
}

// OpenZip opens a zip file under limits (zero fields: archive.Defaults).
// name is what messages call it.
func OpenZip(file, name string, lim archive.Limits) (*Zip, error) {
	a, err := archive.Open(file, name, lim)
	if err != nil {
		return nil, err
	}
	z := &Zip{a: a, names: map[string]string{}}
	for _, n := range a.Names() {
		p := strings.TrimPrefix(strings.ReplaceAll(n, `\`, "/"), "./")
		if _, dup := z.names[p]; dup {
			continue
		}
		z.names[p] = n
		z.list = append(z.list, p)
	}
	return z, nil
}

// Files lists the archive's files (slash paths).
func (z *Zip) Files() []string { return z.list }

// Close releases the archive.
func (z *Zip) Close() error { return z.a.Close() }

// Open streams one file; reads past the limits fail with archive.ErrLimit.
func (z *Zip) Open(p string) (io.ReadCloser, error) {
	n, ok := z.names[p]
	if !ok {
		return nil, fmt.Errorf("%s: %s: %w", z.a.Name(), p, fs.ErrNotExist)
	}
	return z.a.Open(n)
}

// IsNotInZip reports whether an Open failed because the file is absent.
func IsNotInZip(err error) bool { return errors.Is(err, fs.ErrNotExist) }
