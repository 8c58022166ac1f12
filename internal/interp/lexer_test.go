package interp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// The differential tests feed the same template and variables to this
// package (Parse, then Eval) and to BuildKit's Dockerfile shell lexer
// (shell.NewLex('\\').ProcessWord, as the Dockerfile frontend expands a
// value), and require the same result, or a failure from both.
//
// They are restricted to the subset of templates where the two languages
// agree by design (inLexerSubset): no quotes (' and " are the lexer's,
// and literal text here), no "$" that starts a variable for the lexer
// other than "${" ("$NAME", "$1", "$$", "$@" are literal text here; a "$"
// before any other character, or at the end, is literal in both), no
// "$${" (this package's escape), no "\" except directly in the text of a
// pattern (where both read it as an escape; elsewhere it is literal text
// here), and no name after "${" that is not one of this language's names
// ("${1}", "${@}", "${é}", "${/a/b}" with an empty name, which the lexer
// expands and this package rejects). The template must be valid UTF-8
// and not start with a byte order mark, which the lexer's text/scanner
// rewrites. Values hold no "$", and a template with "//" has no "$" of
// literal text: in the string of "//" the lexer reads a "$" as a regexp
// template (see TestLexerDifferences).

// lexEnv is a shell.EnvGetter.
type lexEnv map[string]string

func (e lexEnv) Get(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

func (e lexEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}

func lexerExpand(s string, vars map[string]string) (string, error) {
	out, _, err := shell.NewLex('\\').ProcessWord(s, lexEnv(vars))
	return out, err
}

func ourExpand(s string, vars map[string]string) (string, error) {
	t, err := Parse(s)
	if err != nil {
		return "", err
	}
	return t.Eval(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
}

// inLexerSubset reports whether s is in the subset described above.
func inLexerSubset(s string) bool {
	if !utf8.ValidString(s) || strings.HasPrefix(s, "\uFEFF") || strings.ContainsAny(s, `'"`) || strings.Contains(s, "$${") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if i+1 == len(s) {
			if strings.Contains(s, "//") {
				return false
			}
			break
		}
		if r, _ := utf8.DecodeRuneInString(s[i+1:]); r != '{' {
			if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("@*#?$!-", r) || strings.Contains(s, "//") {
				return false
			}
			continue
		}
		j := i + 2
		if j < len(s) && !isNameStart(s[j]) && !strings.ContainsRune("{}:", rune(s[j])) {
			return false
		}
		j = scanName(s, j)
		if r, _ := utf8.DecodeRuneInString(s[j:]); j < len(s) && r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return backslashesInPatterns(s)
}

// backslashesInPatterns reports whether every "\" of s is in the text of
// a pattern itself, not in a word nested in one. It follows the syntax
// independently of the parser, as the lexer reads it; where the lexer
// fails whatever follows (an unsupported operator, no name) it stops.
func backslashesInPatterns(s string) bool {
	const (
		word = iota
		pattern
		find
		repl
	)
	var stack []int
	for i := 0; i < len(s); i++ {
		top := -1
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch c := s[i]; {
		case c == '\\':
			if top != pattern && top != find {
				return false
			}
			i++ // the escaped byte: never a delimiter
		case top == find && c == '/':
			stack[len(stack)-1] = repl
		case top >= 0 && top != find && c == '}':
			stack = stack[:len(stack)-1]
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			j := scanName(s, i+2)
			if j == i+2 || j >= len(s) {
				return true // no name, or the end: the lexer fails here
			}
			switch s[j] {
			case '}':
			case ':':
				if j+1 >= len(s) || !strings.ContainsRune("-+?", rune(s[j+1])) {
					return true
				}
				j++
				stack = append(stack, word)
			case '-', '+', '?':
				stack = append(stack, word)
			case '#', '%':
				stack = append(stack, pattern)
			case '/':
				if j+1 < len(s) && s[j+1] == '/' {
					j++
				}
				stack = append(stack, find)
			default:
				return true
			}
			i = j
		}
	}
	return true
}

// compareWithLexer reports how the two expansions of s differ, or "".
func compareWithLexer(s string, vars map[string]string) string {
	want, lexErr := lexerExpand(s, vars)
	got, err := ourExpand(s, vars)
	switch {
	case lexErr != nil && err == nil:
		return fmt.Sprintf("the lexer fails (%v), interp gives %q", lexErr, got)
	case lexErr == nil && err != nil:
		return fmt.Sprintf("the lexer gives %q, interp fails (%v)", want, err)
	case err != nil:
		var pe *Error
		var ee *ExpandError
		if !errors.As(err, &pe) && !errors.As(err, &ee) {
			return fmt.Sprintf("interp fails with %T %v, neither an *Error nor an *ExpandError", err, err)
		}
	case got != want:
		return fmt.Sprintf("the lexer gives %q, interp %q", want, got)
	}
	return ""
}

// lexerEnvs are the variable sets of TestLexerAgrees. V, P, G, N, W, B, S
// and R are the names the templates use; U is never set.
var lexerEnvs = []map[string]string{
	{},
	{"V": "", "P": "", "G": "", "N": "", "W": "", "B": "", "S": "", "R": ""},
	{"V": "v1.2.3-beta.4", "P": "/usr/local/bin:/usr/bin:/bin", "G": "a*b?c[d]e", "N": "line1\nline2\n",
		"W": "héllo wörld ☃", "B": `back\slash`, "S": "aXbXcX", "R": "<r>"},
	{"V": "vvv", "P": "///", "G": "*", "N": "\n", "W": "é", "B": `\`, "S": "XX", "R": "#"},
	{"V": "1.22", "P": "src/app/main.go", "G": "?", "R": "*", "S": "X"},
	{"V": "#v#1", "P": "%p%", "G": "[a-z]", "N": "a\n\nb", "W": "☃☃", "B": `a\*b`, "S": "", "R": "x/y}z"},
	// Values of BuildKit's own tests (lex_test.go, TestProcessWithMatches).
	{"V": `()[]{}^.*?|\x`, "P": "/foo*/*/*.txt", "B": `\*/`, "S": "xxyy", "G": "a***yy*", "R": "/?/", "W": "???y"},
}

// lexerTemplates are the templates of TestLexerAgrees (and seeds of
// FuzzLexerAgrees), every one in the subset.
var lexerTemplates = []string{
	// Plain text and plain references.
	"", "plain", "a}b", "}", "{", "x{y}z", "${V}", "x${V}y", "${V}${P}", "${U}", "${V}}", "[${V}]",
	"a<<b ${V}", "100% ${V}#", "${V}/${P}",
	// Defaults and alternates, with and without ":", nested.
	"${V-d}", "${V:-d}", "${U-d}", "${U:-d}", "${V-}", "${V:-}", "${U:-}",
	"${V+a}", "${V:+a}", "${U+a}", "${U:+a}", "${V:+}", "${V+}",
	"${U:-${V}}", "${U-${V-${P}}}", "${U:-x${U:-${V}}y}", "${V:+[${P}]}", "${V:-a:-b}",
	"${U:-a b c}", "${U:-}}", "${V:-}}", "${U:-{x}}", "${V+${U-${G}}}", "${E-x}${E:-y}${E+z}${E:+w}",
	// Required values, the failures included.
	"${V?}", "${V:?}", "${U?}", "${U:?}", "${V?msg}", "${V:?msg}", "${U:?set U please}",
	"${V:-${U:?inner}}", "${U:+${U:?x}}", "${V:?${U:-m}}", "${U:?${V}}", "x${V?}y",
	// Prefixes and suffixes: literal text, "*", "?", brackets (literal),
	// regexp characters, nested references.
	"${V#v}", "${V##v}", "${V#*.}", "${V##*.}", "${V%.*}", "${V%%.*}", "${V%-*}", "${V%%-*}",
	"${V#?}", "${V##??}", "${V%?}", "${V%%?*}", "${V#*}", "${V##*}", "${V%*}", "${V%%*}",
	"${V#}", "${V##}", "${V%}", "${V%%}", "${U#x}", "${U%%*}",
	"${P#/usr}", "${P##*:}", "${P%%:*}", "${P%:*}", "${P#*/}", "${P##*/}", "${P%/*}",
	"${G#a*b}", "${G#[a-z]}", "${G%[d]e}", "${G#a?b}", "${G##*[}", "${V#[v]}", "${V#v[0-9]}",
	"${V#v1.}", "${V%.4}", "${V#(}", "${V#v1+}", "${V#^v}", "${V%4.}", "${V#v|x}", "${V#{}", "${P#/usr/local/bin:}",
	"${N#*}", "${N##*}", "${N%?}", "${N%%*}", "${N#line1?}", "${N%%line2*}",
	"${W#h?}", "${W%?}", "${W##*ö}", "${W%%?☃}",
	"${V#${U}}", "${V#${U:-v}}", "${V%${U:-.*}}", "${V#${G}}", "${G#${G}}", "${V##${R}}", "${V%%${S}}",
	"${V#${V}}", "${S#${S%X}}", "${V#${U:-#v}}", "${V%${B}}", "${V#${B}*}", "${B#${B}}",
	"${S%X}", "${S%%X*}", "${S#*X}", "${S##*X}", "${S#a?b}",
	"${V#v}${V%.*}", "${U:-${V#v}}", "${V:+${V%%.*}}", "${V#${V#v}}",
	// Escapes, directly in a pattern: the only "\" of the subset.
	`${G#a\*}`, `${G#a\*b\?}`, `${G%\?c[d]e}`, `${B#back\\}`, `${B%\\slash}`, `${V#\}}`, `${V#v\/}`,
	`${V#\a}`, `${V#v\.}`, `${V#\}`, `${V%\\}`, `${V#${U:-v}\*}`, `${V#x\${U}}`, `${B#${B}\*}`,
	// Replacements: first and all, "*", "?", empty patterns and strings,
	// "}" in a pattern, "/" in a string, nested references.
	"${V/./-}", "${V//./-}", "${V/v/}", "${V//v/}", "${V/*/x}", "${V//*/x}", "${V/?/x}", "${V//?/x}",
	"${V///x}", "${V/${U}/x}", "${U/*/x}", "${U//*/x}", "${U/a/b}", "${V/1/${P}}", "${V//./${R}}",
	"${V/a}b/c}", "${V//./a/b}", "${P//\\//:}", "${P//:/ }", "${P/#/x}", "${P/%/x}", "${S//X/${S}}",
	"${G/[d]/D}", "${G//?/.}", "${G/a*c/-}", "${N//?/.}", "${N/line1?/}", "${W//ö/o}", "${W//?/x}",
	"${V/${V}/same}", "${V/${G}/g}", "${V//${U:-.}/${U:-_}}", "${V/v/${U:?gone}}", `${G/\*/x}`, `${G//\?/x}`,
	`${P//\//-}`, `${V/\}/x}`, "${V/x", "${V/x/y",
	// BuildKit's own test cases, with these names.
	`${V#()[]{\}^.\*\?|\\}`, `${G%%\**\*}`, `${S#*x*y}`, `${W#?\?}`, "${P/${B}/.} - ${P//${B}/.}",
	"${P/${R}/} - ${P//${R}/}", "${S/${U}/ww}", "${S///}", "${U///}", "${U:-.}${S%x}${U:-.}",
	// A "$" that starts no variable for either.
	"$", "a$", "$.", "${U:-$}", "${V#$}", "${V/./$}", "${V/./$ }", "$ ${V}", "$/",
	// Malformed: both fail.
	"${", "${V", "${V:", "${V:-", "${V:-x", "${U:-${V}", "${}", "${:}", "${:-x}", "${{V}}", "${V:=x}", "${V=x}",
	"${V:1}", "${V:1:2}", "${V: -1}", "${V:#x}", "${V:%x}", "${V:}", "${V^}", "${V^^}", "${V,}", "${V@Q}",
	"${V[0]}", "${V.x}", "${V x}", "${V:-${W:=x}}", "${V#${U:}}", "${V#", "${V%%x",
}

func TestLexerAgrees(t *testing.T) {
	n := 0
	for _, s := range lexerTemplates {
		if !inLexerSubset(s) {
			t.Errorf("%q is not in the subset where the languages agree", s)
			continue
		}
		for _, vars := range lexerEnvs {
			n++
			if diff := compareWithLexer(s, vars); diff != "" {
				t.Errorf("%q with %q: %s", s, vars, diff)
			}
		}
	}
	t.Logf("%d templates, %d variable sets, %d comparisons", len(lexerTemplates), len(lexerEnvs), n)
}

// TestLexerDifferences documents where the languages differ by design,
// outside the subset: each case holds both results, so that a change on
// either side shows. parseFails: Parse rejects the template (ours is then
// "").
func TestLexerDifferences(t *testing.T) {
	vars := map[string]string{"V": "v1.2", "D": "[$0]", "E": "${x}y"}
	for _, tc := range []struct {
		in, ours, lexer string
		parseFails      bool
		why             string
	}{
		{in: "$V", ours: "$V", lexer: "v1.2", why: "a bare $NAME is literal text outside commands"},
		{in: "$$", ours: "$$", lexer: "", why: "$$ is two dollar signs"},
		{in: "$${V}", ours: "${V}", lexer: "{V}", why: "$${ is the escape for a literal ${ (the lexer reads $$ as a variable)"},
		{in: `'${V}'`, ours: "'v1.2'", lexer: "${V}", why: "quotes are literal text"},
		{in: `"${V}"`, ours: `"v1.2"`, lexer: "v1.2", why: "quotes are literal text"},
		{in: `a\b`, ours: `a\b`, lexer: "ab", why: `"\" outside a pattern is literal text`},
		{in: `${U:-\}}`, ours: `\}`, lexer: "}", why: `"\" outside a pattern is literal text`},
		{in: "${1}", parseFails: true, why: "${1} is not a name here (the lexer gives the unset positional parameter)"},
		{in: "${/./x}", parseFails: true, why: "a name is required (the lexer replaces in the empty name's \"\")"},
		// Values: the only case, and the reason why the subset's values hold no "$".
		{in: "${V//./${D}}", ours: "v1[$0]2", lexer: "v1[.]2", why: "the string of // is literal, values included (the lexer reads $0 as the match)"},
		{in: "${V//./${E}}", ours: "v1${x}y2", lexer: "v1y2", why: "the string of // is literal, values included"},
		{in: "${V//./${V///$}}", ours: "v1$v$1$.$2$2", lexer: "v1$.$2", why: "the string of // is literal, whatever expansion made it ($1 is a regexp group for the lexer)"},
	} {
		tpl, err := Parse(tc.in)
		if (err != nil) != tc.parseFails {
			t.Errorf("Parse(%q): %v, want failure %v (%s)", tc.in, err, tc.parseFails, tc.why)
			continue
		}
		if err == nil {
			if got, err := tpl.Eval(lexEnv(vars).Get); err != nil || got != tc.ours {
				t.Errorf("%q: interp gives %q, %v; want %q (%s)", tc.in, got, err, tc.ours, tc.why)
			}
		}
		if lex, err := lexerExpand(tc.in, vars); err != nil || lex != tc.lexer {
			t.Errorf("%q: the lexer gives %q, %v; want %q (%s)", tc.in, lex, err, tc.lexer, tc.why)
		}
		if inLexerSubset(tc.in) && !strings.Contains(tc.in, "${D}") && !strings.Contains(tc.in, "${E}") {
			t.Errorf("%q is in the subset, but the languages differ on it", tc.in)
		}
	}
}

// FuzzLexerAgrees is TestLexerAgrees on generated templates of the
// subset: for every template and variables, the lexer and interp both
// fail, or give the same result. The names A, B and C are set (to a, b
// and "") by the bits of set; G is set to a pattern-like value by bit 3.
// Values hold no "$", as in TestLexerAgrees.
func FuzzLexerAgrees(f *testing.F) {
	for _, s := range lexerTemplates {
		s = strings.NewReplacer("${V", "${A", "${P", "${B", "${E", "${C", "${S", "${A", "${R", "${B").Replace(s)
		f.Add(s, "v1.2.3-beta", "/usr/bin:/bin", uint8(0xf))
		f.Add(s, "", "x", uint8(0x5))
	}
	f.Fuzz(func(t *testing.T, s, a, b string, set uint8) {
		if !inLexerSubset(s) || strings.Contains(a, "$") || strings.Contains(b, "$") {
			return
		}
		// Nested "//" multiply lengths, and the lexer has no limit: keep
		// its results small enough to compute (interp's limit is tested
		// in TestEval).
		if len(a) > 64 || len(b) > 64 || strings.Count(s, "//") > 2 {
			return
		}
		vars := map[string]string{}
		if set&1 != 0 {
			vars["A"] = a
		}
		if set&2 != 0 {
			vars["B"] = b
		}
		if set&4 != 0 {
			vars["C"] = ""
		}
		if set&8 != 0 {
			vars["G"] = `a*b?[c]\*`
		}
		if diff := compareWithLexer(s, vars); diff != "" {
			t.Fatalf("%q with %q: %s", s, vars, diff)
		}
	})
}

// TestLexerOwnCases runs the differential test on the cases of BuildKit's
// own lexer test (envVarTest, next to lex.go in the module) that are in the
// subset, with that test's variables.
func TestLexerOwnCases(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/moby/buildkit: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "frontend", "dockerfile", "shell", "envVarTest"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Split(line, "|")
		if strings.HasPrefix(line, "#") || len(fields) != 3 || strings.TrimSpace(fields[0]) == "W" {
			continue
		}
		s := strings.TrimSpace(fields[1])
		if !inLexerSubset(s) {
			continue
		}
		n++
		if diff := compareWithLexer(s, vars); diff != "" {
			t.Errorf("%q: %s", s, diff)
		}
	}
	if n < 20 {
		t.Fatalf("only %d cases of envVarTest are in the subset", n)
	}
	t.Logf("%d cases of envVarTest are in the subset", n)
}
