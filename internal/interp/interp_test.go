package interp

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var env = map[string]string{
	"A":       "a",
	"EMPTY":   "",
	"VERSION": "1.22",
	"B_2":     "bee",
	"_":       "underscore",
}

func lookupEnv(name string) (string, bool) {
	v, ok := env[name]
	return v, ok
}

func TestParseExpand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		refs []Ref
	}{
		{in: "", want: ""},
		{in: "plain text", want: "plain text"},
		{in: "${A}", want: "a", refs: []Ref{{"A", 0, 4}}},
		{in: "x${A}y", want: "xay", refs: []Ref{{"A", 1, 5}}},
		{in: "golang:${VERSION}-alpine", want: "golang:1.22-alpine", refs: []Ref{{"VERSION", 7, 17}}},
		{in: "${UNSET}", want: "", refs: []Ref{{"UNSET", 0, 8}}},
		{in: "${EMPTY}", want: "", refs: []Ref{{"EMPTY", 0, 8}}},
		{in: "${B_2}${_}", want: "beeunderscore", refs: []Ref{{"B_2", 0, 6}, {"_", 6, 10}}},
		{in: "${UNSET:-def}", want: "def", refs: []Ref{{"UNSET", 0, 13}}},
		{in: "${EMPTY:-def}", want: "def", refs: []Ref{{"EMPTY", 0, 13}}},
		{in: "${A:-def}", want: "a", refs: []Ref{{"A", 0, 9}}},
		{in: "${A:-}", want: "a", refs: []Ref{{"A", 0, 6}}},
		{in: "${UNSET:-}", want: "", refs: []Ref{{"UNSET", 0, 10}}},
		{in: "${A:+alt}", want: "alt", refs: []Ref{{"A", 0, 9}}},
		{in: "${EMPTY:+alt}", want: "", refs: []Ref{{"EMPTY", 0, 13}}},
		{in: "${UNSET:+alt}", want: "", refs: []Ref{{"UNSET", 0, 13}}},
		{in: "${UNSET:-${A}}", want: "a", refs: []Ref{{"UNSET", 0, 14}, {"A", 9, 13}}},
		{in: "${UNSET:-x${UNSET2:-${VERSION}}y}", want: "x1.22y", refs: []Ref{{"UNSET", 0, 33}, {"UNSET2", 10, 31}, {"VERSION", 20, 30}}},
		{in: "${A:+[${VERSION}]}", want: "[1.22]", refs: []Ref{{"A", 0, 18}, {"VERSION", 6, 16}}},
		{in: "${A:-a:-b}", want: "a", refs: []Ref{{"A", 0, 10}}},
		{in: "${UNSET:-a b c}", want: "a b c", refs: []Ref{{"UNSET", 0, 15}}},
		{in: "${UNSET:-$HOME}", want: "$HOME", refs: []Ref{{"UNSET", 0, 15}}},
		{in: "$${A}", want: "${A}"},
		{in: "x$${A}y${A}", want: "x${A}ya", refs: []Ref{{"A", 7, 11}}},
		{in: "$$${A}", want: "$${A}"},
		{in: "$$$${A}", want: "$$${A}"},
		{in: "${UNSET:-$${A}}", want: "${A}", refs: []Ref{{"UNSET", 0, 14}}}, // the word is "${A"; the last "}" is literal
		{in: "$HOME $A $ $$ $(pwd) }", want: "$HOME $A $ $$ $(pwd) }"},
		{in: "trailing $", want: "trailing $"},
		{in: "{A}", want: "{A}"},
		{in: "é${A}ü", want: "éaü", refs: []Ref{{"A", 2, 6}}},
		// Without ":", only unset counts.
		{in: "${A-d}", want: "a", refs: []Ref{{"A", 0, 6}}},
		{in: "${UNSET-d}", want: "d", refs: []Ref{{"UNSET", 0, 10}}},
		{in: "${EMPTY-d}", want: "", refs: []Ref{{"EMPTY", 0, 10}}},
		{in: "${A+x}", want: "x", refs: []Ref{{"A", 0, 6}}},
		{in: "${EMPTY+x}", want: "x", refs: []Ref{{"EMPTY", 0, 10}}},
		{in: "${UNSET+x}", want: "", refs: []Ref{{"UNSET", 0, 10}}},
		{in: "${A?}", want: "a", refs: []Ref{{"A", 0, 5}}},
		{in: "${EMPTY?must be set}", want: "", refs: []Ref{{"EMPTY", 0, 20}}},
		{in: "${A:?must not be empty}", want: "a", refs: []Ref{{"A", 0, 23}}},
		// Patterns.
		{in: "${VERSION#1}", want: ".22", refs: []Ref{{"VERSION", 0, 12}}},
		{in: "${VERSION##*2}", want: "", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION#*2}", want: "2", refs: []Ref{{"VERSION", 0, 13}}},
		{in: "${VERSION%.*}", want: "1", refs: []Ref{{"VERSION", 0, 13}}},
		{in: "${VERSION%%2*}", want: "1.", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION%?}", want: "1.2", refs: []Ref{{"VERSION", 0, 12}}},
		{in: "${VERSION#[1]}", want: "1.22", refs: []Ref{{"VERSION", 0, 14}}},
		{in: `${VERSION#1\?}`, want: "1.22", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION/2/x}", want: "1.x2", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION//2/x}", want: "1.xx", refs: []Ref{{"VERSION", 0, 15}}},
		{in: "${VERSION//2/}", want: "1.", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION/.*/}", want: "1", refs: []Ref{{"VERSION", 0, 14}}},
		{in: "${VERSION/2}/x}", want: "1.22", refs: []Ref{{"VERSION", 0, 15}}}, // the pattern is "2}"
		{in: "${VERSION/2/a/b}", want: "1.a/b2", refs: []Ref{{"VERSION", 0, 16}}},
		{in: `${VERSION/\//x}`, want: "1.22", refs: []Ref{{"VERSION", 0, 15}}},
		{in: "${VERSION/${A}/${B_2}}", want: "1.22", refs: []Ref{{"VERSION", 0, 22}, {"A", 10, 14}, {"B_2", 15, 21}}},
		{in: "${A/a/${B_2}}", want: "bee", refs: []Ref{{"A", 0, 13}, {"B_2", 6, 12}}},
		{in: "${A/a/$${B_2}}", want: "${B_2}", refs: []Ref{{"A", 0, 13}}}, // the string is "${B_2"; the last "}" is literal
		{in: "${B_2#${UNSET:-b}}", want: "ee", refs: []Ref{{"B_2", 0, 18}, {"UNSET", 6, 17}}},
		{in: "${UNSET:-${VERSION%.*}}", want: "1", refs: []Ref{{"UNSET", 0, 23}, {"VERSION", 9, 22}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			tpl, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got := tpl.Expand(lookupEnv); got != tc.want {
				t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if diff := cmp.Diff(tc.refs, tpl.Refs()); diff != "" {
				t.Errorf("Refs(%q) (-want +got):\n%s", tc.in, diff)
			}
			if tpl.String() != tc.in {
				t.Errorf("String() = %q", tpl.String())
			}
			if tpl.IsLiteral() != (len(tc.refs) == 0) {
				t.Errorf("IsLiteral() = %v", tpl.IsLiteral())
			}
			for _, r := range tc.refs {
				if src := tc.in[r.Offset:r.End]; !strings.HasPrefix(src, "${"+r.Name) || !strings.HasSuffix(src, "}") {
					t.Errorf("ref %+v covers %q", r, src)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in     string
		offset int
		msg    string
		hint   string // a part of the hint; "" for none
	}{
		{"${", 0, `unterminated "${" (no closing "}")`, ""},
		{"abc ${A", 4, `unterminated "${" (no closing "}")`, ""},
		{"${A:", 0, `unterminated "${" (no closing "}")`, ""},
		{"${A:-x", 0, `unterminated "${" (no closing "}")`, ""},
		{"${A:-${B}", 0, `unterminated "${" (no closing "}")`, ""},
		{"${A:-${B:-x", 5, `unterminated "${" (no closing "}")`, ""},
		{"${A#x", 0, `unterminated "${" (no closing "}")`, ""},
		{`${A#x\}`, 0, `unterminated "${" (no closing "}")`, ""},
		{`${A#x\`, 0, `unterminated "${" (no closing "}")`, ""},
		{"${A/x}", 0, `unterminated "${A/" (no "/" after the pattern; a "}" before it is part of the pattern)`, "${A/pattern/}"},
		{"${A//x}${B}", 0, `unterminated "${A/" (no "/" after the pattern; a "}" before it is part of the pattern)`, "${A/pattern/string}"},
		{"${A/x/y", 0, `unterminated "${" (no closing "}")`, ""},
		{"${}", 0, `missing name after "${"`, ""},
		{"x ${:-d}", 2, `missing name after "${"`, ""},
		{"${1A}", 2, `name cannot start with "1"; names match [A-Za-z_][A-Za-z0-9_]*`, ""},
		{"${ A}", 2, `name cannot start with " "; names match [A-Za-z_][A-Za-z0-9_]*`, ""},
		{"${é}", 2, `name cannot start with "é"; names match [A-Za-z_][A-Za-z0-9_]*`, ""},
		{"${A.B}", 3, `invalid character "." in name "A"; names match [A-Za-z_][A-Za-z0-9_]*`, ""},
		{"${A B}", 3, `invalid character " " in name "A"; names match [A-Za-z_][A-Za-z0-9_]*`, ""},
		{"${A:=x}", 3, `unsupported operator ":="`, "${A:-default}"},
		{"${A=x}", 3, `unsupported operator "="`, "assignment"},
		{"${A:1}", 3, `unsupported operator ":1"`, "substrings"},
		{"${A: -1}", 3, `unsupported operator ": "`, "substrings"},
		{"${A:#x}", 3, `unsupported operator ":#"`, "without the colon"},
		{"${A:}", 3, `missing operator after ":"`, "${A:-default}"},
		{"${A:x}", 3, `unsupported operator ":x"`, ""},
		{"${A^^}", 3, `unsupported operator "^"`, "case conversion"},
		{"${A,}", 3, `unsupported operator ","`, "case conversion"},
		{"${A@Q}", 3, `unsupported operator "@"`, "${A@operator}"},
		{"${A[0]}", 3, `unsupported operator "["`, "arrays"},
		{"${#A}", 2, `unsupported operator "#"`, "length"},
		{"${!A}", 2, `unsupported operator "!"`, "indirection"},
		{"${B:-x${A,}}", 9, `unsupported operator ","`, "case conversion"},
		{`${A#\x}`, 4, `invalid escape "\x" in a pattern`, `"\" escapes only`},
		{`${A//a\é/}`, 6, `invalid escape "\é" in a pattern`, `"\" escapes only`},
		{`${A%%\$${B}}`, 5, `invalid escape "\$" in a pattern`, `"\" escapes only`},
		{`${A#\${B}}`, 4, `invalid escape "\$" in a pattern`, `"\" escapes only`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Parse(tc.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, want an *Error", tc.in, err)
			}
			if e.Offset != tc.offset || e.Msg != tc.msg {
				t.Errorf("Parse(%q) error at %d: %s\nwant at %d: %s", tc.in, e.Offset, e.Msg, tc.offset, tc.msg)
			}
			if tc.hint == "" && e.Hint != "" || !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("Parse(%q) hint %q, want one with %q", tc.in, e.Hint, tc.hint)
			}
		})
	}
}

func TestEval(t *testing.T) {
	big := strings.Repeat("x", 5000)
	vars := map[string]string{"A": "a", "EMPTY": "", "BS": `\`, "BIG": big, "PAT": strings.Repeat("?", MaxPattern+1)}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	for _, tc := range []struct {
		in     string
		want   string       // when err is nil
		err    *ExpandError // the failure
		substr bool         // err.Msg is a part of the message
	}{
		{in: "${UNSET:?}", err: &ExpandError{"UNSET", 0, 10, "UNSET: is not allowed to be unset"}},
		{in: "${UNSET?}", err: &ExpandError{"UNSET", 0, 9, "UNSET: is not allowed to be unset"}},
		{in: "${EMPTY:?}", err: &ExpandError{"EMPTY", 0, 10, "EMPTY: is not allowed to be empty"}},
		{in: "${EMPTY?}", want: ""},
		{in: "${UNSET?set it with --build-arg UNSET=…}", err: &ExpandError{"UNSET", 0, 42, "UNSET: set it with --build-arg UNSET=…"}},
		{in: "${UNSET:?${A}${A}}", err: &ExpandError{"UNSET", 0, 18, "UNSET: aa"}},
		// Every word is expanded, even one whose result is not used.
		{in: "x${A:-${UNSET:?deep}}", err: &ExpandError{"UNSET", 6, 20, "UNSET: deep"}},
		{in: "${UNSET:+${UNSET:?deep}}", err: &ExpandError{"UNSET", 9, 23, "UNSET: deep"}},
		{in: "${A#${UNSET:?p}}", err: &ExpandError{"UNSET", 4, 15, "UNSET: p"}},
		// The first failure in source order is the one reported.
		{in: "${U1:?one}${U2:?two}", err: &ExpandError{"U1", 0, 10, "U1: one"}},
		// A pattern the values make invalid, or not.
		{in: "${A#${BS}}", err: &ExpandError{"A", 0, 10, `invalid pattern "\\": "\" at the end`}},
		{in: "${A%${BS}}", err: &ExpandError{"A", 0, 10, `invalid pattern "\\": "\" at the end`}},
		{in: "${A#${BS}x}", err: &ExpandError{"A", 0, 11, `invalid pattern "\\x": invalid escape "\x"`}},
		{in: "${A/${BS}x/y}", err: &ExpandError{"A", 0, 13, `invalid pattern "\\x": invalid escape "\x"`}},
		{in: `${A#${BS}\*}`, want: "a"}, // the value's "\" takes the escape over: "\\*" is "\" and "*"
		// Limits.
		{in: "${A#${PAT}}", err: &ExpandError{"A", 0, 11, "longer than the limit"}, substr: true},
		{in: "${BIG//?/${BIG}}", err: &ExpandError{"BIG", 0, 16, "longer than the limit"}, substr: true},
		{in: "${BIG//?/ab}", want: strings.Repeat("ab", 5000)},
	} {
		tpl, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		got, err := tpl.Eval(lookup)
		if tc.err == nil {
			if err != nil || got != tc.want {
				t.Errorf("Eval(%q) = %.40q, %v; want %.40q", tc.in, got, err, tc.want)
			}
			continue
		}
		var e *ExpandError
		if !errors.As(err, &e) {
			t.Errorf("Eval(%q) = %.40q, %v; want an *ExpandError", tc.in, got, err)
			continue
		}
		if tc.substr && strings.Contains(e.Msg, tc.err.Msg) {
			tc.err.Msg = e.Msg
		}
		if diff := cmp.Diff(tc.err, e); diff != "" {
			t.Errorf("Eval(%q) error (-want +got):\n%s", tc.in, diff)
		}
		if got != "" || tpl.Expand(lookup) != "" {
			t.Errorf("Eval(%q) failed with %q, Expand gives %q; want \"\" from both", tc.in, got, tpl.Expand(lookup))
		}
	}
}

// TestEvalLookups: every reference is looked up once, after the
// references of its words, as BuildKit's lexer does.
func TestEvalLookups(t *testing.T) {
	tpl, err := Parse("${A:-${B}}${C/${D}/${E}}${F}")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tpl.Expand(func(name string) (string, bool) {
		got = append(got, name)
		return "x", true
	})
	if want := []string{"B", "A", "D", "E", "C", "F"}; !cmp.Equal(got, want) {
		t.Errorf("lookups %q, want %q", got, want)
	}
}

func TestNilLookup(t *testing.T) {
	tpl, err := Parse("a${X:-b}${Y:+c}${Z}")
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Expand(nil); got != "ab" {
		t.Errorf("Expand(nil) = %q", got)
	}
	if got := ExpandCommand("${X} ${Y:-z}", nil); got != "${X} ${Y:-z}" {
		t.Errorf("ExpandCommand(nil) = %q", got)
	}
}

func TestExpandCommand(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"go build ./...", "go build ./..."},
		{"echo ${A}", "echo a"},
		{"echo $A", "echo $A"},
		{"echo ${HOME}", "echo ${HOME}"},
		{"echo $HOME ${PATH} $$ $(pwd) $1 ${#x} ${x%y}", "echo $HOME ${PATH} $$ $(pwd) $1 ${#x} ${x%y}"},
		{"echo ${A:?unset}", "echo ${A:?unset}"},
		{"echo ${VERSION:-x} ${UNSET:-x}", "echo 1.22 ${UNSET:-x}"},
		{"echo ${EMPTY:-x} ${EMPTY:+x} ${A:+y}", "echo x  y"},
		{"echo ${CC:-${VERSION}gcc}", "echo ${CC:-1.22gcc}"},
		{"echo ${CC:-$${A}}", "echo ${CC:-${A}}"},
		{"echo $${A} $${HOME}", "echo ${A} ${HOME}"},
		{"echo ${", "echo ${"},
		{"echo ${A", "echo ${A"},
		{"echo ${A:-x", "echo ${A:-x"},
		{"echo ${X:-${A}", "echo ${X:-a"},
		{"echo ${X:-${Y:-${A}", "echo ${X:-${Y:-a"},
		{"echo ${A:-${X:-q}", "echo ${A:-${X:-q}"},
		{"awk '{print $1}' }", "awk '{print $1}' }"},
		{"for f in *; do echo \"${f}\"; done", "for f in *; do echo \"${f}\"; done"},
		{"${A}${A}${VERSION}", "aa1.22"},
		{"${A:+${B_2}} ${UNSET:+${B_2}}", "bee ${UNSET:+bee}"},
		{"${A:-${B_2:-${X}}}", "a"},
		{"${UNSET:-${B_2:-${X}}}", "${UNSET:-bee}"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := ExpandCommand(tc.in, lookupEnv); got != tc.want {
				t.Errorf("ExpandCommand(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCommandRefs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Ref
	}{
		{"echo $HOME", nil},
		{"echo ${HOME} ${A:?x}", []Ref{{"HOME", 5, 12}}},
		{"${X:-${A}", []Ref{{"A", 5, 9}}},
		{"${X:-${A}}", []Ref{{"X", 0, 10}, {"A", 5, 9}}},
		{"$${A} ${B}", []Ref{{"B", 6, 10}}},
		{"${", nil},
	} {
		if diff := cmp.Diff(tc.want, CommandRefs(tc.in)); diff != "" {
			t.Errorf("CommandRefs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestPlatformArgs(t *testing.T) {
	names := PlatformArgs()
	if len(names) != 8 {
		t.Fatalf("PlatformArgs() = %v", names)
	}
	for _, n := range names {
		if !IsPlatformArg(n) || !IsName(n) {
			t.Errorf("%s", n)
		}
	}
	names[0] = "changed"
	if PlatformArgs()[0] != "BUILDPLATFORM" {
		t.Error("PlatformArgs returns a shared slice")
	}
	if IsPlatformArg("PLATFORM") {
		t.Error("IsPlatformArg(PLATFORM)")
	}
}

func TestIsName(t *testing.T) {
	for s, want := range map[string]bool{
		"A": true, "_": true, "a_1": true, "GO_VERSION": true,
		"": false, "1a": false, "a-b": false, "a.b": false, "é": false, "a b": false,
	} {
		if got := IsName(s); got != want {
			t.Errorf("IsName(%q) = %v", s, got)
		}
	}
}

// TestLinear: pathological inputs finish quickly (a quadratic algorithm
// would take minutes on these sizes).
func TestLinear(t *testing.T) {
	n := 100000
	inputs := []string{
		strings.Repeat("${A:-", n),
		strings.Repeat("${A:-", n) + strings.Repeat("}", n),
		strings.Repeat("${", n),
		strings.Repeat("$$", n) + "{",
		strings.Repeat("${A}", n),
		strings.Repeat("}", n) + strings.Repeat("${A:-x", n),
		strings.Repeat("${A#", n) + strings.Repeat("}", n),
		strings.Repeat("${A%%", n) + strings.Repeat("}", n),
		strings.Repeat("${A/", n) + strings.Repeat("/", n) + strings.Repeat("}", n),
		strings.Repeat("${A//a/", n) + strings.Repeat("}", n),
		strings.Repeat("${A:?", n) + strings.Repeat("}", n),
		strings.Repeat("${A/x", n),
		"${A#" + strings.Repeat(`\*`, n) + "}",
		"${A#" + strings.Repeat(`\`, n),
	}
	for _, in := range inputs {
		if tpl, err := Parse(in); err == nil {
			tpl.Expand(lookupEnv)
			tpl.Refs()
		}
		ExpandCommand(in, lookupEnv)
		ExpandCommand(in, nil)
		CommandRefs(in)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"plain $HOME $$ text", nil},
		{"${A}", []string{"A"}},
		{"${A:-${B}}x${C:+y}", []string{"A", "B", "C"}},
		{"${VERSION#v}", []string{"VERSION"}},
		{"${VERSION##*/}", []string{"VERSION"}},
		{"${NAME%.*}", []string{"NAME"}},
		{"${NAME/a/${B}}", []string{"NAME", "B"}},
		{"${NAME:?required}", []string{"NAME"}},
		{"${A:-x${B#${C}}}", []string{"A", "B", "C"}},
		// Forms Parse rejects after reading the name still name it.
		{"${NAME:=x}", []string{"NAME"}},
		{"${NAME:0:2}", []string{"NAME"}},
		{"${NAME,,}", []string{"NAME"}},
		{"${A:-x${B^}}${C}", []string{"A", "B", "C"}},
		{"${A:-x${B^}y}${C}", []string{"A", "B", "C"}},
		{"${UNCLOSED", []string{"UNCLOSED"}},
		{"${UNCLOSED:-${B}", []string{"UNCLOSED", "B"}},
		{"${A/x}${B}", []string{"A", "B"}},
		{`${A#\x${B}}`, []string{"A", "B"}},
		// "\$" in a pattern is not a reference.
		{`${A#\${B}}`, []string{"A"}},
		{`${A:-\${B}}`, []string{"A", "B"}},
		// Not references: escapes, and no name where Parse wants one.
		{"$${A}", nil},
		{"$$${A}", nil},
		{"$$$${A}", nil},
		{"${} ${:-x} ${#A} ${1A}", nil},
	} {
		if got := Names(tc.in); !cmp.Equal(got, tc.want) {
			t.Errorf("Names(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNamesAgreeWithRefs: for every template that parses, Names lists the
// names of Refs.
func TestNamesAgreeWithRefs(t *testing.T) {
	for _, in := range []string{
		"", "x", "${A}", "x${A}y${B:-${C}}", "${A:+[${VERSION}]}", "$${A}", "x$${A}y${A}",
		"$$${A}", "$$$${A}", "${UNSET:-$${A}}", "$HOME $A $ $$ $(pwd) }", "é${A}ü",
		"${A/${B}/${C}}", "${A#${B:-${C}}}", `${A#\*${B}}`, "${A/}/${B}}",
	} {
		tmpl, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		var want []string
		for _, r := range tmpl.Refs() {
			want = append(want, r.Name)
		}
		if got := Names(in); !cmp.Equal(got, want) {
			t.Errorf("Names(%q) = %q, Refs give %q", in, got, want)
		}
	}
}
