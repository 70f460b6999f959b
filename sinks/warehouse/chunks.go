package warehouse

import (
	"context"
	"slices"
	"sync/atomic"
)

// queuedChunks is how many full chunks may wait for the writer besides the one
// being inserted: enough that building rows in Go overlaps the engine's
// insert, few enough that memory stays a small multiple of one chunk.
const queuedChunks = 2

// flushOrder writes entity rows before the seen and flag rows that refer to them.
var flushOrder = []string{"organizations", "locations", "services", "service_at_locations", "sen_reports", "demand",
	"capacity", "feedback", "quarantine", "field_issues", "entity_seen", "flag_observations"}

// chunkWriter buffers rows per table and hands every full chunk to one
// background writer through a bounded queue. Chunks are inserted in the order
// they were queued; after a failure the rest are dropped and the first error
// is returned.
type chunkWriter struct {
	conn    Conn
	chunk   int
	buffers map[string]*tableBuffer

	queue  chan writeJob
	done   chan struct{}
	failed atomic.Pointer[error]
}

type tableBuffer struct {
	table   string
	columns []string
	rows    [][]any
}

type writeJob struct {
	table   string
	columns []string
	rows    [][]any
}

func newChunkWriter(c Conn, chunk int) *chunkWriter {
	return &chunkWriter{conn: c, chunk: chunk, buffers: map[string]*tableBuffer{}}
}

// add buffers one row; a full chunk is queued for the writer.
func (c *chunkWriter) add(ctx context.Context, table string, columns []string, row []any) error {
	b := c.buffers[table]
	if b == nil {
		b = &tableBuffer{table: table, columns: columns, rows: make([][]any, 0, min(c.chunk, 1024))}
		c.buffers[table] = b
	}
	b.rows = append(b.rows, row)
	if len(b.rows) >= c.chunk {
		return c.send(ctx, b)
	}
	return nil
}

// send queues a table's buffered rows (waiting while the queue is full) and
// starts the table's next chunk.
func (c *chunkWriter) send(ctx context.Context, b *tableBuffer) error {
	if err := c.err(); err != nil {
		return err
	}
	if len(b.rows) == 0 {
		return nil
	}
	if c.queue == nil {
		c.start(context.WithoutCancel(ctx))
	}
	c.queue <- writeJob{table: b.table, columns: b.columns, rows: b.rows}
	b.rows = make([][]any, 0, min(c.chunk, 1024))
	return nil
}

// start launches the writer. Its context outlives a cancelled run: what was
// collected is still written.
func (c *chunkWriter) start(ctx context.Context) {
	c.queue = make(chan writeJob, queuedChunks)
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		for j := range c.queue {
			if c.failed.Load() != nil {
				continue // drain after a failure; the error is reported once
			}
			if err := c.conn.Insert(ctx, j.table, j.columns, j.rows); err != nil {
				c.failed.CompareAndSwap(nil, &err)
			}
		}
	}()
}

func (c *chunkWriter) err() error {
	if e := c.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// flush queues every partial chunk (tables in flushOrder first, then any
// other) and waits until the writer has inserted everything.
func (c *chunkWriter) flush(ctx context.Context) error {
	for _, t := range flushOrder {
		if b := c.buffers[t]; b != nil {
			if err := c.send(ctx, b); err != nil {
				return c.wait()
			}
		}
	}
	for t, b := range c.buffers {
		if !slices.Contains(flushOrder, t) {
			if err := c.send(ctx, b); err != nil {
				return c.wait()
			}
		}
	}
	return c.wait()
}

// wait stops the writer and returns the first error; a later add starts a new one.
func (c *chunkWriter) wait() error {
	if c.queue != nil {
		close(c.queue)
		<-c.done
		c.queue, c.done = nil, nil
	}
	return c.err()
}
