package dsl

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// TestDedent: a multi-line string loses the indentation its lines have in
// common, so that a script can be indented with the file.
func TestDedent(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"indented with the block, closing quotes on their own line",
			"  run \"\"\"\n    set -e\n    cat <<EOF > /x\n    hi\n    EOF\n  \"\"\"", "set -e\ncat <<EOF > /x\nhi\nEOF\n"},
		{"deeper lines keep what they have beyond the common indentation",
			"  run \"\"\"\n    if true; then\n      echo yes\n    fi\n  \"\"\"", "if true; then\n  echo yes\nfi\n"},
		{"closing quotes after the last line",
			"  run \"\"\"\n    a\n    b\"\"\"", "a\nb"},
		{"closing quotes deeper than the text",
			"  run \"\"\"\n  a\n        \"\"\"", "a\n"},
		{"flush left, as the formatter writes it",
			"  run \"\"\"\na\n  b\n\"\"\"", "a\n  b\n"},
		{"blank lines do not count and keep no indentation",
			"  run \"\"\"\n    a\n\n  \n      \n    b\n  \"\"\"", "a\n\n\n  \nb\n"},
		{"tabs",
			"\trun \"\"\"\n\t\ta\n\t\t\tb\n\t\"\"\"", "a\n\tb\n"},
		{"tabs and spaces are not the same indentation",
			"  run \"\"\"\n\ta\n    b\n  \"\"\"", "\ta\n    b\n"},
		{"text on the line of the opening quotes is not indented and does not count",
			"  run \"\"\"echo a &&\n    b\n    c\n  \"\"\"", "echo a &&\nb\nc\n"},
		{"an escape is not indentation",
			"  run \"\"\"\n    \\u0020 a\n    b\n  \"\"\"", "  a\nb\n"},
		{"an escaped tab is not indentation either",
			"  run \"\"\"\n\\ta\n  b\n\"\"\"", "\ta\n  b\n"},
		{"an escaped newline does not start a line",
			"  run \"\"\"\n    a\\n  b\n    c\n  \"\"\"", "a\n  b\nc\n"},
		{"only the closing line",
			"  run \"\"\"\n  \"\"\"", ""},
		{"CRLF",
			"  run \"\"\"\r\n    a\r\n    b\r\n  \"\"\"", "a\r\nb\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "stage s from \"x\" {\n" + tc.src + "\n}\n"
			f, diags := Parse("Securefile", []byte(src))
			if len(diags) > 0 {
				t.Fatalf("diagnostics:\n%s", diags)
			}
			got := f.Stages[0].Steps[0].(*spec.Run).Command.Shell.V
			if got != tc.want {
				t.Errorf("value = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFormatIndentedValues: values whose lines all start with spaces, or
// that end in a line of spaces, are written so that reading them back
// removes nothing.
func TestFormatIndentedValues(t *testing.T) {
	for _, v := range []string{
		"  a\n  b\n", "  a\n", " a\n b", "a\n  ", "a\n \n", "  \n  x\n", "\ta\n\tb\n", "  a\n\n  b\n",
		"    \n", "\n  a", "  a\r\n  b\r\n", "  \"\"a\n  b\"",
	} {
		f := &spec.File{Stages: []*spec.Stage{{Name: spec.Of("s"), From: spec.Source{Set: true, Kind: spec.SourceScratch},
			Steps: []spec.Step{&spec.Run{Command: spec.Command{Shell: spec.Of(v)}}}}}}
		checkRoundTrip(t, f)
	}
	// Only the first indented line needs an escape.
	f := &spec.File{Stages: []*spec.Stage{{Name: spec.Of("s"), From: spec.Source{Set: true, Kind: spec.SourceScratch},
		Steps: []spec.Step{&spec.Run{Command: spec.Command{Shell: spec.Of("  set -e\n  make\n")}}}}}}
	want := "stage s from scratch {\n  run \"\"\"\n\\u0020 set -e\n  make\n\"\"\"\n}\n"
	if got := checkRoundTrip(t, f); got != want {
		t.Errorf("formatted:\n%s\nwant:\n%s", got, want)
	}
}

// FuzzFormatString: any value of a command, label or arg formats to text
// that reads back as the same value. Values that are not UTF-8 text, or
// hold a NUL, are left out: no file can hold them (the parser refuses
// them at their byte, TestFormatInvalidUTF8).
func FuzzFormatString(f *testing.F) {
	for _, s := range []string{"", "a\nb", "  a\n  b\n", "a\n  ", "\t\n\t", " \r\n x", "\"\"\"\n  \"\"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Skip()
		}
		f := &spec.File{
			Args: []*spec.Arg{{Name: spec.Of("A"), Default: spec.Of(v)}},
			Stages: []*spec.Stage{{Name: spec.Of("s"), From: spec.Source{Set: true, Kind: spec.SourceScratch},
				Steps:  []spec.Step{&spec.Run{Command: spec.Command{Shell: spec.Of(v)}}},
				Config: spec.ImageConfig{Labels: []*spec.KeyValue{{Key: spec.Of("k"), Value: spec.Of(v)}}}}},
		}
		checkRoundTrip(t, f)
	})
}
