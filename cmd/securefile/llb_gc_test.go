package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func numGC() uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NumGC
}

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// collectLate turns the collector off, and back on either when restored
// or at the first collection the heap limit forces.
func TestCollectLate(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := gcPercent(), debug.SetMemoryLimit(-1)

	restore := collectLate(1 << 40)
	if p := gcPercent(); p != -1 {
		t.Fatalf("GC percent %d while collecting late, want -1", p)
	}
	restore()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != before || l != beforeLimit {
		t.Fatalf("restored to GC percent %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	}

	// A heap past the limit: the forced collection puts the default back.
	restore = collectLate(16 << 20)
	defer restore()
	var keep [][]byte
	n := numGC()
	for i := 0; numGC() == n && i < 1000; i++ {
		keep = append(keep, make([]byte, 1<<20))
	}
	if numGC() == n {
		t.Fatal("no collection at the limit")
	}
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != before || l != beforeLimit {
		t.Fatalf("after the first collection: GC percent %d, limit %d; want %d, %d", p, l, before, beforeLimit)
	}
	runtime.KeepAlive(keep)

	// The user's GOGC wins.
	t.Setenv("GOGC", "50")
	collectLate(1 << 40)()
	if p := gcPercent(); p != before {
		t.Fatalf("with GOGC set, GC percent %d, want %d", p, before)
	}
}
