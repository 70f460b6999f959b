package datapackage

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/localoffer/localoffer/collectors/hsdsmap"
)

// spill holds every table's rows in one temporary file, so joining a package
// keeps only keys and file offsets in memory, never the cells. A row is
// uvarint(body length) then, per non-empty cell, uvarint(column index),
// uvarint(length) and the bytes.
type spill struct {
	f    *os.File
	w    *bufio.Writer
	off  int64
	segs []*segment
	enc  []byte
	rbuf []byte
}

// segment is one resource file's rows in the spill.
type segment struct {
	table      string
	start, end int64
	cols       []string
	src        hsdsmap.Source
	rows       int
}

// spillPattern names spill files; staleSpill is the age past which one is
// residue of a killed process (a live spill is written, then read, within a
// run, and runs end within max_duration).
const (
	spillPattern = ".datapackage-spill-*"
	staleSpill   = 12 * time.Hour
)

func newSpill(dir string) (*spill, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if old, _ := filepath.Glob(filepath.Join(dir, spillPattern)); len(old) > 0 {
		for _, p := range old {
			if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > staleSpill {
				os.Remove(p)
			}
		}
	}
	f, err := os.CreateTemp(dir, spillPattern)
	if err != nil {
		return nil, fmt.Errorf("data package: spill file: %w", err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// Close removes the spill file.
func (s *spill) Close() error {
	name := s.f.Name()
	err := s.f.Close()
	return errors.Join(err, os.Remove(name))
}

func (s *spill) begin(table string, cols []string, src hsdsmap.Source) *segment {
	seg := &segment{table: table, start: s.off, end: s.off, cols: cols, src: src}
	s.segs = append(s.segs, seg)
	return seg
}

// put appends a row (cells in column order) and returns its offset.
func (s *spill) put(seg *segment, cells []string) (int64, error) {
	body := s.enc[:0]
	for i, v := range cells {
		if v == "" || i >= len(seg.cols) || seg.cols[i] == "" {
			continue
		}
		body = binary.AppendUvarint(body, uint64(i))
		body = binary.AppendUvarint(body, uint64(len(v)))
		body = append(body, v...)
	}
	s.enc = body
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(body)))
	off := s.off
	if _, err := s.w.Write(hdr[:n]); err != nil {
		return 0, fmt.Errorf("data package: spill: %w", err)
	}
	if _, err := s.w.Write(body); err != nil {
		return 0, fmt.Errorf("data package: spill: %w", err)
	}
	s.off += int64(n + len(body))
	seg.end = s.off
	seg.rows++
	return off, nil
}

// done flushes writes so rows can be read back.
func (s *spill) done() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("data package: spill: %w", err)
	}
	return nil
}

func (s *spill) segmentAt(off int64) *segment {
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].end > off })
	if i == len(s.segs) || s.segs[i].start > off {
		return nil
	}
	return s.segs[i]
}

// get reads the row at off as column → value.
func (s *spill) get(off int64) (map[string]string, *segment, error) {
	seg := s.segmentAt(off)
	if seg == nil {
		return nil, nil, fmt.Errorf("data package: spill offset %d out of range", off)
	}
	if cap(s.rbuf) < 1024 {
		s.rbuf = make([]byte, 1024)
	}
	buf := s.rbuf[:min(int64(cap(s.rbuf)), seg.end-off)]
	if _, err := s.f.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, nil, fmt.Errorf("data package: spill: %w", err)
	}
	size, n := binary.Uvarint(buf)
	if n <= 0 {
		return nil, nil, fmt.Errorf("data package: spill: bad row at %d", off)
	}
	total := int64(n) + int64(size)
	if total > int64(len(buf)) {
		if total > int64(cap(s.rbuf)) {
			s.rbuf = make([]byte, total)
		}
		buf = s.rbuf[:total]
		if _, err := s.f.ReadAt(buf, off); err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("data package: spill: %w", err)
		}
	}
	row, err := decodeRow(buf[n:total], seg.cols)
	return row, seg, err
}

func decodeRow(b []byte, cols []string) (map[string]string, error) {
	row := make(map[string]string, 8)
	for len(b) > 0 {
		col, n := binary.Uvarint(b)
		if n <= 0 || col >= uint64(len(cols)) {
			return nil, errors.New("data package: spill: corrupt row")
		}
		b = b[n:]
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return nil, errors.New("data package: spill: corrupt row")
		}
		row[cols[col]] = string(b[n : n+int(l)])
		b = b[n+int(l):]
	}
	return row, nil
}

// scan reads a segment's rows in order.
func (s *spill) scan(seg *segment, fn func(off int64, row map[string]string) error) error {
	br := bufio.NewReaderSize(io.NewSectionReader(s.f, seg.start, seg.end-seg.start), 256<<10)
	off := seg.start
	var body []byte
	for off < seg.end {
		size, err := binary.ReadUvarint(br)
		if err != nil {
			return fmt.Errorf("data package: spill: %w", err)
		}
		if uint64(cap(body)) < size {
			body = make([]byte, size)
		}
		body = body[:size]
		if _, err := io.ReadFull(br, body); err != nil {
			return fmt.Errorf("data package: spill: %w", err)
		}
		row, err := decodeRow(body, seg.cols)
		if err != nil {
			return err
		}
		if err := fn(off, row); err != nil {
			return err
		}
		off += int64(uvarintLen(size)) + int64(size)
	}
	return nil
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}
