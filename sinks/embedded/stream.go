package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// streamBuffer is each insert stream's write buffer: the rows go to the file
// in pieces this size, so a chunk of rows costs this much Go memory, not the
// rows themselves (a 10,000-row chunk of services is about 57 MB).
const streamBuffer = 256 << 10

var streamBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, streamBuffer) }}

// NewInsertStream starts an insert whose rows are encoded into its temporary
// file as they are added (warehouse.InsertStreamer): the same file and
// format Insert would write for the same rows, without holding the rows.
func (c *Conn) NewInsertStream(ctx context.Context, table string, columns []string) (warehouse.InsertStream, error) {
	s := &insertStream{c: c, table: table, columns: columns}
	if c.InsertFormat != "TabSeparated" {
		enc, err := c.e.rowBinaryEncoder(ctx, c.db, table, columns)
		if err != nil {
			return nil, fmt.Errorf("insert into %s: %w", table, err)
		}
		s.enc = enc
	}
	return s, nil
}

// insertStream writes rows into one or more files: RowBinaryWithDefaults
// while every value has a binary form, then (from the first that has not)
// TabSeparated for the rest. The files are loaded in order.
type insertStream struct {
	c       *Conn
	table   string
	columns []string
	enc     *warehouse.RowBinaryEncoder // nil: TabSeparated
	done    []streamFile                // written and closed, not yet loaded
	cur     *streamFile
	bw      *bufio.Writer
	line    []byte
	rows    int
}

type streamFile struct {
	f      *os.File
	format string
	rows   int
}

// Add encodes one row into the stream's file.
func (s *insertStream) Add(row []any) error {
	if len(row) != len(s.columns) {
		return fmt.Errorf("insert into %s: row %d has %d values for %d columns", s.table, s.rows, len(row), len(s.columns))
	}
	var err error
	if s.enc != nil {
		s.line, err = s.enc.AppendRow(s.line[:0], row)
		if err == nil {
			return s.write("RowBinaryWithDefaults")
		}
		if !errors.Is(err, warehouse.ErrRowBinary) {
			return fmt.Errorf("insert into %s: row %d: %w", s.table, s.rows, err)
		}
		s.enc = nil // this row and the rest in TSV
	}
	if s.line, err = warehouse.AppendTSVRow(s.line[:0], row); err != nil {
		return fmt.Errorf("insert into %s: row %d: %w", s.table, s.rows, err)
	}
	return s.write("TabSeparated")
}

// write appends s.line to the current file, starting one when the format changes.
func (s *insertStream) write(format string) error {
	if s.cur != nil && s.cur.format != format {
		if err := s.closeFile(); err != nil {
			return err
		}
	}
	if s.cur == nil {
		f, err := os.CreateTemp(s.c.e.tmp, "insert-*."+format)
		if err != nil {
			return fmt.Errorf("insert into %s: %w", s.table, err)
		}
		s.cur = &streamFile{f: f, format: format}
		s.bw = streamBuffers.Get().(*bufio.Writer)
		s.bw.Reset(f)
	}
	if _, err := s.bw.Write(s.line); err != nil {
		return fmt.Errorf("insert into %s: write rows: %w", s.table, err)
	}
	s.cur.rows++
	s.rows++
	return nil
}

// closeFile finishes the current file and lists it to be loaded.
func (s *insertStream) closeFile() error {
	cur, bw := s.cur, s.bw
	s.cur, s.bw = nil, nil
	err := bw.Flush()
	bw.Reset(nil)
	streamBuffers.Put(bw)
	if cerr := cur.f.Close(); err == nil {
		err = cerr
	}
	s.done = append(s.done, *cur)
	if err != nil {
		return fmt.Errorf("insert into %s: write rows: %w", s.table, err)
	}
	return nil
}

// Rows is how many rows were added.
func (s *insertStream) Rows() int { return s.rows }

// Close finishes writing: the rows are on disk and the write buffer is free
// for the next stream. Insert or Discard must follow.
func (s *insertStream) Close() error {
	s.line = nil
	if s.cur == nil {
		return nil
	}
	return s.closeFile()
}

// Insert loads the stream's rows and removes its files.
func (s *insertStream) Insert(ctx context.Context) error {
	defer s.Discard()
	if err := s.Close(); err != nil {
		return err
	}
	for _, f := range s.done {
		if err := s.c.loadFile(ctx, s.table, s.columns, f.f.Name(), f.format, f.rows); err != nil {
			return err
		}
	}
	return nil
}

// Discard removes the stream's files without loading them.
func (s *insertStream) Discard() {
	if s.cur != nil {
		s.closeFile()
	}
	for _, f := range s.done {
		os.Remove(f.f.Name())
	}
	s.done = nil
}
