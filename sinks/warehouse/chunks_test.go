package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// recordingConn records inserts; the first insert waits until release is
// closed, and failAt makes that insert (1-based) fail.
type recordingConn struct {
	mu       sync.Mutex
	inserts  []string
	release  chan struct{}
	failAt   int
	inFlight chan struct{}
}

func (c *recordingConn) Exec(context.Context, string) error { return nil }
func (c *recordingConn) Query(context.Context, string, func([]string, []json.RawMessage) error) error {
	return nil
}
func (c *recordingConn) Close(context.Context) error { return nil }
func (c *recordingConn) Insert(_ context.Context, table string, _ []string, rows [][]any) error {
	c.mu.Lock()
	n := len(c.inserts) + 1
	c.inserts = append(c.inserts, fmt.Sprintf("%s:%d:%v", table, len(rows), rows[0][0]))
	c.mu.Unlock()
	if n == 1 && c.release != nil {
		close(c.inFlight)
		<-c.release
	}
	if n == c.failAt {
		return errors.New("disk full")
	}
	return nil
}

func TestChunkWriterQueuesFullChunksInOrderAndBoundsTheQueue(t *testing.T) {
	ctx := context.Background()
	conn := &recordingConn{release: make(chan struct{}), inFlight: make(chan struct{})}
	cw := newChunkWriter(conn, 2)
	cols := []string{"id"}
	// Chunk 1 is taken by the writer and held; chunks 2 and 3 fill the queue.
	for i := range 6 {
		if err := cw.add(ctx, "services", cols, []any{i}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			<-conn.inFlight
		}
	}
	// A fourth full chunk must wait for room in the queue.
	added := make(chan error, 1)
	go func() {
		err := cw.add(ctx, "services", cols, []any{6})
		if err == nil {
			err = cw.add(ctx, "services", cols, []any{7})
		}
		added <- err
	}()
	select {
	case err := <-added:
		t.Fatalf("a chunk was queued beyond the bound (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(conn.release)
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	// Partial chunks: entity tables before entity_seen whatever the add order.
	if err := cw.add(ctx, "entity_seen", cols, []any{"s"}); err != nil {
		t.Fatal(err)
	}
	if err := cw.add(ctx, "services", cols, []any{8}); err != nil {
		t.Fatal(err)
	}
	if err := cw.flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"services:2:0", "services:2:2", "services:2:4", "services:2:6", "services:1:8", "entity_seen:1:s"}
	if fmt.Sprint(conn.inserts) != fmt.Sprint(want) {
		t.Fatalf("inserts %v, want %v", conn.inserts, want)
	}
	// The writer restarts after a flush.
	if err := cw.add(ctx, "services", cols, []any{9}); err != nil {
		t.Fatal(err)
	}
	if err := cw.flush(ctx); err != nil || len(conn.inserts) != 7 {
		t.Fatalf("second flush: %v, %d inserts", err, len(conn.inserts))
	}
}

func TestChunkWriterStopsAfterAFailedInsert(t *testing.T) {
	ctx := context.Background()
	conn := &recordingConn{failAt: 1}
	cw := newChunkWriter(conn, 1)
	var addErr error
	for i := 0; i < 50 && addErr == nil; i++ {
		addErr = cw.add(ctx, "services", []string{"id"}, []any{i})
		time.Sleep(time.Millisecond)
	}
	if addErr == nil || addErr.Error() != "disk full" {
		t.Fatalf("add after a failed insert: %v", addErr)
	}
	if err := cw.flush(ctx); err == nil || err.Error() != "disk full" {
		t.Fatalf("flush: %v", err)
	}
	if len(conn.inserts) != 1 {
		t.Fatalf("%d inserts after the failure, want only the failed one: %v", len(conn.inserts), conn.inserts)
	}
}
