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

// InsertStreamer is a Conn that can encode an insert's rows as they are
// added (the embedded driver, into the insert's temporary file), so a chunk
// waiting for the writer holds its encoded rows on disk, not the rows in
// memory. A chunk of 10,000 services is about 57 MB of row values.
type InsertStreamer interface {
	NewInsertStream(ctx context.Context, table string, columns []string) (InsertStream, error)
}

// InsertStream is one insert being written: Add rows, Close when the chunk is
// complete, then Insert (which loads the rows) or Discard.
type InsertStream interface {
	Add(row []any) error
	Close() error
	Insert(ctx context.Context) error
	Discard()
}

// chunkWriter buffers rows per table and hands every full chunk to one
// background writer through a bounded queue. Chunks are inserted in the order
// they were queued; after a failure the rest are dropped and the first error
// is returned. On a Conn that streams inserts, rows are encoded as they are
// added and a chunk is its stream.
type chunkWriter struct {
	conn     Conn
	streamer InsertStreamer
	chunk    int
	buffers  map[string]*tableBuffer

	queue  chan writeJob
	done   chan struct{}
	failed atomic.Pointer[error]
}

type tableBuffer struct {
	table   string
	columns []string
	rows    [][]any
	stream  InsertStream
	n       int
}

type writeJob struct {
	table   string
	columns []string
	rows    [][]any
	stream  InsertStream
}

func newChunkWriter(c Conn, chunk int) *chunkWriter {
	cw := &chunkWriter{conn: c, chunk: chunk, buffers: map[string]*tableBuffer{}}
	inner := c
	if w, ok := c.(*Warehouse); ok {
		inner = w.Conn
	}
	cw.streamer, _ = inner.(InsertStreamer)
	return cw
}

// add buffers one row; a full chunk is queued for the writer.
func (c *chunkWriter) add(ctx context.Context, table string, columns []string, row []any) error {
	b := c.buffers[table]
	if b == nil {
		b = &tableBuffer{table: table, columns: columns}
		c.buffers[table] = b
	}
	if c.streamer != nil {
		if b.stream == nil {
			s, err := c.streamer.NewInsertStream(ctx, table, columns)
			if err != nil {
				return err
			}
			b.stream = s
		}
		if err := b.stream.Add(row); err != nil {
			return err
		}
	} else {
		if b.rows == nil {
			b.rows = make([][]any, 0, min(c.chunk, 1024))
		}
		b.rows = append(b.rows, row)
	}
	b.n++
	if b.n >= c.chunk {
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
	if b.n == 0 {
		return nil
	}
	job := writeJob{table: b.table, columns: b.columns, rows: b.rows, stream: b.stream}
	b.rows, b.stream, b.n = nil, nil, 0
	if job.stream != nil {
		// The file is complete before it waits: its write buffer goes back to
		// the pool for the table's next chunk.
		if err := job.stream.Close(); err != nil {
			job.stream.Discard()
			return err
		}
	}
	if c.queue == nil {
		c.start(context.WithoutCancel(ctx))
	}
	c.queue <- job
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
				if j.stream != nil {
					j.stream.Discard()
				}
				continue // drain after a failure; the error is reported once
			}
			var err error
			if j.stream != nil {
				err = j.stream.Insert(ctx)
			} else {
				err = c.conn.Insert(ctx, j.table, j.columns, j.rows)
			}
			if err != nil {
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
	var err error
	for _, t := range flushOrder {
		if b := c.buffers[t]; b != nil && err == nil {
			err = c.send(ctx, b)
		}
	}
	for t, b := range c.buffers {
		if !slices.Contains(flushOrder, t) && err == nil {
			err = c.send(ctx, b)
		}
	}
	if err != nil {
		c.discard()
	}
	if werr := c.wait(); werr != nil {
		return werr // the writer's failure is what stopped the sends too
	}
	return err
}

// discard drops the rows not yet queued (after a failure), removing their files.
func (c *chunkWriter) discard() {
	for _, b := range c.buffers {
		if b.stream != nil {
			b.stream.Discard()
		}
		b.rows, b.stream, b.n = nil, nil, 0
	}
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
