package feed

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCheckOut(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, files ...string) string {
		d := filepath.Join(root, name)
		os.MkdirAll(d, 0o755)
		for _, f := range files {
			os.WriteFile(filepath.Join(d, f), []byte("x"), 0o644)
		}
		return d
	}
	prev := mk("previous", "services.ndjson")
	if err := writeMarker(prev, FormatNDJSON, time.Now()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	link := filepath.Join(root, "link")
	os.Symlink(prev, link)
	for _, c := range []struct {
		out     string
		foreign bool
	}{
		{filepath.Join(root, "new"), false},
		{mk("empty"), false},
		{prev, false},
		{mk("var", "warehouse.db"), true},
		{file, true},
		{link, true},
	} {
		err := CheckOut(c.out)
		if got := errors.Is(err, ErrForeignDir); got != c.foreign || (!c.foreign && err != nil) {
			t.Errorf("CheckOut(%s) = %v, want foreign=%v", filepath.Base(c.out), err, c.foreign)
		}
	}
}
