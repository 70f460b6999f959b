package ages

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock reports a benchmark's process CPU time per op (user+system) on
// Stop: on the shared machine wall time per op overstates the cost.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{cpuNow()} }

func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64((cpuNow()-c.start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
