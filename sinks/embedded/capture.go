package embedded

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CaptureManifest is the file, in a capture directory, listing the captured
// inserts one JSON object (a CapturedInsert) per line, in the order they ran.
const CaptureManifest = "inserts.jsonl"

// CapturedInsert describes one insert kept by CaptureInserts: the file the
// engine loaded (File, relative to the capture directory) and what it was
// loaded into, in which format, and how long the engine call took in the run:
// Seconds of wall time (after Waited seconds for the engine to be free) and
// CPU seconds (MeasureEngineCall).
type CapturedInsert struct {
	File    string   `json:"file"`
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Format  string   `json:"format"`
	Rows    int      `json:"rows"`
	Bytes   int64    `json:"bytes"`
	Seconds float64  `json:"seconds"`
	Waited  float64  `json:"waited_seconds"`
	CPU     float64  `json:"cpu_seconds"`
}

// insertCapture keeps a copy of every insert file, for the engine-floor
// benchmark (scripts/feedbench replay): what a run asked the engine to load,
// replayable without the run.
type insertCapture struct {
	mu  sync.Mutex
	dir string
	n   int
}

// CaptureInserts makes every later Insert through c keep its file in dir
// (created if missing) and list it in dir/inserts.jsonl. For benchmarks only:
// the files are kept until removed.
func (c *Conn) CaptureInserts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("capture inserts: %w", err)
	}
	c.capture = &insertCapture{dir: dir}
	return nil
}

// keep links (or copies) the insert file into the capture directory before
// the engine loads it.
func (k *insertCapture) keep(path, table string, columns []string, format string, rows int) (*CapturedInsert, error) {
	k.mu.Lock()
	k.n++
	name := fmt.Sprintf("%06d-%s.%s", k.n, table, format)
	k.mu.Unlock()
	dst := filepath.Join(k.dir, name)
	if err := os.Link(path, dst); err != nil {
		if err := copyFile(path, dst); err != nil {
			return nil, fmt.Errorf("capture insert into %s: %w", table, err)
		}
	}
	st, err := os.Stat(dst)
	if err != nil {
		return nil, fmt.Errorf("capture insert into %s: %w", table, err)
	}
	return &CapturedInsert{File: name, Table: table, Columns: columns, Format: format, Rows: rows, Bytes: st.Size()}, nil
}

// done lists the insert in the manifest with the engine call's duration.
func (k *insertCapture) done(ci *CapturedInsert, took time.Duration) error {
	ci.Seconds = took.Seconds()
	line, err := json.Marshal(ci)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(k.dir, CaptureManifest), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("capture insert into %s: %w", ci.Table, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("capture insert into %s: %w", ci.Table, err)
	}
	return f.Close()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
