//go:build unix

package lineage

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has used.
// On a shared machine wall time depends on what else runs; CPU time of a
// GOMAXPROCS=1 run is the pipeline's own cost, GC included.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
