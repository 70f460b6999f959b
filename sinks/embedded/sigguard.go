package embedded

import (
	"fmt"
	"syscall"
	"unsafe"
)

// faultSignals are the signals libchdb takes over when it connects:
// ClickHouse installs its crash reporter for them (found by reading each
// handler back in a running process). In a Go process they must stay the Go
// runtime's. A fault in Go code is Go's to turn into a panic or a crash with
// goroutine stacks; ClickHouse's handler, meeting a signal on a Go thread,
// waits for a crash-log thread that libchdb does not run and then re-raises:
// a provider-list run hung that way for minutes (the Go runtime stopped the
// world and waited on the thread) and others spun and died with SIGSEGV.
// Handing the signals back loses nothing: ClickHouse does not use them
// except to report its own crash, and Go's runtime still crashes the process,
// with stacks, on a fault in libchdb's code.
var faultSignals = []syscall.Signal{syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
	syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGSYS}

// kernelSigaction is the kernel's struct sigaction on linux/amd64 and
// linux/arm64, saved and restored as it was, flags and restorer included.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// signalHandlers are the handlers of faultSignals at one moment.
type signalHandlers map[syscall.Signal]kernelSigaction

func rtSigaction(sig syscall.Signal, act, old *kernelSigaction) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// currentHandlers reads the handlers of faultSignals.
func currentHandlers() (signalHandlers, error) {
	h := signalHandlers{}
	for _, sig := range faultSignals {
		var old kernelSigaction
		if err := rtSigaction(sig, nil, &old); err != nil {
			return nil, fmt.Errorf("read the handler of %v: %w", sig, err)
		}
		h[sig] = old
	}
	return h, nil
}

// restore puts the saved handlers back where something replaced them.
func (h signalHandlers) restore() error {
	for sig, want := range h {
		var now kernelSigaction
		if err := rtSigaction(sig, nil, &now); err != nil {
			return fmt.Errorf("read the handler of %v: %w", sig, err)
		}
		if now == want {
			continue
		}
		if err := rtSigaction(sig, &want, nil); err != nil {
			return fmt.Errorf("restore the handler of %v: %w", sig, err)
		}
	}
	return nil
}
