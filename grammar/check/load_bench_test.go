package check_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/grammar/check"
)

// bigSecurefile is the 10,000-step file of grammar's BenchmarkLoad10000Steps:
// every fourth step is a run that mounts a secret and a cache, so each gets
// a secret-in-cache warning.
func bigSecurefile(n int) string {
	var b strings.Builder
	b.WriteString("arg BASE = \"busybox:1.36\"\n\nsecret netrc {\n  target = \"/root/.netrc\"\n}\n\ncache c {\n  target = \"/cache\"\n}\n\nimage app from \"${BASE}\" {\n")
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  run \"echo %d >> /log\" {\n    secret netrc\n    cache c\n  }\n", i)
		case 1:
			fmt.Fprintf(&b, "  copy \"src/%d\" to \"/dst/%d\"\n", i, i)
		case 2:
			fmt.Fprintf(&b, "  env V%d = \"%d\"\n", i, i)
		default:
			fmt.Fprintf(&b, "  workdir \"/w/%d\"\n", i)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

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
