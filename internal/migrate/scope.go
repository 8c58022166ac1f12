package migrate

import (
	"github.com/ourorg/securefile/spec"
)

// What a name means at one instruction of a Dockerfile, as dockerfile2llb
// has it, against what it means in the converted Securefile.
//
// A Dockerfile stage sees the ARGs declared in it before the instruction (a
// global ARG only once the stage redeclares it, an automatic platform arg
// or TARGETSTAGE only after ARG NAME) and those of the stage it is built
// on; FROM and the global ARG defaults see the global ARGs before them and
// the automatic args. Every arg a stage sees is an environment variable of
// each of its RUNs, named or not; the proxy args reach every RUN, declared
// or not. A Securefile's args are file-wide, the automatic args need no
// declaration, and a run step gets the args its shell command names.
//
// The conversion keeps the Dockerfile's meaning where the model can say
// it (a run step gets the args it does not name as env of its own, so
// DEBIAN_FRONTEND and friends still reach apt-get), and reports where it
// cannot: a reference to an arg the Dockerfile does not see at that line
// has the arg's value in the Securefile.

// scope is what a Dockerfile instruction sees.
type scope struct {
	global bool
	args   map[string]bool
	// order is args in declaration order, inherited ones first.
	order []string
	// env holds the names ENV instructions of the stage (or the stages it
	// is built on) set, with the line of the last one.
	env map[string]int
	// vals are the values of those ENVs, as the conversion expands them
	// (eval.go).
	vals map[string]evald
	// shell is the shell of a shell-form command at this line, nil for
	// the base image's; finalShell the stage's (its last SHELL, or the
	// one it starts with) (shell.go).
	shell, finalShell []string
	// config holds, by name, the stage settings (LABEL, EXPOSE, VOLUME,
	// STOPSIGNAL) of this stage that refer to it, which a Securefile
	// evaluates with the environment at the end of the stage.
	config map[string][]configRef
}

type configRef struct {
	line int
	what string
}

func newScope(global bool) *scope {
	return &scope{global: global, args: map[string]bool{}, env: map[string]int{}, vals: map[string]evald{}, config: map[string][]configRef{}}
}

// inherit is the scope a stage built on the stage of s starts with.
func (s *scope) inherit() *scope {
	n := newScope(false)
	for _, a := range s.order {
		n.addArg(a)
	}
	for k, v := range s.env {
		n.env[k] = v
	}
	for k, v := range s.vals {
		n.vals[k] = v
	}
	n.shell = s.shell
	return n
}

func (s *scope) hasEnv(name string) bool {
	_, ok := s.env[name]
	return ok
}

func (s *scope) addArg(name string) {
	if !s.args[name] {
		s.args[name] = true
		s.order = append(s.order, name)
	}
}

// known reports whether name is an arg of the converted file: declared
// by some ARG, or automatic.
func (c *conv) known(name string) bool {
	return c.names[name] || spec.IsAutomaticArg(name)
}

// refName checks a reference to name in a value at line: an arg that the
// Dockerfile does not see there is unset in the Dockerfile, but has its
// value in the Securefile. A name that is not an arg is an environment
// variable in both (an ENV of the file, or the base image's).
func (c *conv) refName(sc *scope, line int, name string) {
	if sc.hasEnv(name) || sc.args[name] || !c.known(name) {
		return
	}
	switch {
	case sc.global:
		c.changed(line, "${%s}: before the first FROM a Dockerfile sees only the global ARGs and the platform args, so %s is unset there; in the Securefile it has the value of arg %s (args are file-wide)", name, name, name)
	case spec.IsAutomaticArg(name):
		c.changed(line, "${%s}: a Dockerfile stage sees the automatic arg %s only after ARG %s in the stage, so it is unset here; in the Securefile automatic args need no declaration, so it has its value (declare ARG %s before this line to make both the same)", name, name, name, name)
	default:
		c.changed(line, "${%s}: ARG %s is not declared in this stage before this line (a global ARG must be redeclared), so it is unset here in the Dockerfile; in the Securefile args are file-wide, so it has the arg's value (declare ARG %s in the stage to make both the same)", name, name, name)
	}
}

// runNames checks the names a RUN's shell command refers to: an arg that
// the Dockerfile's stage does not see at that line is not in the RUN's
// environment, but is in the run step's. The proxy args are in both.
func (c *conv) runNames(sc *scope, line int, names []string) {
	for _, name := range names {
		if sc.hasEnv(name) || sc.args[name] || !c.known(name) || spec.IsProxyArg(name) {
			continue
		}
		why := "a Securefile's args are file-wide"
		if spec.IsAutomaticArg(name) {
			why = "a Securefile's automatic args need no declaration"
		}
		c.changed(line, "RUN names $%s, which is not an ARG of this stage at this line, so the Dockerfile's RUN does not have it in its environment; the converted run step does (%s; declare ARG %s in the stage before the RUN to make both the same)", name, why, name)
	}
}

// setEnv records that the ENV at line sets name, and reports the stage
// settings before it that refer to name.
func (c *conv) setEnv(sc *scope, line int, name string) {
	for _, r := range sc.config[name] {
		c.changed(r.line, "%s refers to ${%s}, which the ENV at line %d sets afterwards: the Dockerfile's %s has the value from before, the Securefile's stage settings see the environment at the end of the stage", r.what, name, line, r.what)
	}
	delete(sc.config, name)
	sc.env[name] = line
}

// configRefs records the names a stage setting refers to.
func (sc *scope) configRefs(line int, what string, names []string) {
	for _, n := range names {
		sc.config[n] = append(sc.config[n], configRef{line: line, what: what})
	}
}
