// Package whtest gives tests a migrated warehouse on the real embedded engine.
// libchdb allows one data path per process, so every test of a process shares
// one engine in a temporary directory and gets a database of its own. A
// package that uses whtest runs its tests through Main, which removes that
// directory when they end:
//
//	func TestMain(m *testing.M) { whtest.Main(m) }
package whtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

var (
	dirOnce sync.Once
	root    string // the temporary directory Main removes
	dir     string // the engine's data path inside it
	dirErr  error
	seq     atomic.Int64
	inMain  bool
)

// Main runs the package's tests, removes the engine's directory and exits.
func Main(m *testing.M) {
	inMain = true
	code := m.Run()
	if err := Cleanup(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Cleanup removes the engine's directory, for a TestMain that cannot call
// Main (it has other work to do first). Every handle must be closed by then:
// the engine closes with its last one.
func Cleanup() error {
	if root == "" {
		return nil
	}
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("remove the test warehouse %s: %w", root, err)
	}
	return nil
}

// Path is the data directory of this test process's engine. It is a
// subdirectory of the temporary directory, so what the CLI keeps beside the
// warehouse (blobs, serve snapshots, matching indexes) is removed with it.
func Path(t testing.TB) string {
	t.Helper()
	if !inMain {
		t.Fatal("whtest: run this package's tests through whtest.Main (func TestMain(m *testing.M) { whtest.Main(m) }) so the engine's temporary directory is removed")
	}
	dirOnce.Do(func() {
		if root, dirErr = os.MkdirTemp("", "localoffer-test-warehouse-"); dirErr == nil {
			dir = filepath.Join(root, "warehouse")
		}
	})
	if dirErr != nil {
		t.Fatalf("warehouse temp dir: %v", dirErr)
	}
	return dir
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// New returns a migrated warehouse in a fresh database, dropped when the test ends.
// Without libchdb the test fails, saying how to install it: `make test` installs it.
func New(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	w := NewUnmigrated(t)
	if _, err := w.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return w
}

// NewUnmigrated returns an empty database.
func NewUnmigrated(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	name := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	db := fmt.Sprintf("t%d_%s", seq.Add(1), name)
	ctx := context.Background()
	conn, err := embedded.Open(ctx, Path(t), db)
	if err != nil {
		t.Fatalf("open embedded warehouse: %v", err)
	}
	t.Cleanup(func() {
		conn.DropDatabase(ctx)
		conn.Close(ctx)
	})
	return warehouse.New(conn, warehouse.Layout{Database: db})
}
