package dsl

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ourorg/securefile/internal/cputime"
)

// manySteps is one stage of n steps mixing run, copy, env and workdir.
func manySteps(n int) []byte {
	var b strings.Builder
	b.WriteString("stage build from \"golang:1.22\" {\n")
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  run \"go build ./cmd/tool%d\"\n", i)
		case 1:
			fmt.Fprintf(&b, "  copy \"src/%d\" \"go.sum\" from deps to \"/src/%d\"\n", i, i)
		case 2:
			fmt.Fprintf(&b, "  env STEP = \"%d\", CGO_ENABLED = \"0\"\n", i)
		case 3:
			fmt.Fprintf(&b, "  workdir \"/src/%d\"\n", i)
		}
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// BenchmarkParse10000Steps also reports the CPU time per parse (the
// garbage collector's included), which unlike ns/op does not grow when
// other processes compete for the machine.
func BenchmarkParse10000Steps(b *testing.B) {
	src := manySteps(10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		f, diags := Parse("Securefile", src)
		if len(diags) > 0 || len(f.Stages[0].Steps) != 10000 {
			b.Fatal(diags)
		}
	}
	b.ReportMetric(float64(cputime.Used()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// TestLargeInputs feeds inputs that would take quadratic time or deep
// recursion if any part of the parser had it.
func TestLargeInputs(t *testing.T) {
	n := 100000
	inputs := map[string]string{
		"blank lines in a map":   "stage s from \"x\" {\n  labels = {" + strings.Repeat("\n", n) + "}\n}\n",
		"blank lines in a list":  "platforms = [" + strings.Repeat("\n", n) + "]\n",
		"opening braces":         strings.Repeat("{", n),
		"opening brackets":       "platforms = " + strings.Repeat("[", n),
		"closing braces":         strings.Repeat("}", n),
		"one long list":          "platforms = [" + strings.Repeat("\"a\", ", n/10) + "]\n",
		"one long statement":     "stage s from \"x\" {\n  copy" + strings.Repeat(" \"a\"", n/10) + " to \"/x\"\n}\n",
		"many unclosed strings":  strings.Repeat("arg A = \"x\n", n/10),
		"unterminated multiline": "arg A = \"\"\"" + strings.Repeat("x\n", n),
		"many comments":          strings.Repeat("# c\n", n) + "arg A\n" + strings.Repeat("arg B # c\n", n/10),
		"many stages":            strings.Repeat("stage s from \"x\" { run \"a\" }\n", n/10),
		"stage lines in a block": "stage s from \"x\" {\n" + strings.Repeat("stage t from \"y\" {\n", n/10),
	}
	for name, src := range inputs {
		start := time.Now()
		f, diags := Parse("Securefile", []byte(src))
		if f == nil {
			t.Fatalf("%s: nil file", name)
		}
		for _, d := range diags {
			if d.Range.Start.Line == 0 {
				t.Fatalf("%s: %s has no position", name, d)
			}
		}
		t.Logf("%s: %v", name, time.Since(start))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %v", name, d)
		}
	}
}
