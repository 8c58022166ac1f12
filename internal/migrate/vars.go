package migrate

import (
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/ourorg/securefile/spec"
)

// ARG and ENV, and the stage settings whose values refer to them.

var (
	argNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	targetStageRE = regexp.MustCompile(`\$\{?` + spec.TargetStageArg + `\b`)
)

// declare notes the arg names a declares, before any is converted.
func (c *conv) declare(a *instructions.ArgCommand) {
	for _, kv := range a.Args {
		if !spec.IsAutomaticArg(kv.Key) && argNameRE.MatchString(kv.Key) {
			c.names[kv.Key] = true
		}
	}
}

// arg converts an ARG that sc sees: the first declaration of a name
// becomes the file's arg, with its default translated where it stands.
func (c *conv) arg(a *instructions.ArgCommand, sc *scope) {
	line := lineOf(a)
	for _, kv := range a.Args {
		if spec.IsAutomaticArg(kv.Key) {
			if kv.Value != nil {
				c.changed(line, "ARG %s=%s: %s is an automatic arg in a Securefile, declared by none; the build (or a --build-arg) gives its value, so the default is dropped", kv.Key, *kv.Value, kv.Key)
			}
			sc.addArg(kv.Key)
			continue
		}
		if !argNameRE.MatchString(kv.Key) {
			c.changed(line, "ARG %s: not a valid arg name; dropped", kv.Key)
			continue
		}
		if l, ok := sc.env[kv.Key]; ok && !sc.global {
			c.changed(line, "ARG %s after ENV %s (line %d): the Dockerfile's later instructions see the arg's value, the Securefile's the environment variable's (an env value wins over an arg); the image config keeps the ENV value in both", kv.Key, kv.Key, l)
		}
		def := ""
		required := false
		if kv.Value != nil {
			var names []string
			def, names, required = c.argDefault(sc, line, kv.Key, *kv.Value)
			if required {
				c.changed(line, "ARG %s=%s: the default requires a --build-arg %s (the Dockerfile fails without one); a Securefile arg default cannot refer to the arg itself, so the arg is declared without a default, and a build without --build-arg %s does not fail here", kv.Key, *kv.Value, kv.Key, kv.Key)
			} else if def == "" {
				c.changed(line, "ARG %s has an empty default: in a Securefile an arg without a default and one with \"\" are the same declaration, unset until a --build-arg sets it, so ${%s-…}, ${%s+…} and ${%s?…} see it unset where the Dockerfile sees it set to \"\"", kv.Key, kv.Key, kv.Key, kv.Key)
			}
			for _, n := range names {
				if sc.hasEnv(n) || !c.known(n) {
					c.changed(line, "ARG %s: its default refers to ${%s}, which is not an arg; a Securefile arg default can refer only to args, so `securefile lint` reports it (write the value out)", kv.Key, n)
				}
			}
		}
		sc.addArg(kv.Key)
		if _, ok := c.argVals[kv.Key]; !ok && kv.Value != nil && !required {
			if v, err := c.evalSelf(sc, *kv.Value, kv.Key); err == nil {
				c.argVals[kv.Key] = v
			}
		}
		if prev, ok := c.args[kv.Key]; ok {
			if prev.Default.V != def && kv.Value != nil {
				c.changed(line, "ARG %s: declared again with default %q; args are file-wide in a Securefile, keeping the first default %q", kv.Key, def, prev.Default.V)
			}
			continue
		}
		sa := &spec.Arg{Name: spec.Of(kv.Key)}
		c.args[kv.Key] = sa
		if kv.Value != nil && !required {
			// ARG E= sets E to "", which ${E-x} tells from unset.
			sa.Default = spec.Of(def)
		}
		c.f.Args = append(c.f.Args, sa)
	}
}

// setting converts the value of a stage setting and notes what it refers
// to (scope.go, setEnv).
func (c *conv) setting(sc *scope, line int, what, v string) string {
	out, names := c.value(sc, line, v)
	sc.configRefs(line, what, names)
	return out
}

// env converts an ENV: every value is expanded before any is set, as
// dockerfile2llb does.
func (c *conv) env(s *spec.Stage, sc *scope, x *instructions.EnvCommand, line int) {
	e := &spec.Env{}
	here := map[string]bool{}
	for _, kv := range x.Env {
		v, names := c.value(sc, line, kv.Value)
		for _, n := range names {
			if here[n] {
				c.changed(line, "ENV %s refers to ${%s}, which the same ENV sets before it: the Dockerfile expands every value of one ENV first, so it reads the previous value, the Securefile's env step sets them in order, so it reads the new one", kv.Key, n)
			}
		}
		if strings.ContainsAny(kv.Key, "$\"'"+string(c.esc)) {
			c.changed(line, "ENV %s: an env name is not expanded in a Securefile; kept as written", kv.Key)
		}
		e.Vars = append(e.Vars, &spec.KeyValue{Key: spec.Of(kv.Key), Value: spec.Of(v)})
		here[kv.Key] = true
	}
	// What the conversion expands later (eval.go) sees the values too.
	vals := make([]evald, len(x.Env))
	for i, kv := range x.Env {
		v, err := c.eval(sc, kv.Value)
		if err != nil {
			v = evald{unknown: []string{kv.Key}}
		}
		vals[i] = v
	}
	for i, kv := range x.Env {
		c.setEnv(sc, line, kv.Key)
		sc.vals[kv.Key] = vals[i]
	}
	s.Steps = append(s.Steps, e)
}
