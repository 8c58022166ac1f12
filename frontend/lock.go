package frontend

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/internal/lock"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// lockHint ends every lock problem: the lock is generated, never edited.
const lockHint = `run "securefile lock" to update the lock`

// lockUses is what the file fetches on the platforms being built, each
// source once, at its first use.
type lockUses struct {
	images []lower.Use // tagged, no digest, not replaced by a named context
	http   []lower.Use // by URL
	git    []lower.Use // without a commit in the file, by URL and ref
	// replaced are the images a named context stands in for in this
	// build: their lock entries are not stale, only not used this time.
	replaced map[string]bool
}

// buildPlatforms are the platforms a build makes: the client's or the
// file's, else the worker's (as in build).
func buildPlatforms(bc *dockerui.Client) []ocispecs.Platform {
	if len(bc.TargetPlatforms) > 0 {
		return bc.TargetPlatforms
	}
	return []ocispecs.Platform{bc.BuildPlatforms[0]}
}

func collectUses(bc *dockerui.Client, f *spec.File, resolveMode string) (*lockUses, error) {
	return collectUsesWith(bc, f, resolveMode, bc.BuildArgs)
}

// collectUsesWith is collectUses with other build args than the
// client's (argEffects compares).
func collectUsesWith(bc *dockerui.Client, f *spec.File, resolveMode string, buildArgs map[string]string) (*lockUses, error) {
	u := &lockUses{replaced: map[string]bool{}}
	seen := map[string]bool{}
	for _, p := range buildPlatforms(bc) {
		uses, err := lower.Uses(f, lower.Options{
			TargetPlatform: p,
			BuildPlatform:  bc.BuildPlatforms[0],
			BuildArgs:      maps.Clone(buildArgs),
		})
		if err != nil {
			return nil, err
		}
		for _, use := range uses {
			switch use.Kind {
			case lower.UseImage:
				if use.Digested {
					continue
				}
				if hasNamedContext(bc, use.Name, use.Platform, resolveMode) {
					u.replaced[use.Ref] = true
					continue
				}
			case lower.UseGit:
				if use.Commit != "" {
					continue // the file pins it
				}
			}
			key := useKey(use)
			if use.Kind == lower.UseImage {
				key += " " + platforms.FormatAll(use.Platform)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			switch use.Kind {
			case lower.UseImage:
				u.images = append(u.images, use)
			case lower.UseHTTP:
				u.http = append(u.http, use)
			case lower.UseGit:
				u.git = append(u.git, use)
			}
		}
	}
	return u, nil
}

// useKey names what a use fetches, whatever the platform: the key of
// its lock entry.
func useKey(use lower.Use) string {
	switch use.Kind {
	case lower.UseImage:
		return "image " + use.Ref
	case lower.UseHTTP:
		return "http " + use.URL
	}
	return "git " + use.URL + "#" + use.GitRef
}

// keys are the useKeys of everything u fetches.
func (u *lockUses) keys() map[string]bool {
	out := map[string]bool{}
	for _, group := range [][]lower.Use{u.images, u.http, u.git} {
		for _, use := range group {
			out[useKey(use)] = true
		}
	}
	return out
}

// hasNamedContext reports whether the client replaces the image with a
// named context (--build-context NAME=…), which the lock then leaves out.
func hasNamedContext(bc *dockerui.Client, name string, p ocispecs.Platform, resolveMode string) bool {
	nc, err := bc.NamedContext(name, dockerui.ContextOpt{Platform: &p, ResolveMode: resolveMode})
	return err == nil && nc != nil
}

// problems collects lock problems, each with its place (in the build file
// or in the lock), to be reported together.
type problems struct {
	list []string
	// first is the first problem's place in the build file, whose lines
	// clients print under the error.
	first spec.Range
}

func (ps *problems) add(r spec.Range, format string, args ...any) {
	if ps.first.IsZero() && r.Filename != "" && !strings.HasSuffix(r.Filename, lock.FileName) {
		ps.first = r
	}
	ps.list = append(ps.list, r.String()+": "+fmt.Sprintf(format, args...))
}

func (ps *problems) err(in *input) error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.Strings(ps.list)
	msg := fmt.Sprintf("frozen lock: %d problem(s):\n%s", len(ps.list), strings.Join(ps.list, "\n"))
	if ps.first.IsZero() {
		return errors.New(msg)
	}
	return withSource(errors.New(msg), in.info(), ps.first)
}

// applyLock makes the build use the lock, if there is one: it returns the
// image pins for the lowering and sets the commit of every git add step
// the file leaves unpinned. Where the file states its own checksum or
// commit, the file wins. In frozen mode it first fails, with every
// problem, when anything is unpinned, when the lock has entries the file
// no longer uses, when the file disagrees with the lock, or when an image
// tag now resolves to another digest than the lock records.
func applyLock(ctx context.Context, in *input, f *spec.File, resolveMode string) (func(string, ocispecs.Platform) digest.Digest, error) {
	bc := in.bc
	frozen, err := lockFrozenMode(bc.BuildOpts().Opts)
	if err != nil {
		return nil, err
	}
	lf := in.lock
	if lf == nil {
		if frozen {
			return nil, fmt.Errorf("frozen lock: there is no %s next to %s; run \"securefile lock\" to create it", lock.FileName, in.filename)
		}
		return nil, nil
	}
	u, err := collectUses(bc, f, resolveMode)
	if err != nil {
		return nil, lowerError(err, in.info())
	}
	if frozen {
		if err := checkFrozen(ctx, in, u, func() *argEffects { return newArgEffects(bc, f, resolveMode) }); err != nil {
			return nil, err
		}
	}
	commits := map[*spec.Add]map[string]bool{}
	for _, g := range u.git {
		if e := lf.GitEntry(g.URL, g.GitRef); e != nil {
			if commits[g.Add] == nil {
				commits[g.Add] = map[string]bool{}
			}
			commits[g.Add][e.Commit] = true
		}
	}
	for a, cs := range commits {
		// An add step whose URL or ref interpolates to different values
		// per platform has no single commit; it keeps following its ref.
		if len(cs) == 1 {
			for c := range cs {
				a.Commit = spec.At(c, a.Range)
			}
		}
	}
	return func(ref string, p ocispecs.Platform) digest.Digest {
		return lf.ImageDigest(ref, platforms.FormatAll(p))
	}, nil
}

// checkFrozen reports every way the build differs from the lock. A
// difference that the client's build args make, not the file, says so
// and how to lock for them; effects computes them, once, when needed.
// The checks run in a fixed order (images, downloads, git refs, then the
// lock's stale entries): the first problem in the build file is the one
// the error points at.
func checkFrozen(ctx context.Context, in *input, u *lockUses, effects func() *argEffects) error {
	fc := &frozenCheck{lf: in.lock, effects: sync.OnceValue(effects)}
	usedImages := fc.images(ctx, in.gw, u.images)
	usedHTTP := fc.downloads(u.http)
	usedGit := fc.gitRefs(ctx, in.gw, u.git)
	fc.staleEntries(usedImages, usedHTTP, usedGit, u.replaced)
	return fc.ps.err(in)
}

// frozenCheck collects the problems of a frozen build.
type frozenCheck struct {
	lf      *lock.File
	ps      problems
	effects func() *argEffects
}

// unpinned ends the problem of a use that is not in the lock.
func (fc *frozenCheck) unpinned(use lower.Use) string {
	args := fc.effects().introducing(useKey(use))
	if len(args) == 0 {
		return lockHint
	}
	what, relock := fc.effects().describe(args)
	return fmt.Sprintf("%s names it, not the file's defaults the lock was made for; relock with %s, or drop %s", what, relock, plural(args, "the build arg", "the build args"))
}

// stale reports a lock entry the build does not use: replaced by build
// args, or no longer in the file.
func (fc *frozenCheck) stale(r spec.Range, key, what, noLonger string) {
	args := fc.effects().replacing(key)
	if len(args) == 0 {
		fc.ps.add(r, "%s is locked but %s; %s", what, noLonger, lockHint)
		return
	}
	by, relock := fc.effects().describe(args)
	fc.ps.add(r, "%s replaces the locked %s, which the file's defaults use; relock with %s, or drop %s", by, what, relock, plural(args, "the build arg", "the build args"))
}

// images reports the images that are not pinned, or whose tag now
// resolves to another digest (resolved in parallel), and returns the refs
// the build uses.
func (fc *frozenCheck) images(ctx context.Context, gw client.Client, uses []lower.Use) map[string]bool {
	used := map[string]bool{}
	type drift struct {
		use    lower.Use
		locked digest.Digest
		now    digest.Digest
		err    error
	}
	var drifts []*drift
	for _, use := range uses {
		used[use.Ref] = true
		plat := platforms.FormatAll(use.Platform)
		d := fc.lf.ImageDigest(use.Ref, plat)
		if d == "" {
			fc.ps.add(use.Range, "image %q for %s is not pinned in %s; %s", use.Ref, plat, lock.FileName, fc.unpinned(use))
			continue
		}
		drifts = append(drifts, &drift{use: use, locked: d})
	}
	var eg errgroup.Group
	for _, d := range drifts {
		eg.Go(func() error {
			_, d.now, d.err = resolveImagePin(ctx, gw, d.use.Ref, d.use.Platform)
			return nil
		})
	}
	_ = eg.Wait()
	for _, d := range drifts {
		plat := platforms.FormatAll(d.use.Platform)
		switch {
		case d.err != nil:
			fc.ps.add(d.use.Range, "image %q for %s: cannot check it against the lock: %v", d.use.Ref, plat, d.err)
		case d.now != d.locked:
			fc.ps.add(d.use.Range, "image %q for %s has drifted: %s pins %s, the tag now resolves to %s; %s",
				d.use.Ref, plat, lock.FileName, d.locked, d.now, lockHint)
		}
	}
	return used
}

// downloads reports the downloads that are not pinned or whose checksum
// in the file differs from the lock's, and returns the URLs the build
// uses.
func (fc *frozenCheck) downloads(uses []lower.Use) map[string]bool {
	used := map[string]bool{}
	for _, use := range uses {
		used[use.URL] = true
		e := fc.lf.HTTPEntry(use.URL)
		switch {
		case e == nil:
			fc.ps.add(use.Range, "download %q is not pinned in %s; %s", use.URL, lock.FileName, fc.unpinned(use))
		case use.Checksum != "" && digest.Digest(use.Checksum) != e.Checksum:
			fc.ps.add(use.Range, "download %q: the build file says checksum %s, %s pins %s (the build file wins); %s",
				use.URL, use.Checksum, lock.FileName, e.Checksum, lockHint)
		}
	}
	return used
}

// gitRefs reports the git refs that are not pinned, or that moved since
// the lock, and returns the URL#ref of each the build uses. A branch or
// tag that moved is drift, as a moved image tag is: the build would still
// use the locked commit, but a frozen build must say the lock no longer
// describes the repository.
func (fc *frozenCheck) gitRefs(ctx context.Context, gw client.Client, uses []lower.Use) map[string]bool {
	used := map[string]bool{}
	type gitDrift struct {
		use    lower.Use
		locked string
		now    string
		err    error
	}
	var drifts []*gitDrift
	for _, use := range uses {
		used[use.URL+"#"+use.GitRef] = true
		e := fc.lf.GitEntry(use.URL, use.GitRef)
		if e == nil {
			fc.ps.add(use.Range, "git %q ref %q is not pinned to a commit in %s; %s", use.URL, use.GitRef, lock.FileName, fc.unpinned(use))
			continue
		}
		drifts = append(drifts, &gitDrift{use: use, locked: e.Commit})
	}
	var eg errgroup.Group
	for _, d := range drifts {
		eg.Go(func() error {
			d.now, d.err = resolveGitPin(ctx, gw, d.use)
			return nil
		})
	}
	_ = eg.Wait()
	for _, d := range drifts {
		switch {
		case d.err != nil:
			fc.ps.add(d.use.Range, "git %q ref %q: cannot check it against the lock: %v", d.use.URL, d.use.GitRef, d.err)
		case d.now != d.locked:
			fc.ps.add(d.use.Range, "git %q ref %q has drifted: %s pins commit %s, the ref now points at %s; %s",
				d.use.URL, d.use.GitRef, lock.FileName, d.locked, d.now, lockHint)
		}
	}
	return used
}

// staleEntries reports the lock's entries the build does not use; an
// image a named context replaces in this build is not stale.
func (fc *frozenCheck) staleEntries(usedImages, usedHTTP, usedGit, replaced map[string]bool) {
	for _, im := range fc.lf.Images {
		if !usedImages[im.Ref] && !replaced[im.Ref] {
			fc.stale(im.Range, "image "+im.Ref, fmt.Sprintf("image %q", im.Ref), "the build file no longer uses it")
		}
	}
	for _, h := range fc.lf.HTTP {
		if !usedHTTP[h.URL] {
			fc.stale(h.Range, "http "+h.URL, fmt.Sprintf("download %q", h.URL), "the build file no longer uses it")
		}
	}
	for _, g := range fc.lf.Git {
		if !usedGit[g.URL+"#"+g.Ref] {
			fc.stale(g.Range, "git "+g.URL+"#"+g.Ref, fmt.Sprintf("git %q ref %q", g.URL, g.Ref), "the build file no longer uses it (or now names a commit)")
		}
	}
}

// lockResolveMode always asks the registry: a lock records, and a frozen
// build compares with, what the tag points at now, not what a worker
// happens to have.
var lockResolveMode = llb.ResolveModeForcePull.String()

// resolveImagePin asks BuildKit what ref points at for p: the digest a
// build pins, the index's for a multi-platform image (BuildKit then picks
// p's manifest from that immutable index), the manifest's for a
// single-platform one. Both results are that digest.
//
// It does not ask for the attestation chain, which would name p's own
// manifest: BuildKit v0.34.2 dereferences a nil chain for any image that
// is not an OCI index (a single manifest, a Docker manifest list) and the
// daemon crashes (source/containerimage/source.go, ResolveImageMetadata).
func resolveImagePin(ctx context.Context, c client.Client, ref string, p ocispecs.Platform) (index, manifest digest.Digest, err error) {
	res, err := c.ResolveSourceMetadata(ctx, &pb.SourceOp{Identifier: "docker-image://" + ref}, sourceresolver.Opt{
		LogName: "[internal] resolve " + ref + " for " + platforms.FormatAll(p),
		ImageOpt: &sourceresolver.ResolveImageOpt{
			Platform:    &p,
			ResolveMode: lockResolveMode,
		},
	})
	if err != nil {
		return "", "", err
	}
	if res.Image == nil || res.Image.Digest == "" {
		return "", "", fmt.Errorf("BuildKit returned no digest for %s", ref)
	}
	return res.Image.Digest, res.Image.Digest, nil
}
