package migrate

import (
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestQuotedEnvAndLabels: BuildKit's parser leaves the quotes in ENV and
// LABEL words; the lexer removes them when it expands the word.
func TestQuotedEnvAndLabels(t *testing.T) {
	f, _, err := Dockerfile("Dockerfile", []byte("FROM scratch\nENV A=\"x y\" B='single'\nLABEL \"org.example.title\"=\"the app\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := f.Stages[0]
	vars := st.Steps[0].(*spec.Env).Vars
	if vars[0].Value.V != "x y" || vars[1].Value.V != "single" {
		t.Errorf("env values %q, %q; want unquoted", vars[0].Value.V, vars[1].Value.V)
	}
	if l := st.Config.Labels[0]; l.Key.V != "org.example.title" || l.Value.V != "the app" {
		t.Errorf("label %q=%q; want unquoted", l.Key.V, l.Value.V)
	}
}

// TestValueWords translates single words as BuildKit's lexer reads them,
// with A an arg and E an environment variable of the stage: every
// expansion form is kept as written, quotes and escapes are resolved, and
// literal text that would read as a reference is escaped.
func TestValueWords(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		finding  string // a substring of the one finding, if any
	}{
		{in: `plain`, want: `plain`},
		{in: `$A`, want: `${A}`},
		{in: `$E/bin`, want: `${E}/bin`},
		{in: `/opt/bin:$PATH`, want: `/opt/bin:${PATH}`},
		{in: `${A}x`, want: `${A}x`},
		{in: `$Ax`, want: `${Ax}`},
		{in: `${A:-w}`, want: `${A:-w}`},
		{in: `${A-w}`, want: `${A-w}`},
		{in: `${A:+w}`, want: `${A:+w}`},
		{in: `${A+w}`, want: `${A+w}`},
		{in: `${A:?need A}`, want: `${A:?need A}`},
		{in: `${A?need A}`, want: `${A?need A}`},
		{in: `${A#v}`, want: `${A#v}`},
		{in: `${A##*/}`, want: `${A##*/}`},
		{in: `${A%.*}`, want: `${A%.*}`},
		{in: `${E%%:*}`, want: `${E%%:*}`},
		{in: `${A/a/b}`, want: `${A/a/b}`},
		{in: `${A//a/b}`, want: `${A//a/b}`},
		{in: `${A#\*}`, want: `${A#\*}`},
		{in: `${A:-$E}`, want: `${A:-${E}}`},
		{in: `${A:-"q r"}`, want: `${A:-q r}`},
		{in: `${A#'*'}`, want: `${A#*}`},
		{in: `"x $A"`, want: `x ${A}`},
		{in: `'x $A'`, want: `x $A`},
		{in: `'${A}'`, want: `$${A}`},
		{in: `\$A`, want: `$A`},
		{in: `\${A}`, want: `$${A}`},
		{in: `a\ b`, want: `a b`},
		{in: `"a \"q\" b"`, want: `a "q" b`},
		{in: `"keep \n as is"`, want: `keep \n as is`},
		{in: `pre"mid"post`, want: `premidpost`},
		{in: `cost: 5$`, want: `cost: 5$`},
		{in: `$/`, want: `$/`},
		{in: `$$`, want: ``, finding: `$$: not a name`},
		{in: `x$1y`, want: `xy`, finding: `$1: not a name`},
		{in: `${1:-dflt}`, want: `dflt`, finding: `$1: not a name`},
		{in: `\$$A`, want: `${A}`, finding: `a literal "$" right before a reference`},
		{in: `${A`, want: `$${A`, finding: `BuildKit cannot expand it`},
		{in: `${A:#x}`, want: `$${A:#x}`, finding: `BuildKit cannot expand it`},
		{in: `${A=x}`, want: `$${A=x}`, finding: `BuildKit cannot expand it`},
		{in: `"open`, want: `"open`, finding: `BuildKit cannot expand it`},
	} {
		c := newTestConv()
		sc := newScope(false)
		sc.addArg("A")
		sc.env["E"] = 1
		got, _ := c.value(sc, 1, tc.in)
		if got != tc.want {
			t.Errorf("value(%s) = %s, want %s", tc.in, got, tc.want)
		}
		switch {
		case tc.finding == "" && len(c.findings) > 0:
			t.Errorf("value(%s): unexpected findings %v", tc.in, c.findings)
		case tc.finding != "" && (len(c.findings) != 1 || !strings.Contains(c.findings[0].Message, tc.finding)):
			t.Errorf("value(%s): findings %v, want one with %q", tc.in, c.findings, tc.finding)
		}
	}
}

// TestValueEscapeToken: with "# escape=`" the backtick escapes.
func TestValueEscapeToken(t *testing.T) {
	c := newTestConv()
	c.esc = '`'
	if got, _ := c.value(newScope(false), 1, "a`$B\\c"); got != `a$B\c` {
		t.Errorf("got %s, want a$B\\c", got)
	}
}

func TestEscapeLit(t *testing.T) {
	for in, want := range map[string]string{
		`plain $A`:  `plain $A`,
		`${A}`:      `$${A}`,
		`$${A}`:     `$$${A}`,
		`a${b}${c}`: `a$${b}$${c}`,
		`$$ {`:      `$$ {`,
	} {
		if got := escapeLit(in); got != want {
			t.Errorf("escapeLit(%s) = %s, want %s", in, got, want)
		}
	}
}

func newTestConv() *conv {
	return &conv{seen: map[Finding]bool{}, esc: '\\', names: map[string]bool{"A": true}}
}
