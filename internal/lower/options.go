// Package lower lowers a checked spec.File to LLB: one graph per target
// platform, plus the OCI image config of the target. It takes a model that
// passed grammar.Load without errors and does no validation of its own; it
// never reads a secret's value (secrets only ever become mount
// references). Independent stages become independent LLB branches, so
// BuildKit runs them in parallel; only stages the target needs are lowered.
package lower

import (
	"context"
	"time"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/util/apicaps"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/spec"
)

// Options are everything the lowering needs from its caller (the frontend,
// or the CLI's offline commands).
type Options struct {
	// Target is the stage to build; "" means spec.File.DefaultTarget.
	Target string
	// TargetPlatform is the platform being built (TARGET* args);
	// BuildPlatform is the worker's (BUILD* args).
	TargetPlatform ocispecs.Platform
	BuildPlatform  ocispecs.Platform
	// BuildArgs override arg defaults (--build-arg). Names that are not
	// declared args are ignored.
	BuildArgs map[string]string
	// MainContext returns the main build context, called at most once with
	// the FollowPaths (and any other) options the lowering computed. Nil
	// means llb.Local("context", opts...).
	MainContext func(ctx context.Context, opts ...llb.LocalOption) (*llb.State, error)
	// NamedContext returns the client-provided context of that name
	// (--build-context), or nil state and nil error when there is none. For
	// a stage base it also returns the image config, if any. Nil means no
	// named contexts. It is called concurrently, once per name and
	// platform, and also for every image reference (a named context of
	// that name replaces the image).
	NamedContext func(ctx context.Context, name string, platform ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error)
	// MetaResolver resolves base image configs. Nil means none are
	// resolved: bases contribute no env, user, workdir or other config.
	// It also pins every image the build uses (bases and the images of
	// copy, bind and cache sources) to the digest it resolves, so that the
	// graph names exactly the images whose configs were read. It is called
	// concurrently, once per image and platform.
	MetaResolver sourceresolver.MetaResolver
	// Pins, when set, returns the manifest digest recorded for an image
	// (the reference normalized and tagged, "docker.io/library/busybox:latest")
	// on a platform, or "" when none is: a pinned image is used by that
	// digest, so the build does not follow the tag (Securefile.lock). A
	// reference written with a digest is never passed to it.
	Pins func(ref string, platform ocispecs.Platform) digest.Digest
	// SourceMap is the build file's source map, created once per file with
	// llb.NewSourceMap; every op gets a location in it. May be nil.
	SourceMap *llb.SourceMap
	// Epoch, when set (SOURCE_DATE_EPOCH), is used for history and image
	// creation times and for the timestamps of copied files.
	Epoch *time.Time
	// ImageResolveMode is passed to llb.Image for every image.
	ImageResolveMode llb.ResolveMode
	// MultiPlatform prefixes progress names with the stage's platform, so
	// that the vertices of a build for several platforms can be told apart
	// (as a Dockerfile build does).
	MultiPlatform bool
	// LLBCaps are the capabilities of the BuildKit daemon, if known. They
	// are set as marshal defaults of Result.State and decide whether a
	// read-write bind can be marked as having no output. Nil means a
	// current daemon.
	LLBCaps *apicaps.CapSet
	// ToolState is a filesystem holding a securefile binary, at ToolPath,
	// that runs the programs of package toolmode for the build platform: the
	// frontend's own image, or in-process the binary the client shares.
	// Secret rotation runs its digest step from it. Nil means there is no
	// tool, and a build that needs one fails.
	ToolState *llb.State
	ToolPath  string
	// NoTool, when ToolState is nil, is why the build has no tool (the
	// frontend's error, with the client's reason): a secret that needs
	// the tool fails with it, at the secret.
	NoTool error
	// SecretDigests makes every run step that mounts a secret depend on
	// a salted digest of the secret's value, computed inside BuildKit
	// (rotate.go): the step is rebuilt when the value changes, and is
	// never a cache hit of a run with another value. It needs ToolState
	// and RotationNonce; the salt is RotationSalt when there is one, else
	// the daemon's own. The frontend always sets it; without it only
	// secrets declared with rotate = true get a digest.
	SecretDigests bool
	// RotationSalt is the project's salt (Securefile.lock) that keys the
	// digests of secrets declared with rotate = true. It is not a secret
	// (it is in the lock file) and it is written into the LLB. Empty
	// means there is none, and a build that uses a rotated secret fails.
	RotationSalt []byte
	// RotationNonce is unique to the build (the frontend draws it at
	// random once per build, for all platforms). It makes the digest steps
	// of rotated secrets new steps on every build; see rotate.go for why
	// ignoring the cache is not enough. Required when a rotated secret is
	// used.
	RotationNonce string
	// VerdictKeys makes every digest step also write the secret's verdict
	// key (rotate.VerdictKey, keyed by the daemon's verdict epoch), which
	// the leak scan mounts so that a cached build reuses its verdict
	// (VerdictFile). The frontend sets it when it verifies the build.
	VerdictKeys bool
	// RenewVerdictEpoch makes the digest steps replace the daemon's
	// verdict epoch first, so that no earlier verdict is reused: the
	// frontend sets it for builds that can leave BuildKit with another
	// result under a cache key a verdict was made for (--no-cache, cache
	// imports; internal/rotate/verdict.go).
	RenewVerdictEpoch bool
}

// Result is the lowered target for one platform.
type Result struct {
	// State is the target's filesystem.
	State llb.State
	// Image is the target's image config and history.
	Image *dockerspec.DockerOCIImage
	// BaseImage is the config of the image the target is built on, if any
	// (for provenance and rebasing).
	BaseImage *dockerspec.DockerOCIImage
	// Stage is the target stage.
	Stage *spec.Stage
	// Steps are the steps of the target's chain that changed the
	// filesystem, in order: what this build adds to the image.
	Steps []Step
	// History says, for each entry of Image.History, the step that wrote
	// it (the zero HistorySource for the base image's entries).
	History []HistorySource
	// Secrets are the secrets mounted by any lowered stage, each id once.
	Secrets []SecretUse
	// SSH are the required ssh agents forwarded by any lowered stage,
	// each id once.
	SSH []SSHUse
}

// Error is a lowering failure that belongs to a place in the build file,
// so the frontend can attach the source (errdefs.WithSource).
type Error struct {
	Range spec.Range
	Err   error
}

func (e *Error) Error() string { return e.Range.String() + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
