package afterrun

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// binReader decodes the engine's RowBinary output: strings and arrays carry
// an unsigned LEB128 length, numbers are little-endian, a Nullable value is a
// byte (1 for NULL) before its value. The first error sticks; later reads
// return zero values, so a row is decoded whole and checked once.
type binReader struct {
	r   *bufio.Reader
	err error
	// seen shares the strings rows repeat (pipeline, area, organisation id):
	// one allocation each, not one a row.
	seen map[string]string
}

// A length beyond these is a corrupt stream, not a record.
const maxBinString, maxBinArray = 16 << 20, 1 << 20

func newBinReader(r io.Reader) *binReader {
	return &binReader{r: bufio.NewReaderSize(r, 256<<10), seen: map[string]string{}}
}

func (b *binReader) fail(err error) {
	if b.err == nil && err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // a row cut short
		}
		b.err = err
	}
}

func (b *binReader) length(limit uint64) int {
	if b.err != nil {
		return 0
	}
	n, err := binary.ReadUvarint(b.r)
	if err != nil {
		b.fail(err)
		return 0
	}
	if n > limit {
		b.fail(fmt.Errorf("length %d over %d", n, limit))
		return 0
	}
	return int(n)
}

// bytes returns the next n bytes, valid until the next read.
func (b *binReader) bytes(n int) []byte {
	if b.err != nil || n == 0 {
		return nil
	}
	if n <= b.r.Size() {
		p, err := b.r.Peek(n)
		if err != nil {
			b.fail(err)
			return nil
		}
		b.r.Discard(n)
		return p
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(b.r, p); err != nil {
		b.fail(err)
		return nil
	}
	return p
}

func (b *binReader) str() string {
	return string(b.bytes(b.length(maxBinString)))
}

// shared is str for values many rows repeat.
func (b *binReader) shared() string {
	p := b.bytes(b.length(maxBinString))
	if s, ok := b.seen[string(p)]; ok {
		return s
	}
	s := string(p)
	if len(b.seen) < 1<<16 {
		b.seen[s] = s
	}
	return s
}

func (b *binReader) strs() []string {
	n := b.length(maxBinArray)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = b.str()
	}
	return out
}

func (b *binReader) u64() uint64 {
	p := b.bytes(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

func (b *binReader) f64() float64 {
	return math.Float64frombits(b.u64())
}

func (b *binReader) nullableF64() *float64 {
	p := b.bytes(1)
	if p == nil || p[0] != 0 {
		return nil
	}
	v := b.f64()
	return &v
}

// points reads an Array(Array(Float64)).
func (b *binReader) points() [][]float64 {
	n := b.length(maxBinArray)
	if n == 0 {
		return nil
	}
	out := make([][]float64, n)
	for i := range out {
		m := b.length(maxBinArray)
		if m == 0 {
			continue
		}
		p := make([]float64, m)
		for j := range p {
			p[j] = b.f64()
		}
		out[i] = p
	}
	return out
}

// readAhead is how much of a query's output may wait for its reader: the
// engine finishes one kind's query and starts the next while the rows of the
// first are still being indexed.
const readAhead = 8 << 20

// chunkPipe is an in-memory pipe with a bound on what waits in it: the
// writer (the engine's output, block by block) blocks only when limit bytes
// are unread.
type chunkPipe struct {
	mu     sync.Mutex
	cond   sync.Cond
	chunks [][]byte
	queued int
	limit  int
	cur    []byte
	wdone  bool
	werr   error
	rerr   error
}

func newChunkPipe(limit int) *chunkPipe {
	p := &chunkPipe{limit: limit}
	p.cond.L = &p.mu
	return p
}

// Write copies b: the engine reuses its buffer.
func (p *chunkPipe) Write(b []byte) (int, error) {
	c := append([]byte(nil), b...)
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.rerr == nil && p.queued > 0 && p.queued+len(c) > p.limit {
		p.cond.Wait()
	}
	if p.rerr != nil {
		return 0, p.rerr
	}
	p.chunks = append(p.chunks, c)
	p.queued += len(c)
	p.cond.Broadcast()
	return len(b), nil
}

// CloseWrite ends the stream: the reader sees err, or io.EOF when nil.
func (p *chunkPipe) CloseWrite(err error) {
	p.mu.Lock()
	p.wdone, p.werr = true, err
	p.cond.Broadcast()
	p.mu.Unlock()
}

// CloseRead makes the writer's next Write fail with err.
func (p *chunkPipe) CloseRead(err error) {
	p.mu.Lock()
	p.rerr = err
	p.chunks, p.queued = nil, 0
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *chunkPipe) Read(b []byte) (int, error) {
	if len(p.cur) == 0 {
		p.mu.Lock()
		for len(p.chunks) == 0 {
			if p.wdone {
				err := p.werr
				p.mu.Unlock()
				if err == nil {
					err = io.EOF
				}
				return 0, err
			}
			p.cond.Wait()
		}
		p.cur = p.chunks[0]
		p.chunks[0] = nil
		p.chunks = p.chunks[1:]
		p.queued -= len(p.cur)
		p.cond.Broadcast()
		p.mu.Unlock()
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}
