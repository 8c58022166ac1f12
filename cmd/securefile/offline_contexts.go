package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// offlineContexts are the --build-context flags of an offline command:
// NAME=PATH, lowered to an llb.Local of that name (as securefile build
// sends a local directory), or NAME=docker-image://REF, lowered to an
// llb.Image. The other forms build takes (oci-layout://, input:, git and
// http sources) are resolved by the daemon and are refused here.
type offlineContexts map[string]string

func (c offlineContexts) String() string { return "" }

func (c offlineContexts) Set(v string) error {
	name, val, ok := strings.Cut(v, "=")
	if !ok || name == "" || val == "" {
		return fmt.Errorf("%q: want NAME=PATH or NAME=docker-image://REF", v)
	}
	if _, dup := c[name]; dup {
		return fmt.Errorf("%q: context %q is already given", v, name)
	}
	if ref, ok := strings.CutPrefix(val, "docker-image://"); ok {
		if ref == "" {
			return fmt.Errorf("%q: docker-image:// needs an image reference", v)
		}
		c[name] = val
		return nil
	}
	if strings.Contains(val, "://") || strings.HasPrefix(val, "input:") {
		return fmt.Errorf("%q: offline, a context is a local directory or docker-image://REF; the daemon resolves the others (securefile build --build-context)", v)
	}
	if name == "context" || name == "dockerfile" {
		return fmt.Errorf("%q: a local context cannot be named %q", v, name)
	}
	if st, err := os.Stat(val); err != nil || !st.IsDir() {
		return fmt.Errorf("%q: %s is not a directory", v, val)
	}
	c[name] = val
	return nil
}

// namedContext is convert.Options.NamedContext for the flags: nil state
// for a name no flag gives. A local context gets a fixed unique id, so
// that the definition is the same on every run.
func (c offlineContexts) namedContext(_ context.Context, name string, p ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error) {
	v, ok := c[name]
	if !ok {
		return nil, nil, nil
	}
	if ref, ok := strings.CutPrefix(v, "docker-image://"); ok {
		st := llb.Image(ref, llb.Platform(p))
		return &st, nil, nil
	}
	st := llb.Local(name, llb.LocalUniqueID(offlineLocalID+"-"+name))
	return &st, nil, nil
}
