package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// linearSecurefile is one image of n run steps, the shape of
// internal/lower's BenchmarkLower/linear-N.
func linearSecurefile(n int) string {
	var b strings.Builder
	b.WriteString("default image app from \"alpine:3.20\" {\n")
	for i := range n {
		fmt.Fprintf(&b, "  run \"echo %d\"\n", i)
	}
	b.WriteString("}\n")
	return b.String()
}

// securefileBinary is the CLI to time: $SECUREFILE_BIN (make bench
// passes bin/securefile, what `make build` wrote), else one built here
// the way `make build` builds it.
func securefileBinary(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("SECUREFILE_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			b.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(b.TempDir(), "securefile")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkLLBProcess times `securefile llb FILE > out` of a stage of
// 8,000 run steps as a user runs it: a new process each time, so process
// start, reading, parse, check, lowering, marshalling and writing are all
// in it. ns/op is the mean wall time; median-ms the median of the runs
// (the measure), cpu-ms the user+system time of the process (its
// garbage collector's too), which moves less than wall time on a busy
// machine; maxrss-MB its peak memory.
func BenchmarkLLBProcess(b *testing.B) {
	bin := securefileBinary(b)
	dir := b.TempDir()
	src := filepath.Join(dir, "Securefile")
	if err := os.WriteFile(src, []byte(linearSecurefile(8000)), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.llb")
	b.Run("linear-8000", func(b *testing.B) {
		var walls []time.Duration
		var cpu time.Duration
		var maxRSS int64
		for b.Loop() {
			f, err := os.Create(out)
			if err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command(bin, "llb", src)
			cmd.Stdout, cmd.Stderr = f, io.Discard
			start := time.Now()
			err = cmd.Run()
			walls = append(walls, time.Since(start))
			f.Close()
			if err != nil {
				b.Fatalf("securefile llb: %v", err)
			}
			ps := cmd.ProcessState
			cpu += ps.UserTime() + ps.SystemTime()
			if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
				maxRSS = max(maxRSS, ru.Maxrss)
			}
		}
		if fi, err := os.Stat(out); err != nil || fi.Size() < 1<<20 {
			b.Fatalf("the definition is missing or short: %v", err)
		}
		slices.Sort(walls)
		b.ReportMetric(float64(walls[len(walls)/2].Microseconds())/1e3, "median-ms")
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(len(walls)), "cpu-ms/op")
		b.ReportMetric(float64(maxRSS)/1024, "maxrss-MB")
	})
}

// BenchmarkLLBInProcess is BenchmarkLLBProcess's work without the process:
// the llb command's run, from reading the file to writing the definition
// (to io.Discard), in the test's process.
func BenchmarkLLBInProcess(b *testing.B) {
	p := filepath.Join(b.TempDir(), "Securefile")
	if err := os.WriteFile(p, []byte(linearSecurefile(8000)), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("linear-8000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if code := run([]string{"llb", p}, io.Discard, io.Discard); code != exitOK {
				b.Fatalf("exit %d", code)
			}
		}
	})
}
