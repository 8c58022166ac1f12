package grammar

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad drives parser and checker together: whatever the input, Load
// must not panic and every diagnostic must say where it is.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/cases/*.txtar", "../examples/*/Securefile*"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b, filepath.Ext(p) == ".toml")
			}
		}
	}
	f.Add([]byte("stage a from b {\n run \"x\" { secret s }\n}\n"), false)
	f.Add([]byte("[stage.a]\nfrom = { stage = \"a\" }\n"), true)
	f.Fuzz(func(t *testing.T, src []byte, toml bool) {
		name, syntax := "Securefile", DSL
		if toml {
			name, syntax = "Securefile.toml", TOML
		}
		_, diags := Load(name, src, syntax)
		for _, d := range diags {
			if d.Range.Filename != name || d.Range.Start.Line < 1 || d.Range.Start.Column < 1 {
				t.Fatalf("diagnostic without a position: %q at %+v", d.Line(), d.Range)
			}
		}
	})
}
