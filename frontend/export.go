package frontend

import (
	"io"

	"github.com/moby/buildkit/frontend/subrequests/targets"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/spec"
)

// OutlineOf is the frontend.outline answer for target ("" for the default),
// computed as the subrequest computes it, for a build on build for
// platform (the TARGET* args an arg default may use come from platform).
func OutlineOf(f *spec.File, target string, data []byte, buildArgs map[string]string, build, platform ocispecs.Platform) (*Outline, error) {
	return outlineOf(f, target, data, buildArgs, platformArgs(build, platform))
}

// TargetsOf is the frontend.targets answer.
func TargetsOf(f *spec.File, data []byte) *targets.List { return targetsOf(f, data) }

// Print writes the outline's text form, as the subrequest's result prints.
func (o *Outline) Print(w io.Writer) error { return o.print(w) }

// FilePlatforms are the file's platforms with args expanded (nil when it
// names none), as a build without --platform uses them.
func FilePlatforms(f *spec.File, buildArgs map[string]string, build ocispecs.Platform) ([]ocispecs.Platform, error) {
	return filePlatforms(f, buildArgs, build)
}
