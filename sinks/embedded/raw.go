package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// QueryRaw runs one statement and writes the engine's output as it produced
// it: in q.Format, or in the statement's own FORMAT clause, which wins.
// Parameters are bound by the engine ({name:Type} placeholders), never spliced
// into the text.
//
// libchdb's streaming API hands out each block as a complete output of its
// own (a CSVWithNames header, a Parquet file, a JSON document per block), so
// only formats whose blocks concatenate into one valid output are streamed,
// and line formats with a header (…WithNames, …WithNamesAndTypes) are streamed
// with the repeated headers dropped; the rest, and statements libchdb cannot
// stream (DESCRIBE, SHOW, …), run buffered.
//
// libchdb has no per-query settings, so q.ReadOnly cannot use ClickHouse's
// readonly setting: the engine parses the statement first and anything that is
// not a read is refused (warehouse.Statement.Check).
func (c *Conn) QueryRaw(ctx context.Context, q warehouse.RawQuery, w io.Writer) (warehouse.RawStats, error) {
	var st warehouse.RawStats
	c.e.forgetTypes() // a user's statement may change a table
	if strings.TrimSpace(q.SQL) == "" {
		return st, errors.New("empty query")
	}
	stmt, err := warehouse.ParseStatement(ctx, c, q.SQL, q.Params)
	if err != nil {
		return st, err
	}
	if err := stmt.Check(q.QueryOptions); err != nil {
		return st, err
	}
	st.Format = q.Format
	if st.Format == "" {
		st.Format = "TabSeparated"
	}
	if stmt.Format != "" {
		st.Format = stmt.Format
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	db := c.db
	if q.Database != "" {
		db = q.Database
	}
	if err := c.lockIn(db); err != nil {
		return st, err
	}
	defer c.e.mu.Unlock()
	if stmt.Kind == "UseQuery" {
		defer func() { c.e.current = "" }() // the next query switches back
	}
	start := time.Now()
	p := newParamArrays(q.Params)
	switch {
	case stmt.IsSelect() && streamable(st.Format):
		err = c.e.streamRaw(ctx, q.SQL, st.Format, p, w, &st)
	case stmt.IsSelect() && headerRecords(st.Format) > 0:
		// Every block repeats the header: keep the first block's only.
		hs := &headerStripper{w: w, records: headerRecords(st.Format), csv: strings.HasPrefix(strings.ToLower(st.Format), "csv")}
		err = c.e.streamRaw(ctx, q.SQL, st.Format, p, hs, &st)
	default:
		err = c.e.bufferedRaw(q.SQL, st.Format, p, w, &st)
	}
	st.Elapsed = time.Since(start)
	return st, err
}

// streamable reports whether blocks of this output format concatenate into one
// valid output: no header, no framing, no totals.
func streamable(format string) bool {
	switch strings.ToLower(format) {
	case "tabseparated", "tsv", "tabseparatedraw", "tsvraw", "raw", "csv", "jsoneachrow", "jsonlines", "ndjson",
		"jsoncompacteachrow", "jsonstringseachrow", "jsoncompactstringseachrow", "rowbinary", "native", "lineasstring", "tskv":
		return true
	}
	return false
}

// notStreamable reports whether the engine refused a statement only because it cannot stream it.
func notStreamable(msg string) bool {
	return strings.Contains(msg, "Streaming query is not supported") || strings.Contains(msg, "streaming query is not supported")
}

// headerRecords is how many header records each block of a line-based text
// format starts with (names, or names and types); 0 for other formats.
func headerRecords(format string) int {
	f := strings.ToLower(format)
	n := 0
	switch {
	case strings.HasSuffix(f, "withnamesandtypes"):
		n, f = 2, strings.TrimSuffix(f, "withnamesandtypes")
	case strings.HasSuffix(f, "withnames"):
		n, f = 1, strings.TrimSuffix(f, "withnames")
	default:
		return 0
	}
	switch f {
	case "tabseparated", "tsv", "tabseparatedraw", "tsvraw", "csv", "jsoncompacteachrow", "jsoncompactstringseachrow":
		return n
	}
	return 0
}

// headerStripper passes the first block through and drops the header records
// that every later block repeats. libchdb hands out whole blocks, one Write each.
// In CSV a quoted field may hold a newline; the other formats escape it.
type headerStripper struct {
	w       io.Writer
	records int
	csv     bool
	started bool
}

func (h *headerStripper) Write(block []byte) (int, error) {
	if !h.started {
		h.started = true
		return h.w.Write(block)
	}
	i, left, quoted := 0, h.records, false
	for ; i < len(block) && left > 0; i++ {
		switch block[i] {
		case '"':
			if h.csv {
				quoted = !quoted
			}
		case '\n':
			if !quoted {
				left--
			}
		}
	}
	if _, err := h.w.Write(block[i:]); err != nil {
		return 0, err
	}
	return len(block), nil
}

// paramArrays holds C-shaped name/value arrays for the *_with_params_n calls.
type paramArrays struct {
	names, values       []*byte
	nameLens, valueLens []uintptr
	keep                [][]byte
}

func newParamArrays(params map[string]string) *paramArrays {
	p := &paramArrays{}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// A zero-length value still needs a valid pointer: keep a NUL byte after each.
		nb := append([]byte(k), 0)
		vb := append([]byte(params[k]), 0)
		p.keep = append(p.keep, nb, vb)
		p.names = append(p.names, &nb[0])
		p.values = append(p.values, &vb[0])
		p.nameLens = append(p.nameLens, uintptr(len(k)))
		p.valueLens = append(p.valueLens, uintptr(len(params[k])))
	}
	return p
}

func (p *paramArrays) args() (names **byte, nameLens *uintptr, values **byte, valueLens *uintptr, n uintptr) {
	if len(p.names) == 0 {
		return nil, nil, nil, nil, 0
	}
	return &p.names[0], &p.nameLens[0], &p.values[0], &p.valueLens[0], uintptr(len(p.names))
}

func (e *engine) streamRaw(ctx context.Context, q, format string, p *paramArrays, w io.Writer, st *warehouse.RawStats) error {
	qb := unsafe.Slice(unsafe.StringData(q), len(q))
	fb := []byte(format)
	names, nameLens, values, valueLens, n := p.args()
	stream := e.l.streamQueryParamsN(e.conn, &qb[0], uintptr(len(qb)), &fb[0], uintptr(len(fb)), names, nameLens, values, valueLens, n)
	if stream == 0 {
		return fmt.Errorf("query %q: libchdb returned no result", shorten(q))
	}
	defer e.l.destroy(stream)
	if msg := e.l.resultError(stream); msg != nil {
		return &QueryError{Msg: cString(msg)}
	}
	for {
		if err := ctx.Err(); err != nil {
			e.l.streamCancel(e.conn, stream)
			return err
		}
		res := e.l.streamFetch(e.conn, stream)
		if res == 0 {
			return nil
		}
		if msg := e.l.resultError(res); msg != nil {
			m := cString(msg)
			e.l.destroy(res)
			if strings.Contains(m, "No active streaming query") {
				return nil // an empty result finishes before the first fetch
			}
			return &QueryError{Msg: m}
		}
		size := int(e.l.resultLength(res))
		st.RowsRead += e.l.resultRowsRead(res)
		st.BytesRead += e.l.resultBytesRead(res)
		if size == 0 {
			e.l.destroy(res)
			return nil
		}
		_, err := w.Write(unsafe.Slice(e.l.resultBuffer(res), size))
		st.ResultBytes += int64(size)
		e.l.destroy(res)
		if err != nil {
			e.l.streamCancel(e.conn, stream)
			return err
		}
	}
}

func (e *engine) bufferedRaw(q, format string, p *paramArrays, w io.Writer, st *warehouse.RawStats) error {
	qb := unsafe.Slice(unsafe.StringData(q), len(q))
	fb := []byte(format)
	names, nameLens, values, valueLens, n := p.args()
	res := e.l.queryParamsN(e.conn, &qb[0], uintptr(len(qb)), &fb[0], uintptr(len(fb)), names, nameLens, values, valueLens, n)
	if res == 0 {
		return fmt.Errorf("query %q: libchdb returned no result", shorten(q))
	}
	defer e.l.destroy(res)
	if msg := e.l.resultError(res); msg != nil {
		return &QueryError{Msg: cString(msg)}
	}
	st.RowsRead = e.l.resultRowsRead(res)
	st.BytesRead = e.l.resultBytesRead(res)
	size := int(e.l.resultLength(res))
	if size == 0 {
		return nil
	}
	st.ResultBytes = int64(size)
	_, err := w.Write(unsafe.Slice(e.l.resultBuffer(res), size))
	return err
}
