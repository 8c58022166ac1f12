package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/gitutil"
	digest "github.com/opencontainers/go-digest"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/internal/lock"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// LockRequest is the subrequest that answers with Securefile.lock for the
// build file (buildctl --opt requestid=frontend.securefile.lock). The
// answer's result.txt is the lock file's text; writing it is the
// client's business (securefile lock does).
const LockRequest = "frontend.securefile.lock"

// lockOf resolves, through BuildKit, everything the file fetches on the
// platforms it builds for, and returns the lock: every image per platform
// to its manifest digest, every download to its checksum, every git ref
// the file does not pin to its commit. The salt of the existing lock is
// kept; a first lock gets a new one. Every failure is reported, each at
// its place in the build file.
func lockOf(ctx context.Context, in *input, f *spec.File) (*lock.File, error) {
	bc := in.bc
	if err := applyFilePlatforms(bc, f); err != nil {
		return nil, err
	}
	u, err := collectUses(bc, f, bc.ImageResolveMode.String())
	if err != nil {
		return nil, lowerError(err, in.info())
	}
	out, err := lock.New()
	if err != nil {
		return nil, err
	}
	if in.lock != nil {
		out.Salt = in.lock.Salt
	}

	type result struct {
		use           lower.Use
		index, pinned digest.Digest
		commit        string
		err           error
	}
	var results []*result
	for _, group := range [][]lower.Use{u.images, u.http, u.git} {
		for _, use := range group {
			results = append(results, &result{use: use})
		}
	}
	var eg errgroup.Group
	for _, r := range results {
		eg.Go(func() error {
			switch r.use.Kind {
			case lower.UseImage:
				r.index, r.pinned, r.err = resolveImagePin(ctx, in.gw, r.use.Ref, r.use.Platform)
			case lower.UseHTTP:
				r.pinned, r.err = resolveHTTPPin(ctx, in.gw, r.use.URL)
			case lower.UseGit:
				r.commit, r.err = resolveGitPin(ctx, in.gw, r.use)
			}
			return nil
		})
	}
	_ = eg.Wait()

	var ps problems
	images := map[string]*lock.Image{}
	for _, r := range results {
		use := r.use
		if r.err != nil {
			ps.add(use.Range, "cannot lock %s: %v", describeUse(use), r.err)
			continue
		}
		switch use.Kind {
		case lower.UseImage:
			im := images[use.Ref]
			if im == nil {
				im = &lock.Image{Ref: use.Ref, Index: r.index, Platforms: map[string]digest.Digest{}}
				images[use.Ref] = im
				out.Images = append(out.Images, im)
			} else if im.Index != r.index {
				ps.add(use.Range, "image %q moved while it was being locked (%s, then %s); run securefile lock again", use.Ref, im.Index, r.index)
			}
			im.Platforms[platforms.FormatAll(use.Platform)] = r.pinned
		case lower.UseHTTP:
			if use.Checksum != "" && digest.Digest(use.Checksum) != r.pinned {
				ps.add(use.Range, "download %q: the server now serves %s but the build file says checksum %s; update the checksum if the new file is the one you want",
					use.URL, r.pinned, use.Checksum)
				continue
			}
			out.HTTP = append(out.HTTP, &lock.HTTP{URL: use.URL, Checksum: r.pinned})
		case lower.UseGit:
			out.Git = append(out.Git, &lock.Git{URL: use.URL, Ref: use.GitRef, Commit: r.commit})
		}
	}
	if len(ps.list) > 0 {
		err := ps.err(in)
		return nil, fmt.Errorf("%s", strings.Replace(err.Error(), "frozen lock: ", "lock: ", 1))
	}
	out.Sort()
	return out, nil
}

func describeUse(u lower.Use) string {
	switch u.Kind {
	case lower.UseImage:
		return fmt.Sprintf("image %q for %s", u.Ref, platforms.FormatAll(u.Platform))
	case lower.UseHTTP:
		return fmt.Sprintf("download %q", u.URL)
	}
	if u.GitRef == "" {
		return fmt.Sprintf("git %q (default branch)", u.URL)
	}
	return fmt.Sprintf("git %q ref %q", u.URL, u.GitRef)
}

// lockResult is the subrequest's answer: the lock file's text, and the
// same lock as JSON for programs.
func lockResult(lf *lock.File) (*client.Result, error) {
	type image struct {
		Ref       string                   `json:"ref"`
		Index     digest.Digest            `json:"index"`
		Platforms map[string]digest.Digest `json:"platforms"`
	}
	js := struct {
		Version int          `json:"version"`
		Images  []image      `json:"images,omitempty"`
		HTTP    []*lock.HTTP `json:"http,omitempty"`
		Git     []*lock.Git  `json:"git,omitempty"`
	}{Version: lock.Version, HTTP: lf.HTTP, Git: lf.Git}
	for _, im := range lf.Images {
		js.Images = append(js.Images, image{Ref: im.Ref, Index: im.Index, Platforms: im.Platforms})
	}
	dt, err := json.MarshalIndent(js, "", "  ")
	if err != nil {
		return nil, err
	}
	res := client.NewResult()
	res.AddMeta("result.json", dt)
	res.AddMeta("result.txt", lock.Marshal(lf))
	res.AddMeta("version", []byte("1"))
	return res, nil
}

// resolveHTTPPin asks BuildKit to fetch url and returns the digest of what
// it got.
func resolveHTTPPin(ctx context.Context, c client.Client, url string) (digest.Digest, error) {
	res, err := c.ResolveSourceMetadata(ctx, &pb.SourceOp{Identifier: url}, sourceresolver.Opt{
		LogName: "[internal] resolve " + url,
		HTTPOpt: &sourceresolver.ResolveHTTPOpt{},
	})
	if err != nil {
		return "", err
	}
	if res.HTTP == nil || res.HTTP.Digest == "" {
		return "", fmt.Errorf("BuildKit returned no checksum")
	}
	return res.HTTP.Digest, nil
}

// resolveGitPin asks BuildKit which commit the use's ref ("" for the
// default branch) of the repository is. Over ssh it checks the host keys
// the file pins and uses the agent a build would (never a keyscan), so the
// client must forward that agent (--ssh) to lock, as to build.
func resolveGitPin(ctx context.Context, c client.Client, use lower.Use) (string, error) {
	url, ref := use.URL, use.GitRef
	var opts []llb.GitOption
	if remote, err := gitutil.ParseURL(url); err == nil && remote.Scheme == gitutil.SSHProtocol {
		opts = append(opts, llb.KnownSSHHosts(use.KnownHosts))
		if use.SSHID != "" {
			opts = append(opts, llb.MountSSHSock(use.SSHID))
		}
	}
	def, err := llb.Git(url, ref, opts...).Marshal(ctx)
	if err != nil {
		return "", err
	}
	var op *pb.SourceOp
	for _, dt := range def.Def {
		var o pb.Op
		if err := o.UnmarshalVT(dt); err != nil {
			return "", err
		}
		if s := o.GetSource(); s != nil {
			op = s
		}
	}
	if op == nil {
		return "", fmt.Errorf("no git source")
	}
	res, err := c.ResolveSourceMetadata(ctx, op, sourceresolver.Opt{
		LogName: "[internal] resolve " + url,
		GitOpt:  &sourceresolver.ResolveGitOpt{},
	})
	if err != nil {
		return "", err
	}
	if res.Git == nil {
		return "", fmt.Errorf("BuildKit returned no commit")
	}
	if res.Git.CommitChecksum != "" {
		return res.Git.CommitChecksum, nil
	}
	if res.Git.Checksum == "" {
		return "", fmt.Errorf("BuildKit returned no commit")
	}
	return res.Git.Checksum, nil
}
