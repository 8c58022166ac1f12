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
//   - Eval fails only with an *ExpandError that covers a reference, and
//     Expand gives Eval's result, or "" when Eval fails;
//   - for a parsed template whose references all have command-mode forms
//     (${NAME}, ${NAME:-word}, ${NAME:+word}), full mode and command mode
//     agree when the lookup knows every name, and list the same
//     references;
//   - for a parsed template without "$${" or operators, an identity lookup
//     (NAME ↦ "${NAME}") gives the input back;
//   - command mode with a lookup that knows nothing only turns "$${" into
//     "${".
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "plain", "${A}", "x${A:-d}y", "${A:+${B:-c}}", "$${A}", "$$${A}",
		"${", "${A", "${A:?x}", "${1}", "${A.B}", "${}", "$HOME ${PATH} $$ $(x)",
		"${X:-${A}", "}}${A:-}}", "é${A}ü", "${A:-$${B}}", "${V#v}", "${A:-${B%x}}",
		"${A-x}${B+y}${C?z}", "${A#*.}${B%%-*}", "${A/x/y}${B//${C}/z}", "${A/x}/y}", `${A#\*\?\\\}\/}`,
		`${A#${B}\x}`, "${A:?${B:?}}", "${A:=x}", "${A^^}", "${A//?/${A//?/${A}}}",
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
		if tpl.IsLiteral() != (len(refs) == 0) {
			t.Fatalf("%q: IsLiteral = %v with %d refs", s, tpl.IsLiteral(), len(refs))
		}
		full, err := tpl.Eval(knowsAll)
		if err != nil {
			var e *ExpandError
			if !errors.As(err, &e) || !slices.Contains(refs, Ref{Name: e.Name, Offset: e.Offset, End: e.End}) || e.Msg == "" {
				t.Fatalf("Eval(%q) error %#v", s, err)
			}
		}
		if got := tpl.Expand(knowsAll); got != full {
			t.Fatalf("%q: Expand = %q, Eval = %q, %v", s, got, full, err)
		}
		commandForms, plain := true, true
		walkRefs(tpl.parts, func(r *ref) {
			commandForms = commandForms && (r.op == opValue || r.colon && (r.op == opDefault || r.op == opAlt))
			plain = plain && r.op == opValue
		})
		if commandForms {
			if !slices.Equal(refs, cmdRefs) {
				t.Fatalf("Refs and CommandRefs of %q differ (-full +command):\n%s", s, cmp.Diff(refs, cmdRefs))
			}
			if cmd := ExpandCommand(s, knowsAll); full != cmd {
				t.Fatalf("%q: Eval = %q, ExpandCommand = %q", s, full, cmd)
			}
		}
		if plain && !strings.Contains(s, "$${") {
			if got := tpl.Expand(identity); got != s {
				t.Fatalf("Expand(%q, identity) = %q", s, got)
			}
		}
	})
}
