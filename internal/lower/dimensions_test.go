package lower

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/spec"
)

// Lowering must be linear in every dimension of a build file, not only in
// steps (TestLoweringIsLinear): env keys, labels, mounts, copies, args,
// expose entries, stages. Each dimension below is generated at n and 2n;
// the work — allocations of Lower plus Marshal, and the size of the
// definition — must grow about twice, not four times. Allocations are
// counted, not timed, so a loaded machine cannot fail the test; a scan
// that allocates nothing is caught by the secondary guard, the best of
// several timings at n and 4n, whose ratio a quadratic puts near 16.
var dimensions = []struct {
	name string
	n    int
	gen  func(n int) string
}{
	{"env keys in one env step", 4000, func(n int) string {
		kv := make([]string, n)
		for i := range kv {
			kv[i] = fmt.Sprintf("K%d = \"v%d\"", i, i)
		}
		return "default image a from scratch {\n  env " + strings.Join(kv, ", ") + "\n  run \"true\"\n  run \"true\"\n}\n"
	}},
	{"env keys across env steps", 4000, func(n int) string {
		var b strings.Builder
		b.WriteString("default image a from scratch {\n")
		for i := range n {
			fmt.Fprintf(&b, "  env K%d = \"v%d\"\n", i, i)
		}
		b.WriteString("  run \"true\"\n}\n")
		return b.String()
	}},
	{"env keys of a run step", 4000, func(n int) string {
		var b strings.Builder
		b.WriteString("default image a from scratch {\n  env S = \"s\"\n  run \"true\" {\n")
		for i := range n {
			fmt.Fprintf(&b, "    env K%d = \"v%d\"\n", i, i)
		}
		b.WriteString("  }\n}\n")
		return b.String()
	}},
	{"args a run step names", 2000, func(n int) string {
		var b, script strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "arg A%d = \"%d\"\n", i, i)
			fmt.Fprintf(&script, " $A%d", i)
		}
		b.WriteString("default image a from scratch {\n")
		for i := range n {
			fmt.Fprintf(&b, "  env K%d = \"v%d\"\n", i, i)
		}
		fmt.Fprintf(&b, "  run \"echo%s\"\n}\n", script.String())
		return b.String()
	}},
	{"labels", 4000, func(n int) string {
		var b strings.Builder
		b.WriteString("default image a from scratch {\n  labels = {\n")
		for i := range n {
			fmt.Fprintf(&b, "    \"l%d\" = \"v%d\"\n", i, i)
		}
		b.WriteString("  }\n  run \"true\"\n}\n")
		return b.String()
	}},
	{"expose entries", 4000, func(n int) string {
		ports := make([]string, n)
		for i := range ports {
			ports[i] = fmt.Sprintf("\"%d\"", 1+i)
		}
		return "default image a from scratch {\n  expose = [" + strings.Join(ports, ", ") + "]\n  run \"true\"\n}\n"
	}},
	{"mounts of a run step", 1000, func(n int) string {
		var b strings.Builder
		b.WriteString("default image a from scratch {\n  run \"true\" {\n")
		for i := range n {
			fmt.Fprintf(&b, "    tmpfs \"/t%d\"\n    bind \"d%d\" to \"/b%d\"\n", i, i, i)
		}
		b.WriteString("  }\n}\n")
		return b.String()
	}},
	{"copies", 2000, func(n int) string {
		var b strings.Builder
		b.WriteString("default image a from scratch {\n")
		for i := range n {
			fmt.Fprintf(&b, "  copy \"f%d\" to \"/\"\n", i)
		}
		b.WriteString("}\n")
		return b.String()
	}},
	{"stages fanned in", 1000, genFanIn},
	{"stages chained", 1000, func(n int) string {
		var b strings.Builder
		b.WriteString("stage s0 from scratch {\n  run \"true\"\n}\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "stage s%d from s%d {\n  run \"true\"\n}\n", i, i-1)
		}
		fmt.Fprintf(&b, "default image a from s%d {\n  run \"true\"\n}\n", n-1)
		return b.String()
	}},
	{"steps", 2000, func(n int) string { return genLinear(n, true) }},
}

func TestLoweringIsLinearInEveryDimension(t *testing.T) {
	if testing.Short() {
		t.Skip("lowers every dimension at two sizes several times")
	}
	for _, d := range dimensions {
		t.Run(d.name, func(t *testing.T) {
			small, large := lowerWork(t, d.gen(d.n)), lowerWork(t, d.gen(2*d.n))
			check := func(what string, a, b, limit float64) bool {
				t.Helper()
				r := b / a
				t.Logf("%s: %.0f at n=%d, %.0f at 2n (×%.2f)", what, a, d.n, b, r)
				if r > limit {
					t.Errorf("%s grows ×%.2f when the %s double: lowering is not linear in them", what, r, d.name)
					return false
				}
				return true
			}
			check("allocations", small.allocs, large.allocs, 2.3)
			check("bytes allocated", small.bytes, large.bytes, 2.3)
			check("definition bytes", small.size, large.size, 2.3)
			// Time only guards what allocates nothing, over a quadrupling:
			// a quadratic is ×16, linear work ×4 plus what a bigger heap
			// and llb's recursion over a long env chain cost (up to ×10.5
			// measured for 16,000 env keys). A shared machine makes it
			// noisy: a quadratic is over the limit at every attempt,
			// noise at one.
			for attempt := 1; ; attempt++ {
				a, b := bestTime(t, d.gen(d.n)), bestTime(t, d.gen(4*d.n))
				t.Logf("best time (µs): %.0f at n=%d, %.0f at 4n (×%.2f)", a, d.n, b, b/a)
				if b/a <= 12 {
					break
				}
				if attempt == 3 {
					t.Errorf("the time grows ×%.2f when the %s quadruple, at every one of %d attempts: lowering is not linear in them", b/a, d.name, attempt)
					break
				}
			}
		})
	}
}

type work struct{ allocs, bytes, size float64 }

// lowerOnce lowers and marshals f and returns the definition's size.
func lowerOnce(t *testing.T, f *spec.File) int {
	res, err := Lower(context.Background(), f, opts())
	if err != nil {
		t.Fatalf("Lower: %v", err)
	}
	def, err := res.State.Marshal(context.Background(), llb.Platform(arm64))
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	size := 0
	for _, dt := range def.Def {
		size += len(dt)
	}
	return size
}

// lowerWork lowers and marshals src (loaded once, outside the measure)
// and returns the allocations and bytes allocated of one run and the
// definition's size.
func lowerWork(t *testing.T, src string) work {
	t.Helper()
	f := load(t, src)
	var size int
	w := work{allocs: testing.AllocsPerRun(3, func() { size = lowerOnce(t, f) })}
	w.size = float64(size)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	lowerOnce(t, f)
	runtime.ReadMemStats(&after)
	w.bytes = float64(after.TotalAlloc - before.TotalAlloc)
	return w
}

// bestTime is the best of several wall times of lowering and marshalling
// src, in microseconds.
func bestTime(t *testing.T, src string) float64 {
	t.Helper()
	f := load(t, src)
	best := float64(time.Hour.Microseconds())
	for range 7 {
		runtime.GC() // a collection left over from the last run is not this run's work
		start := time.Now()
		lowerOnce(t, f)
		best = min(best, float64(time.Since(start).Microseconds()))
	}
	return best
}
