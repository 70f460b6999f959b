package embedded_test

import (
	"context"
	"syscall"
	"testing"
	"unsafe"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// handlerOf reads a signal's handler with rt_sigaction.
func handlerOf(t *testing.T, sig syscall.Signal) uintptr {
	t.Helper()
	var old struct {
		handler, flags, restorer, mask uintptr
	}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); errno != 0 {
		t.Fatalf("rt_sigaction(%v): %v", sig, errno)
	}
	return old.handler
}

// With libchdb connected and queried, the fault signals are still handled by
// the Go runtime (the handler it installs for every signal, SIGURG's among
// them), not by ClickHouse's crash reporter, which hangs a Go thread.
func TestFaultSignalsStayGos(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	if _, err := warehouse.QueryScalar[uint64](context.Background(), w, "SELECT count() FROM numbers(1000)"); err != nil {
		t.Fatal(err)
	}
	goHandler := handlerOf(t, syscall.SIGURG)
	for _, sig := range []syscall.Signal{syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
		syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGSYS} {
		if h := handlerOf(t, sig); h != goHandler {
			t.Errorf("%v is handled at %#x, not by the Go runtime (%#x)", sig, h, goHandler)
		}
	}
}
