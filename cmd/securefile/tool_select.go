package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/toolbin"
	"github.com/ourorg/securefile/internal/verify"
	"github.com/ourorg/securefile/internal/version"
	"github.com/ourorg/securefile/spec"
)

// The leak scanner and the secret digest run inside BuildKit, in a
// container of their own with nothing but a securefile binary (package
// toolmode). securefile build offers the frontend, in this order: the
// image --tool-image names; the small securefile-tool it embeds for the
// daemon's platform (internal/toolbin: a few MB, where sharing itself
// sends the whole CLI); itself, when it can run there (a static linux
// binary for the daemon's platform); else a securefile image of its own
// version. A binary that can be none of these (a cgo or darwin build
// without embedded tools or a linked-in image) offers none and says why:
// a build without secrets needs no tool, and one with secrets fails
// saying what to do.

// selfBinary is what this binary is, as far as running it inside BuildKit
// goes.
type selfBinary struct {
	// platform is GOOS/GOARCH, and the ARM variant (GOARM) for arm.
	platform ocispecs.Platform
	// static is nil when the executable is a static ELF file, else why it
	// is not (verify.ErrDynamic for a cgo build).
	static error
}

// toolChoice is what securefile build offers the frontend: exactly one of
// its own binary, an image, or a reason why it has neither.
type toolChoice struct {
	// embedded is the embedded tool to share (toolbin.Tool.Name), "" for
	// none.
	embedded    string
	shareSelf   bool
	image       string
	unavailable string
}

// selectTool chooses the tool for a build on a daemon whose build
// platform is daemon: the --tool-image flag when given, else an embedded
// tool that runs there, else this binary when it runs there, else the
// default image (version.ToolImage; "" for none).
func selectTool(self selfBinary, embedded []toolbin.Tool, daemon ocispecs.Platform, flagImage, defaultImage string) toolChoice {
	if flagImage != "" {
		return toolChoice{image: flagImage}
	}
	// The embedded tools are static linux binaries (build.sh builds them
	// with cgo off), so only the platform decides, as for this binary. The
	// first that runs there: build.sh lists one per platform.
	for _, t := range embedded {
		if (selfBinary{platform: t.Platform}).cannotRunOn(daemon) == "" {
			return toolChoice{embedded: t.Name}
		}
	}
	what := self.cannotRunOn(daemon)
	if what == "" {
		return toolChoice{shareSelf: true}
	}
	if defaultImage != "" {
		return toolChoice{image: defaultImage}
	}
	return toolChoice{unavailable: "this securefile is " + what +
		", so it cannot run inside BuildKit as the securefile tool (the leak scanner, the secret digest), it embeds no securefile-tool for the daemon's platform (" + platforms.Format(platforms.Normalize(daemon)) + "), and it names no securefile image to run instead (a development build): " +
		"pass --tool-image REF with a " + version.Repository + " image of the same version (" + version.String() + "), " +
		"or build securefile with `make build` (it embeds the tool for TOOL_PLATFORMS, linux/amd64 and linux/arm64 by default; CGO_ENABLED=0)"}
}

// cannotRunOn says what this binary is when it cannot run in an empty
// container on daemon's platform, "" when it can.
func (s selfBinary) cannotRunOn(daemon ocispecs.Platform) string {
	self, d := platforms.Normalize(s.platform), platforms.Normalize(daemon)
	switch {
	case self.OS != "linux":
		return platforms.Format(self)
	case errors.Is(s.static, verify.ErrDynamic):
		return "dynamically linked (built with cgo)"
	case s.static != nil:
		return "not a static executable (" + s.static.Error() + ")"
	// The same architecture, and a variant the daemon runs (arm/v6 on
	// arm/v7): the frontend checks the architecture of what it is given,
	// not the variant, which an ELF header does not record. Only would
	// also take 386 for amd64 and arm for arm64, which the frontend
	// refuses.
	case self.Architecture != d.Architecture || !platforms.Only(d).Match(self):
		return platforms.Format(self) + " but the daemon is " + platforms.Format(d)
	}
	return ""
}

// thisBinary is what this process's executable is.
func thisBinary() selfBinary {
	s := selfBinary{platform: ocispecs.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}}
	if runtime.GOARCH == "arm" {
		s.platform.Variant = armVariant()
	}
	s.static = staticExecutable()
	return s
}

// armVariant is "v" and the GOARM this binary was built with ("7" or
// "7,softfloat"), "" when the build did not record it (Normalize then
// takes v7, Go's default).
func armVariant() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, kv := range bi.Settings {
		if kv.Key == "GOARM" && kv.Value != "" {
			v, _, _ := strings.Cut(kv.Value, ",")
			return "v" + v
		}
	}
	return ""
}

// staticExecutable checks, from the head of os.Executable(), that this
// binary is a static ELF executable, as the frontend checks the binary it
// is given.
func staticExecutable() error {
	exe, err := executable()
	if err != nil {
		return err
	}
	f, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return verify.StaticELF(head[:n])
}

// executable is this binary's path, symlinks resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding this binary to share as the securefile tool: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", fmt.Errorf("finding this binary to share as the securefile tool: %w", err)
	}
	return exe, nil
}

// workersPlatform is the build platform the frontend will use: the first
// platform of the first worker, as dockerui takes it (bc.BuildPlatforms[0]),
// else, as dockerui does too, this process's platform: the frontend runs
// in this process.
func workersPlatform(ws []*client.WorkerInfo) ocispecs.Platform {
	if len(ws) > 0 && ws[0] != nil && len(ws[0].Platforms) > 0 {
		return ws[0].Platforms[0]
	}
	return platforms.Normalize(platforms.DefaultSpec())
}

// checkToolImage checks the --tool-image flag's value before anything is
// sent: an image reference, the frontend pins a tag to its digest.
func checkToolImage(ref string) error {
	if ref == "" {
		return nil
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return usageErrorf("--tool-image %q: %v (want an image reference such as %s:%s or one with @sha256:…)", ref, err, version.Repository, "1.2.3")
	}
	return nil
}

// toolNeed says which secret the target mounts (its declaration as
// file:line:col, and its id), "" when it mounts none: such a build runs
// the digest step and the leak scanner. path is the build file as the
// user named it.
func toolNeed(f *spec.File, path string, src []byte, attrs map[string]string) string {
	o, err := hostOutline(f, src, attrs)
	if err != nil || len(o.Secrets) == 0 {
		return "" // the frontend reports a target it cannot find
	}
	id := o.Secrets[0].Name
	var at spec.Range
	for _, s := range f.Secrets {
		if s != nil && s.EffectiveID() == id {
			at = s.Range
			break
		}
	}
	return fmt.Sprintf("%s: target %q mounts secret %q", declAt(path, at), o.Name, id)
}
