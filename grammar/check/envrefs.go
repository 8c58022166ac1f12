package check

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// References to environment variables. Outside commands "${NAME}" reads
// the stage's environment first — the base's config and the env steps —
// then args (internal/lower/scope.go), as a Dockerfile's ENV overrides its ARGs.
// A bare "$NAME" stays text (only ${…} is expanded), which is almost
// always a Dockerfile habit: the checker says so and shows the ${NAME}
// to write.

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

// undefinedEnvRef handles "${NAME}", outside commands, where NAME is not
// an arg, and returns whether it did: a secret's environment variable is
// an error; a variable of the stage's environment is a reference; in a
// stage whose base is an image or a named context, a name its config may
// set is left to the lowering, which has the config (a near miss of a name
// the file knows is a warning). Everything else is the caller's
// undefined-arg error.
func (c *checker) undefinedEnvRef(v spec.Value[string], ref interp.Ref, r spec.Range) bool {
	name, text := ref.Name, v.V[ref.Offset:ref.End]
	if s := c.secretEnv(name); s != nil {
		c.errorf(r, "secret-interpolation",
			fmt.Sprintf("%q names %s, the environment variable secret %q is delivered as; it exists only inside the run steps that mount the secret, and no expression reads a secret's value.", text, name, s.Name.V),
			fmt.Sprintf("read $%s in the command of the run step that mounts secret %q", name, s.Name.V),
			"secret %q cannot be interpolated", s.Name.V)
		return true
	}
	sc := c.scope
	if sc == nil {
		if c.inheritedEnv(name) {
			c.errorf(r, "undefined-arg",
				fmt.Sprintf("%q refers to %s, which is neither an arg nor, here, an environment variable: a declaration or a stage's base sees args only.", text, name),
				envValueHint(v.V, ref.Offset, ref.End, name)+fmt.Sprintf(", or declare arg %s", name),
				"undefined arg %q", name)
			return true
		}
		return false
	}
	if sc.names[name] {
		return true
	}
	if !sc.open {
		return false
	}
	known := append(append([]string(nil), c.argNames...), mapKeys(sc.names)...)
	if dym := spec.DidYouMean(name, known); dym != "" && !c.inheritedEnv(name) {
		c.warnf(r, "inherited-env",
			fmt.Sprintf("%q is not an arg and no env step sets %s, so it must come from the base image's config; the build fails if the base does not set it.", text, name),
			dym+", or, if the base image sets "+name+", suppress this for the line",
			"variable %s must come from the base image's config", name)
	}
	return true
}

func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
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
	if c.inlineContent {
		keep += " (or set raw to true to write the whole content as it is)"
	}
	if _, ok := c.args[name]; ok || spec.IsAutomaticArg(name) {
		c.used[use{"arg", name}] = true
		c.warnf(r, "unexpanded-variable",
			fmt.Sprintf("Only ${%s} is replaced by the value of %s; %q is kept as it is, a dollar sign and a name.", name, describeArg(name), text),
			fmt.Sprintf("write ${%s}", name),
			"%q is not expanded", text)
		return
	}
	detail := fmt.Sprintf("Outside commands only ${NAME} is replaced, by the value of an environment variable of the stage or of an arg; %q is kept as it is, a dollar sign and a name.", text)
	hint := fmt.Sprintf("write ${%s}, %s", name, keep)
	if sc := c.scope; sc == nil || !sc.names[name] && !sc.open {
		hint = fmt.Sprintf("write the value out, declare arg %s and write ${%s}, %s", name, name, keep)
	}
	c.warnf(r, "unexpanded-variable", detail, hint, "%q is not expanded", text)
}
