package lower

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/proto"
)

func TestOnlyReachableStagesAreLowered(t *testing.T) {
	const src = `
stage unused from "missing/image:1" {
  run "unused"
}
stage base from scratch {
  run "base"
}
stage a from base {
  run "a"
}
stage b from scratch {
  run "b"
}
stage seed from scratch {
  run "seed"
}
cache c {
  target = "/c"
  from = seed
}
default image app from a {
  copy "/x" from b to "/x"
  run "app" {
    bind "/" from b to "/mnt/b"
    cache c
  }
}
image other from scratch {
  run "other"
  copy "/x" from unused to "/x"
}
`
	r := &fakeResolver{}
	o := opts()
	o.MetaResolver = r
	o.Target = "app"
	res := lower(t, src, o)
	g := marshal(t, res.State)
	var runs []string
	for _, e := range g.execs() {
		runs = append(runs, e.Meta.Args[2])
	}
	if diff := cmp.Diff([]string{"base", "a", "b", "seed", "app"}, runs); diff != "" {
		t.Errorf("lowered steps (-want +got):\n%s", diff)
	}
	if len(r.calls) != 0 {
		t.Errorf("images of unreachable stages were resolved: %q", r.calls)
	}
	// Each stage is lowered once: one op per step however many users.
	if n := len(g.execs()); n != 5 {
		t.Errorf("%d execs", n)
	}
}

func TestIndependentStagesShareNoOps(t *testing.T) {
	res := lower(t, `
stage a from "alpine:3.20" {
  run "a1"
  run "a2"
}
stage b from "busybox:1.36" {
  run "b1"
  run "b2"
}
image app from scratch {
  copy "/a" from a to "/a"
  copy "/b" from b to "/b"
}
`, opts())
	g := marshal(t, res.State)
	a := g.ancestors(g.byName(t, "RUN a2"))
	b := g.ancestors(g.byName(t, "RUN b2"))
	for d := range a {
		if b[d] {
			t.Errorf("stages a and b share op %s (%s)", d, g.name(d))
		}
	}
	// The final copy depends on both.
	all := g.ancestors(g.head)
	if !all[g.byName(t, "RUN a2")] || !all[g.byName(t, "RUN b2")] {
		t.Errorf("the image does not depend on both stages")
	}
}

func TestArgsAndPlatforms(t *testing.T) {
	res := lower(t, `
arg GO = "1.${MINOR}"
arg MINOR = "22"
arg IMAGE = "golang:${GO}"
arg OVERRIDDEN = "default"
stage tools from "${IMAGE}" {
  platform = "${BUILDPLATFORM}"
  run "echo ${BUILDPLATFORM} ${BUILDOS} ${BUILDARCH} ${TARGETPLATFORM} ${TARGETOS} ${TARGETARCH} ${TARGETVARIANT} ${OVERRIDDEN}"
}
image app from scratch {
  copy "/bin" from tools to "/bin"
  run "echo app"
}
`, func() Options {
		o := opts()
		o.TargetPlatform = ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
		o.BuildArgs = map[string]string{"OVERRIDDEN": "from-cli ${MINOR}", "UNDECLARED": "x"}
		return o
	}())
	g := marshal(t, res.State)
	tools := g.exec(t, "echo ${BUILDPLATFORM}")
	env := map[string]string{}
	for _, kv := range tools.Meta.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, want := range map[string]string{
		"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "TARGETPLATFORM": "linux/arm/v7",
		"TARGETOS": "linux", "TARGETARCH": "arm", "TARGETVARIANT": "v7", "OVERRIDDEN": "from-cli ${MINOR}",
	} {
		if env[k] != want {
			t.Errorf("platform arg %s reaches the step as %q, want %q (env %q)", k, env[k], want, tools.Meta.Env)
		}
	}
	g.source(t, "docker-image://docker.io/library/golang:1.22")
	var imgPlatform, toolsPlatform, appPlatform *pb.Platform
	for _, d := range g.order {
		op := g.ops[d]
		switch {
		case op.GetSource() != nil && strings.Contains(op.GetSource().Identifier, "golang"):
			imgPlatform = op.Platform
		case op.GetExec() != nil && strings.Contains(op.GetExec().Meta.Args[2], "echo ${BUILDPLATFORM}"):
			toolsPlatform = op.Platform
		case op.GetExec() != nil:
			appPlatform = op.Platform
		}
	}
	if imgPlatform.GetArchitecture() != "amd64" || toolsPlatform.GetArchitecture() != "amd64" {
		t.Errorf("the build-platform stage is not built for amd64: image %v, step %v", imgPlatform, toolsPlatform)
	}
	if appPlatform.GetArchitecture() != "arm" || appPlatform.GetVariant() != "v7" {
		t.Errorf("the target stage is built for %v", appPlatform)
	}
	if res.Image.Architecture != "arm" || res.Image.Variant != "v7" || res.Image.OS != "linux" {
		t.Errorf("image platform %v", res.Image.Platform)
	}
}

func TestStageBasedOnStageKeepsItsPlatform(t *testing.T) {
	res := lower(t, `
stage cross from scratch {
  platform = "${BUILDPLATFORM}"
  run "one"
}
image app from cross {
  run "two"
}
`, opts())
	g := marshal(t, res.State)
	if p := g.ops[g.byName(t, "RUN two")].Platform; p.GetArchitecture() != "amd64" {
		t.Errorf("a stage based on a build-platform stage runs on %v", p)
	}
}

func TestBaseImageResolution(t *testing.T) {
	base := dockerspec.DockerOCIImage{}
	base.Config.Env = []string{"PATH=/custom/bin", "LANG=C.UTF-8"}
	base.Config.WorkingDir = "/home"
	base.Config.User = "nobody"
	base.Config.Entrypoint = []string{"/entry"}
	base.Config.Cmd = []string{"--base-cmd"}
	base.Config.Labels = map[string]string{"from": "base"}
	base.Config.OnBuild = []string{"RUN trigger"}
	base.History = []ocispecs.History{{CreatedBy: "base layer"}}
	r := &fakeResolver{
		configs: map[string]dockerspec.DockerOCIImage{"docker.io/library/alpine:3.20": base},
		barrier: 3,
	}
	o := opts()
	o.MetaResolver = r
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadlock guard
	defer cancel()
	res, err := Lower(ctx, load(t, `
stage a from "alpine:3.20" {
  ignore_onbuild = true
  run "a"
}
stage b from "alpine:3.20" {
  ignore_onbuild = true
  run "b"
}
stage c from "busybox:1.36" {
  platform = "${BUILDPLATFORM}"
  run "c"
}
image app from "alpine:3.20" {
  ignore_onbuild = true
  entrypoint = ["/app"]
  copy "/a" from a to "/a"
  copy "/b" from b to "/b"
  copy "/c" from c to "/c"
  copy "/d" from "debian:12" to "/d"
  run "pwd"
}
`), o)
	if err != nil {
		t.Fatal(err)
	}
	// Three different (image, platform) pairs were resolved at the same
	// time (the resolver's barrier needs all three in flight), and
	// alpine once for its three uses. debian too: its digest pins it.
	if diff := cmp.Diff([]string{
		"docker.io/library/alpine:3.20 linux/arm64",
		"docker.io/library/busybox:1.36 linux/amd64",
		"docker.io/library/debian:12 linux/arm64",
	}, r.sortedCalls()); diff != "" {
		t.Errorf("resolutions (-want +got):\n%s", diff)
	}
	g := marshal(t, res.State)
	dgst := digest.FromString("docker.io/library/alpine:3.20 linux/arm64")
	pinned := "docker-image://docker.io/library/alpine:3.20@" + dgst.String()
	g.source(t, pinned)
	if n := strings.Count(strings.Join(g.sources(), "\n"), "alpine"); n != 1 {
		t.Errorf("alpine appears %d times as a source", n)
	}

	pwd := g.exec(t, "pwd")
	if diff := cmp.Diff([]string{"PATH=/custom/bin", "LANG=C.UTF-8"}, pwd.Meta.Env); diff != "" {
		t.Errorf("inherited env (-want +got):\n%s", diff)
	}
	if pwd.Meta.Cwd != "/home" || pwd.Meta.User != "nobody" {
		t.Errorf("inherited cwd %q user %q", pwd.Meta.Cwd, pwd.Meta.User)
	}
	if res.BaseImage == nil || res.BaseImage.Config.WorkingDir != "/home" {
		t.Errorf("base image = %v", res.BaseImage)
	}
	cfg := res.Image.Config
	if !cmp.Equal(cfg.Entrypoint, []string{"/app"}) || cfg.Cmd != nil {
		t.Errorf("a new entrypoint must drop the inherited cmd: entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	if cfg.Labels["from"] != "base" || cfg.OnBuild != nil {
		t.Errorf("labels %v onbuild %v", cfg.Labels, cfg.OnBuild)
	}
	if len(res.Image.History) == 0 || res.Image.History[0].CreatedBy != "base layer" {
		t.Errorf("base history not kept: %v", res.Image.History)
	}
}

func TestNoResolverMeansNoConfig(t *testing.T) {
	res := lower(t, `
image app from "alpine:3.20" {
  run "pwd"
}
`, opts())
	g := marshal(t, res.State)
	g.source(t, "docker-image://docker.io/library/alpine:3.20")
	e := g.exec(t, "pwd")
	if e.Meta.Cwd != "/" || e.Meta.User != "" || !cmp.Equal(e.Meta.Env, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}) {
		t.Errorf("meta without resolution: %v", e.Meta)
	}
	if res.BaseImage != nil {
		t.Errorf("base image %v", res.BaseImage)
	}
}

func TestResolutionErrorPointsAtTheSource(t *testing.T) {
	o := opts()
	o.MetaResolver = &fakeResolver{}
	_, err := Lower(context.Background(), load(t, `
image app from "alpine:3.20" {
  copy "/x" from "example.com/missing:1" to "/x"
}
`), o)
	var e *Error
	if !errors.As(err, &e) || e.Range.Start.Line != 3 || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v", err)
	}
}

func TestNamedContexts(t *testing.T) {
	const src = `
stage docs from context "site" {
  run "build docs"
}
image app from "alpine:3.20" {
  copy "/html" from docs to "/srv"
}
`
	_, err := Lower(context.Background(), load(t, src), opts())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	if want := `named context "site" was not provided; pass --build-context site=…`; !strings.Contains(err.Error(), want) || e.Range.Start.Line != 2 {
		t.Errorf("err = %v at %v, want %q on line 2", err, e.Range, want)
	}

	// A named context replaces the image of the same name, with its
	// config; the registry is not asked.
	cfg := &dockerspec.DockerOCIImage{}
	cfg.Config.Env = []string{"PATH=/ctx/bin", "FROM_CONTEXT=1"}
	cfg.Created = &time.Time{}
	var mu sync.Mutex // NamedContext is called concurrently
	var asked []string
	o := opts()
	r := &fakeResolver{}
	o.MetaResolver = r
	o.NamedContext = func(_ context.Context, name string, p ocispecs.Platform) (*llb.State, *dockerspec.DockerOCIImage, error) {
		mu.Lock()
		asked = append(asked, name+" "+p.Architecture)
		mu.Unlock()
		switch name {
		case "site":
			st := llb.Local("site", llb.SessionID("s"))
			return &st, nil, nil
		case "alpine:3.20":
			st := llb.Image("example.com/mirror/alpine:3.20")
			return &st, cfg, nil
		}
		return nil, nil, nil
	}
	res, err := Lower(context.Background(), load(t, src), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alpine:3.20 arm64", "site arm64"}, sortStrings(asked)); diff != "" {
		t.Errorf("named contexts asked (-want +got):\n%s", diff)
	}
	if len(r.calls) != 0 {
		t.Errorf("resolved %q though a named context replaced it", r.calls)
	}
	g := marshal(t, res.State)
	g.source(t, "docker-image://example.com/mirror/alpine:3.20")
	g.source(t, "local://site")
	if !cmp.Equal(res.Image.Config.Env, []string{"PATH=/ctx/bin", "FROM_CONTEXT=1"}) || res.Image.Created != nil {
		t.Errorf("config from the named context: env %q created %v", res.Image.Config.Env, res.Image.Created)
	}
}

func TestTargetErrors(t *testing.T) {
	o := opts()
	o.Target = "nope"
	_, err := Lower(context.Background(), load(t, `
stage a from scratch {
  run "a"
}
image b from a {
  run "b"
}
`), o)
	var e *Error
	if !errors.As(err, &e) || err.Error() != `Securefile: target "nope" not found; stages: a, b` {
		t.Errorf("err = %v", err)
	}
	o.Target = "a"
	res, err := Lower(context.Background(), load(t, "stage a from scratch {\n  run \"a\"\n}\nimage b from a\n"), o)
	if err != nil || res.Stage.Name.V != "a" {
		t.Errorf("explicit target: %v, %v", res, err)
	}
	// As the Dockerfile frontend: a target matches a stage ignoring case.
	o.Target = "STAGE1"
	res, err = Lower(context.Background(), load(t, "stage stage1 from scratch {\n  run \"a\"\n}\nimage b from stage1\n"), o)
	if err != nil || res.Stage.Name.V != "stage1" {
		t.Errorf("target in another case: %v, %v", res, err)
	}
}

func TestSourceMapAndProgressNames(t *testing.T) {
	const src = `image app from "alpine:3.20" {
  workdir "/src"
  env A = "1"
  copy "go.mod" to "./"
  run "go build ./..." {
    cache gocache
  }
}

cache gocache {
  target = "/root/.cache"
  uid = 1000
}
`
	o := opts()
	o.SourceMap = llb.NewSourceMap(nil, "Securefile", "Securefile", []byte(src))
	res := lower(t, src, o)
	g := marshal(t, res.State)
	lines := func(name string) [][2]int32 {
		t.Helper()
		d := g.byName(t, name)
		locs := g.def.Source.Locations[d.String()]
		if locs == nil {
			t.Fatalf("no location for %q", name)
		}
		var out [][2]int32
		for _, l := range locs.Locations {
			for _, r := range l.Ranges {
				out = append(out, [2]int32{r.Start.Line, r.End.Line})
			}
		}
		return out
	}
	for name, want := range map[string][][2]int32{
		"[app 1/4] WORKDIR /src":         {{2, 2}},
		"[app 3/4] COPY go.mod ./":       {{4, 4}},
		"[app 4/4] RUN go build ./...":   {{5, 7}},
		"FROM docker.io/library/alpine":  {{1, 1}},
		"setting cache mount permission": {{5, 7}},
	} {
		if diff := cmp.Diff(want, lines(name)); diff != "" {
			t.Errorf("lines of %q (-want +got):\n%s", name, diff)
		}
	}
	// Every op of the graph is located in the file, except the main
	// context, which the caller makes.
	for _, d := range g.order {
		if src := g.ops[d].GetSource(); src != nil && strings.HasPrefix(src.Identifier, "local://") {
			continue
		}
		if g.def.Source.Locations[d.String()] == nil {
			t.Errorf("op %q has no location", g.name(d))
		}
	}
	if len(g.def.Source.Infos) != 1 || g.def.Source.Infos[0].Filename != "Securefile" {
		t.Errorf("source infos: %v", g.def.Source.Infos)
	}

	o.MultiPlatform = true
	g = marshal(t, lower(t, src, o).State)
	g.byName(t, "[linux/arm64 app 4/4] RUN go build ./...")
}

func TestDeterminism(t *testing.T) {
	src := referenceFile(t)
	o := opts()
	o.MetaResolver = &fakeResolver{}
	o.SourceMap = llb.NewSourceMap(nil, "Securefile", "", []byte(src))
	o = withNamedContexts(o, "docs")
	epoch := time.Unix(1700000000, 0).UTC()
	o.Epoch = &epoch

	// The definition as BuildKit receives it. Its metadata is a protobuf
	// map, so it is serialised deterministically: map order is not ours.
	marshalBytes := func(res *Result) []byte {
		def, err := res.State.Marshal(context.Background(), llb.Platform(arm64))
		if err != nil {
			t.Fatal(err)
		}
		dt, err := proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
		if err != nil {
			t.Fatal(err)
		}
		return dt
	}
	first := lower(t, src, o)
	a1, a2 := marshalBytes(first), marshalBytes(first)
	b1 := marshalBytes(lower(t, src, o))
	if !bytes.Equal(a1, a2) {
		t.Errorf("marshalling one result twice gives different bytes")
	}
	if !bytes.Equal(a1, b1) {
		t.Errorf("two Lower calls give different bytes")
	}
	// And op by op: the same digests in the same order.
	digests := func(res *Result) []digest.Digest {
		def, err := res.State.Marshal(context.Background(), llb.Platform(arm64))
		if err != nil {
			t.Fatal(err)
		}
		var out []digest.Digest
		for _, dt := range def.Def {
			out = append(out, digest.FromBytes(dt))
		}
		return out
	}
	if diff := cmp.Diff(digests(first), digests(lower(t, src, o))); diff != "" {
		t.Errorf("op digests differ (-first +second):\n%s", diff)
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
