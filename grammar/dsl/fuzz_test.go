package dsl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParse(f *testing.F) {
	for _, src := range diagCorpus() {
		f.Add(src)
	}
	for _, src := range scannerCases {
		f.Add(src)
	}
	f.Add(docExamples)
	f.Add(string(manySteps(8)))
	f.Fuzz(func(t *testing.T, src string) {
		// The rule lexer takes quadratic time (each regexp match clears
		// state sized to the rest of the input); tokens are local, so
		// small inputs test the scanner as well as large ones.
		if len(src) <= 256 {
			checkScanner(t, src)
		}
		file, diags := Parse("Securefile", []byte(src))
		if file == nil {
			t.Fatal("Parse returned a nil file")
		}
		for _, d := range diags {
			if d.Range.Start.Line <= 0 || d.Range.Filename != "Securefile" {
				t.Fatalf("diagnostic without a position: %s", d)
			}
		}
		if diags.HasErrors() {
			return
		}
		out := Format(file)
		again, diags := Parse("Securefile", out)
		if len(diags) > 0 {
			t.Fatalf("formatted output does not parse:\n%s\n%s", out, diags)
		}
		if diff := cmp.Diff(file, again, ignoreRanges); diff != "" {
			t.Fatalf("model changed through Format (-before +after):\n%s\nformatted:\n%s", diff, out)
		}
		if out2 := Format(again); string(out2) != string(out) {
			t.Fatalf("Format is not idempotent:\n%s\n---\n%s", out, out2)
		}
	})
}
