package lower

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
)

// genLinear is one image of n steps. With mixed set, the steps cycle
// through every kind that changes what later steps see (env, workdir,
// user) and the kinds that make ops (run, copy).
func genLinear(n int, mixed bool) string {
	var b strings.Builder
	b.WriteString("default image app from \"alpine:3.20\" {\n")
	for i := range n {
		switch {
		case !mixed || i%5 == 0:
			fmt.Fprintf(&b, "  run \"echo %d\"\n", i)
		case i%5 == 1:
			// A fixed set of variables, rewritten over and over: the
			// environment stays the same size however long the stage.
			fmt.Fprintf(&b, "  env V%d = \"%d\"\n", i%7, i)
		case i%5 == 2:
			fmt.Fprintf(&b, "  workdir \"/w%d\"\n", i%3)
		case i%5 == 3:
			fmt.Fprintf(&b, "  user \"%d\"\n", 1000+i%2)
		default:
			fmt.Fprintf(&b, "  copy \"f%d\" to \"./\"\n", i%4)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// genFanIn is n independent stages, each with one step, and an image that
// copies from all of them.
func genFanIn(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "stage s%d from \"alpine:3.20\" {\n  run \"echo %d > /out%d\"\n}\n", i, i, i)
	}
	b.WriteString("default image app from \"alpine:3.20\" {\n")
	for i := range n {
		fmt.Fprintf(&b, "  copy \"/out%d\" from s%d to \"/\"\n", i, i)
	}
	b.WriteString("}\n")
	return b.String()
}

// The same shapes as Dockerfiles, for the comparison benchmark.
func dockerfileLinear(n int) string {
	var b strings.Builder
	b.WriteString("FROM alpine:3.20\n")
	for i := range n {
		fmt.Fprintf(&b, "RUN echo %d\n", i)
	}
	return b.String()
}

func dockerfileFanIn(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "FROM alpine:3.20 AS s%d\nRUN echo %d > /out%d\n", i, i, i)
	}
	b.WriteString("FROM alpine:3.20\n")
	for i := range n {
		fmt.Fprintf(&b, "COPY --from=s%d /out%d /\n", i, i)
	}
	return b.String()
}

// chainStats walks the op graph behind st and returns the longest
// llb.State value chain any op reads when it is marshalled (an exec's base
// state, a file op's state) and the number of ops.
//
// Those chains are what makes lowering quadratic when they grow with
// every step: each op walks its chain to find env, dir, user, args,
// platform and more. llb keeps them unexported, so this reads them with
// reflection, without changing anything.
func chainStats(t *testing.T, st llb.State) (longest, ops int) {
	t.Helper()
	c := &llb.Constraints{}
	ctx := context.Background()
	longest = chainLen(reflect.ValueOf(st))
	seen := map[llb.Vertex]bool{}
	var stack []llb.Vertex
	if out := st.Output(); out != nil {
		stack = append(stack, out.Vertex(ctx, c))
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		rv := reflect.ValueOf(v).Elem()
		switch v.(type) {
		case *llb.ExecOp:
			longest = max(longest, chainLen(rv.FieldByName("base")))
		case *llb.FileOp:
			for fa := rv.FieldByName("action"); !fa.IsNil(); fa = fa.Elem().FieldByName("prev") {
				if s := fa.Elem().FieldByName("state"); !s.IsNil() {
					longest = max(longest, chainLen(s.Elem()))
				}
			}
		}
		for _, in := range v.Inputs() {
			stack = append(stack, in.Vertex(ctx, c))
		}
	}
	return longest, len(seen)
}

// chainLen counts the links of an llb.State value chain.
func chainLen(s reflect.Value) int {
	n := 1
	for p := s.FieldByName("prev"); !p.IsNil(); p = s.FieldByName("prev") {
		s = p.Elem()
		n++
	}
	return n
}

// TestLoweringIsLinear asserts the structure that keeps lowering linear:
// the value chain every op reads is as long for a stage of 4,000 steps as
// for one of 100 (it depends on the number of env variables, not of
// steps). BenchmarkLower measures the time.
func TestLoweringIsLinear(t *testing.T) {
	o := opts()
	measure := func(n int) (int, int) {
		res := lower(t, genLinear(n, true), o)
		return chainStats(t, res.State)
	}
	small, smallOps := measure(100)
	large, largeOps := measure(4000)
	if largeOps < 2000 || smallOps < 50 {
		t.Fatalf("generated too few ops: %d, %d", smallOps, largeOps)
	}
	if large != small {
		t.Errorf("the longest value chain grows with the steps: %d links at 100 steps, %d at 4000", small, large)
	}
	// A base of two links, the step's settings and one link per env
	// variable (PATH and V0..V6).
	if large > 32 {
		t.Errorf("the longest value chain has %d links", large)
	}
	t.Logf("longest value chain: %d links (100 steps, %d ops), %d links (4000 steps, %d ops)", small, smallOps, large, largeOps)

	// The control: chaining states the way dockerfile2llb does (each step
	// continues from the previous llb.State) makes the chains grow, and
	// chainStats sees it.
	grown := func(n int) int {
		st := llb.Image("alpine:3.20")
		for i := range n {
			st = st.AddEnv("I", fmt.Sprint(i)).Run(llb.Shlex("true")).Root()
		}
		l, _ := chainStats(t, st)
		return l
	}
	if a, b := grown(10), grown(100); b < a+90 {
		t.Errorf("the control does not grow: %d links at 10 steps, %d at 100", a, b)
	}
}
