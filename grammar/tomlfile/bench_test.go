package tomlfile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/ourorg/securefile/internal/cputime"
)

// manySteps is one stage with n steps, a mix of run, copy, env and workdir.
func manySteps(n int) []byte {
	var b strings.Builder
	b.WriteString("# syntax=ourorg/securefile\n\n[stage.build]\nfrom = \"golang:1.23\"\n")
	for i := range n {
		b.WriteString("\n[[stage.build.steps]]\n")
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "run = \"go build ./cmd/%d\"\nsecrets = [\"netrc\"]\nenv = { CGO_ENABLED = \"0\" }\n", i)
		case 1:
			fmt.Fprintf(&b, "# copy the sources\ncopy = [\"go.mod\", \"go.sum\"]\nto = \"/src/%d\"\n", i)
		case 2:
			b.WriteString("env = { GOPATH = \"/go\", GOFLAGS = \"-mod=readonly\" }\n")
		case 3:
			fmt.Fprintf(&b, "workdir = \"/src/%d\"\n", i)
		}
	}
	return []byte(b.String())
}

// loop runs fn b.N times and reports the CPU time per run too: on a busy
// machine it is the steadier number.
func loop(b *testing.B, fn func()) {
	start := cputime.Used()
	for b.Loop() {
		fn()
	}
	if used := cputime.Used() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkParse10000Steps(b *testing.B) {
	src := manySteps(10000)
	b.SetBytes(int64(len(src)))
	loop(b, func() {
		f, diags := Parse("Securefile.toml", src)
		if len(diags) > 0 || len(f.Stages[0].Steps) != 10000 {
			b.Fatal(diags)
		}
	})
}

// BenchmarkParseSplit shows where the time goes and that it grows
// linearly: BurntSushi's decoding alone, the position scanner alone, the
// model built from their results alone, and the whole of Parse (split in
// two halves at these sizes), at three sizes.
func BenchmarkParseSplit(b *testing.B) {
	for _, n := range []int{2500, 10000, 40000} {
		src := manySteps(n)
		b.Run(fmt.Sprintf("burntsushi/%d", n), func(b *testing.B) {
			loop(b, func() {
				var m map[string]any
				if _, err := toml.Decode(string(src), &m); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("scan/%d", n), func(b *testing.B) {
			loop(b, func() {
				if scan("f", src, string(src)).failed {
					b.Fatal("scan failed")
				}
			})
		})
		b.Run(fmt.Sprintf("model/%d", n), func(b *testing.B) {
			s := scan("f", src, string(src))
			var m map[string]any
			if _, err := toml.Decode(string(src), &m); err != nil {
				b.Fatal(err)
			}
			loop(b, func() { buildModel(s, src, m, nil) })
		})
		b.Run(fmt.Sprintf("parse/%d", n), func(b *testing.B) {
			loop(b, func() { Parse("f", src) })
		})
	}
}

func BenchmarkFormat10000Steps(b *testing.B) {
	f, _ := Parse("f", manySteps(10000))
	loop(b, func() { Format(f) })
}

// BenchmarkSplitSizes compares one parse with a split parse at sizes
// around splitAbove, which is where the split starts to pay.
func BenchmarkSplitSizes(b *testing.B) {
	for _, n := range []int{60, 125, 250, 500, 1000, 2000} {
		src := manySteps(n)
		b.Run(fmt.Sprintf("whole/%dKiB", len(src)>>10), func(b *testing.B) {
			loop(b, func() { parseWhole("f", src) })
		})
		b.Run(fmt.Sprintf("split/%dKiB", len(src)>>10), func(b *testing.B) {
			loop(b, func() {
				if _, _, ok := parseSplit("f", src); !ok {
					b.Fatal("not split")
				}
			})
		})
	}
}
