//go:build !unix

// Package cputime is the CPU time the process has used, for benchmarks
// that report it beside wall time.
package cputime

import "time"

// Used is 0 where the process's CPU time is not known.
func Used() time.Duration { return 0 }
