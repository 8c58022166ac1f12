package lower

import (
	"slices"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Values that a shell would run if they were spliced into a command.
var injections = []string{
	"x; echo INJECTED > /pwned",
	"$(touch /pwned)",
	"`touch /pwned`",
	"a\ntouch /pwned",
	`"'quoted' "`,
	"a && touch /pwned",
	"a | tee /pwned",
}

const injectionSrc = `
arg BRANCH = "main"
stage other from scratch {
  run "echo untouched"
}
image app from scratch {
  run "echo building ${BRANCH} > /branch.txt"
  run "printf %s \"$BRANCH\" > /bare.txt"
  copy "/x" from other to "/x"
}
`

// No arg value ever appears in a shell command of the definition: the
// command keeps the reference and the step gets the value as env.
func TestShellCommandsHoldNoArgValue(t *testing.T) {
	for _, v := range injections {
		o := opts()
		o.BuildArgs = map[string]string{"BRANCH": v}
		g := marshal(t, lower(t, injectionSrc, o).State)
		for _, e := range g.execs() {
			for _, a := range e.Meta.Args {
				if strings.Contains(a, v) {
					t.Errorf("BRANCH=%q is in the command %q", v, e.Meta.Args)
				}
			}
			cmd := e.Meta.Args[len(e.Meta.Args)-1]
			names := strings.Contains(cmd, "BRANCH")
			if has := slices.Contains(e.Meta.Env, "BRANCH="+v); has != names {
				t.Errorf("step %q: BRANCH in env %v, want %v (env %q)", cmd, has, names, e.Meta.Env)
			}
		}
	}
}

// A changed arg value still changes the key of exactly the steps that
// name it, as a Dockerfile's RUN with an ARG does.
func TestArgValueChangesTheStepsThatNameIt(t *testing.T) {
	def := func(v string) *graph {
		o := opts()
		o.BuildArgs = map[string]string{"BRANCH": v}
		return marshal(t, lower(t, injectionSrc, o).State)
	}
	a, b := def("one"), def("two")
	for _, cmd := range []string{"echo building", "printf", "echo untouched"} {
		same := a.byName(t, "RUN "+cmd) == b.byName(t, "RUN "+cmd)
		if want := cmd == "echo untouched"; same != want {
			t.Errorf("%s: same definition for two values of BRANCH: %v, want %v", cmd, same, want)
		}
	}
}

// An env of the same name wins over the arg (a Dockerfile's ENV does), an
// arg without a value stays unset, "$${" is the literal escape, and the
// proxy args reach the step outside its env.
func TestArgEnvRules(t *testing.T) {
	o := opts()
	o.BuildArgs = map[string]string{"SHARED": "from-arg", "HTTP_PROXY": "http://proxy.example:3128", "no_proxy": "localhost"}
	g := marshal(t, lower(t, `
arg SHARED
arg NOVALUE
arg ESCAPED = "e"
image app from scratch {
  env SHARED = "from-env"
  run "echo ${SHARED} ${NOVALUE-unset} $${ESCAPED} $HTTP_PROXY"
}
`, o).State)
	e := g.exec(t, "echo")
	if got := e.Meta.Args[2]; got != "echo ${SHARED} ${NOVALUE-unset} ${ESCAPED} $HTTP_PROXY" {
		t.Errorf("command %q", got)
	}
	for _, kv := range e.Meta.Env {
		if kv == "SHARED=from-arg" || strings.HasPrefix(kv, "NOVALUE=") || strings.HasPrefix(kv, "ESCAPED=") || strings.Contains(strings.ToLower(kv), "proxy") {
			t.Errorf("env entry %q", kv)
		}
	}
	if !slices.Contains(e.Meta.Env, "SHARED=from-env") {
		t.Errorf("env %q lacks the stage's SHARED", e.Meta.Env)
	}
	if p := e.Meta.ProxyEnv; p == nil || p.HttpProxy != "http://proxy.example:3128" || p.NoProxy != "localhost" {
		t.Errorf("proxy env %+v", p)
	}
}

// "${NAME}" in a value reads the stage's environment first: the base
// image's config, then the env steps before it.
func TestEnvReferences(t *testing.T) {
	o := opts()
	o.MetaResolver = &fakeResolver{configs: map[string]dockerspec.DockerOCIImage{
		"docker.io/library/debian:bookworm": {Config: dockerspec.DockerOCIImageConfig{ImageConfig: ocispecs.ImageConfig{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"},
		}}},
	}}
	res := lower(t, `
arg LANG = "from-arg"
image app from "debian:bookworm" {
  env PATH = "/opt/bin:${PATH}"
  env HOME = "/home/app", CACHE = "${HOME}/.cache"
  workdir "${HOME}"
  env SEEN = "${LANG}"
  labels = { "home" = "${HOME}" }
}
`, o)
	env := res.Image.Config.Env
	for _, want := range []string{"PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CACHE=/home/app/.cache", "SEEN=C.UTF-8"} {
		if !slices.Contains(env, want) {
			t.Errorf("env %q lacks %q", env, want)
		}
	}
	if wd := res.Image.Config.WorkingDir; wd != "/home/app" {
		t.Errorf("workdir %q", wd)
	}
	if l := res.Image.Config.Labels["home"]; l != "/home/app" {
		t.Errorf("label %q", l)
	}

	// A name neither the base nor an env step sets is an error.
	f := load(t, `
image app from "debian:bookworm" {
  env X = "${NOT_SET_ANYWHERE}"
}
`)
	if _, err := Lower(t.Context(), f, o); err == nil || !strings.Contains(err.Error(), `"NOT_SET_ANYWHERE" is not an arg`) {
		t.Errorf("undefined reference: %v", err)
	}
}

// The word after "-c" of an exec-form command is a script: it gets no
// value spliced in either, and the step gets the args it names as env.
// The other words are argv elements and get the value.
func TestExecFormScriptsAreShellText(t *testing.T) {
	o := opts()
	o.BuildArgs = map[string]string{"BRANCH": injections[0]}
	g := marshal(t, lower(t, `
arg BRANCH
image app from scratch {
  run ["/bin/sh", "-c", "echo ${BRANCH} > /b", "${BRANCH}"]
}
`, o).State)
	e := g.exec(t, "/bin/sh")
	if want := []string{"/bin/sh", "-c", "echo ${BRANCH} > /b", injections[0]}; !slices.Equal(e.Meta.Args, want) {
		t.Errorf("args %q, want %q", e.Meta.Args, want)
	}
	if !slices.Contains(e.Meta.Env, "BRANCH="+injections[0]) {
		t.Errorf("env %q lacks BRANCH", e.Meta.Env)
	}
}

// Every script word gets no value: sh -ec, bash -lc, sh -o … -c,
// python -c; entrypoint, cmd and healthcheck words get none at all (a
// shell entrypoint may run an exec-form cmd).
func TestNoValueInScriptsOrRuntimeCommands(t *testing.T) {
	o := opts()
	v := injections[0]
	o.BuildArgs = map[string]string{"BRANCH": v}
	res := lower(t, `
arg BRANCH
image app from scratch {
  run ["sh", "-ec", "echo ${BRANCH}"]
  run ["bash", "-o", "pipefail", "-lc", "echo ${BRANCH}"]
  run ["python3", "-c", "print('${BRANCH}')"]
  run ["printf", "%s", "${BRANCH}"]
  entrypoint = ["/bin/sh", "-c"]
  cmd = ["echo $${BRANCH}"]
}
`, o)
	g := marshal(t, res.State)
	for _, e := range g.execs() {
		data := e.Meta.Args[len(e.Meta.Args)-1]
		if e.Meta.Args[0] == "printf" {
			if data != v {
				t.Errorf("the exec word %q did not get the value", e.Meta.Args)
			}
			continue
		}
		if strings.Contains(strings.Join(e.Meta.Args, " "), v) || !slices.Contains(e.Meta.Env, "BRANCH="+v) {
			t.Errorf("script %q (env %q): the value is in the code or not in the env", e.Meta.Args, e.Meta.Env)
		}
	}
	if got := res.Image.Config.Cmd; !slices.Equal(got, []string{"echo ${BRANCH}"}) {
		t.Errorf("cmd %q", got)
	}
}

// A value that would add a pinned host key line is refused.
func TestKnownHostsLineFromAValueIsOneLine(t *testing.T) {
	o := opts()
	o.BuildArgs = map[string]string{"HOST": "github.com\n* ssh-ed25519 AAAAATTACKER"}
	f := load(t, `
arg HOST = "github.com"
ssh default {
  known_hosts = ["${HOST} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"]
}
image app from scratch {
  run "git clone git@github.com:o/r" {
    ssh default
  }
}
`)
	if _, err := Lower(t.Context(), f, o); err == nil || !strings.Contains(err.Error(), "several lines") {
		t.Errorf("a value that adds a host key line: %v", err)
	}
}

// A proxy arg no build arg gives is known and unset: "${HTTP_PROXY:-}"
// lowers, as the checker accepts it.
func TestProxyArgsAreKnownWithoutABuildArg(t *testing.T) {
	res := lower(t, `
image app from scratch {
  env P = "${HTTP_PROXY:-none}", Q = "${no_proxy-unset}"
}
`, opts())
	for _, want := range []string{"P=none", "Q=unset"} {
		if !slices.Contains(res.Image.Config.Env, want) {
			t.Errorf("env %q lacks %q", res.Image.Config.Env, want)
		}
	}
}
