package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"sync"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// fakeClient is a gateway client without a daemon: every solve returns a
// reference to the same files (the dockerfile and context locals alike),
// images resolve to an empty config, and warnings are recorded.
type fakeClient struct {
	opts  client.BuildOpts
	files map[string]string
	// gitCommit is what every git ref resolves to; "" resolves none.
	gitCommit string

	mu       sync.Mutex
	warnings []fakeWarning
	solves   []*pb.Definition
	// evaluated[i] is solves[i]'s Evaluate.
	evaluated []bool
}

type fakeWarning struct {
	dgst digest.Digest // the vertex it is on
	msg  string
	opts client.WarnOpts
}

var _ client.Client = (*fakeClient)(nil)

func newFakeClient(files map[string]string, opts map[string]string) *fakeClient {
	if opts == nil {
		opts = map[string]string{}
	}
	return &fakeClient{
		files: files,
		opts: client.BuildOpts{
			Opts:      maps.Clone(opts),
			SessionID: "test-session",
			Workers:   []client.WorkerInfo{{ID: "w0", Platforms: []ocispecs.Platform{linuxAMD64}}},
			Product:   "test",
			LLBCaps:   pb.Caps.CapSet(pb.Caps.All()),
			Caps:      gwpb.Caps.CapSet(gwpb.Caps.All()),
		},
	}
}

func (c *fakeClient) BuildOpts() client.BuildOpts { return c.opts }

func (c *fakeClient) Solve(ctx context.Context, req client.SolveRequest) (*client.Result, error) {
	c.mu.Lock()
	c.solves = append(c.solves, req.Definition)
	c.evaluated = append(c.evaluated, req.Evaluate)
	c.mu.Unlock()
	res := client.NewResult()
	res.SetRef(&fakeRef{files: c.files})
	return res, nil
}

func (c *fakeClient) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg, dgst, err := fakeImageConfig(opt.ImageOpt)
	return ref, dgst, cfg, err
}

func (c *fakeClient) ResolveSourceMetadata(ctx context.Context, op *pb.SourceOp, opt sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	res := &sourceresolver.MetaResponse{Op: op}
	if strings.HasPrefix(op.Identifier, "docker-image://") {
		cfg, dgst, err := fakeImageConfig(opt.ImageOpt)
		if err != nil {
			return nil, err
		}
		res.Image = &sourceresolver.ResolveImageResponse{Digest: dgst, Config: cfg}
	}
	if strings.HasPrefix(op.Identifier, "git://") && c.gitCommit != "" {
		res.Git = &sourceresolver.ResolveGitResponse{Checksum: c.gitCommit, CommitChecksum: c.gitCommit}
	}
	return res, nil
}

func fakeImageConfig(opt *sourceresolver.ResolveImageOpt) ([]byte, digest.Digest, error) {
	p := linuxAMD64
	if opt != nil && opt.Platform != nil {
		p = *opt.Platform
	}
	cfg, err := json.Marshal(ocispecs.Image{
		Platform: p,
		Config:   ocispecs.ImageConfig{Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"/bin/sh"}},
		// One layer: an image without any is taken for scratch.
		RootFS: ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString("layer")}},
	})
	return cfg, digest.FromBytes(cfg), err
}

func (c *fakeClient) Inputs(ctx context.Context) (map[string]llb.State, error) {
	return map[string]llb.State{}, nil
}

func (c *fakeClient) NewContainer(ctx context.Context, req client.NewContainerRequest) (client.Container, error) {
	return nil, errors.New("fakeClient: no containers")
}

func (c *fakeClient) Warn(ctx context.Context, dgst digest.Digest, msg string, opts client.WarnOpts) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.warnings = append(c.warnings, fakeWarning{dgst: dgst, msg: msg, opts: opts})
	return nil
}

type fakeRef struct{ files map[string]string }

func (r *fakeRef) ToState() (llb.State, error)        { return llb.Scratch(), nil }
func (r *fakeRef) Evaluate(ctx context.Context) error { return nil }

func (r *fakeRef) ReadFile(ctx context.Context, req client.ReadRequest) ([]byte, error) {
	dt, ok := r.files[strings.TrimPrefix(req.Filename, "/")]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", req.Filename, fs.ErrNotExist)
	}
	b := []byte(dt)
	if req.Range != nil {
		b = b[min(req.Range.Offset, len(b)):]
		if req.Range.Length > 0 && req.Range.Length < len(b) {
			b = b[:req.Range.Length]
		}
	}
	return b, nil
}

func (r *fakeRef) StatFile(ctx context.Context, req client.StatRequest) (*fstypes.Stat, error) {
	dt, ok := r.files[strings.TrimPrefix(req.Path, "/")]
	if !ok {
		return nil, fmt.Errorf("stat %s: %w", req.Path, fs.ErrNotExist)
	}
	return &fstypes.Stat{Path: req.Path, Size: int64(len(dt)), Mode: 0o644}, nil
}

func (r *fakeRef) ReadDir(ctx context.Context, req client.ReadDirRequest) ([]*fstypes.Stat, error) {
	return nil, nil
}
