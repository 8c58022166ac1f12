package lower

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

// argValue is the value a shell command that names arg name gets in its
// environment; ok is false when it gets none: name is not an arg, is a
// proxy arg (llb.WithProxy gives those), or has no value.
func (b *stageBuilder) argValue(name string) (string, bool) {
	a := b.l.args
	if !a.known(name) || spec.IsProxyArg(name) {
		return "", false
	}
	return a.lookup(name)
}
