package lower

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

var (
	amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
)

// load parses and checks an inline Securefile; warnings are fine, errors
// fail the test.
func load(t testing.TB, src string) *spec.File {
	t.Helper()
	f, diags := grammar.Load("Securefile", []byte(src), grammar.DSL)
	if diags.HasErrors() {
		t.Fatalf("Securefile does not load:\n%s", diags.Errors())
	}
	return f
}

// opts are the options most tests use: an arm64 build on amd64 with a
// fixed local.unique, so that marshalled output is comparable.
func opts() Options {
	return Options{
		TargetPlatform: arm64,
		BuildPlatform:  amd64,
		MainContext: func(_ context.Context, o ...llb.LocalOption) (*llb.State, error) {
			st := llb.Local("context", append(o, llb.SessionID("sess"))...)
			return &st, nil
		},
	}
}

func lower(t testing.TB, src string, o Options) *Result {
	t.Helper()
	res, err := Lower(context.Background(), load(t, src), o)
	if err != nil {
		t.Fatalf("Lower: %v", err)
	}
	return res
}

// graph is a marshalled definition, decoded.
type graph struct {
	def   *llb.Definition
	ops   map[digest.Digest]*pb.Op
	order []digest.Digest // as in def.Def, inputs first, without the head
	head  digest.Digest   // the op the definition's result is
}

func marshal(t testing.TB, st llb.State) *graph {
	t.Helper()
	def, err := st.Marshal(context.Background(), llb.Platform(arm64))
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	g := &graph{def: def, ops: map[digest.Digest]*pb.Op{}}
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(dt)
		if i == len(def.Def)-1 {
			if len(op.Inputs) == 1 {
				g.head = digest.Digest(op.Inputs[0].Digest)
			}
			continue
		}
		g.ops[d] = &op
		g.order = append(g.order, d)
	}
	return g
}

func (g *graph) name(d digest.Digest) string {
	return g.def.Metadata[d].Description["llb.customname"]
}

// execs returns the exec ops in definition order.
func (g *graph) execs() []*pb.ExecOp {
	var out []*pb.ExecOp
	for _, d := range g.order {
		if e := g.ops[d].GetExec(); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// exec returns the one exec op whose command contains s.
func (g *graph) exec(t testing.TB, s string) *pb.ExecOp {
	t.Helper()
	var found []*pb.ExecOp
	for _, e := range g.execs() {
		if strings.Contains(strings.Join(e.Meta.Args, " "), s) {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one exec running %q, found %d", s, len(found))
	}
	return found[0]
}

// byName returns the digest of the one op with a progress name containing s.
func (g *graph) byName(t testing.TB, s string) digest.Digest {
	t.Helper()
	var found []digest.Digest
	for _, d := range g.order {
		if strings.Contains(g.name(d), s) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, d := range g.order {
			names = append(names, g.name(d))
		}
		t.Fatalf("want one op named like %q, found %d among %q", s, len(found), names)
	}
	return found[0]
}

// sources returns the identifiers of the source ops.
func (g *graph) sources() []string {
	var out []string
	for _, d := range g.order {
		if s := g.ops[d].GetSource(); s != nil {
			out = append(out, s.Identifier)
		}
	}
	return out
}

func (g *graph) source(t testing.TB, prefix string) *pb.SourceOp {
	t.Helper()
	var found []*pb.SourceOp
	for _, d := range g.order {
		if s := g.ops[d].GetSource(); s != nil && strings.HasPrefix(s.Identifier, prefix) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one source %q*, found %d in %q", prefix, len(found), g.sources())
	}
	return found[0]
}

// ancestors is every op d depends on, d included.
func (g *graph) ancestors(d digest.Digest) map[digest.Digest]bool {
	seen := map[digest.Digest]bool{}
	stack := []digest.Digest{d}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[d] {
			continue
		}
		seen[d] = true
		if op := g.ops[d]; op != nil {
			for _, in := range op.Inputs {
				stack = append(stack, digest.Digest(in.Digest))
			}
		}
	}
	return seen
}

func mountAt(t testing.TB, e *pb.ExecOp, dest string) *pb.Mount {
	t.Helper()
	for _, m := range e.Mounts {
		if m.Dest == dest {
			return m
		}
	}
	var dests []string
	for _, m := range e.Mounts {
		dests = append(dests, m.Dest)
	}
	t.Fatalf("no mount at %s; mounts: %q", dest, dests)
	return nil
}

// fakeResolver is a MetaResolver that knows a few images and counts its
// calls. It implements the ImageMetaResolver of dockerfile2llb as well, so
// that the benchmarks compare like with like.
type fakeResolver struct {
	mu      sync.Mutex
	calls   []string
	configs map[string]dockerspec.DockerOCIImage // by reference as resolved
	// noRecord keeps calls empty, for benchmarks.
	noRecord bool
	// barrier, when set, holds every call until that many calls are in
	// flight at once: a sequential resolution never gets there.
	barrier int
	arrived int
	release chan struct{}
}

func (r *fakeResolver) ResolveSourceMetadata(ctx context.Context, op *pb.SourceOp, opt sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	ref := strings.TrimPrefix(op.Identifier, "docker-image://")
	_, dgst, dt, err := r.ResolveImageConfig(ctx, ref, opt)
	if err != nil {
		return nil, err
	}
	return &sourceresolver.MetaResponse{Op: op, Image: &sourceresolver.ResolveImageResponse{Digest: dgst, Config: dt}}, nil
}

func (r *fakeResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := "?"
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = opt.ImageOpt.Platform.OS + "/" + opt.ImageOpt.Platform.Architecture
	}
	r.mu.Lock()
	if !r.noRecord {
		r.calls = append(r.calls, ref+" "+p)
	}
	if r.barrier > 0 {
		r.arrived++
		if r.release == nil {
			r.release = make(chan struct{})
		}
		if r.arrived == r.barrier {
			close(r.release)
		}
	}
	release := r.release
	img, ok := r.configs[ref]
	r.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return "", "", nil, ctx.Err()
		}
	}
	if !ok {
		img = dockerspec.DockerOCIImage{}
		img.Config.Env = []string{"PATH=/usr/bin:/bin"}
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	if strings.Contains(ref, "missing") {
		return "", "", nil, fmt.Errorf("%s: not found", ref)
	}
	return ref, digest.FromString(ref + " " + p), dt, nil
}

func (r *fakeResolver) sortedCalls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.calls)
	slices.Sort(out)
	return out
}

// withNamedContexts makes the client provide the named contexts given.
func withNamedContexts(o Options, names ...string) Options {
	o.NamedContext = func(_ context.Context, name string, _ ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error) {
		if slices.Contains(names, name) {
			st := llb.Local(name, llb.SessionID("sess"))
			return &st, nil, nil
		}
		return nil, nil, nil
	}
	return o
}

// file returns the one file op with a progress name containing s.
func (g *graph) file(t testing.TB, s string) *pb.FileOp {
	t.Helper()
	var found []*pb.FileOp
	for _, d := range g.order {
		if f := g.ops[d].GetFile(); f != nil && strings.Contains(g.name(d), s) {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one file op named like %q, found %d", s, len(found))
	}
	return found[0]
}

// referenceFile is examples/reference/Securefile, which uses every
// construct of the language.
func referenceFile(t testing.TB) string {
	t.Helper()
	src, err := os.ReadFile("../../examples/reference/Securefile")
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}
