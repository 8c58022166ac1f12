package frontend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/testing/protocmp"
)

// writeDir writes files into a new directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, dt := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(dt), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// localSources are the solved sources that read the client's dockerfile
// or context local for a file of the frontend's own (not the build's
// context, which the build's definition holds).
func localReads(t *testing.T, c *fakeClient) []string {
	t.Helper()
	var out []string
	for _, def := range c.solves[:len(c.solves)-1] {
		for _, op := range ops(t, def) {
			if s := op.GetSource(); s != nil && strings.HasPrefix(s.Identifier, "local://") {
				out = append(out, s.Identifier)
			}
		}
	}
	return out
}

const copyDSL = `# syntax=ourorg/securefile

image app from "busybox:1.36" {
  copy "." to "/src"
  run "ls /src"
}
`

const copyTOML = `# syntax=ourorg/securefile

[image.app]
from = "busybox:1.36"

[[image.app.steps]]
copy = ["."]
to = "/src"
`

// BuildLocal reads the files from the client's directories and sends the
// very LLB Build sends when the daemon fetches them, with the same
// result, warnings and errors; and it fetches none of them.
func TestBuildLocalSameLLB(t *testing.T) {
	lockFile := lockText(map[string]digest.Digest{"docker.io/library/busybox:1.36": pinnedBB}, "")
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  map[string]string
		err   string // both fail with this
	}{
		{name: "plain", files: map[string]string{"Securefile": copyDSL}},
		{name: "context .dockerignore", files: map[string]string{"Securefile": copyDSL, ".dockerignore": "*.log\n!keep.log\n"}},
		{name: "own ignore file wins", files: map[string]string{"Securefile": copyDSL, ".dockerignore": "*.log\n", "Securefile.dockerignore": "bin\n"}},
		{name: "TOML, stem ignore file", files: map[string]string{"Securefile.toml": copyTOML, ".dockerignore": "a\n", "Securefile.dockerignore": "bin\n*.o\n"}},
		{name: "TOML, empty stem ignore file", files: map[string]string{"Securefile.toml": copyTOML, ".dockerignore": "a\n", "Securefile.dockerignore": ""}},
		{name: "TOML, its own ignore file", files: map[string]string{"Securefile.toml": copyTOML, "Securefile.dockerignore": "bin\n", "Securefile.toml.dockerignore": "out\n"}},
		{name: "no Securefile: the TOML one", files: map[string]string{"Securefile.toml": copyTOML}},
		{name: "named file in a subdirectory", files: map[string]string{"ci/build.sf": copyDSL}, opts: map[string]string{"filename": "ci/build.sf"}},
		{name: "lock", files: map[string]string{"Securefile": copyDSL, "Securefile.lock": lockFile}, opts: map[string]string{"platform": "linux/amd64"}},
		{name: "warnings", files: map[string]string{"Securefile": "arg UNUSED = \"x\"\n" + copyDSL}},
		{name: "errors", files: map[string]string{"Securefile": "image app from \"busybox\" {\n  run \"x\" {\n    secret nope\n  }\n}\n"}, err: "nope"},
		{name: "no build file", files: map[string]string{"README": "x"}, err: "no build file"},
		{name: "broken lock", files: map[string]string{"Securefile": copyDSL, "Securefile.lock": "version = 99\n"}, err: "Securefile.lock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			gw := newFakeClient(tc.files, tc.opts)
			gwRes, gwErr := Build(ctx, gw)

			dir := writeDir(t, tc.files)
			var shown []*client.Vertex
			lc := newFakeClient(tc.files, tc.opts)
			lRes, lErr := BuildLocal(ctx, lc, Local{BuildFileDir: dir, ContextDir: dir, Progress: func(s *client.SolveStatus) {
				shown = append(shown, s.Vertexes...)
			}})
			if tc.err != "" {
				if gwErr == nil || lErr == nil || !strings.Contains(lErr.Error(), tc.err) {
					t.Fatalf("errors: through the daemon %v; local %v; want both %q", gwErr, lErr, tc.err)
				}
				if tc.name != "no build file" && gwErr.Error() != lErr.Error() {
					t.Errorf("errors differ:\n daemon: %v\n local:  %v", gwErr, lErr)
				}
				return
			}
			if gwErr != nil || lErr != nil {
				t.Fatalf("errors: through the daemon %v; local %v", gwErr, lErr)
			}
			if diff := cmp.Diff(gw.lastDefinition(t), lc.lastDefinition(t), protocmp.Transform()); diff != "" {
				t.Errorf("the build's definition differs (-daemon +local):\n%s", diff)
			}
			if diff := cmp.Diff(gwRes.Metadata, lRes.Metadata); diff != "" {
				t.Errorf("result metadata differs (-daemon +local):\n%s", diff)
			}
			if len(gw.warnings) != len(lc.warnings) {
				t.Fatalf("warnings: %d through the daemon, %d local", len(gw.warnings), len(lc.warnings))
			}
			for i := range gw.warnings {
				if diff := cmp.Diff(gw.warnings[i].opts, lc.warnings[i].opts, protocmp.Transform(), cmp.AllowUnexported(pb.SourceInfo{})); diff != "" || gw.warnings[i].msg != lc.warnings[i].msg || gw.warnings[i].dgst != lc.warnings[i].dgst {
					t.Errorf("warning %d differs: %q vs %q\n%s", i, gw.warnings[i].msg, lc.warnings[i].msg, diff)
				}
			}
			if reads := localReads(t, gw); len(reads) == 0 {
				t.Error("the daemon path read no local: the comparison shows nothing")
			}
			if reads := localReads(t, lc); len(reads) != 0 {
				t.Errorf("BuildLocal solved %v before the build", reads)
			}
			if len(shown) == 0 || !strings.Contains(shown[0].Name, "load build definition from") || !strings.Contains(shown[0].Name, "(securefile ") {
				t.Errorf("progress shows %v", shown)
			}
		})
	}
}

// Options that move the build file or the context away from the
// directories BuildLocal was given make it read through the daemon.
func TestBuildLocalFallsBack(t *testing.T) {
	files := map[string]string{"Securefile": copyDSL}
	for _, opts := range []map[string]string{
		{"contextkey": "other"},
		{"contextsubdir": "sub"},
		{"dockerfilekey": "other"},
		{"context": "https://example.com/repo.git"},
		{"local-sessionid:context": "s2"},
		{"context:dockerfile": "local:x"},
		{"context:context": "docker-image://busybox"},
		{"local-sessionid:dockerfile": "s2"},
		{"cmdline": "ourorg/securefile"},
		{"some-option-a-later-buildkit-adds": "x"},
		{"filename": "Dockerfile"},
	} {
		if opts["filename"] == "Dockerfile" {
			files = map[string]string{"Dockerfile": copyDSL}
		}
		c := newFakeClient(files, opts)
		// A directory without the file: a local read would fail.
		_, _ = BuildLocal(context.Background(), c, Local{BuildFileDir: t.TempDir(), ContextDir: t.TempDir()})
		if len(c.solves) == 0 || len(localReads(t, c)) == 0 {
			t.Errorf("%v: read locally, not through the daemon", opts)
		}
	}
}

// A file too large to be a build file is refused by size, as dockerui does.
func TestBuildLocalTooLarge(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Securefile"), make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := BuildLocal(context.Background(), newFakeClient(nil, nil), Local{BuildFileDir: dir, ContextDir: dir})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != MaxFileSize+1 {
		t.Fatalf("err = %v", err)
	}
}

// A symlink out of the build file's directory is not followed: the
// daemon's copy of the local would not follow it either.
func TestBuildLocalSymlinkStaysInside(t *testing.T) {
	outside := writeDir(t, map[string]string{"Securefile": copyDSL})
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "Securefile"), filepath.Join(dir, "Securefile")); err != nil {
		t.Fatal(err)
	}
	_, err := BuildLocal(context.Background(), newFakeClient(nil, nil), Local{BuildFileDir: dir, ContextDir: dir})
	if err == nil {
		t.Fatal("read a build file outside the directory")
	}
}

// Every option securefile build sets keeps the in-process read: the
// allowlist must not turn it off for the CLI it exists for.
func TestBuildLocalCLIOptions(t *testing.T) {
	opts := map[string]string{
		"filename": "Securefile", "target": "app", "platform": "linux/amd64,linux/arm64", "no-cache": "",
		"build-arg:BASE": "busybox", "label:team": "x", "context:docs": "local:docs", "context:base": "docker-image://busybox",
		"local-sessionid:docs": "s", "requestid": LockRequest, "frontend.caps": "moby.buildkit.frontend.subrequests",
		VerifyOption: "false", LockOption: LockFrozen, ToolOption: "securefile-tool", ToolImageOption: "ref",
		ToolUnavailableOption: "why", keySyntax: "toml", "attest:provenance": "mode=max",
	}
	l := &Local{BuildFileDir: "a", ContextDir: "b"}
	if !l.usable(opts) {
		t.Fatal("the CLI's options make BuildLocal read through the daemon")
	}
}
