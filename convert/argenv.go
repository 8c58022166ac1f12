package convert

import "github.com/ourorg/securefile/spec"

// Args reach a shell command as environment variables, never as text.
//
// A run step's shell command is handed to /bin/sh as written; every arg it
// names ("${NAME}", any "${NAME…}" form, or "$NAME") is set in the step's
// environment instead, so that the shell expands it as data: a build arg
// holding "; rm -rf /", "$(…)" or a newline is a string, as it is for a
// Dockerfile's RUN. The value is in the step's definition, so a changed
// value still changes the step's cache key; the command text and the
// history never hold it.
//
// An environment variable of the same name wins over the arg, as a
// Dockerfile's ENV does; an arg without a value is left unset; the proxy
// args come through llb.WithProxy instead, outside the cache key.

// argEnv adds to env the args the shell command s names.
func (b *stageBuilder) argEnv(env []string, s string) []string {
	a := b.l.args
	for _, name := range shellNames(s) {
		if !a.known(name) || spec.IsProxyArg(name) {
			continue
		}
		if _, set := getEnv(env, name); set {
			continue
		}
		if v, ok := a.lookup(name); ok {
			env = setEnv(env, name, v)
		}
	}
	return env
}

// shellNames are the names s refers to as "$NAME" or "${NAME…", each once,
// in order: what a shell may expand. "$$" is the shell's process id, and
// "$${" the language's escape for a literal "${", so neither names
// anything. It over-approximates (a name inside single quotes counts),
// which only adds a variable the step does not read.
func shellNames(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		j := i + 1
		switch {
		case s[j] == '$':
			i = j // "$$": skip both
			continue
		case s[j] == '{':
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || 'a' <= s[k] && s[k] <= 'z' || 'A' <= s[k] && s[k] <= 'Z' || k > j && '0' <= s[k] && s[k] <= '9') {
			k++
		}
		if k > j {
			if n := s[j:k]; !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		i = k - 1
	}
	return out
}
