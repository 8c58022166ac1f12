// Package benchgen writes the generated build files that benchmarks of
// several packages share, so that they measure the same input: grammar's
// BenchmarkLoad10000Steps and grammar/check's BenchmarkCheckParsed10000Steps
// (the checker's share of it), and grammar/tomlfile's split-parse tests.
package benchgen

import (
	"fmt"
	"strings"
)

// OneStage writes one stage of n steps in the DSL (runs with mounts,
// copies, env and workdir changes), declarations included, so the checker
// has references to resolve: every fourth step is a run that mounts a
// secret and a cache, so each gets a secret-in-cache warning.
func OneStage(n int) string {
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

// OneStageTOML is OneStage(n) written by hand in Securefile.toml, the
// shape of the TOML input of grammar's BenchmarkLoad10000Steps, for tests
// of grammar/tomlfile, which cannot import grammar's converter.
func OneStageTOML(n int) []byte {
	var b strings.Builder
	b.WriteString("[args]\nBASE = \"busybox:1.36\"\n\n[secret.netrc]\ntarget = \"/root/.netrc\"\n\n[cache.c]\ntarget = \"/cache\"\n\n[image.app]\nfrom = \"${BASE}\"\n")
	for i := range n {
		b.WriteString("\n[[image.app.steps]]\n")
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "run = \"echo %d >> /log\"\nsecrets = [\"netrc\"]\ncaches = [\"c\"]\n", i)
		case 1:
			fmt.Fprintf(&b, "copy = [\"src/%d\"]\nto = \"/dst/%d\"\n", i, i)
		case 2:
			fmt.Fprintf(&b, "env = { V%d = \"%d\" }\n", i, i)
		default:
			fmt.Fprintf(&b, "workdir = \"/w/%d\"\n", i)
		}
	}
	return []byte(b.String())
}
