package check

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// The concurrent step passes (runConcurrently) must give what the
// sequential ones give, finding for finding and in the same order before
// the sort: these tests compare the unsorted findings of both on models
// built in code (random ones, unknown step and source kinds, panics).
// concurrent_files_test.go does the same on parsed files.

// runBoth checks f sequentially and concurrently and returns each run's
// findings, unsorted, rendered with their severities and exact ranges,
// and the panic each ended with. prepare, if set, changes the checker
// after its declaration passes.
func runBoth(f *spec.File, prepare func(*checker)) (seq, conc string) {
	render := func(minSteps int) string {
		defer func(old int) { parallelMinSteps = old }(parallelMinSteps)
		parallelMinSteps = minSteps
		c := &checker{}
		var b strings.Builder
		func() {
			defer func() {
				if p := recover(); p != nil {
					fmt.Fprintf(&b, "panic: %v\n", p)
				}
			}()
			c.declarations(f)
			if prepare != nil {
				prepare(c)
			}
			c.stepPasses()
			c.checkSSHHosts()
			c.checkUnused()
			c.applySuppressions()
		}()
		for _, d := range c.diags {
			fmt.Fprintf(&b, "%v %s %#v\n%s\n", d.Severity, d.Code, d.Range, d)
		}
		return b.String()
	}
	return render(1 << 30), render(0)
}

func sameBothWays(t *testing.T, name string, f *spec.File, prepare func(*checker)) {
	t.Helper()
	seq, conc := runBoth(f, prepare)
	if seq != conc {
		t.Errorf("%s: concurrent findings differ from sequential ones:\n--- sequential\n%s\n--- concurrent\n%s", name, seq, conc)
	}
}

func TestConcurrentRandomModels(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		sameBothWays(t, fmt.Sprint("random model ", i), randomFile(r), nil)
	}
	sameBothWays(t, "bigFile", bigFile(2000), nil)
}

func TestConcurrentUnknownKinds(t *testing.T) {
	odd := func(line int) spec.Source {
		return spec.Source{Node: node(line, 20), Set: true, Kind: spec.SourceScratch + 1, Name: str(line, 20, "x")}
	}
	manySteps := func(extra ...spec.Step) []spec.Step {
		var steps []spec.Step
		for i := 0; i < 40; i++ {
			cp := copyStep(10+i, "/x", ".netrc", "a")
			if i%7 == 0 {
				cp.From = odd(10 + i)
			}
			steps = append(steps, cp, run(10+i, "echo API_KEY=q8Zr3Kp0vW9xYt2LmN5bC7dF"))
			if i == 20 {
				steps = append(steps, extra...)
			}
		}
		return steps
	}
	f, _ := fileWithMkdir()
	f.Stages = append(f.Stages, stage(8, "b", odd(8), manySteps(&mkdirStep{Node: node(30, 3)})...))
	sameBothWays(t, "unknown steps and sources", f, nil)

}

// TestConcurrentPanics: a panic in either goroutine's passes ends the
// check where the sequential run ends it: one in the stage passes with
// their findings so far (the graph passes' are dropped: they would not
// have run), one in the graph passes after all the stage passes' findings
// and its own so far, and with both, at the first. The checker's state is
// poisoned after its declarations, as no model can: a nil secret
// declaration for checkRun, arg edges through a nil arg for
// checkArgCycles.
func TestConcurrentPanics(t *testing.T) {
	stagePanic := func(c *checker) { c.secrets["secret0"] = nil }
	graphPanic := func(c *checker) {
		a := c.f.Args[0]
		c.argEdges = map[*spec.Arg][]argEdge{a: {{to: nil}}, nil: {{to: a}}}
	}
	for _, tc := range []struct {
		name    string
		prepare func(*checker)
	}{
		{"stage passes", stagePanic},
		{"graph passes", graphPanic},
		{"both", func(c *checker) { stagePanic(c); graphPanic(c) }},
	} {
		seq, conc := runBoth(bigFile(100), tc.prepare)
		if !strings.Contains(seq, "panic: runtime error") {
			t.Fatalf("%s: the poisoned checker did not panic:\n%s", tc.name, seq)
		}
		if seq != conc {
			t.Errorf("%s: concurrent findings differ from sequential ones:\n--- sequential\n%s\n--- concurrent\n%s", tc.name, seq, conc)
		}
	}
}
