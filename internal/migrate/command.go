package migrate

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/ourorg/securefile/spec"
)

// Commands (RUN, CMD, ENTRYPOINT, HEALTHCHECK) are not expanded by a
// Dockerfile: their text reaches the shell, or the program, as written. A
// Securefile hands a shell-form command on as written too, except that its
// escape "$${" becomes "${"; and it substitutes args into the words of an
// exec-form command. So the conversion writes one more "$" before every
// run of dollar signs that precedes "{" (the text comes out as written),
// and, where the Securefile would substitute or its checker refuse an arg
// (exec-form words, and the commands the container runs later), escapes
// ${NAME} of an arg as $${NAME}: the program, or the container's shell,
// gets the text, as from the Dockerfile.

// commandText writes the command text s of the instruction what (at
// line) so that the Securefile hands it on unchanged. escapeArgs says
// that ${NAME} of an arg must be escaped too.
func (c *conv) commandText(line int, what, s string, escapeArgs bool) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '$' {
			j++
		}
		b.WriteString(s[i:j])
		if j < len(s) && s[j] == '{' {
			if j-i >= 2 {
				b.WriteByte('$')
			} else if name := s[j+1 : scanName(s, j+1)]; escapeArgs && c.known(name) {
				b.WriteByte('$')
				c.note(line, "%s: a Dockerfile does not expand ${%s} there, and neither does the conversion: written $${%s}, the Securefile's escape for a literal \"${\"", what, name, name)
			}
		}
		i = j
	}
	return b.String()
}

// scanName returns the end of the name starting at s[i].
func scanName(s string, i int) int {
	j := i
	for j < len(s) && (s[j] == '_' || 'a' <= s[j] && s[j] <= 'z' || 'A' <= s[j] && s[j] <= 'Z' || j > i && '0' <= s[j] && s[j] <= '9') {
		j++
	}
	return j
}

// runEnv gives the run step r the args the Dockerfile's RUN has in its
// environment and the step would not get otherwise: every arg of the
// stage that its shell command (converted, named) does not name, or all of
// them for an exec-form command. An ENV of the same name wins in both, and
// the proxy args reach both steps without it.
func (c *conv) runEnv(sc *scope, r *spec.Run, named []string) {
	skip := map[string]bool{}
	for _, n := range named {
		skip[n] = true
	}
	for _, name := range sc.order {
		if skip[name] || sc.hasEnv(name) || !c.known(name) || spec.IsProxyArg(name) {
			continue
		}
		r.Env = append(r.Env, &spec.KeyValue{Key: spec.Of(name), Value: spec.Of("${" + name + "}")})
	}
}

// containerCommand converts CMD or ENTRYPOINT (what): the text as
// written, which a Dockerfile does not expand either.
func (c *conv) containerCommand(sc *scope, line int, what string, cl instructions.ShellDependantCmdLine) spec.Command {
	if cl.PrependShell {
		text := c.commandText(line, what, strings.Join(cl.CmdLine, " "), true)
		if sh, ok := sc.execShell(); ok {
			// dockerfile2llb wraps it in the shell of its line; the
			// stage's, a later SHELL's, would be another.
			c.note(line, "%s: a later SHELL sets the stage's shell; this %s has %q, written in exec form", what, what, sh)
			return spec.Command{Exec: spec.ListOf(append(escapeAll(sh), text)...)}
		}
		return spec.Command{Shell: spec.Of(text)}
	}
	items := make([]string, len(cl.CmdLine))
	for i, it := range cl.CmdLine {
		items[i] = c.commandText(line, what, it, true)
	}
	return spec.Command{Exec: spec.ListOf(items...)}
}

// health converts HEALTHCHECK; its command is kept as CMD's.
func (c *conv) health(x *instructions.HealthCheckCommand, line int) *spec.Healthcheck {
	h := &spec.Healthcheck{}
	hc := x.Health
	if hc == nil {
		return h
	}
	switch {
	case len(hc.Test) > 0 && hc.Test[0] == "NONE":
		h.None = spec.Of(true)
		return h
	case len(hc.Test) > 1 && hc.Test[0] == "CMD-SHELL":
		h.Test = spec.Command{Shell: spec.Of(c.commandText(line, "HEALTHCHECK", strings.Join(hc.Test[1:], " "), true))}
	case len(hc.Test) > 0 && hc.Test[0] == "CMD":
		items := make([]string, len(hc.Test)-1)
		for i, it := range hc.Test[1:] {
			items[i] = c.commandText(line, "HEALTHCHECK", it, true)
		}
		h.Test = spec.Command{Exec: spec.ListOf(items...)}
	}
	if hc.Interval > 0 {
		h.Interval = spec.Of(hc.Interval.String())
	}
	if hc.Timeout > 0 {
		h.Timeout = spec.Of(hc.Timeout.String())
	}
	if hc.StartPeriod > 0 {
		h.StartPeriod = spec.Of(hc.StartPeriod.String())
	}
	if hc.StartInterval > 0 {
		h.StartInterval = spec.Of(hc.StartInterval.String())
	}
	if hc.Retries > 0 {
		h.Retries = spec.Of(hc.Retries)
	}
	return h
}
