package frontend

import (
	"context"
	"encoding/json"
	"github.com/ourorg/securefile/internal/credentials"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	commonexptypes "github.com/moby/buildkit/exporter/exptypes"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
)

// ops decodes a solved definition.
func ops(t *testing.T, def *pb.Definition) []*pb.Op {
	t.Helper()
	var out []*pb.Op
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		out = append(out, &op)
	}
	return out
}

// withoutDigest drops the digest the lowering pins a resolved base to.
func withoutDigest(ref string) string {
	name, _, _ := strings.Cut(ref, "@")
	return name
}

// lastDefinition is the build's definition: the last solve.
func (c *fakeClient) lastDefinition(t *testing.T) *pb.Definition {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.solves) == 0 || c.solves[len(c.solves)-1] == nil {
		t.Fatal("nothing was solved")
	}
	return c.solves[len(c.solves)-1]
}

func TestBuildSinglePlatform(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": helloDSL}, map[string]string{
		"label:org.example.team":       "build",
		"build-arg:SOURCE_DATE_EPOCH":  "1700000000",
		"build-arg:BASE":               "alpine:3.20",
		"build-arg:BUILDKIT_SYNTAX_XX": "ignored",
	})
	res, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ref == nil || len(res.Refs) != 0 {
		t.Fatalf("result has ref %v and refs %v, want a single ref", res.Ref, res.Refs)
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(res.Metadata[exptypes.ExporterImageConfigKey], &img); err != nil {
		t.Fatal(err)
	}
	if img.Config.Labels["org.example.team"] != "build" {
		t.Errorf("image labels = %v, want the client's label", img.Config.Labels)
	}
	if got := string(res.Metadata[commonexptypes.ExporterEpochKey]); got != "1700000000" {
		t.Errorf("epoch = %q", got)
	}
	var ps exptypes.Platforms
	if err := json.Unmarshal(res.Metadata[exptypes.ExporterPlatformsKey], &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps.Platforms) != 1 || ps.Platforms[0].ID != "linux/amd64" {
		t.Errorf("platforms = %+v", ps)
	}

	def := c.lastDefinition(t)
	var images []string
	for _, op := range ops(t, def) {
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") {
			images = append(images, withoutDigest(src.Identifier))
			if p := op.Platform; p == nil || p.OS != "linux" || p.Architecture != "amd64" {
				t.Errorf("base %s has platform %v", src.Identifier, p)
			}
		}
	}
	if diff := cmp.Diff([]string{"docker-image://docker.io/library/alpine:3.20"}, images); diff != "" {
		t.Errorf("bases (-want +got):\n%s", diff)
	}
	// The ops point into the build file.
	if def.Source == nil || len(def.Source.Infos) != 1 || def.Source.Infos[0].Filename != "Securefile" {
		t.Errorf("source info = %v", def.Source)
	}
}

const twoPlatforms = `platforms = ["linux/amd64", "linux/arm64"]

image hello from "busybox:1.36" {
  run "echo hello > /hello.txt"
}
`

func TestBuildFilePlatforms(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": twoPlatforms}, nil)
	res, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range res.Refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, ids); diff != "" {
		t.Errorf("platform refs (-want +got):\n%s", diff)
	}
	for _, id := range ids {
		if _, ok := res.Metadata[exptypes.ExporterImageConfigKey+"/"+id]; !ok {
			t.Errorf("no image config for %s", id)
		}
	}
}

// --platform overrides the file's platforms.
func TestBuildPlatformOption(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": twoPlatforms}, map[string]string{"platform": "linux/arm64"})
	res, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ref == nil || len(res.Refs) != 0 {
		t.Fatalf("want a single-platform result, got refs %v", res.Refs)
	}
	for _, op := range ops(t, c.lastDefinition(t)) {
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") {
			if p := op.Platform; p == nil || p.Architecture != "arm64" {
				t.Errorf("base %s has platform %v, want arm64", src.Identifier, p)
			}
		}
	}
}

func TestBuildFilePlatformsNotMultiPlatform(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": twoPlatforms}, map[string]string{"build-arg:BUILDKIT_MULTI_PLATFORM": "false"})
	_, err := Build(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "multi-platform") {
		t.Fatalf("err = %v", err)
	}
}

func TestBuildUnknownTarget(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": helloDSL}, map[string]string{"target": "helo"})
	_, err := Build(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), `did you mean "hello"?`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBuildNamedContext(t *testing.T) {
	const src = `image app from "busybox:1.36" {
  copy "index.html" from context "docs" to "/www/"
}
`
	c := newFakeClient(map[string]string{"Securefile": src}, map[string]string{
		"context:docs": "docker-image://nginx:1.27",
	})
	if _, err := Build(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, op := range ops(t, c.lastDefinition(t)) {
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") {
			images = append(images, withoutDigest(src.Identifier))
		}
	}
	slices.Sort(images)
	if diff := cmp.Diff([]string{"docker-image://docker.io/library/busybox:1.36", "docker-image://docker.io/library/nginx:1.27"}, images); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

func TestBuildInvalidEpoch(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": helloDSL}, map[string]string{"build-arg:SOURCE_DATE_EPOCH": "soon"})
	if _, err := Build(context.Background(), c); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Fatalf("err = %v", err)
	}
}

// A lowering error points at its place in the file.
func TestBuildLoweringErrorHasSource(t *testing.T) {
	const src = `image app from "busybox:1.36" {
  copy "index.html" from context "docs" to "/www/"
}
`
	_, err := Build(context.Background(), newFakeClient(map[string]string{"Securefile": src}, nil))
	if err == nil || !strings.Contains(err.Error(), `"docs"`) {
		t.Fatalf("err = %v", err)
	}
	srcs := errdefs.Sources(err)
	if len(srcs) != 1 || srcs[0].Info.Filename != "Securefile" || len(srcs[0].Ranges) != 1 || srcs[0].Ranges[0].Start.Line != 2 {
		t.Errorf("sources = %v", srcs)
	}
}

// excludePatterns are the exclude patterns of the main context's local
// source in the build's definition.
func excludePatterns(t *testing.T, c *fakeClient) []string {
	t.Helper()
	for _, op := range ops(t, c.lastDefinition(t)) {
		if src := op.GetSource(); src != nil && src.Identifier == "local://context" {
			var out []string
			if v := src.Attrs[pb.AttrExcludePatterns]; v != "" {
				if err := json.Unmarshal([]byte(v), &out); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
	}
	t.Fatal("the build does not use the main context")
	return nil
}

// Securefile.dockerignore applies to Securefile and Securefile.toml; a
// file's own <file>.dockerignore wins over it and over .dockerignore.
func TestBuildIgnoreFiles(t *testing.T) {
	const dsl = `image app from "busybox:1.36" {
  copy "greeting.txt" to "/"
}
`
	const toml = `[image.app]
from = "busybox:1.36"

[[image.app.steps]]
copy = ["greeting.txt"]
to = "/"
`
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"Securefile", map[string]string{"Securefile": dsl, "Securefile.dockerignore": "secret.txt\n", ".dockerignore": "other\n"}, []string{"secret.txt"}},
		{"Securefile.toml", map[string]string{"Securefile.toml": toml, "Securefile.dockerignore": "secret.txt\n", ".dockerignore": "other\n"}, []string{"secret.txt"}},
		{"Securefile.toml.dockerignore", map[string]string{"Securefile.toml": toml, "Securefile.toml.dockerignore": "mine\n", "Securefile.dockerignore": "secret.txt\n"}, []string{"mine"}},
		{".dockerignore", map[string]string{"Securefile.toml": toml, ".dockerignore": "other\n"}, []string{"other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient(tc.files, nil)
			if _, err := Build(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			// The ignore file's patterns, then the credential files
			// (after them, so that a "!" pattern cannot bring one back).
			want := append(tc.want, credentials.ContextExcludes()...)
			if diff := cmp.Diff(want, excludePatterns(t, c)); diff != "" {
				t.Errorf("excludes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildNoCache(t *testing.T) {
	for _, opts := range []map[string]string{{"no-cache": ""}, {"no-cache": "hello"}} {
		c := newFakeClient(map[string]string{"Securefile": helloDSL}, opts)
		if _, err := Build(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		def := c.lastDefinition(t)
		n := 0
		for _, dt := range def.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			if op.Op == nil {
				continue // the terminal op, which only names the result
			}
			n++
			if md := def.Metadata[digest.FromBytes(dt).String()]; md == nil || !md.IgnoreCache {
				t.Errorf("%v: op %s uses the cache", opts, op.String())
			}
		}
		if n == 0 {
			t.Errorf("%v: no ops", opts)
		}
	}
}

// --sbom: every platform's result gets a scan, as in a Dockerfile build.
func TestBuildSBOM(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": twoPlatforms}, map[string]string{"attest:sbom": "generator=docker/buildkit-syft-scanner"})
	res, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"linux/amd64", "linux/arm64"} {
		if atts := res.Attestations[id]; len(atts) != 1 || string(atts[0].Metadata["reason"]) != "sbom" {
			t.Errorf("%s: attestations %+v", id, atts)
		}
	}
}
