package feed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// MarkerFile is written into every export directory. An export replaces a
// directory only when it is new, empty, or holds this marker, so a mistyped
// --out (the warehouse's own var/, a home directory) is never deleted.
const MarkerFile = ".localoffer-export"

// ErrForeignDir: --out names something an export did not write.
var ErrForeignDir = errors.New("not an export directory")

// CheckOut says whether an export may write to out: it does not exist yet,
// is an empty directory, or is a directory holding a previous export.
func CheckOut(out string) error {
	st, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", out, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory (a symbolic link or a file); choose a new or empty directory: %w", out, ErrForeignDir)
	}
	if _, err := os.Lstat(filepath.Join(out, MarkerFile)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("check %s: %w", out, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty and was not written by localoffer export (no %s in it); an export replaces its directory, so choose a new or empty one: %w",
			out, MarkerFile, ErrForeignDir)
	}
	return nil
}

func writeMarker(dir, format string, now time.Time) error {
	body := fmt.Sprintf("written by localoffer export (format %s) at %s\nlocaloffer export replaces this directory on the next export to it.\n",
		format, now.UTC().Format(time.RFC3339))
	return os.WriteFile(filepath.Join(dir, MarkerFile), []byte(body), 0o644)
}
