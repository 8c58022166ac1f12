package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

type argEdge struct {
	to *spec.Arg
	r  spec.Range // the reference in the default
}

// template checks a full-mode template: its syntax and every reference.
// It returns the literal value (with "$${" unescaped) and true when the
// template parses and has no references, so that the caller can validate
// the value itself; values with references are validated only
// syntactically. owner is the arg whose default v is, if any.
func (c *checker) template(v spec.Value[string], fb spec.Range, owner *spec.Arg) (string, bool) {
	c.bareVars(v, fb)
	if !strings.Contains(v.V, "${") {
		return v.V, true
	}
	t, err := interp.Parse(v.V)
	if err != nil {
		c.templateError(v, fb, err)
		// The names the parser read before it gave up are still uses:
		// "${VERSION#v}" is one error, not also an unused arg VERSION.
		for _, name := range interp.Names(v.V) {
			if _, ok := c.args[name]; ok {
				c.used[use{"arg", name}] = true
			}
		}
		return "", false
	}
	refs := t.Refs()
	for _, ref := range refs {
		r := subRange(v, fb, ref.Offset, ref.End)
		name := ref.Name
		if a, ok := c.args[name]; ok {
			c.used[use{"arg", name}] = true
			if owner != nil {
				c.argEdges[owner] = append(c.argEdges[owner], argEdge{to: a, r: r})
			}
			continue
		}
		if spec.IsAutomaticArg(name) {
			continue
		}
		if c.notInterpolable(name, r, false) || c.undefinedEnvRef(v, ref, r) {
			continue
		}
		detail := fmt.Sprintf("%q refers to %q, but no arg with that name is declared, it is not an automatic arg (a platform arg such as TARGETARCH, TARGETSTAGE or a proxy arg), and no env step of the stage sets it.", v.V[ref.Offset:ref.End], name)
		if s, ok := c.stages[name]; ok {
			detail += fmt.Sprintf(" %q is a %s, and a %s cannot be interpolated.", name, s.Kind, s.Kind)
		}
		c.errorf(r, "undefined-arg", detail, hintName("an arg", name, c.argNames), "undefined arg %q", name)
	}
	if len(refs) == 0 {
		return t.Expand(nil), true
	}
	return "", false
}

// notInterpolable reports a reference to a secret (or, outside commands,
// to an ssh or cache declaration) and returns whether it did.
func (c *checker) notInterpolable(name string, r spec.Range, inCommand bool) bool {
	if _, ok := c.secrets[name]; ok {
		c.errorf(r, "secret-interpolation",
			fmt.Sprintf("${%s} names secret %q, but no expression reads a secret's value: a secret reaches a step only through a mount of that step, so that it can never end up in args, env, labels, argv or the build definition.", name, name),
			fmt.Sprintf("mount secret %q in the run step that needs it, as a file or an environment variable, and read it there", name),
			"secret %q cannot be interpolated", name)
		return true
	}
	if inCommand {
		return false
	}
	kind := ""
	if _, ok := c.ssh[name]; ok {
		kind = "ssh"
	} else if _, ok := c.caches[name]; ok {
		kind = "cache"
	}
	if kind == "" {
		return false
	}
	c.errorf(r, "mount-interpolation",
		fmt.Sprintf("${%s} names %s %q, which is a mount, not a value; only args and the platform args can be interpolated.", name, kind, name),
		fmt.Sprintf("mount %s %q in the run step that needs it, or declare an arg", kind, name),
		"%s %q cannot be interpolated", kind, name)
	return true
}

func (c *checker) templateError(v spec.Value[string], fb spec.Range, err error) {
	var e *interp.Error
	if !errors.As(err, &e) {
		c.errorf(or(v.Range, fb), "invalid-interpolation", err.Error(), "", "invalid interpolation")
		return
	}
	end := e.Offset + 1
	if end > len(v.V) {
		end = len(v.V)
	}
	hint := e.Hint
	switch {
	case hint != "":
	case strings.HasPrefix(e.Msg, "unsupported operator"):
		hint = "compute the value in a run step instead, or write \"$${\" for a literal \"${\""
	default:
		hint = `to write a literal "${", write "$${"`
	}
	detail := fmt.Sprintf("%q is not a valid template: %s. Strings may use %s, where NAME is an arg or a platform arg.", v.V, e.Msg, interp.Supported)
	// The summary stays terse; the detail has the whole message.
	summary, _, _ := strings.Cut(e.Msg, "; ")
	c.errorf(subRange(v, fb, e.Offset, end), "invalid-interpolation", detail, hint, "invalid interpolation: %s", summary)
}

// command checks a run, entrypoint, cmd or healthcheck command. what names
// it for messages ("run", "entrypoint", …); env lists the environment
// variables the step sets besides those of env steps.
func (c *checker) command(cmd spec.Command, fb spec.Range, what string, env map[string]bool) {
	fb = or(cmd.Range, fb)
	if cmd.Shell.Set {
		v := cmd.Shell
		if strings.TrimSpace(v.V) == "" {
			c.errorf(or(v.Range, fb), "empty-command", fmt.Sprintf("The %s command is empty, so there is nothing to run.", what), "write the command", "empty %s command", what)
		} else {
			c.commandString(v, fb, true, what != "run", what, env)
		}
	}
	if cmd.Exec.Set {
		l := cmd.Exec
		lfb := or(l.Range, fb)
		if len(l.Items) == 0 {
			if what == "entrypoint" || what == "cmd" {
				return // [] clears the one inherited from the base, as in a Dockerfile
			}
			c.errorf(lfb, "empty-command", fmt.Sprintf("The %s command is an empty list, so there is no program to run.", what),
				"list the program and its arguments", "empty %s command", what)
			return
		}
		if first := l.Items[0]; first.V == "" {
			c.errorf(or(first.Range, lfb), "empty-command",
				fmt.Sprintf("The first item of the %s command is the program to run, and it is empty.", what),
				"put the program first", "empty program in %s command", what)
		}
		if len(l.Items) == 1 && strings.ContainsAny(strings.TrimSpace(l.Items[0].V), " \t") && !strings.Contains(l.Items[0].V, "${") {
			it := l.Items[0]
			prog, _, _ := strings.Cut(strings.TrimSpace(it.V), " ")
			c.warnf(or(it.Range, lfb), "exec-form-spaces",
				fmt.Sprintf("An exec-form command is not split into words: the program run is the file named %q, and it gets no arguments.", it.V),
				fmt.Sprintf("split it into the program (%q) and its arguments, or use the shell form (a single string)", prog),
				"exec form runs %q as one program name", it.V)
		}
		words := make([]string, len(l.Items))
		for i, it := range l.Items {
			words[i] = it.V
		}
		for i, it := range l.Items {
			// A script word (sh -ec "…", python -c "…") is code for the
			// program the command starts, so shell rules apply to it.
			c.commandString(it, lfb, spec.IsScriptWord(words, i), what != "run", what, env)
		}
	}
}

// commandString checks one command string: only args, automatic args and
// secrets matter; everything else belongs to the shell. shell says whether
// the string is run by a shell (a shell form, or a script word:
// spec.IsScriptWord) or is an exec-form word; runtime that it is an
// entrypoint, cmd or healthcheck, which the container runs later.
//
// A run step's shell gets every arg it names as an environment variable
// (internal/lower/argenv.go), so "$NAME" and any "${NAME…}" work there as in a
// shell script. A runtime command gets none, and nothing is spliced into
// any of its words (a shell entrypoint may run an exec-form cmd): an arg
// named there is an error. A run step's exec-form word gets "${NAME}"
// substituted, and a "$NAME" stays text.
func (c *checker) commandString(v spec.Value[string], fb spec.Range, shell, runtime bool, what string, env map[string]bool) {
	if shell && strings.Contains(v.V, "<<") {
		c.heredocs(v, fb)
	}
	if !strings.Contains(v.V, "$") {
		return
	}
	isEnv := func(name string) bool { return c.envNames[name] || env[name] }
	refs := interp.CommandRefs(v.V)
	for _, ref := range refs {
		r := subRange(v, fb, ref.Offset, ref.End)
		_, isArg := c.args[ref.Name]
		if isArg || spec.IsAutomaticArg(ref.Name) {
			if isArg {
				c.used[use{"arg", ref.Name}] = true
			}
			if runtime && !isEnv(ref.Name) {
				c.argInRuntime(v.V[ref.Offset:ref.End], ref.Name, what, r)
			}
			continue
		}
		c.notInterpolable(ref.Name, r, true)
	}
	for _, sv := range shellVars(v.V, refs, shell) {
		_, isArg := c.args[sv.name]
		if !isArg && !spec.IsAutomaticArg(sv.name) || isEnv(sv.name) {
			continue
		}
		if isArg {
			c.used[use{"arg", sv.name}] = true
		}
		text := v.V[sv.off:sv.end]
		r := subRange(v, fb, sv.off, sv.end)
		switch {
		case runtime:
			c.argInRuntime(text, sv.name, what, r)
		case shell:
			// The run step's shell gets the arg as an environment variable.
		default:
			detail := fmt.Sprintf("Only ${%s} is replaced by the value of %s in an exec-form word, which no shell reads; %q is passed on unchanged, as literal text.", sv.name, describeArg(sv.name), text)
			hint := fmt.Sprintf("write ${%s}", sv.name)
			if sv.braced {
				hint = fmt.Sprintf("use the shell form, whose shell gets %s as an environment variable and applies the expression", sv.name)
			}
			c.warnf(r, "unsubstituted-arg", detail, hint, "%s %q is not substituted in %q", argKind(sv.name), sv.name, text)
		}
	}
}

// argInRuntime reports an arg named in a shell-form runtime command.
func (c *checker) argInRuntime(text, name, what string, r spec.Range) {
	c.errorf(r, "arg-in-runtime-command",
		fmt.Sprintf("%q names %s %s in the %s, which the container runs when the image starts, maybe through a shell, not during the build: the arg does not exist then, and no value is ever spliced into a command the container runs.", text, argKind(name), name, what),
		fmt.Sprintf("to bake the value into the image, set %s with an env step whose value is ${%s}, and keep the reference for the container's shell (or give the value to a run step); to keep the text for a variable the container gets when it starts, write $${%s}", name, name, name),
		"%s %q in the %s", argKind(name), name, what)
}

func argKind(name string) string {
	if spec.IsAutomaticArg(name) {
		return "automatic arg"
	}
	return "arg"
}

func describeArg(name string) string {
	if spec.IsAutomaticArg(name) {
		return "the automatic arg"
	}
	return "the arg"
}

type shellVar struct {
	name     string
	off, end int
	braced   bool
}

// shellVars finds the "$NAME" and the malformed or unsupported "${NAME…"
// of a command string that command mode leaves alone. In a shell string
// it skips single-quoted text and backslash escapes.
func shellVars(s string, refs []interp.Ref, shell bool) []shellVar {
	var out []shellVar
	k := 0
	inSingle, inDouble := false, false
	for i := 0; i < len(s); {
		ch := s[i]
		if shell {
			switch {
			case inSingle:
				if ch == '\'' {
					inSingle = false
				}
				i++
				continue
			case ch == '\'' && !inDouble:
				inSingle = true
				i++
				continue
			case ch == '"':
				inDouble = !inDouble
				i++
				continue
			case ch == '\\':
				i += 2
				continue
			}
		}
		if ch != '$' || i+1 >= len(s) {
			i++
			continue
		}
		switch next := s[i+1]; {
		case strings.HasPrefix(s[i:], "$${"):
			i += 3
		case next == '$':
			i += 2
		case next == '{':
			for k < len(refs) && refs[k].Offset < i {
				k++
			}
			if k < len(refs) && refs[k].Offset == i {
				i += 2 // a reference command mode handles; look inside it
				continue
			}
			end := i + 2
			for end < len(s) && isNameByte(s[end], end == i+2) {
				end++
			}
			if end > i+2 {
				stop := end
				rest := s[end:min(len(s), end+64)]
				if j := strings.IndexByte(rest, '}'); j >= 0 {
					stop = end + j + 1
				}
				out = append(out, shellVar{name: s[i+2 : end], off: i, end: stop, braced: true})
			}
			i += 2
		case isNameByte(next, true):
			end := i + 2
			for end < len(s) && isNameByte(s[end], false) {
				end++
			}
			out = append(out, shellVar{name: s[i+1 : end], off: i, end: end})
			i = end
		default:
			i++
		}
	}
	return out
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}
