package tomlfile

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/internal/benchgen"
	"github.com/ourorg/securefile/spec"
)

// sameAsWhole fails t unless parseSplit, when it splits src, gives exactly
// what parseWhole gives: the model with every range and comment, and the
// diagnostics. It reports whether src was split.
func sameAsWhole(t *testing.T, src []byte) bool {
	t.Helper()
	f, diags, ok := parseSplit("Securefile.toml", src)
	if !ok {
		return false
	}
	wf, wdiags := parseWhole("Securefile.toml", src)
	if diff := cmp.Diff(wf, f); diff != "" {
		t.Fatalf("split model differs (-whole +split):\n%s\n--- input:\n%s", diff, src)
	}
	if diff := cmp.Diff(wdiags, diags); diff != "" {
		t.Fatalf("split diagnostics differ (-whole +split):\n%s\n--- input:\n%s", diff, src)
	}
	return true
}

// stepSnippets are step bodies, tricky ones among them: each is written
// under its own [[P]] header. Several reuse the key x in ways BurntSushi
// reads differently depending on what earlier steps wrote at the same key
// path (see split.go).
var stepSnippets = []string{
	"run = \"echo %d\"\n",
	"run = [\"sh\", \"-c\", \"%d\"]\nsecrets = [\"netrc\"]\n",
	"env = { A%d = \"1\" }\n",
	"env.A = \"%d\"\nenv.B = \"2\"\n",
	"# copy %d\ncopy = [\"a\", \"b\"] # eol\nto = \"/x\"\n",
	"workdir = \"/w/%d\"\n",
	"run = \"\"\"\n[[stage.build.steps]]\n%d\n\"\"\"\n",
	"run = '''\n[[stage.build.steps]]\nrun = \"%d\"\n'''\n",
	"run = \"[[stage.build.steps]] %d\"\n",
	"# [[stage.build.steps]] %d\nworkdir = \"/\"\n",
	"x = [%d]\n",
	"x.y = %d\nx.z = 2\n",
	"env = [%d]\n",
	"run = \"a\"\nenv.A = \"%d\"\nenv.B = \"2\"\n",
	"run = \"a\"\nenv = [{ A = \"%d\" }, 2]\n",
	"x = { y = %d }\n",
	"x = [{ y = %d }, 2]\n",
	"x = [[{ y = %d }]]\n",
	"x = [{ y = %d }, { z = 1 }]\n",
	"run = \"a\"\n[stage.build.steps.x]\ny = %d\n",
	"run = \"a\"\n[stage.build.steps.x.y]\nz = %d\n[stage.build.steps.x]\nw = 1\n",
	"run = \"a\"\n[[stage.build.steps.x]]\ny = %d\n[[stage.build.steps.x]]\n",
	"run = \"a\"\n[[stage.build.steps.bind]]\ntarget = \"/%d\"\n",
	"run = \"a\"\nbind = [{ target = \"/%d\" }, { target = \"/b\" }]\n",
	"run = \"a\"\ntmpfs = [{ target = \"/%d\" }]\n",
	"run = \"a\"\nx = %d\nx = 2\n",                          // duplicate key
	"run = \"a\"\nenv = { A = \"%d\" }\nenv.B = \"1\"\n",    // extends an inline table
	"run = \"a\"\nx.y = %d\n[stage.build.steps.x]\nz = 1\n", // header over a dotted table
	"run = %d\n",
	"run = \n# %d\n",       // syntax error
	"run = \"a\" b = %d\n", // syntax error
	"run = \"\"\"%d\n",     // unterminated
	"\"é\" = %d\nrun = \"a\"\n",
	"run = \"a\"\nmounts = { cache = [\"%d\"] }\n",
	"run = \"a\"\nn = 2021-01-01 10:00:%02d\n",
	"run = \"a\"\nd = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[%d]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", // too deep
}

// splitHeads start the file, before the steps; some make P something a
// split must not extend.
var splitHeads = []string{
	"# syntax=x\n\n[stage.build]\nfrom = \"x\"\n",
	"[args]\nA = \"1\"\n\n[stage.build]\nfrom = \"x\"\n",
	"[stage.build]\nfrom = \"x\"\nsteps = []\n",
	"[stage.build]\nfrom = \"x\"\n[stage.build.steps]\n",
	"stage.build.from = \"x\"\n",
	"[[stage]]\n[stage.build]\nfrom = \"x\"\n",
	"[image.build]\nfrom = \"x\"\n[[stage.build.steps]]\nrun = \"a\"\n",
	"[stage.build]\nfrom = \"x\"\n[[stage.build.steps]]\nx = [1]\n",
	"[stage.build]\nfrom = { stage = \"y\" }\n[stage.y]\nfrom = \"z\"\n",
}

// splitMiddles are dropped in among the steps now and then: other tables
// the second half must not hold.
var splitMiddles = []string{
	"\n[stage.other]\nfrom = \"x\"\n",
	"\n[[stage.other.steps]]\nrun = \"a\"\n",
	"\n[stage.build]\nuser = \"u\"\n",
	"\n[[stage.build.steps]]\n",
	"\n[[ stage . build . \"steps\" ]]\nrun = \"a\"\n",
	"\n[[stage.build.steps]] # c\nrun = \"a\"\n",
}

// genSplit writes a file of n steps; bad is the chance of a tricky or
// wrong snippet rather than an ordinary one.
func genSplit(r *rand.Rand, n int, bad float64) []byte {
	var b strings.Builder
	if r.IntN(20) == 0 {
		b.WriteString("\xef\xbb\xbf")
	}
	b.WriteString(splitHeads[r.IntN(len(splitHeads))])
	for i := range n {
		if r.Float64() < bad/10 {
			b.WriteString(splitMiddles[r.IntN(len(splitMiddles))])
			continue
		}
		b.WriteString("\n[[stage.build.steps]]\n")
		k := r.IntN(6) // the ordinary ones
		if r.Float64() < bad {
			k = r.IntN(len(stepSnippets))
		}
		fmt.Fprintf(&b, stepSnippets[k], i)
	}
	out := b.String()
	if r.IntN(8) == 0 {
		out = strings.ReplaceAll(out, "\n", "\r\n")
	}
	return []byte(out)
}

// TestSplitSameAsWhole: for many generated files, a split parse gives
// what one parse gives, or does not split; enough of them split that the
// comparison means something.
func TestSplitSameAsWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	runs, split := 3000, 0
	if testing.Short() {
		runs = 300
	}
	for range runs {
		src := genSplit(r, 4+r.IntN(60), []float64{0, 0.02, 0.1, 0.3}[r.IntN(4)])
		if sameAsWhole(t, src) {
			split++
		}
	}
	t.Logf("%d of %d files split", split, runs)
	if split < runs/5 {
		t.Fatalf("only %d of %d files split: the fast path is hardly tested", split, runs)
	}
}

// TestSplitCases are the cases of the other tests, split wherever they
// can be.
func TestSplitCases(t *testing.T) {
	for _, src := range fuzzSeeds() {
		// Repeated, a case's own [[…]] tables reach past the middle.
		for _, rep := range []int{1, 2, 3} {
			sameAsWhole(t, []byte(strings.Repeat(src+"\n", rep)))
		}
	}
}

// TestSplitStaleArray: BurntSushi remembers that a step's env was an
// array, and in a later step it then loses env.A when env.B follows (it
// replaces the implied table). A split between the two steps must not be
// taken: the later step would keep env.A, unlike one parse.
func TestSplitStaleArray(t *testing.T) {
	const last = "\n[[stage.build.steps]]\nrun = \"c\"\nenv.A = \"1\"\nenv.B = \"2\"\n"
	var b strings.Builder
	b.WriteString("[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nrun = \"a\"\nenv = [\"x\"]\n")
	for range 100 {
		b.WriteString("\n[[stage.build.steps]]\nrun = \"b\"\n")
	}
	b.WriteString(last)
	src := []byte(b.String())
	if _, _, ok := parseSplit("f", src); ok {
		t.Fatalf("split taken over a stale array key")
	}
	// The case is real: the last step reads differently after the rest.
	whole, _ := parseWhole("f", src)
	alone, _ := parseWhole("f", []byte("[stage.build]\nfrom = \"x\"\n"+last))
	got := whole.Stages[0].Steps[len(whole.Stages[0].Steps)-1]
	want := alone.Stages[0].Steps[0]
	if cmp.Equal(got, want, ignoreRanges) {
		t.Fatalf("BurntSushi reads the last step the same either way; the test shows nothing")
	}
}

// TestSplitTaken: the benchmark's files are split, so the fast path is
// the one measured (a refusal here would leave Parse quietly slow).
func TestSplitTaken(t *testing.T) {
	for name, src := range map[string][]byte{
		"manySteps": manySteps(10000),
		"converted": convertedSteps(10000),
	} {
		if !sameAsWhole(t, src) {
			t.Errorf("%s: not split", name)
		}
	}
}

// convertedSteps is the TOML input of grammar's BenchmarkLoad10000Steps.
func convertedSteps(n int) []byte { return benchgen.OneStageTOML(n) }

// FuzzSplit: whatever the input, a split parse is one parse or none.
func FuzzSplit(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(genSplit(r, 4+r.IntN(20), 0.3))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameAsWhole(t, src)
	})
}

// TestParseConcurrent: parses at once (the scanner's blocks are reused
// from parse to parse) give what they give one at a time.
func TestParseConcurrent(t *testing.T) {
	srcs := [][]byte{convertedSteps(3000), manySteps(2000), []byte(buildHeader + "[[stage.build.steps]]\nrun = \"a\"\n")}
	want := make([]*spec.File, len(srcs))
	for i, src := range srcs {
		want[i], _ = Parse("f", src)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				k := (g + i) % len(srcs)
				got, _ := Parse("f", srcs[k])
				if diff := cmp.Diff(want[k], got); diff != "" {
					t.Errorf("parse %d of file %d differs:\n%s", i, k, diff)
				}
			}
		}()
	}
	wg.Wait()
}
