package dsl

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// span is a range in file "f": start and end as line, column, byte.
func span(l1, c1, b1, l2, c2, b2 int32) spec.Range {
	return spec.Range{Filename: "f", Start: spec.Pos{Line: l1, Column: c1, Byte: b1}, End: spec.Pos{Line: l2, Column: c2, Byte: b2}}
}

func TestPositions(t *testing.T) {
	src := "" +
		"arg A = \"1.22\"\n" + // line 1, bytes 0-14
		"stage b from context \"docs\" {\n" + // line 2, bytes 15-44
		"  env X = \"é€😀\", Y = \"v\"\n" + // line 3, bytes 45-75: é 2 bytes, € 3, 😀 4
		"  run [\"a\",\n" + // line 4, bytes 76-87
		"    \"b\"] {\n" + // line 5, bytes 88-98
		"    secret s\n" + // line 6, bytes 99-111
		"  }\n" + // line 7, bytes 112-115
		"}\n" + // line 8, bytes 116-117
		"default image app from scratch {\n" + // line 9, bytes 118-150
		"  labels = { \"k\" = \"\"\"\nx\"\"\" }\n" + // lines 10-11
		"}\n"
	f, diags := Parse("f", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	st := f.Stages[0]
	env := st.Steps[0].(*spec.Env)
	run := st.Steps[1].(*spec.Run)
	img := f.Stages[1]
	tests := []struct {
		name      string
		got, want spec.Range
	}{
		{"arg default (quotes included)", f.Args[0].Default.Range, span(1, 9, 8, 1, 15, 14)},
		{"arg node", f.Args[0].Range, span(1, 1, 0, 1, 15, 14)},
		{"stage name", st.Name.Range, span(2, 7, 21, 2, 8, 22)},
		{"named context source", st.From.Range, span(2, 14, 28, 2, 28, 42)},
		{"named context name", st.From.Name.Range, span(2, 22, 36, 2, 28, 42)},
		{"stage node covers its block", st.Range, span(2, 1, 15, 8, 2, 117)},
		{"env step", env.Range, span(3, 3, 47, 3, 25, 75)},
		{"multi-byte value", env.Vars[0].Value.Range, span(3, 11, 55, 3, 16, 66)},
		{"value after multi-byte text (rune columns)", env.Vars[1].Value.Range, span(3, 22, 72, 3, 25, 75)},
		{"key-value", env.Vars[1].Range, span(3, 18, 68, 3, 25, 75)},
		{"exec list spans lines", run.Command.Exec.Range, span(4, 7, 82, 5, 9, 96)},
		{"list item", run.Command.Exec.Items[1].Range, span(5, 5, 92, 5, 8, 95)},
		{"command", run.Command.Range, span(4, 7, 82, 5, 9, 96)},
		{"run with block", run.Range, span(4, 3, 78, 7, 4, 115)},
		{"mount name", run.Secrets[0].Range, span(6, 12, 110, 6, 13, 111)},
		{"default keyword", img.Default.Range, span(9, 1, 118, 9, 8, 125)},
		{"scratch source", img.From.Range, span(9, 24, 141, 9, 31, 148)},
		{"multi-line string", img.Config.Labels[0].Value.Range, span(10, 20, 170, 11, 5, 178)},
		{"label entry", img.Config.Labels[0].Range, span(10, 14, 164, 11, 5, 178)},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := string([]byte(src)[env.Vars[1].Value.Range.Start.Byte:env.Vars[1].Value.Range.End.Byte]); got != `"v"` {
		t.Errorf("byte offsets select %q", got)
	}
}

func TestDiagnosticPositions(t *testing.T) {
	// Columns count characters, and errors inside a string point at the
	// escape itself.
	_, diags := Parse("f", []byte("arg A = \"ü\\x\"\narg B = \"€\" 😀\n"))
	var got []spec.Range
	for _, d := range diags {
		got = append(got, d.Range)
	}
	want := []spec.Range{
		span(1, 11, 11, 1, 13, 13), // \x after the two-byte ü
		span(2, 13, 29, 2, 14, 33), // the emoji, one column, four bytes
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, diags)
	}
	for _, d := range diags {
		if d.Range.Filename != "f" || d.Range.Start.Line == 0 {
			t.Errorf("bad range on %s", d)
		}
	}
}
