package lower

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/moby/buildkit/util/gitutil"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/spec"
)

// sourceKey identifies an image or named context for one platform. Every
// use of the same key shares one resolution and one LLB source op.
type sourceKey struct {
	kind     spec.SourceKind // SourceImage or SourceNamedContext
	name     string          // the reference or context name, interpolated
	platform string
}

// source is an image or a named context the reachable stages use.
type source struct {
	key      sourceKey
	platform ocispecs.Platform
	// ranges are the uses, in the order they were met; the first is
	// blamed for errors, all of them locate the source op.
	ranges []spec.Range
	// base is set when some stage is based on the source, so that its
	// image config is needed.
	base bool

	state llb.State
	// img is the config of a base (nil when it has none or none was
	// resolved).
	img *dockerspec.DockerOCIImage
	err error
}

// use records a use of an image or named context and returns it.
func (l *lowerer) use(src spec.Source, p ocispecs.Platform, fb spec.Range, base bool) (*source, error) {
	key, err := l.sourceKey(src, p, fb)
	if err != nil {
		return nil, err
	}
	s, ok := l.sources[key]
	if !ok {
		s = &source{key: key, platform: p}
		l.sources[key] = s
		l.sourceOrder = append(l.sourceOrder, s)
	}
	s.ranges = append(s.ranges, or(src.Range, fb))
	s.base = s.base || base
	return s, nil
}

func (l *lowerer) sourceKey(src spec.Source, p ocispecs.Platform, fb spec.Range) (sourceKey, error) {
	name := src.Name.V
	if src.Kind == spec.SourceImage {
		v, err := l.args.expand(src.Name, or(src.Range, fb))
		if err != nil {
			return sourceKey{}, err
		}
		name = v
	}
	return sourceKey{kind: src.Kind, name: name, platform: platforms.FormatAll(p)}, nil
}

// lookupSource returns a source collected by prepare.
func (l *lowerer) lookupSource(src spec.Source, p ocispecs.Platform, fb spec.Range) (*source, error) {
	key, err := l.sourceKey(src, p, fb)
	if err != nil {
		return nil, err
	}
	s, ok := l.sources[key]
	if !ok {
		return nil, &Error{Range: or(src.Range, fb), Err: fmt.Errorf("internal error: %s %q was not prepared", src.Kind, key.name)}
	}
	return s, nil
}

// resolve resolves every collected source concurrently. All resolutions
// run to the end, and the error reported is that of the first source in
// file order, so that a build with two bad references always reports the
// same one.
func (l *lowerer) resolve(ctx context.Context) error {
	var eg errgroup.Group
	for _, s := range l.sourceOrder {
		eg.Go(func() error {
			s.err = l.resolveSource(ctx, s)
			return nil
		})
	}
	_ = eg.Wait()
	for _, s := range l.sourceOrder {
		if s.err != nil {
			return s.err
		}
	}
	return nil
}

func (l *lowerer) resolveSource(ctx context.Context, s *source) error {
	r := s.ranges[0]
	name := s.key.name
	if s.key.kind == spec.SourceNamedContext {
		st, img, err := l.namedContext(ctx, name, s.platform)
		if err != nil {
			return &Error{Range: r, Err: fmt.Errorf("named context %q: %w", name, err)}
		}
		if st == nil {
			return &Error{Range: r, Err: fmt.Errorf("named context %q was not provided; pass --build-context %s=…", name, name)}
		}
		s.state, s.img = *st, baseConfig(img)
		return nil
	}

	if name == "scratch" {
		s.state = llb.Scratch()
		return nil
	}
	// A named context with the name of an image replaces it, as in a
	// Dockerfile build.
	st, img, err := l.namedContext(ctx, name, s.platform)
	if err != nil {
		return &Error{Range: r, Err: fmt.Errorf("named context %q: %w", name, err)}
	}
	if st != nil {
		s.state, s.img = *st, baseConfig(img)
		return nil
	}

	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return &Error{Range: r, Err: fmt.Errorf("invalid image reference %q: %w", name, err)}
	}
	ref := reference.TagNameOnly(named).String()
	if ref, err = l.pin(ref, s.platform); err != nil {
		return &Error{Range: r, Err: fmt.Errorf("image %q: %w", name, err)}
	}
	if l.opt.MetaResolver != nil {
		ref, s.img, err = l.resolveImage(ctx, ref, s.platform, s.base)
		if err != nil {
			return &Error{Range: r, Err: fmt.Errorf("resolving image %q: %w", name, err)}
		}
	}
	opts := []llb.ImageOption{
		llb.Platform(s.platform),
		l.opt.ImageResolveMode,
		llb.WithCustomName(l.platformPrefix(s.platform) + "FROM " + ref),
	}
	if loc := l.location(s.ranges...); loc != nil {
		opts = append(opts, loc)
	}
	s.state = llb.Image(ref, opts...)
	return nil
}

// pin adds the digest Options.Pins records for ref to it; a reference
// that already has a digest is kept as written.
func (l *lowerer) pin(ref string, p ocispecs.Platform) (string, error) {
	if l.opt.Pins == nil {
		return ref, nil
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", err
	}
	if _, ok := named.(reference.Digested); ok {
		return ref, nil
	}
	d := l.opt.Pins(ref, p)
	if d == "" {
		return ref, nil
	}
	pinned, err := reference.WithDigest(named, d)
	if err != nil {
		return "", fmt.Errorf("pinned digest %q: %w", d, err)
	}
	return pinned.String(), nil
}

func (l *lowerer) namedContext(ctx context.Context, name string, p ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error) {
	if l.opt.NamedContext == nil {
		return nil, nil, nil
	}
	return l.opt.NamedContext(ctx, name, p)
}

// resolveImage asks the MetaResolver for the image's digest (and, for a
// base, its config) and returns the reference pinned to that digest, so
// that the LLB names exactly the image whose config the stage inherited
// and the build does not change when the tag moves during it.
func (l *lowerer) resolveImage(ctx context.Context, ref string, p ocispecs.Platform, needConfig bool) (string, *dockerspec.DockerOCIImage, error) {
	logName := "[internal] load metadata for " + ref
	if l.opt.MultiPlatform {
		logName = "[" + platforms.FormatAll(p) + " internal] load metadata for " + ref
	}
	mr := sourceresolver.NewImageMetaResolver(l.opt.MetaResolver)
	resolved, dgst, dt, err := mr.ResolveImageConfig(ctx, ref, sourceresolver.Opt{
		LogName: logName,
		ImageOpt: &sourceresolver.ResolveImageOpt{
			Platform:    &p,
			ResolveMode: l.opt.ImageResolveMode.String(),
			NoConfig:    !needConfig,
		},
	})
	if err != nil {
		return "", nil, err
	}
	named, err := reference.ParseNormalizedNamed(resolved)
	if err != nil {
		return "", nil, fmt.Errorf("the resolver returned an invalid reference %q: %w", resolved, err)
	}
	// A digest in the reference (written in the file, or a lock's pin)
	// is what the build asked for and stays; only a tag is replaced by
	// what it resolved to.
	if _, pinned := named.(reference.Digested); dgst != "" && !pinned {
		if named, err = reference.WithDigest(named, dgst); err != nil {
			return "", nil, err
		}
	}
	var img *dockerspec.DockerOCIImage
	if needConfig && len(dt) > 0 {
		img = &dockerspec.DockerOCIImage{}
		if err := json.Unmarshal(dt, img); err != nil {
			return "", nil, fmt.Errorf("parsing the image config: %w", err)
		}
		img.Created = nil
	}
	return named.String(), img, nil
}

// baseConfig copies a config handed over by the caller, without its
// creation time, which belongs to the base and not to what is built on it.
func baseConfig(img *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	if img == nil {
		return nil
	}
	c := cloneImage(img)
	c.Created = nil
	return c
}

// rangeAlloc holds a source range and its two positions.
type rangeAlloc struct {
	r          pb.Range
	start, end pb.Position
}

// location is the source-map location of an op written at rs. Nil when
// there is no source map.
func (l *lowerer) location(rs ...spec.Range) llb.ConstraintsOpt {
	if l.opt.SourceMap == nil {
		return nil
	}
	pbr := make([]*pb.Range, 0, len(rs))
	for _, r := range rs {
		if r.IsZero() {
			continue
		}
		// One allocation per range rather than three: every op has one.
		a := &rangeAlloc{
			start: pb.Position{Line: int32(r.Start.Line), Character: int32(max(r.Start.Column-1, 0))},
			end:   pb.Position{Line: int32(r.End.Line), Character: int32(max(r.End.Column-1, 0))},
		}
		a.r.Start, a.r.End = &a.start, &a.end
		pbr = append(pbr, &a.r)
	}
	if len(pbr) == 0 {
		return nil
	}
	return l.opt.SourceMap.Location(pbr)
}

// platformPrefix starts the progress name of a source: in a build for
// several platforms "[linux/arm64] ", else "".
func (l *lowerer) platformPrefix(p ocispecs.Platform) string {
	if l.opt.MultiPlatform {
		return "[" + platforms.FormatAll(p) + "] "
	}
	return ""
}

// UseKind is what a Use fetches.
type UseKind int

const (
	// UseImage is an image from a registry.
	UseImage UseKind = iota
	// UseHTTP is a file an add step downloads.
	UseHTTP
	// UseGit is a repository an add step clones.
	UseGit
)

// Use is an image, download or repository a stage of the file fetches,
// with its values interpolated as the lowering would for the options.
type Use struct {
	Kind  UseKind
	Range spec.Range
	// Image: the reference as written (a named context of that name
	// replaces it), normalized and tagged, and whether it has a digest.
	Name     string
	Ref      string
	Digested bool
	Platform ocispecs.Platform
	// HTTP and git: the step, its URL, checksum, ref and commit.
	Add      *spec.Add
	URL      string
	Checksum string
	GitRef   string
	Commit   string
	// Git over ssh: the pinned host keys and the agent a build would use
	// (add.go), so that resolving the ref checks the same keys.
	KnownHosts string
	SSHID      string
}

// Uses lists what every stage of f fetches when built for
// opt.TargetPlatform — every stage, not only the target's, so that a lock
// covers every target. Images come first (in the order the lowering meets
// them, each reference and platform once), then add steps in file order.
// Nothing is resolved.
func Uses(f *spec.File, opt Options) ([]Use, error) {
	l, err := newLowerer(f, opt)
	if err != nil {
		return nil, err
	}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		order, err := l.reachable(s)
		if err != nil {
			return nil, err
		}
		if err := l.prepare(order); err != nil {
			return nil, err
		}
	}
	var out []Use
	for _, s := range l.sourceOrder {
		if s.key.kind != spec.SourceImage || s.key.name == "scratch" {
			continue
		}
		named, err := reference.ParseNormalizedNamed(s.key.name)
		if err != nil {
			return nil, &Error{Range: s.ranges[0], Err: fmt.Errorf("invalid image reference %q: %w", s.key.name, err)}
		}
		_, digested := named.(reference.Digested)
		out = append(out, Use{Kind: UseImage, Range: s.ranges[0], Name: s.key.name,
			Ref: reference.TagNameOnly(named).String(), Digested: digested, Platform: s.platform})
	}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			a, ok := st.(*spec.Add)
			if !ok || a == nil {
				continue
			}
			u := Use{Kind: UseHTTP, Range: or(a.URL.Range, a.Range), Add: a}
			if a.Kind == spec.AddGit {
				u.Kind = UseGit
			}
			for _, v := range []struct {
				dst *string
				src spec.Value[string]
			}{{&u.URL, a.URL}, {&u.Checksum, a.Checksum}, {&u.GitRef, a.Ref}, {&u.Commit, a.Commit}} {
				if *v.dst, err = l.expandOr(v.src, "", a.Range); err != nil {
					return nil, err
				}
			}
			if u.Kind == UseGit {
				if remote, err := gitutil.ParseURL(u.URL); err == nil && remote.Scheme == gitutil.SSHProtocol {
					u.KnownHosts, u.SSHID = l.gitSSH(remote.Host)
				}
			}
			out = append(out, u)
		}
	}
	return out, nil
}
