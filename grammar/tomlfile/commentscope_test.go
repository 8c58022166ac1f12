package tomlfile

import "testing"

// TestCommentAboveHeaderSpeaksOfFirstKey: fmt writes a step's comments
// above its [[…steps]] header, so such a comment speaks of the header and
// of the table's first key (the step's verb), as the DSL's comment above
// "run …" speaks of the line of the command. A comment above a key speaks
// of that key only.
func TestCommentAboveHeaderSpeaksOfFirstKey(t *testing.T) {
	src := `[image.app]
from = "busybox:1.36"

# above the header
[[image.app.steps]]
run = "true"
env = { A = "1" }

[[image.app.steps]]
# above the key
env = { B = "2" }
`
	f, diags := Parse("Securefile.toml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	steps := f.Stages[0].Steps
	for i, want := range [][2]int32{{5, 6}, {11, 11}} {
		n := steps[i].NodeInfo()
		if len(n.CommentScopes) != 1 {
			t.Fatalf("step %d: comments %q, scopes %v", i, n.Comments, n.CommentScopes)
		}
		if got := n.CommentScopes[0]; got.Start.Line != want[0] || got.End.Line != want[1] {
			t.Errorf("step %d: comment %q speaks of lines %d-%d, want %d-%d", i, n.Comments[0], got.Start.Line, got.End.Line, want[0], want[1])
		}
	}
}
