package frontend

import (
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lower"
)

func TestVerifyEnabled(t *testing.T) {
	cases := []struct {
		opts, args map[string]string
		want       bool
		err        string
	}{
		{nil, nil, true, ""},
		{map[string]string{keyVerify: "false"}, nil, false, ""},
		{nil, map[string]string{argVerify: "0"}, false, ""},
		// The option wins over the build arg.
		{map[string]string{keyVerify: "true"}, map[string]string{argVerify: "false"}, true, ""},
		{map[string]string{keyVerify: "nope"}, nil, false, `securefile-verify="nope": want true or false`},
	}
	for _, c := range cases {
		got, err := verifyEnabled(c.opts, c.args)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v %v: error %v, want %q", c.opts, c.args, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v %v = %v, %v; want %v", c.opts, c.args, got, err, c.want)
		}
	}
}

// A hit in the config is blamed on the setting that made it: the last env
// step of the stage chain that sets the variable, the label, else the
// target stage.
func TestConfigSource(t *testing.T) {
	f, diags := grammar.Load("Securefile", []byte(`arg X
stage base from "busybox" {
  env T = "${X}"
}
image app from base {
  labels = { "k" = "${X}" }
  env U = "1"
  env T = "${X}"
}
`), grammar.DSL)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	app := f.Stage("app")
	// The history of app: a base image entry, then base's one step, then
	// app's two, as lower.Result.History gives it.
	history := []lower.HistorySource{
		{},
		{Name: "[base 1/1] ENV", Stage: "base", Range: f.Stage("base").Steps[0].NodeInfo().Range},
		{Name: "[app 1/2] ENV", Stage: "app", Range: app.Steps[0].NodeInfo().Range},
		{Name: "[app 2/2] ENV", Stage: "app", Range: app.Steps[1].NodeInfo().Range},
	}
	for field, want := range map[string]string{
		"config.Env T":           "Securefile:8:7 set by [app 2/2] ENV T",
		`config.Labels["k"]`:     `Securefile:6:14 set by the label "k" of stage app`,
		"history[2].created_by":  "Securefile:7:3 written by [app 1/2] ENV",
		"history[0].created_by":  "Securefile:5:1 set in the image stage app",
		`config.Labels["other"]`: "Securefile:5:1 set in the image stage app",
	} {
		r, step := configSource(f, app, history, field)
		if got := r.String() + " " + step; got != want {
			t.Errorf("%s: %s, want %s", field, got, want)
		}
	}
	// The base's env step, when the target does not set the variable.
	if r, step := configSource(f, f.Stage("base"), nil, "config.Env T"); r.Start.Line != 3 || step != "set by [base 1/1] ENV T" {
		t.Errorf("base: %s %s", r, step)
	}
}
