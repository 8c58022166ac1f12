package migrate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/ourorg/securefile/spec"
)

// Some Dockerfile words are expanded by BuildKit where a Securefile has no
// template: the fields of RUN --mount (a mount's type, sharing, mode…),
// the ports of EXPOSE (one word can hold several), the stage a FROM names.
// The conversion expands them itself, as dockerfile2llb does, with what
// the Dockerfile has set at that line: the stage's ENV values (known), and
// its ARGs at their defaults (a --build-arg can change those, so a result
// that depends on one says so). A name that is neither, such as a variable
// of the base image's config, is unknown to the conversion.

// evald is the value of a word the conversion expanded.
type evald struct {
	v string
	// args are the args the value depends on (a --build-arg would change
	// it), sorted; unknown the names whose value the conversion cannot
	// know (the base image's environment, or an automatic arg).
	args, unknown []string
}

func (e evald) known() bool { return len(e.unknown) == 0 }

// merge adds the dependencies of o to e.
func (e *evald) merge(o evald) {
	e.args = mergeNames(e.args, o.args)
	e.unknown = mergeNames(e.unknown, o.unknown)
}

func mergeNames(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// evalEnv is the environment a word of the stage of sc is expanded with;
// it records what the expansion looked up.
type evalEnv struct {
	c   *conv
	sc  *scope
	dep evald
	// self is the arg whose default is expanded, unset there (lexer.self).
	self string
	// wild gives a name the conversion cannot know the value wildcard,
	// for matching the result against stage names (fromStage).
	wild bool
}

// wildcard stands for an unknown value in a word expanded with wild.
const wildcard = "\x00"

func (e *evalEnv) Get(name string) (string, bool) {
	if name == e.self {
		return "", false
	}
	if v, ok := e.sc.vals[name]; ok && e.sc.hasEnv(name) {
		e.dep.merge(v)
		return v.v, true
	}
	if e.sc.args[name] {
		if spec.IsAutomaticArg(name) {
			e.dep.merge(evald{unknown: []string{name}})
			return e.unknown()
		}
		v, ok := e.c.argVals[name]
		e.dep.merge(v)
		e.dep.merge(evald{args: []string{name}})
		return v.v, ok
	}
	// Unset in the Dockerfile, or a variable of the base image.
	e.dep.merge(evald{unknown: []string{name}})
	return e.unknown()
}

func (e *evalEnv) unknown() (string, bool) {
	if e.wild {
		return wildcard, true
	}
	return "", false
}

func (e *evalEnv) Keys() []string {
	var out []string
	for k := range e.sc.args {
		out = append(out, k)
	}
	for k := range e.sc.env {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// eval expands the word w of the stage of sc as BuildKit's lexer does.
func (c *conv) eval(sc *scope, w string) (evald, error) {
	env := &evalEnv{c: c, sc: sc}
	v, _, err := shell.NewLex(c.esc).ProcessWord(w, env)
	env.dep.v = v
	return env.dep, err
}

// evalSelf is eval for the default w of the arg self.
func (c *conv) evalSelf(sc *scope, w, self string) (evald, error) {
	env := &evalEnv{c: c, sc: sc, self: self}
	v, _, err := shell.NewLex(c.esc).ProcessWord(w, env)
	env.dep.v = v
	return env.dep, err
}

// evalWords expands w into words, as EXPOSE does.
func (c *conv) evalWords(sc *scope, w string) ([]string, evald, error) {
	env := &evalEnv{c: c, sc: sc}
	words, err := shell.NewLex(c.esc).ProcessWords(w, env)
	return words, env.dep, err
}

// mountFields are the key=value fields of each --mount of the RUN at line,
// as written (keys lower-case, as BuildKit reads them).
func (c *conv) mountFields(line int) [][][2]string {
	var out [][][2]string
	for _, f := range c.flags[line] {
		v, ok := strings.CutPrefix(f, "--mount=")
		if !ok {
			continue
		}
		fields, err := csvvalue.Fields(v, nil)
		if err != nil {
			return nil
		}
		var kvs [][2]string
		for _, fd := range fields {
			if k, v, ok := strings.Cut(fd, "="); ok {
				kvs = append(kvs, [2]string{strings.ToLower(k), v})
			}
		}
		out = append(out, kvs)
	}
	return out
}

// mountTmpl holds the fields of a mount that stay templates: a path or id
// that depends on an arg is written as a template of the arg, so that a
// --build-arg still changes it.
type mountTmpl struct {
	target, source, id string
}

// mountTemplates is what of the fields of m (as written) stays a template.
// A field that depends on an arg and cannot be one (the type, a mode…, or
// a path of a declaration that refers to an ENV, which a declaration does
// not see) has the value of the arg's default, reported.
func (c *conv) mountTemplates(sc *scope, m *instructions.Mount, fields [][2]string, line int) mountTmpl {
	var t mountTmpl
	// A declaration (cache, secret, ssh) expands args only; a bind or
	// tmpfs mount is the step's own and sees the stage's environment.
	decl := m.Type == instructions.MountTypeCache || m.Type == instructions.MountTypeSecret || m.Type == instructions.MountTypeSSH
	for _, kv := range fields {
		key, w := kv[0], kv[1]
		v, err := c.eval(sc, w)
		if err != nil || len(v.args) == 0 {
			continue
		}
		tmpl, names := c.value(sc, line, w)
		envRef := false
		for _, n := range names {
			envRef = envRef || sc.hasEnv(n)
		}
		var dst *string
		switch key {
		case "target", "dst", "destination":
			dst = &t.target
		case "source", "src":
			dst = &t.source
		case "id":
			dst = &t.id
		}
		if dst != nil && (!decl || !envRef) {
			*dst = tmpl
			continue
		}
		c.changed(line, "RUN --mount %s=%s: expanded with the default of %s (%q), which a --build-arg no longer changes (a Securefile %s has no template there)", key, w, argList(v.args), v.v, mountField(key))
	}
	return t
}

func argList(names []string) string {
	return fmt.Sprintf("ARG %s", strings.Join(names, ", ARG "))
}

// mountField names what a mount field becomes in a Securefile.
func mountField(key string) string {
	switch key {
	case "target", "dst", "destination", "source", "src", "id":
		return "declaration's " + key + " that refers to an ENV"
	}
	return "mount's " + key
}

// expose converts one word of EXPOSE. BuildKit expands it into words (an
// arg can hold several ports) and exposes the container port of each: a
// host part ([ip:]host:container) only draws a warning. A word that is
// one port of the container stays a template; otherwise the conversion
// writes the ports it expands to.
func (c *conv) expose(s *spec.Stage, sc *scope, p string, line int) {
	words, v, err := c.evalWords(sc, p)
	if err != nil || !v.known() {
		s.Config.Expose = appendList(s.Config.Expose, c.setting(sc, line, "EXPOSE", p))
		return
	}
	host := false
	for _, w := range words {
		host = host || strings.Contains(w, ":")
	}
	if len(words) == 1 && !host {
		s.Config.Expose = appendList(s.Config.Expose, c.setting(sc, line, "EXPOSE", p))
		return
	}
	var ports []string
	for _, w := range words {
		parts := strings.Split(w, ":")
		port := parts[len(parts)-1]
		if len(parts) > 1 {
			c.note(line, "EXPOSE %s: the host part has no effect on an image (the Dockerfile frontend exposes the container port and warns), and the language refuses it; converted to the container port %s", w, port)
		}
		ports = append(ports, port)
		s.Config.Expose = appendList(s.Config.Expose, escapeLit(port))
	}
	if len(v.args) > 0 {
		c.changed(line, "EXPOSE %s: expanded with the default of %s to %s, which a --build-arg no longer changes (an expose item of a Securefile is one port)", p, argList(v.args), strings.Join(ports, " "))
	}
}

// fromStage is the stage (our name) that FROM base names through
// variables, or "". BuildKit expands base with the global ARGs and the
// automatic args, then looks the result up among the stage names. The
// conversion knows the args' defaults but not the platform the build is
// for: when the word depends on a platform arg, the stage is the one
// earlier stage whose name the word can give; several are refused.
func (c *conv) fromStage(base string, line int) (string, error) {
	env := &evalEnv{c: c, sc: c.global, wild: true}
	v, _, err := shell.NewLex(c.esc).ProcessWord(base, env)
	if err != nil {
		return "", nil
	}
	v = strings.ToLower(v)
	if strings.ReplaceAll(v, wildcard, "") == "" {
		// Nothing of the name is known, or it is empty: BuildKit's
		// lookup of "" finds no stage either.
		return "", nil
	}
	if env.dep.known() {
		name := c.stageIdx[v]
		if name != "" && len(env.dep.args) > 0 {
			c.changed(line, "FROM %s: expanded with the default of %s to the stage %s, and a --build-arg no longer changes it (a Securefile stage is built on a stage it names)", base, argList(env.dep.args), v)
		}
		return name, nil
	}
	re, err := regexp.Compile("^" + strings.ReplaceAll(regexp.QuoteMeta(v), wildcard, ".*") + "$")
	if err != nil {
		return "", nil
	}
	var names []string
	for n := range c.stageIdx {
		if n != "" && !isIndex(n) && re.MatchString(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		return "", nil
	case 1:
		c.changed(line, "FROM %s: %s depends on the build, and the only earlier stage it can name is %s: built on that stage, for every platform (where the Dockerfile would build on an image of that name if the name came out otherwise)", base, "$"+strings.Join(env.dep.unknown, ", $"), names[0])
		return c.stageIdx[names[0]], nil
	}
	return "", fmt.Errorf("FROM %s: names one of the stages %s depending on %s, which a Securefile cannot say: a stage is built on the stage it names (give each platform's build its own target)", base, strings.Join(names, ", "), "$"+strings.Join(env.dep.unknown, ", $"))
}

func isIndex(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
