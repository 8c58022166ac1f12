package dsl

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncoding: a byte that is not UTF-8, or a NUL, is an error at its
// position wherever it stands (issue 11: inside a string it passed the
// parse and failed in the LLB without a position).
func TestEncoding(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{"in a string", "image a from \"busybox\" {\n  run \"echo \xff\xfe > /x\"\n}\n", []string{
			"Securefile:2:13: invalid UTF-8 byte 0xff",
		}},
		{"NUL in a string", "image a from \"busybox\" {\n  run \"echo \x00 > /x\"\n}\n", []string{
			"Securefile:2:13: NUL character in the file",
		}},
		{"after other characters", "image a from \"busybox\" {\n  run \"é → \xe9\"\n}\n", []string{
			"Securefile:2:12: invalid UTF-8 byte 0xe9",
		}},
		{"truncated sequence", "arg A = \"\xe2\x82\"\n", []string{
			"Securefile:1:10: invalid UTF-8 byte 0xe2",
		}},
		{"in a comment", "# caf\xe9\nimage a from \"busybox\" {\n  run \"true\" # \x00\n}\n", []string{
			"Securefile:1:6: invalid UTF-8 byte 0xe9",
			"Securefile:3:16: NUL character in the file",
		}},
		// Outside a string the parse error at the same byte says less and
		// is left out.
		{"outside a string", "image a from \"busybox\" {\n  \xff\n}\n", []string{
			"Securefile:2:3: invalid UTF-8 byte 0xff",
		}},
		{"in a raw and a multi-line string", "arg A = '\xff'\narg B = \"\"\"\n  \x00\n  \"\"\"\n", []string{
			"Securefile:1:10: invalid UTF-8 byte 0xff",
			"Securefile:3:3: NUL character in the file",
		}},
		{"one per line", "arg A = \"\xff\xff\x00\"\n", []string{
			"Securefile:1:10: invalid UTF-8 byte 0xff",
		}},
		{"valid text", "# U+FFFD \ufffd is a character\narg A = \"\ufffd\"\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Parse("Securefile", []byte(tc.src))
			var got []string
			for _, d := range diags {
				got = append(got, d.Line())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nfull:\n%s", diff, diags)
			}
			for _, d := range diags {
				if d.Code != "syntax" || d.Hint == "" || d.Detail == "" {
					t.Errorf("%s: code %q, want syntax with a detail and a hint", d.Line(), d.Code)
				}
			}
		})
	}
}

// TestEncodingBinary: a file that is not text gets a few reports, not one
// per line, and is not parsed: a megabyte of NULs would otherwise be a
// million tokens, each an "unexpected character".
func TestEncodingBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want int
	}{
		{"many bad lines", strings.Repeat("stage \xff\n", 1000), maxEncodingDiags},
		{"an executable", strings.Repeat("\x7fELF\x00\x01\xff\n", 1000), maxEncodingDiags},
		{"a megabyte of NULs", strings.Repeat("\x00", 1<<20), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, diags := Parse("Securefile", []byte(tc.src))
			if len(diags) != tc.want {
				t.Errorf("%d reports, want %d:\n%s", len(diags), tc.want, diags)
			}
			for _, d := range diags {
				if !strings.Contains(d.Summary, "NUL") && !strings.Contains(d.Summary, "UTF-8") {
					t.Errorf("not an encoding report: %s", d.Line())
				}
			}
			if f == nil || int(f.Range.End.Byte) != len(tc.src) {
				t.Errorf("file %v does not span the input", f)
			}
		})
	}
}
