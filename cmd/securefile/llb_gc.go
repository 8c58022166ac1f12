package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// lateGCHeap is the heap `securefile llb` grows to before its first
// garbage collection. Lowering a stage of 8,000 steps allocates about
// 160 MB in all and the process exits right after writing the
// definition, so collecting while it runs was a third of its CPU time
// (docs/performance.md, "Offline") and reclaimed memory nobody would use.
// A bigger build reaches the limit, and from that first collection on the
// collector runs at its default pace: the peak stays bounded by the size
// of the input as before, plus at most this much.
const lateGCHeap = 256 << 20

// collectLate holds the garbage collector off until the heap reaches
// heap bytes, then restores the default; restore does so at once (the
// in-process callers, tests and benchmarks, run many commands). A GOGC or
// GOMEMLIMIT in the environment is the user's choice and is left alone.
func collectLate(heap int64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(heap)
	var once sync.Once
	restore = func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
		})
	}
	// The first collection, which the limit forces, frees the sentinel:
	// its cleanup puts the default pace back, so that a heap that keeps
	// growing past the limit is not collected over and over.
	sentinel := new(gcSentinel)
	runtime.AddCleanup(sentinel, func(int) { restore() }, 0)
	return restore
}

// gcSentinel is big enough and holds a pointer, so that it is allocated
// on its own, never batched with other tiny objects that would keep it
// alive past the first collection.
type gcSentinel struct {
	_ *int
	_ [32]byte
}
