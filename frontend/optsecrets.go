package frontend

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ourorg/securefile/internal/credentials"
	"github.com/ourorg/securefile/spec"
)

// Frontend options, build args among them, are not a channel for secrets:
// BuildKit records them in the build's provenance attestation, in its
// build history and in the cache of the frontend request, and docker
// buildx prints them. secretOptions refuses a build whose options name a
// declared secret as a build arg, or hold a value shaped like a credential,
// and says to pass it with --secret instead. It reads the values only to
// classify them; messages show at most a masked prefix.
func secretOptions(f *spec.File, opts map[string]string) error {
	secretNames := map[string]string{} // build arg name → secret
	for _, s := range f.Secrets {
		if s == nil {
			continue
		}
		for _, n := range []string{s.Name.V, s.ID.V, s.Env.V} {
			if n != "" {
				secretNames[n] = s.Name.V
			}
		}
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var problems []string
	for _, k := range keys {
		v := opts[k]
		name, isArg := strings.CutPrefix(k, "build-arg:")
		if isArg {
			if s, ok := secretNames[name]; ok && v != "" {
				problems = append(problems, fmt.Sprintf("build arg %s names secret %q: build args are recorded in the build's provenance and history. Pass it as a secret: --secret id=%s,env=%s (or src=FILE)", name, s, secretID(f, s), name))
				continue
			}
		} else {
			name, _ = strings.CutPrefix(k, "label:")
		}
		if !isArg && !strings.HasPrefix(k, "label:") {
			name = "" // a high-entropy value only counts under a credential name
		}
		if what, masked := credentials.Shape(name, v); what != "" {
			problems = append(problems, fmt.Sprintf("option %s holds %s (%s): frontend options and build args are recorded in the build's provenance and history. Remove it, rotate the credential, and pass it as a secret: declare `secret` in the file and build with --secret id=ID,env=VAR (or src=FILE)", k, what, masked))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New("refusing to build: a secret was passed as a frontend option or build arg\n  " + strings.Join(problems, "\n  "))
}

// SecretOptions is secretOptions for a client that checks its options
// before it sends them (securefile build and lock): refused there, a
// secret never reaches BuildKit's records at all.
func SecretOptions(f *spec.File, opts map[string]string) error {
	return secretOptions(f, opts)
}

// SecretBuildArgs is the same check for the commands that take build args
// and no other option (securefile llb, outline, graph): a secret passed
// as a build arg is refused there as a build refuses it, not printed.
func SecretBuildArgs(f *spec.File, buildArgs map[string]string) error {
	return secretOptions(f, buildArgOptions(buildArgs))
}

// buildArgOptions are build args as the frontend options they travel in.
func buildArgOptions(buildArgs map[string]string) map[string]string {
	opts := make(map[string]string, len(buildArgs))
	for k, v := range buildArgs {
		opts["build-arg:"+k] = v
	}
	return opts
}

// secretID is the id the client provides for the secret named name.
func secretID(f *spec.File, name string) string {
	if s := f.Secret(name); s != nil {
		return s.EffectiveID()
	}
	return name
}
