package schema

import (
	"sync"
	"syscall"
	"testing"
)

// cpuTime is this process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

var (
	testValidatorOnce sync.Once
	testValidator     *Validator
	testValidatorErr  error
)

func validator(t testing.TB) *Validator {
	t.Helper()
	testValidatorOnce.Do(func() { testValidator, testValidatorErr = NewValidator() })
	if testValidatorErr != nil {
		t.Fatal(testValidatorErr)
	}
	return testValidator
}

func BenchmarkValidateService(b *testing.B) {
	v := validator(b)
	rec := &Record{Kind: KindService, Service: fullService(1)}
	if p := v.Validate(rec); len(p) > 0 {
		b.Fatalf("fixture invalid: %v", p)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if p := v.Validate(rec); len(p) > 0 {
			b.Fatal(p)
		}
	}
	// Wall-clock figures suffer on a shared machine; CPU time per record is
	// what one core spends, so records/s per core is 1e9 / cpu-ns.
	cpu := float64(cpuTime()-cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/record")
	b.ReportMetric(1e9/cpu, "records/s/core")
}

func TestValidServiceHasNoProblems(t *testing.T) {
	v := validator(t)
	if p := v.Validate(&Record{Kind: KindService, Service: fullService(1)}); len(p) != 0 {
		t.Fatalf("problems: %v", p)
	}
}
