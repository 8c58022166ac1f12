//go:build unix

// Package cputime is the CPU time the process has used, for benchmarks
// that report it beside wall time: unlike wall time it does not depend on
// what else the machine is running.
package cputime

import (
	"syscall"
	"time"
)

// Used is the user plus system CPU time of this process so far; 0 when
// it cannot be read.
func Used() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
