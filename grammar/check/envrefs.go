package check

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/interp"
	"github.com/ourorg/securefile/spec"
)

// References to environment variables. Outside commands only ${NAME} of
// an arg is replaced; there is no way yet to read an environment variable,
// the base image's included. So "$PATH" in an env value is written into
// the image as those five characters, and "${PATH}" is an undefined arg
// whose usual hint (declare one) would not give the inherited value
// either. Both get a message that says so and shows the value written out.

// defaultPath is the PATH BuildKit and Docker give an image that sets
// none, and the one most base images set.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// typicalValues are the values most base images give these variables,
// for the explicit value the hints show.
var typicalValues = map[string]string{"PATH": defaultPath, "HOME": "/root"}

// wellKnownEnv are environment variables that a base image or the
// container runtime sets, and that a file refers to for their inherited
// value.
var wellKnownEnv = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "SHELL": true, "HOSTNAME": true, "PWD": true,
	"LANG": true, "LANGUAGE": true, "LC_ALL": true, "TERM": true, "TZ": true,
	"GOROOT": true, "GOLANG_VERSION": true, "GOTOOLCHAIN": true, "NODE_VERSION": true, "YARN_VERSION": true,
	"PYTHON_VERSION": true, "VIRTUAL_ENV": true, "JAVA_VERSION": true, "RUBY_VERSION": true,
	"RUST_VERSION": true,
}

// inheritedEnv reports whether name is clearly meant as an environment
// variable: a well-known one, a search path (…PATH) or an installation
// directory (…_HOME), or one an env step of this file sets (which
// includes "env PATH = …${PATH}…", a reference to the value it extends).
func (c *checker) inheritedEnv(name string) bool {
	return wellKnownEnv[name] || strings.HasSuffix(name, "PATH") || strings.HasSuffix(name, "_HOME") || c.envNames[name]
}

// secretEnv returns the secret delivered as environment variable name, if
// any.
func (c *checker) secretEnv(name string) *spec.Secret {
	for _, s := range c.f.Secrets {
		if s != nil && s.Env.Set && s.Env.V == name && c.secrets[s.Name.V] == s {
			return s
		}
	}
	return nil
}

// explicitValue is s with the reference to name at s[off:end] ("$NAME" or
// "${NAME}") replaced by the variable's typical value, or "" when there is
// none to show or s has other "$" that would make the example misleading.
func explicitValue(s string, off, end int, name string) string {
	v, ok := typicalValues[name]
	if !ok || strings.Contains(s[:off], "$") || strings.Contains(s[end:], "$") {
		return ""
	}
	return s[:off] + v + s[end:]
}

// envValueHint says how to write the value of environment variable name
// without a reference: the whole value, with an example where the usual
// value is known, and where to look for the base image's.
func envValueHint(s string, off, end int, name string) string {
	if ex := explicitValue(s, off, end, name); ex != "" {
		return fmt.Sprintf("write the value out: %q (%s as most base images set it; docker image inspect IMAGE shows the base image's)", ex, name)
	}
	return fmt.Sprintf("write the value out (docker image inspect IMAGE shows the %s of the base image)", name)
}

// undefinedEnvRef reports "${NAME}", outside commands, where NAME is not
// an arg but clearly an environment variable, and returns whether it did.
func (c *checker) undefinedEnvRef(v spec.Value[string], ref interp.Ref, r spec.Range) bool {
	name, text := ref.Name, v.V[ref.Offset:ref.End]
	if s := c.secretEnv(name); s != nil {
		c.errorf(r, "secret-interpolation",
			fmt.Sprintf("%q names %s, the environment variable secret %q is delivered as; it exists only inside the run steps that mount the secret, and no expression reads a secret's value.", text, name, s.Name.V),
			fmt.Sprintf("read $%s in the command of the run step that mounts secret %q", name, s.Name.V),
			"secret %q cannot be interpolated", s.Name.V)
		return true
	}
	if !c.inheritedEnv(name) {
		return false
	}
	c.errorf(r, "undefined-arg",
		fmt.Sprintf("%q refers to arg %q, but no arg has that name. %s looks like an environment variable, and securefile cannot read environment variables yet, not even the value the base image gives %s: ${NAME} reads args only.", text, name, name, name),
		envValueHint(v.V, ref.Offset, ref.End, name)+fmt.Sprintf(", or, if you meant an arg, declare arg %s", name),
		"undefined arg %q: the base image's %s is not available", name, name)
	return true
}

// bareVars warns about every "$NAME" of a value that is not a command:
// it is kept as text, because only ${NAME} is replaced. "$$" is text too,
// and "$${" writes "${", so neither starts a variable.
func (c *checker) bareVars(v spec.Value[string], fb spec.Range) {
	s := v.V
	if !strings.Contains(s, "$") {
		return
	}
	for i := 0; i+1 < len(s); {
		if s[i] != '$' {
			i++
			continue
		}
		if s[i+1] == '$' || s[i+1] == '{' {
			i += 2
			continue
		}
		if !isNameByte(s[i+1], true) {
			i++
			continue
		}
		end := i + 2
		for end < len(s) && isNameByte(s[end], false) {
			end++
		}
		c.bareVar(v, fb, s[i+1:end], i, end)
		i = end
	}
}

func (c *checker) bareVar(v spec.Value[string], fb spec.Range, name string, off, end int) {
	text := v.V[off:end]
	r := subRange(v, fb, off, end)
	keep := fmt.Sprintf("or $${%s} to keep the text for a program that expands it at run time", name)
	if _, ok := c.args[name]; ok || interp.IsPlatformArg(name) {
		c.used[use{"arg", name}] = true
		c.warnf(r, "unexpanded-variable",
			fmt.Sprintf("Only ${%s} is replaced by the value of %s; %q is kept as it is, a dollar sign and a name.", name, describeArg(name), text),
			fmt.Sprintf("write ${%s}", name),
			"%q is not expanded", text)
		return
	}
	detail := fmt.Sprintf("Outside commands only ${NAME} is replaced, by the value of an arg; %q is kept as it is, a dollar sign and a name.", text)
	hint := fmt.Sprintf("write the value out, declare arg %s and write ${%s}, %s", name, name, keep)
	if c.inheritedEnv(name) {
		detail += fmt.Sprintf(" Environment variables cannot be referenced yet either, so the value the base image gives %s is not available.", name)
		hint = envValueHint(v.V, off, end, name) + ", " + keep
	}
	c.warnf(r, "unexpanded-variable", detail, hint, "%q is not expanded", text)
}
