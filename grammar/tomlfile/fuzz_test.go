package tomlfile

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// FuzzParse: whatever the input, Parse does not panic and every diagnostic
// has a place; the scanner understands every file BurntSushi accepts; a
// file without errors formats to a file that parses to the same model and
// formats to itself.
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const name = "Securefile.toml"
		file, diags := Parse(name, src)
		if file == nil {
			t.Fatal("nil file")
		}
		for _, d := range diags {
			if d.Range.Filename != name || d.Range.Start.Line < 1 || d.Range.Start.Column < 1 {
				t.Fatalf("diagnostic without a position: %q at %+v", d.Line(), d.Range)
			}
		}
		// Too deep a file never reaches BurntSushi, which would take long.
		if s := scan(name, src, string(src)); s.failed && s.tooDeep == nil {
			var m map[string]any
			if _, err := toml.Decode(string(src), &m); err == nil {
				t.Fatalf("BurntSushi accepts what the scanner does not understand (at %d:%d):\n%q", s.line, s.col, src)
			}
		}
		if diags.HasErrors() {
			return
		}
		out := Format(file)
		again, diags := Parse("formatted", out)
		if diags.HasErrors() {
			t.Fatalf("formatted file does not parse:\n%s\n--- input:\n%q\n--- formatted:\n%s", diags, src, out)
		}
		if diff := cmp.Diff(file, again, ignoreRanges); diff != "" {
			t.Fatalf("model changed by formatting (-parsed +reparsed):\n%s\n--- input:\n%q\n--- formatted:\n%s", diff, src, out)
		}
		if out2 := Format(again); !bytes.Equal(out, out2) {
			t.Fatalf("format is not idempotent:\n%s", cmp.Diff(string(out), string(out2)))
		}
	})
}

// FuzzFormatStrings puts one string in every place a string can be
// written (keys and names included) and checks it comes back exactly.
func FuzzFormatStrings(f *testing.F) {
	for _, s := range []string{"", `"`, `"""`, "a\nb", "\r\n", `\`, "é\t\x00", "x\n\"", "''' \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("TOML text is UTF-8")
		}
		file := &spec.File{
			Args:    []*spec.Arg{{Name: sv(s), Default: sv(s + "x")}},
			Secrets: []*spec.Secret{{Name: sv(s), Target: sv(s)}},
			Stages: []*spec.Stage{{Kind: spec.KindImage, Name: sv(s), From: image(s),
				Config: spec.ImageConfig{Labels: []*spec.KeyValue{kv(s, s)}, Expose: spec.ListOf(s, s)},
				Steps: []spec.Step{
					&spec.Run{Command: shell(s), Env: []*spec.KeyValue{kv(s, s)}},
					&spec.Copy{Sources: spec.ListOf(s), From: stageSrc(s), Dest: sv(s)},
				}}},
		}
		out := Format(file)
		got, diags := Parse("f", out)
		if len(diags) > 0 {
			t.Fatalf("%q: %s\n%s", s, diags, out)
		}
		if diff := cmp.Diff(file, got, ignoreRanges); diff != "" {
			t.Fatalf("%q:\n%s\n%s", s, diff, out)
		}
	})
}
