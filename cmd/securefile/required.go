package main

import (
	"errors"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/session/sshforward"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/spec"
)

// checkRequired refuses a build that would fail when a step runs: every
// secret and ssh agent that the target's steps mount and that is
// required (the default) must be given by a --secret or --ssh flag.
// BuildKit finds a missing one only when the step that mounts it runs,
// after everything before it was built, and says "secret s: not found";
// here the error names the declaration and the flag to pass. path is the
// build file as the user named it; a target that cannot be found is left
// to the frontend, which reports it.
func checkRequired(f *spec.File, path string, src []byte, attrs map[string]string, secretFlags, sshFlags []string) error {
	o, err := hostOutline(f, src, attrs)
	if err != nil {
		return nil //nolint:nilerr // the frontend reports it, with its source
	}
	target := o.Name
	secrets := secretIDs(secretFlags)
	agents := sshIDs(sshFlags)
	var errs []error
	for _, s := range o.Secrets {
		if !s.Required || secrets[s.Name] {
			continue
		}
		at := declAt(path, requiredSecret(f, s.Name))
		errs = append(errs, usageErrorf("%s: secret %q is required by target %q but no --secret gives it: pass --secret id=%s,src=FILE (or id=%s,env=VAR), or declare it required = false",
			at, s.Name, target, s.Name, s.Name))
	}
	for _, s := range o.SSH {
		if !s.Required || agents[s.Name] {
			continue
		}
		flag := "--ssh " + s.Name + "=SOCKET|KEY"
		if s.Name == sshforward.DefaultID {
			flag = "--ssh default (the agent of $SSH_AUTH_SOCK) or --ssh default=SOCKET|KEY"
		}
		at := declAt(path, requiredSSH(f, s.Name))
		errs = append(errs, usageErrorf("%s: ssh agent %q is required by target %q but no --ssh gives it: pass %s, or declare it required = false",
			at, s.Name, target, flag))
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}

// secretIDs are the ids the --secret flags give (already checked by
// build.ParseSecret).
func secretIDs(flags []string) map[string]bool {
	ids := map[string]bool{}
	for _, v := range flags {
		fields, err := csvvalue.Fields(v, nil)
		if err != nil {
			continue
		}
		for _, field := range fields {
			if k, val, ok := strings.Cut(field, "="); ok && strings.EqualFold(k, "id") {
				ids[val] = true
			}
		}
	}
	return ids
}

// sshIDs are the agent ids the --ssh flags give ("default" for none).
func sshIDs(flags []string) map[string]bool {
	ids := map[string]bool{}
	for _, v := range flags {
		parsed, err := build.ParseSSH([]string{v})
		if err != nil || len(parsed) == 0 {
			continue
		}
		id := parsed[0].ID
		if id == "" {
			id = sshforward.DefaultID
		}
		ids[id] = true
	}
	return ids
}

// requiredSecret is the first required declaration of the client secret
// id.
func requiredSecret(f *spec.File, id string) spec.Range {
	for _, s := range f.Secrets {
		if s != nil && s.EffectiveID() == id && s.IsRequired() {
			return s.Range
		}
	}
	return spec.Range{}
}

// requiredSSH is the first required declaration of the agent id.
func requiredSSH(f *spec.File, id string) spec.Range {
	for _, s := range f.SSH {
		if s != nil && s.EffectiveID() == id && s.IsRequired() {
			return s.Range
		}
	}
	return spec.Range{}
}

// declAt is r as file:line:col, under the path the user named (the file
// is loaded under its base name, as the frontend loads it).
func declAt(path string, r spec.Range) string {
	r.Filename = path
	return r.String()
}

// hostOutline is the outline of the target the frontend options attrs
// name, with their build args, on the host's platform: what the CLI checks
// before it sends a build.
func hostOutline(f *spec.File, src []byte, attrs map[string]string) (*frontend.Outline, error) {
	buildArgs := map[string]string{}
	for k, v := range attrs {
		if name, ok := strings.CutPrefix(k, "build-arg:"); ok {
			buildArgs[name] = v
		}
	}
	host := platforms.Normalize(platforms.DefaultSpec())
	return frontend.OutlineOf(f, attrs["target"], src, buildArgs, host, host)
}
