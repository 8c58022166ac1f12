package tomlfile

import (
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestBlocksDoNotOverlap: lists and maps share blocks (take), so each must
// end where its capacity does; an append to one (a caller editing the
// model) must not write over the next one's items.
func TestBlocksDoNotOverlap(t *testing.T) {
	src := []byte(`[stage.a]
from = "x"

[[stage.a.steps]]
copy = ["a"]
to = "/a"

[[stage.a.steps]]
copy = ["b"]
to = "/b"

[[stage.a.steps]]
env = { A = "1" }

[[stage.a.steps]]
env = { B = "2" }
`)
	f, diags := Parse("f", src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	steps := f.Stages[0].Steps
	c1, c2 := steps[0].(*spec.Copy), steps[1].(*spec.Copy)
	_ = append(c1.Sources.Items, spec.At("over", spec.Range{}))
	if got := c2.Sources.Items[0].V; got != "b" {
		t.Errorf("second copy's source is %q after an append to the first's, want %q", got, "b")
	}
	e1, e2 := steps[2].(*spec.Env), steps[3].(*spec.Env)
	_ = append(e1.Vars, &spec.KeyValue{})
	if got := e2.Vars[0].Key.V; got != "B" {
		t.Errorf("second env's key is %q after an append to the first's, want %q", got, "B")
	}
}
