package interp

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks, for any input:
//   - nothing panics;
//   - a Parse error is an *Error with an offset inside the input;
//   - Names lists valid names, and for a parsed template the names of Refs;
//   - a parsed template prints back as its source, its Refs are ordered and
//     each covers "${NAME…}" in the source;
//   - for a parsed template, full mode and command mode agree when the
//     lookup knows every name, and list the same references;
//   - for a parsed template without "$${" or operators, an identity lookup
//     (NAME ↦ "${NAME}") gives the input back;
//   - command mode with a lookup that knows nothing only turns "$${" into
//     "${".
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "plain", "${A}", "x${A:-d}y", "${A:+${B:-c}}", "$${A}", "$$${A}",
		"${", "${A", "${A:?x}", "${1}", "${A.B}", "${}", "$HOME ${PATH} $$ $(x)",
		"${X:-${A}", "}}${A:-}}", "é${A}ü", "${A:-$${B}}", "${V#v}", "${A:-${B%x}}",
	} {
		f.Add(s)
	}
	knowsAll := func(name string) (string, bool) {
		if len(name)%2 == 0 {
			return "", true
		}
		return "<" + strings.ToLower(name) + ">", true
	}
	identity := func(name string) (string, bool) { return "${" + name + "}", true }
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ExpandCommand(s, nil), strings.ReplaceAll(s, "$${", "${"); got != want {
			t.Fatalf("ExpandCommand(%q, nothing) = %q, want %q", s, got, want)
		}
		cmdRefs := CommandRefs(s)
		names := Names(s)
		for _, n := range names {
			if !IsName(n) {
				t.Fatalf("Names(%q) lists %q, which is not a name", s, n)
			}
		}
		tpl, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(s) || e.Msg == "" {
				t.Fatalf("Parse(%q) error %#v", s, err)
			}
			return
		}
		if tpl.String() != s {
			t.Fatalf("String() = %q, want %q", tpl.String(), s)
		}
		refs := tpl.Refs()
		last := -1
		for _, r := range refs {
			if r.Offset <= last || r.End > len(s) || !strings.HasPrefix(s[r.Offset:r.End], "${"+r.Name) || s[r.End-1] != '}' || !IsName(r.Name) {
				t.Fatalf("Parse(%q): bad ref %+v", s, r)
			}
			last = r.Offset
		}
		var refNames []string
		for _, r := range refs {
			refNames = append(refNames, r.Name)
		}
		if !slices.Equal(names, refNames) {
			t.Fatalf("Names(%q) = %q, Refs name %q", s, names, refNames)
		}
		if !slices.Equal(refs, cmdRefs) {
			t.Fatalf("Refs and CommandRefs of %q differ (-full +command):\n%s", s, cmp.Diff(refs, cmdRefs))
		}
		if full, cmd := tpl.Expand(knowsAll), ExpandCommand(s, knowsAll); full != cmd {
			t.Fatalf("%q: Expand = %q, ExpandCommand = %q", s, full, cmd)
		}
		if tpl.IsLiteral() != (len(refs) == 0) {
			t.Fatalf("%q: IsLiteral = %v with %d refs", s, tpl.IsLiteral(), len(refs))
		}
		if !strings.Contains(s, "$${") && !strings.Contains(s, ":-") && !strings.Contains(s, ":+") {
			if got := tpl.Expand(identity); got != s {
				t.Fatalf("Expand(%q, identity) = %q", s, got)
			}
		}
	})
}
