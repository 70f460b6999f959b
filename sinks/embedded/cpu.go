package embedded

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// MeasureEngineCall runs fn, one call into the engine, on a locked OS thread
// and returns its wall time and the CPU time spent over it by the calling
// thread and by the engine's own threads (libchdb names them; Go's threads
// carry the program's name). On two shared cores the wall time of a call
// says how long it waited for a core as much as what it cost: the CPU time
// is the cost. Background merges that overlap the call are counted too.
// For benchmarks: it reads /proc for every thread, twice.
func MeasureEngineCall(fn func() error) (wall, cpu time.Duration, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := syscall.Gettid()
	before := threadCPU(tid) + engineThreadsCPU(tid)
	start := time.Now()
	err = fn()
	wall = time.Since(start)
	cpu = threadCPU(tid) + engineThreadsCPU(tid) - before
	return wall, cpu, err
}

var programName = func() []byte {
	b, _ := os.ReadFile("/proc/self/comm")
	return bytes.TrimSpace(b)
}()

// threadCPU is a thread's time on a CPU so far (schedstat, nanoseconds).
func threadCPU(tid int) time.Duration {
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/schedstat")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0
	}
	ns, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return time.Duration(ns)
}

// engineThreadsCPU sums threadCPU over the process's threads that are not
// Go's (and not skip).
func engineThreadsCPU(skip int) time.Duration {
	d, err := os.Open("/proc/self/task")
	if err != nil {
		return 0
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var sum time.Duration
	for _, n := range names {
		tid, err := strconv.Atoi(n)
		if err != nil || tid == skip {
			continue
		}
		comm, err := os.ReadFile("/proc/self/task/" + n + "/comm")
		if err != nil || bytes.Equal(bytes.TrimSpace(comm), programName) {
			continue
		}
		sum += threadCPU(tid)
	}
	return sum
}
