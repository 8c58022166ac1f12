package frontend

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/attestations/sbom"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/result"
	"github.com/moby/buildkit/util/apicaps"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// Build is the frontend: it reads the build file, answers a subrequest or
// builds the target for every target platform, and returns the result in
// the form the image exporters expect (dockerui assembles it).
func Build(ctx context.Context, c client.Client) (*client.Result, error) {
	return buildWith(ctx, c, nil)
}

// buildWith is Build, reading the client's files through local when it
// is not nil (BuildLocal).
func buildWith(ctx context.Context, c client.Client, local *Local) (_ *client.Result, err error) {
	// A mount error of a wide build can be 20,000 lines: keep its ends.
	defer func() { err = capError(err) }()
	in, err := read(ctx, c, local)
	if err != nil {
		return nil, err
	}
	f, diags := grammar.Load(in.filename, in.src.Data, in.syntax)

	if res, ok, err := subrequest(ctx, in, f, diags); err != nil || ok {
		return res, err
	}

	warn(ctx, in.src.Warn, diags)
	if err := diagnosticsError(diags, in.info()); err != nil {
		return nil, err
	}
	return build(ctx, c, in, f)
}

// keyNoCache is --no-cache ("") or --no-cache-filter (stage names). The
// lowering has no per-stage cache control yet, so a filter, too, ignores
// the cache for the whole build: slower than asked, never stale.
const keyNoCache = "no-cache"

// builder builds one checked file for every target platform.
type builder struct {
	c             client.Client
	in            *input
	f             *spec.File
	epoch         *time.Time
	buildPlatform ocispecs.Platform
	caps          apicaps.CapSet
	noCache       bool
	noTool        error // why there is no tool, when b.tool is nil
	noResult      bool  // the client exports nothing: return no filesystem (noresult.go)
	resolveMode   string
	scanner       sbom.Scanner // nil: no SBOM asked for
	scanTargets   sync.Map     // export platform id → llb.State to scan
	leaks         *leakCheck   // nil: leak verification is off (verify.go)
	tools         toolLocator  // the tool image, found once for rotation and verification

	// pins are Securefile.lock's image digests; nil without a lock.
	pins func(string, ocispecs.Platform) digest.Digest

	// Secret rotation (rotate.go): the tool for the digest steps, at
	// toolPath, nil when no secret rotates; Securefile.lock's salt; the
	// build's nonce.
	tool     *llb.State
	toolPath string
	salt     []byte
	nonce    string
}

func build(ctx context.Context, c client.Client, in *input, f *spec.File) (*client.Result, error) {
	bc := in.bc
	if _, err := targetStage(f, bc.Target); err != nil {
		return nil, err
	}
	if err := secretOptions(f, bc.BuildOpts().Opts); err != nil {
		return nil, err
	}
	epoch, err := sourceDateEpoch(ctx, bc)
	if err != nil {
		return nil, err
	}
	if err := applyFilePlatforms(bc, f); err != nil {
		return nil, err
	}
	pins, err := applyLock(ctx, in, f, bc.ImageResolveMode.String())
	if err != nil {
		return nil, err
	}
	_, noCache := bc.BuildOpts().Opts[keyNoCache]
	discard, err := noResult(bc.BuildOpts().Opts)
	if err != nil {
		return nil, err
	}
	b := &builder{
		c:             c,
		in:            in,
		f:             f,
		epoch:         epoch,
		buildPlatform: bc.BuildPlatforms[0],
		caps:          bc.BuildOpts().LLBCaps,
		noCache:       noCache,
		noResult:      discard,
		resolveMode:   bc.ImageResolveMode.String(),
		pins:          pins,
	}
	if in.lock != nil {
		b.salt = in.lock.Salt
	}
	// The shared tool's check runs beside the lowering; whatever ends the
	// build, it does not outlive it.
	defer b.tools.ready()
	if err := b.rotation(ctx, c); err != nil {
		return nil, err
	}
	if b.leaks, err = newLeakCheck(ctx, b, bc); err != nil {
		return nil, err
	}
	// An SBOM is attached to the result; a build that returns none has
	// nothing to attach it to.
	if !b.noResult {
		if b.scanner, err = sbomScanner(ctx, c, bc, b.resolveMode); err != nil {
			return nil, err
		}
	}
	rb, err := bc.Build(ctx, b.platform)
	if err != nil {
		return nil, err
	}
	if err := b.attachSBOMs(ctx, rb); err != nil {
		return nil, err
	}
	res, err := rb.Finalize()
	if err == nil && b.leaks == nil {
		// Also in the exporter response (buildctl --metadata-file, any
		// client without a progress display), where no display can lose
		// it: BuildKit passes on result metadata under "frontend.".
		res.AddMeta(MetaVerifyOff, []byte("false"))
	}
	return res, err
}

// MetaVerifyOff is the exporter response key that says, with the value
// "false", that the build's leaks were not verified.
const MetaVerifyOff = "frontend.securefile.verify"

// platform lowers and solves the target for one platform (nil: none was
// asked for, so the worker's, as in a Dockerfile build).
func (b *builder) platform(ctx context.Context, p *ocispecs.Platform, _ int) (*dockerui.BuildResult, error) {
	bc := b.in.bc
	target := b.buildPlatform
	if p != nil {
		target = *p
	}
	res, err := lower.Lower(ctx, b.f, lower.Options{
		Target:         bc.Target,
		TargetPlatform: target,
		BuildPlatform:  b.buildPlatform,
		BuildArgs:      maps.Clone(bc.BuildArgs),
		MainContext:    b.in.mainContext,
		NamedContext: func(ctx context.Context, name string, p ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error) {
			return namedContext(ctx, bc, name, p, b.resolveMode)
		},
		MetaResolver:     b.c,
		Pins:             b.pins,
		SourceMap:        b.in.src.SourceMap, // one per file, shared by all platforms
		Epoch:            b.epoch,
		ImageResolveMode: bc.ImageResolveMode,
		MultiPlatform:    bc.MultiPlatformRequested,
		LLBCaps:          &b.caps,
		SecretDigests:    true,
		ToolState:        b.tool,
		ToolPath:         b.toolPath,
		NoTool:           b.noTool,
		RotationSalt:     b.salt,
		RotationNonce:    b.nonce,
		// A verified build reuses the verdict of a scan of the same chain
		// with the same values (verify.go). A build that can leave BuildKit
		// with another result under a cache key a verdict was made for
		// renews the daemon's verdict epoch, so that no earlier verdict is
		// matched again (internal/rotate/verdict.go) — verified or not: a
		// --no-verify --no-cache build re-runs the steps that mount secrets
		// under their keys as much as a verified one does.
		VerdictKeys:       true,
		RenewVerdictEpoch: b.noCache || len(bc.CacheImports) > 0,
	})
	if err != nil {
		return nil, lowerError(err, b.in.info())
	}
	img := res.Image
	if img == nil {
		img = &dockerspec.DockerOCIImage{}
		img.Platform = target
	}
	addLabels(img, bc.Labels)
	// A verified build exports its layers merged, the same vertices the
	// scan reads (layers.go); one that returns no result exports nothing,
	// and its scan reads the same diffs unmerged.
	state := res.State
	var lay *layers
	if b.leaks.active(res) {
		lay = chainLayers(res)
	}
	scan, err := b.leaks.plan(ctx, res, img, lay)
	if err != nil {
		return nil, err
	}
	if b.noResult {
		lay = nil // nothing exported, so no merge for the scan to match
	}
	if lay != nil {
		state = lay.export()
	}
	// Nothing that runs the tool is solved before its check has passed.
	if err := b.tools.ready(); err != nil {
		return nil, err
	}
	if err := b.requiredFirst(ctx, res, target); err != nil {
		return nil, err
	}
	def, err := b.marshal(ctx, state, llb.Platform(target))
	if err != nil {
		return nil, fmt.Errorf("failed to marshal LLB definition for %s: %w", platforms.Format(target), err)
	}
	if scan != nil {
		if err := scan.marshal(ctx, b, lay, def, llb.Platform(target)); err != nil {
			return nil, err
		}
	}
	// Evaluated here, with the cache imports: the scan's solve then finds
	// every vertex already loaded (layers.go).
	r, err := b.c.Solve(ctx, client.SolveRequest{
		Definition:   def.ToPB(),
		CacheImports: bc.CacheImports,
		// A build with secrets or agents is evaluated here too, so that a
		// missing one is reported at its declaration (missing.go); one that
		// returns no result is evaluated here or never.
		Evaluate: b.noResult || lay != nil || len(res.Secrets) > 0 || len(res.SSH) > 0,
	})
	if err != nil {
		return nil, b.missingSSH(b.missingSecret(err, res), res)
	}
	ref, err := r.SingleRef()
	if err != nil {
		return nil, err
	}
	if b.scanner != nil {
		b.scanTargets.Store(exportID(p), state)
	}
	if err := b.leaks.check(ctx, res, scan); err != nil {
		return nil, b.missingSecret(err, res)
	}
	if b.noResult {
		ref = nil
	}
	return &dockerui.BuildResult{
		Reference: ref,
		Image:     img,
		BaseImage: res.BaseImage,
		Epoch:     b.epoch,
	}, nil
}

// attachSBOMs scans each platform's result and attaches the SBOM, as the
// Dockerfile frontend does (the whole target filesystem is the core).
func (b *builder) attachSBOMs(ctx context.Context, rb *dockerui.ResultBuilder) error {
	if b.scanner == nil {
		return nil
	}
	return rb.EachPlatform(ctx, func(ctx context.Context, id string, _ ocispecs.Platform) error {
		st, ok := b.scanTargets.Load(id)
		if !ok {
			return fmt.Errorf("no sbom scan target for %s", id)
		}
		att, err := b.scanner(ctx, id, st.(llb.State), nil)
		if err != nil {
			return err
		}
		solved, err := result.ConvertAttestation(&att, func(st *llb.State) (client.Reference, error) {
			def, err := b.marshal(ctx, *st)
			if err != nil {
				return nil, err
			}
			r, err := b.c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
			if err != nil {
				return nil, err
			}
			return r.Ref, nil
		})
		if err != nil {
			return err
		}
		rb.AddAttestation(id, *solved)
		return nil
	})
}

// sbomScanner is the scanner the client asked for, or nil. It runs on the
// build platform.
func sbomScanner(ctx context.Context, c client.Client, bc *dockerui.Client, resolveMode string) (sbom.Scanner, error) {
	if bc.SBOM == nil {
		return nil, nil
	}
	p := bc.BuildPlatforms[0]
	return sbom.CreateSBOMScanner(ctx, c, bc.SBOM.Generator, p, sourceresolver.Opt{
		ImageOpt: &sourceresolver.ResolveImageOpt{ResolveMode: resolveMode, Platform: &p},
	}, bc.SBOM.Parameters)
}

// exportID is the id dockerui's result builder gives a platform's result
// (nil: the frontend's own platform).
func exportID(p *ocispecs.Platform) string {
	pp := platforms.DefaultSpec()
	if p != nil {
		pp = *p
	}
	return platforms.FormatAll(platforms.Normalize(pp))
}

// namedContext is the client's context of that name (--build-context), or
// nil state and nil error when it gave none. A name that cannot be a
// context name (BuildKit's are image-reference names, lowercase) has none.
func namedContext(ctx context.Context, bc *dockerui.Client, name string, p ocispecs.Platform, resolveMode string) (*llb.State, *dockerspec.DockerOCIImage, error) {
	nc, err := bc.NamedContext(name, dockerui.ContextOpt{Platform: &p, ResolveMode: resolveMode})
	if err != nil || nc == nil {
		return nil, nil, nil //nolint:nilerr // an invalid context name just means no context
	}
	return nc.Load(ctx)
}

// addLabels adds the client's --label labels to the image config, as the
// Dockerfile frontend does; they win over the file's.
func addLabels(img *dockerspec.DockerOCIImage, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	if img.Config.Labels == nil {
		img.Config.Labels = map[string]string{}
	}
	maps.Copy(img.Config.Labels, labels)
}
