// Package version is the one place that knows which securefile this
// binary is, for the CLI (securefile version), the frontend (describe,
// progress, the image label) and the choice of the tool image.
//
// It takes two values set at link time, and gives them back checked:
//
//	-X github.com/ourorg/securefile/internal/version.version=v1.2.3
//	-X github.com/ourorg/securefile/internal/version.toolImage=docker.io/ourorg/securefile:1.2.3@sha256:…
//
// A binary built without them (go build, go test) says "dev"; one built by
// `go install github.com/ourorg/securefile/cmd/securefile@v1.2.3` takes
// its version from the module's build information.
package version

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// Set by the linker (Makefile, Dockerfile, hack/dist.sh); empty in a plain
// go build.
var (
	version   string
	toolImage string
)

// Repository is the published frontend image, without a tag.
const Repository = "docker.io/ourorg/securefile"

// Language is the version of the build-file language this binary reads.
// It changes when a file that an older binary accepted means something
// else, or when a new key makes a file unreadable to older binaries; the
// outline reports it.
const Language = "1"

// String is the version of this binary: the link-time value, else the
// module version go install recorded, else "dev".
func String() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

var release = regexp.MustCompile(`^v?([0-9]+)\.([0-9]+)\.([0-9]+)$`)

// Release splits a release version (v1.2.3 or 1.2.3, nothing after it)
// into its numbers; ok is false for anything else (dev, a git describe
// with commits after the tag, a pre-release).
func Release(v string) (major, minor, patch string, ok bool) {
	m := release.FindStringSubmatch(v)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// Tags are the image tags a release is pushed under: X.Y.Z, X.Y, X and
// latest, so that "# syntax=ourorg/securefile:1" follows the newest 1.x
// the way docker/dockerfile:1 does. Anything that is not a release gets
// none: a development image is tagged by whoever builds it.
func Tags(v string) []string {
	major, minor, patch, ok := Release(v)
	if !ok {
		return nil
	}
	return []string{major + "." + minor + "." + patch, major + "." + minor, major, "latest"}
}

// ToolImage is the frontend image of this very version, whose binary runs
// the leak scanner and the rotation digest inside BuildKit when this
// binary cannot share itself (it is not a static linux binary for the
// daemon's platform). The release links it in pinned by digest; a release
// built otherwise (go install @vX.Y.Z) gets the tag of its version, which
// the frontend pins to a digest when it resolves it. A development build
// has none: ok is false, and the caller says what it needs.
func ToolImage() (ref string, ok bool) {
	if toolImage != "" {
		return toolImage, true
	}
	if _, _, _, ok := Release(String()); ok {
		return Repository + ":" + strings.TrimPrefix(String(), "v"), true
	}
	return "", false
}
