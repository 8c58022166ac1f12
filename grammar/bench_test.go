package grammar

import (
	"fmt"
	"strings"
	"testing"
)

// bigBuild writes one stage of n steps (runs with mounts, copies, env and
// workdir changes) in the DSL, declarations included, so the checker has
// references to resolve.
func bigBuild(n int) string {
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

// BenchmarkLoad10000Steps is parse + check of a 10,000-step file in each
// syntax (the TOML input is the DSL converted). The bar: well
// under 100 ms.
func BenchmarkLoad10000Steps(b *testing.B) {
	dslSrc := []byte(bigBuild(10000))
	f, diags := Load("Securefile", dslSrc, DSL)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	tomlSrc := Format(f, TOML)
	for _, c := range []struct {
		name   string
		src    []byte
		syntax Syntax
	}{{"dsl", dslSrc, DSL}, {"toml", tomlSrc, TOML}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				if _, diags := Load("Securefile", c.src, c.syntax); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}
