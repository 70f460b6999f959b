// Package archive opens zip containers from sources (data package zips,
// XLSX workbooks, DOCX reports) under one set of limits, so a zip bomb is
// refused the same way wherever it arrives.
//
// Limits are checked twice: against the central directory when the archive is
// opened (cheap, refuses most bombs before anything is inflated) and against
// the bytes actually inflated while an entry is read (the directory can lie).
// Every read counts towards the archive's total, so a package that lists the
// same table three times pays for it three times.
package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"
)

// Limits bound one archive. Zero fields take the value from Defaults.
type Limits struct {
	MaxEntries    int   // entries in the central directory
	MaxEntryBytes int64 // one entry, inflated
	MaxTotalBytes int64 // everything inflated from the archive; an entry read twice counts twice
	MaxRatio      int64 // inflated:compressed for one entry ...
	RatioFloor    int64 // ... once it inflates beyond this many bytes (small XML compresses very well)
}

// Defaults suit a data package or workbook of a few hundred MB.
var Defaults = Limits{
	MaxEntries:    10_000,
	MaxEntryBytes: 1 << 30,
	MaxTotalBytes: 2 << 30,
	MaxRatio:      1000,
	RatioFloor:    1 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = Defaults.MaxEntries
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = Defaults.MaxEntryBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = Defaults.MaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = Defaults.MaxRatio
	}
	if l.RatioFloor <= 0 {
		l.RatioFloor = Defaults.RatioFloor
	}
	return l
}

// ErrLimit is wrapped by every LimitError: errors.Is(err, archive.ErrLimit).
var ErrLimit = errors.New("archive exceeds its limits (possible zip bomb)")

// LimitError says which limit an archive hit.
type LimitError struct {
	Archive string // the archive, as named by the caller
	Entry   string // the entry, or "" for the archive as a whole
	What    string // "entries", "inflated size", "inflated total", "compression ratio"
	Limit   int64
	Got     int64 // what was seen when the limit was hit (a lower bound while reading)
}

func (e *LimitError) Error() string {
	where := e.Archive
	if e.Entry != "" {
		where += ": " + e.Entry
	}
	if e.What == "compression ratio" {
		return fmt.Sprintf("%s: compression ratio %d:1 is above the limit %d:1 (possible zip bomb)", where, e.Got, e.Limit)
	}
	return fmt.Sprintf("%s: %s %d is above the limit %d (possible zip bomb)", where, e.What, e.Got, e.Limit)
}

func (e *LimitError) Unwrap() error { return ErrLimit }

// Archive is an opened, checked zip. Safe for concurrent reads of different entries.
type Archive struct {
	name   string
	limits Limits
	zr     *zip.Reader
	closer io.Closer
	byName map[string]*zip.File
	names  []string
	total  atomic.Int64 // bytes inflated so far, every read counted
}

// Open opens the zip at path. name is how messages refer to it (a URL or the
// configured path, never a temp file name).
func Open(path, name string, l Limits) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open archive %s: %w", name, err)
	}
	a, err := NewReader(f, st.Size(), name, l)
	if err != nil {
		f.Close()
		return nil, err
	}
	a.closer = f
	return a, nil
}

// NewReader checks a zip held in r (for example bytes.NewReader(body)).
func NewReader(r io.ReaderAt, size int64, name string, l Limits) (*Archive, error) {
	l = l.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: not a readable zip: %w", name, err)
	}
	a := &Archive{name: name, limits: l, zr: zr, byName: make(map[string]*zip.File, len(zr.File))}
	if len(zr.File) > l.MaxEntries {
		return nil, &LimitError{Archive: name, What: "entries", Limit: int64(l.MaxEntries), Got: int64(len(zr.File))}
	}
	var declared uint64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if _, dup := a.byName[f.Name]; dup {
			// Two entries with one name read differently in different tools:
			// the classic way to smuggle one file past a check of the other.
			return nil, fmt.Errorf("open archive %s: entry %q appears twice", name, f.Name)
		}
		if f.UncompressedSize64 > uint64(l.MaxEntryBytes) {
			return nil, &LimitError{Archive: name, Entry: f.Name, What: "inflated size", Limit: l.MaxEntryBytes, Got: clamp(f.UncompressedSize64)}
		}
		declared += f.UncompressedSize64
		if declared > uint64(l.MaxTotalBytes) {
			return nil, &LimitError{Archive: name, What: "inflated total", Limit: l.MaxTotalBytes, Got: clamp(declared)}
		}
		if r := ratio(f.UncompressedSize64, f.CompressedSize64); f.UncompressedSize64 > uint64(l.RatioFloor) && r > l.MaxRatio {
			return nil, &LimitError{Archive: name, Entry: f.Name, What: "compression ratio", Limit: l.MaxRatio, Got: r}
		}
		a.byName[f.Name] = f
		a.names = append(a.names, f.Name)
	}
	return a, nil
}

// Close releases the file opened by Open.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// Name is the archive's name in messages.
func (a *Archive) Name() string { return a.name }

// Names lists the file entries (no directories) in archive order.
func (a *Archive) Names() []string { return a.names }

// Lookup finds an entry by exact name, then case-insensitively (Office
// writers disagree on the case of part names).
func (a *Archive) Lookup(name string) (string, bool) {
	if _, ok := a.byName[name]; ok {
		return name, true
	}
	for _, n := range a.names {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	return "", false
}

// Size is an entry's declared inflated size.
func (a *Archive) Size(name string) (int64, bool) {
	f, ok := a.byName[name]
	if !ok {
		return 0, false
	}
	return clamp(f.UncompressedSize64), true
}

// Open streams one entry. The reader fails with a *LimitError as soon as the
// entry or the archive's running total passes its limit. A missing entry is
// an error wrapping fs.ErrNotExist.
func (a *Archive) Open(name string) (io.ReadCloser, error) {
	f, ok := a.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: %s: %w", a.name, name, fs.ErrNotExist)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", a.name, name, err)
	}
	return &countingReader{a: a, f: f, rc: rc}, nil
}

// ReadAll reads one entry whole, for small parts (XML, descriptors); max
// caps it below MaxEntryBytes when positive.
func (a *Archive) ReadAll(name string, max int64) ([]byte, error) {
	rc, err := a.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if max <= 0 || max > a.limits.MaxEntryBytes {
		max = a.limits.MaxEntryBytes
	}
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &LimitError{Archive: a.name, Entry: name, What: "inflated size", Limit: max, Got: int64(len(b))}
	}
	return b, nil
}

type countingReader struct {
	a  *Archive
	f  *zip.File
	rc io.ReadCloser
	n  int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n == 0 {
		return n, err
	}
	c.n += int64(n)
	total := c.a.total.Add(int64(n))
	l := c.a.limits
	switch {
	case c.n > l.MaxEntryBytes:
		return n, &LimitError{Archive: c.a.name, Entry: c.f.Name, What: "inflated size", Limit: l.MaxEntryBytes, Got: c.n}
	case total > l.MaxTotalBytes:
		return n, &LimitError{Archive: c.a.name, What: "inflated total", Limit: l.MaxTotalBytes, Got: total}
	case c.n > l.RatioFloor && ratio(uint64(c.n), c.f.CompressedSize64) > l.MaxRatio:
		return n, &LimitError{Archive: c.a.name, Entry: c.f.Name, What: "compression ratio", Limit: l.MaxRatio, Got: ratio(uint64(c.n), c.f.CompressedSize64)}
	}
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }

func ratio(inflated, compressed uint64) int64 {
	return clamp(inflated / max(compressed, 1))
}

func clamp(v uint64) int64 {
	if v > 1<<62 {
		return 1 << 62
	}
	return int64(v)
}
