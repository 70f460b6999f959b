package layout

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ZipLimits bound what a zipped package may unpack to. A package is a few
// tables; anything far bigger is hostile.
type ZipLimits struct {
	MaxEntries    int   // files in the archive (default 1000)
	MaxEntryBytes int64 // one file inflated (default 256 MiB)
	MaxTotalBytes int64 // everything read, a file read twice counting twice (default 1 GiB)
	MaxRatio      int64 // inflated/compressed for files over 1 MiB (default 200)
}

func (l *ZipLimits) defaults() {
	if l.MaxEntries <= 0 {
		l.MaxEntries = 1000
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = 256 << 20
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 1 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
}

// ErrZipLimit marks a zip refused by a limit (a zip bomb, most likely).
var ErrZipLimit = errors.New("zip limit")

// Zip is a zipped package opened under limits.
type Zip struct {
	name  string
	zr    *zip.ReadCloser
	lim   ZipLimits
	files map[string]*zip.File
	list  []string
	read  int64 // bytes handed out so far, across all opens
}

// OpenZip opens a zip file and checks its directory against the limits.
// name is what messages call it.
func OpenZip(file, name string, lim ZipLimits) (*Zip, error) {
	lim.defaults()
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable zip: %w", name, err)
	}
	z := &Zip{name: name, zr: zr, lim: lim, files: map[string]*zip.File{}}
	if len(zr.File) > lim.MaxEntries {
		zr.Close()
		return nil, fmt.Errorf("%s: %d entries (limit %d): %w", name, len(zr.File), lim.MaxEntries, ErrZipLimit)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		n := strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "./")
		if f.UncompressedSize64 > uint64(lim.MaxEntryBytes) {
			zr.Close()
			return nil, fmt.Errorf("%s: %s unpacks to %d bytes (limit %d): %w", name, n, f.UncompressedSize64, lim.MaxEntryBytes, ErrZipLimit)
		}
		if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(lim.MaxRatio)) {
			zr.Close()
			return nil, fmt.Errorf("%s: %s is compressed more than %d:1 (a zip bomb?): %w", name, n, lim.MaxRatio, ErrZipLimit)
		}
		if _, dup := z.files[n]; dup {
			continue // the first copy wins, as unzip would leave it
		}
		z.files[n] = f
		z.list = append(z.list, n)
	}
	return z, nil
}

// Files lists the archive's files (slash paths).
func (z *Zip) Files() []string { return z.list }

// Close releases the archive.
func (z *Zip) Close() error { return z.zr.Close() }

// Open streams one file. Reading past the size it declares, past the
// per-file limit or past the total budget fails with ErrZipLimit.
func (z *Zip) Open(name string) (io.ReadCloser, error) {
	f := z.files[name]
	if f == nil {
		return nil, fmt.Errorf("%s: %s: %w", z.name, name, errNotInZip)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", z.name, name, err)
	}
	limit := min(int64(f.UncompressedSize64), z.lim.MaxEntryBytes)
	return &guarded{rc: rc, z: z, name: name, left: limit}, nil
}

var errNotInZip = errors.New("not in the zip")

// IsNotInZip reports whether an Open failed because the file is absent.
func IsNotInZip(err error) bool { return errors.Is(err, errNotInZip) }

type guarded struct {
	rc   io.ReadCloser
	z    *Zip
	name string
	left int64
}

func (g *guarded) Read(p []byte) (int, error) {
	n, err := g.rc.Read(p)
	g.left -= int64(n)
	g.z.read += int64(n)
	if g.left < 0 {
		return n, fmt.Errorf("%s: %s is larger than it declares or than %d bytes: %w", g.z.name, g.name, g.z.lim.MaxEntryBytes, ErrZipLimit)
	}
	if g.z.read > g.z.lim.MaxTotalBytes {
		return n, fmt.Errorf("%s: unpacks to more than %d bytes in all: %w", g.z.name, g.z.lim.MaxTotalBytes, ErrZipLimit)
	}
	return n, err
}

func (g *guarded) Close() error { return g.rc.Close() }
