package check_test

import (
	"testing"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/internal/benchgen"
)

// bigSecurefile is the file of grammar's BenchmarkLoad10000Steps.
func bigSecurefile(n int) string { return benchgen.OneStage(n) }

// BenchmarkCheckParsed10000Steps is the checker's share of
// grammar.BenchmarkLoad10000Steps: the file is parsed once.
func BenchmarkCheckParsed10000Steps(b *testing.B) {
	f, diags := grammar.Parse("Securefile", []byte(bigSecurefile(10000)), grammar.DSL)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	for _, mode := range []struct {
		name     string
		minSteps int
	}{{"sequential", 1 << 30}, {"concurrent", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			defer check.SetParallelMinSteps(check.SetParallelMinSteps(mode.minSteps))
			b.ReportAllocs()
			for b.Loop() {
				check.Check(f)
			}
		})
	}
}
