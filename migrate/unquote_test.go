package migrate

import (
	"testing"

	"github.com/ourorg/securefile/spec"
)

func TestUnquoteWord(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:            `plain`,
		`"x y"`:            `x y`,
		`'single $A'`:      `single $A`,
		`"a \"q\" b"`:      `a "q" b`,
		`pre"mid"post`:     `premidpost`,
		`a\ b`:             `a b`,
		`"keep \n as is"`:  `keep \n as is`,
		`"${VERSION}-dev"`: `${VERSION}-dev`,
	} {
		if got := unquoteWord(in); got != want {
			t.Errorf("unquoteWord(%s) = %q, want %q", in, got, want)
		}
	}
}

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
