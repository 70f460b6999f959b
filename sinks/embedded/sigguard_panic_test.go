package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

type chainNode struct{ next *chainNode }

//go:noinline
func nextOf(n *chainNode) *chainNode { return n.next }

// A nil dereference in Go code, with the engine open, panics as Go promises
// (TestFaultSignalsStayGos checks the handlers; this checks the behaviour).
// With ClickHouse's crash handler on SIGSEGV the goroutine's thread slept in
// it for five minutes, then the process died with SIGSEGV.
func TestNilDereferencePanicsWithEngineOpen(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	if err := w.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		nextOf(nil)
	}()
	select {
	case p := <-done:
		if p == nil {
			t.Fatal("dereferencing nil did not panic")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a nil dereference did not panic within 20 s: a non-Go handler has SIGSEGV")
	}
}
