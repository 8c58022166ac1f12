package lower

import (
	"context"
	"github.com/ourorg/securefile/grammar"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/testing/protocmp"
)

func TestCopyActions(t *testing.T) {
	res := lower(t, `
arg SRC = "src"
image app from scratch {
  workdir "/app"
  copy "go.mod" "go.sum" to "./"
  copy "${SRC}" to "code" {
    chown = "1000:staff"
    chmod = "0755"
    include = ["**/*.go"]
    exclude = ["**/*_test.go"]
  }
}
`, opts())
	g := marshal(t, res.State)

	mod := g.ops[g.byName(t, "COPY go.mod go.sum ./")].GetFile()
	if len(mod.Actions) != 2 {
		t.Fatalf("two sources want two actions in one file op, got %d", len(mod.Actions))
	}
	want := []*pb.FileActionCopy{
		{Src: "/go.mod", Dest: "/app/", Mode: -1, FollowSymlink: true, DirCopyContents: true, CreateDestPath: true, AllowWildcard: true, Timestamp: -1},
		{Src: "/go.sum", Dest: "/app/", Mode: -1, FollowSymlink: true, DirCopyContents: true, CreateDestPath: true, AllowWildcard: true, Timestamp: -1},
	}
	for i, a := range mod.Actions {
		if diff := cmp.Diff(want[i], a.GetCopy(), protocmp.Transform()); diff != "" {
			t.Errorf("action %d (-want +got):\n%s", i, diff)
		}
	}

	code := g.ops[g.byName(t, "COPY --chown=1000:staff --chmod=0755 src code")].GetFile().Actions[0].GetCopy()
	wantCode := &pb.FileActionCopy{
		Src: "/src", Dest: "/app/code", Mode: 0o755, FollowSymlink: true, DirCopyContents: true, CreateDestPath: true, AllowWildcard: true, Timestamp: -1,
		IncludePatterns: []string{"**/*.go"}, ExcludePatterns: []string{"**/*_test.go"},
		Owner: &pb.ChownOpt{
			User:  &pb.UserOpt{User: &pb.UserOpt_ByID{ByID: 1000}},
			Group: &pb.UserOpt{User: &pb.UserOpt_ByName{ByName: &pb.NamedUserOpt{Name: "staff", Input: 0}}},
		},
	}
	if diff := cmp.Diff(wantCode, code, protocmp.Transform()); diff != "" {
		t.Errorf("copy with options (-want +got):\n%s", diff)
	}

	fp := g.source(t, "local://context").Attrs[pb.AttrFollowPaths]
	if fp != `["go.mod","go.sum","src"]` {
		t.Errorf("followpaths = %s", fp)
	}
}

func TestCopyFromSources(t *testing.T) {
	res := lower(t, `
stage build from scratch {
  run "make"
}
image app from scratch {
  copy "/out/app" from build to "/app"
  copy "/etc/ssl/certs/ca-certificates.crt" from "alpine:3.20" to "/etc/ssl/certs/"
  copy "." from context "docs" to "/docs"
}
`, withNamedContexts(opts(), "docs"))
	g := marshal(t, res.State)
	app := g.byName(t, "COPY --from=build /out/app /app")
	if !g.ancestors(app)[g.byName(t, "RUN make")] {
		t.Errorf("copy from a stage does not depend on it")
	}
	g.source(t, "docker-image://docker.io/library/alpine:3.20")
	g.source(t, "local://docs")
	// Nothing reads the main context.
	for _, s := range g.sources() {
		if s == "local://context" {
			t.Errorf("the main context is loaded though no step uses it")
		}
	}
}

func TestCopyLinkMerges(t *testing.T) {
	res := lower(t, `
stage build from scratch {
  run "make"
}
image app from "alpine:3.20" {
  run "apk add ca-certificates"
  copy "/out/app" from build to "/app" {
    link = true
    chown = "65532:65532"
  }
}
`, opts())
	g := marshal(t, res.State)
	merge := g.ops[g.head].GetMerge()
	if merge == nil || len(merge.Inputs) != 2 {
		t.Fatalf("the image is not a merge of two inputs: %v", g.ops[g.head])
	}
	in := g.ops[g.head].Inputs
	if d := digest.Digest(in[0].Digest); g.ops[d].GetExec() == nil {
		t.Errorf("first merge input is not the stage so far")
	}
	layer := g.ops[digest.Digest(in[1].Digest)].GetFile()
	if layer == nil || layer.Actions[0].Input != -1 {
		t.Fatalf("second merge input is not a copy onto scratch: %v", layer)
	}
	if c := layer.Actions[0].GetCopy(); c.Src != "/out/app" || c.Dest != "/app" || c.Owner.User.GetByID() != 65532 {
		t.Errorf("linked copy: %v", c)
	}
	// The layer does not depend on the stage it is merged onto.
	if g.ancestors(digest.Digest(in[1].Digest))[digest.Digest(in[0].Digest)] {
		t.Errorf("the linked layer depends on the stage")
	}
}

func TestCopyParents(t *testing.T) {
	res := lower(t, `
image app from scratch {
  copy "a/b/c.txt" "x/./y/*.go" to "/dst/" {
    parents = true
  }
  copy "pkg" to "/p/" {
    parents = true
    include = ["**/*.go"]
    exclude = ["**/*_test.go"]
  }
}
`, opts())
	g := marshal(t, res.State)
	f := g.ops[g.byName(t, "COPY --parents a/b/c.txt")].GetFile()
	c0, c1 := f.Actions[0].GetCopy(), f.Actions[1].GetCopy()
	if c0.Src != "/" || c0.Dest != "/dst/" || !cmp.Equal(c0.IncludePatterns, []string{"a/b/c.txt"}) || !cmp.Equal(c0.RequiredPaths, []string{"/a/b/c.txt"}) {
		t.Errorf("plain parents copy: %v", c0)
	}
	if c1.Src != "/x" || !cmp.Equal(c1.IncludePatterns, []string{"y/*.go"}) || len(c1.RequiredPaths) != 0 {
		t.Errorf("pivoted wildcard parents copy: %v", c1)
	}
	p := g.ops[g.byName(t, "COPY --parents pkg")].GetFile().Actions[0].GetCopy()
	if p.Src != "/" || !cmp.Equal(p.IncludePatterns, []string{"pkg/**/*.go"}) || !cmp.Equal(p.ExcludePatterns, []string{"pkg/**/*_test.go"}) {
		t.Errorf("parents copy with patterns: %v", p)
	}
	fp := g.source(t, "local://context").Attrs[pb.AttrFollowPaths]
	if fp != `["a/b/c.txt","pkg","x/y/*.go"]` {
		t.Errorf("followpaths = %s", fp)
	}
}

func TestAddHTTPAndGit(t *testing.T) {
	const sum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	const commit = "0123456789abcdef0123456789abcdef01234567"
	res := lower(t, `
ssh github {
  id = "gh"
  known_hosts = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  ]
}
image app from scratch {
  workdir "/opt"
  add "https://example.com/dl/tool.tar.gz" to "tool.tar.gz" {
    checksum = "`+sum+`"
    chmod = "0644"
    chown = "1:2"
  }
  add git "https://github.com/moby/buildkit.git" to "/src/buildkit" {
    ref = "v0.13.0"
    commit = "`+commit+`"
    keep_git_dir = true
  }
  add git "git@github.com:org/private.git" to "/src/private" {
    commit = "`+commit+`"
  }
  run "true" {
    ssh github
  }
}
`, opts())
	g := marshal(t, res.State)

	http := g.source(t, "https://example.com/dl/tool.tar.gz")
	if http.Attrs[pb.AttrHTTPChecksum] != sum || http.Attrs[pb.AttrHTTPFilename] != "tool.tar.gz" {
		t.Errorf("http attrs: %v", http.Attrs)
	}
	cp := g.file(t, "ADD --chown=1:2 --chmod=0644 https://example.com/dl/tool.tar.gz tool.tar.gz").Actions[0].GetCopy()
	if cp.Src != "/tool.tar.gz" || cp.Dest != "/opt/tool.tar.gz" || cp.Mode != 0o644 || cp.Owner.User.GetByID() != 1 || cp.Owner.Group.GetByID() != 2 {
		t.Errorf("http copy: %v", cp)
	}

	git := g.source(t, "git://github.com/moby/buildkit.git#v0.13.0")
	if git.Attrs[pb.AttrGitChecksum] != commit || git.Attrs[pb.AttrKeepGitDir] != "true" || git.Attrs[pb.AttrFullRemoteURL] != "https://github.com/moby/buildkit.git" {
		t.Errorf("git attrs: %v", git.Attrs)
	}
	priv := g.source(t, "git://github.com/org/private.git#"+commit)
	if priv.Attrs[pb.AttrGitChecksum] != commit {
		t.Errorf("git over ssh: checksum %q", priv.Attrs[pb.AttrGitChecksum])
	}
	// The host key comes from the file, never from a scan at lowering.
	if kh := priv.Attrs[pb.AttrKnownSSHHosts]; kh != "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" {
		t.Errorf("known hosts = %q", kh)
	}
	if priv.Attrs[pb.AttrMountSSHSock] != "gh" {
		t.Errorf("ssh sock = %q", priv.Attrs[pb.AttrMountSSHSock])
	}
	if _, ok := git.Attrs[pb.AttrKnownSSHHosts]; ok {
		t.Errorf("https git source has known hosts")
	}
}

// The checker rejects such a file (unpinned-ssh-host); the lowering, which
// does not validate, must still never fall back to trusting the network.
func TestGitOverSSHWithoutPinsFailsClosed(t *testing.T) {
	f, diags := grammar.Parse("Securefile", []byte(`
image app from scratch {
  add git "ssh://git@git.example.com/org/repo.git" to "/src" {
    ref = "main"
  }
}
`), grammar.DSL)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	res, err := Lower(context.Background(), f, opts())
	if err != nil {
		t.Fatal(err)
	}
	src := marshal(t, res.State).source(t, "git://git.example.com/org/repo.git#main")
	if kh, ok := src.Attrs[pb.AttrKnownSSHHosts]; !ok || kh != "\n" {
		t.Errorf("known hosts = %q, %v; want an empty pin list", kh, ok)
	}
}

func TestMainContextCalledOnceLazily(t *testing.T) {
	calls := 0
	var got []llb.LocalOption
	o := opts()
	o.MainContext = func(_ context.Context, lo ...llb.LocalOption) (*llb.State, error) {
		calls++
		got = lo
		st := llb.Local("context", append(lo, llb.SessionID("s"))...)
		return &st, nil
	}
	res := lower(t, `
stage unused from scratch {
  copy "never" to "/"
}
stage a from scratch {
  copy "b" "a/" to "/"
}
image app from a {
  copy "c/*.go" to "/"
  run "x" {
    bind "d" to "/d"
  }
}
`, o)
	if calls != 1 {
		t.Fatalf("MainContext called %d times", calls)
	}
	var li llb.LocalInfo
	for _, lo := range got {
		lo.SetLocalOption(&li)
	}
	if li.FollowPaths != `["a","b","c/*.go","d"]` {
		t.Errorf("followpaths = %s", li.FollowPaths)
	}
	marshal(t, res.State)

	calls = 0
	lower(t, `
image app from scratch {
  run "no context"
}
`, o)
	if calls != 0 {
		t.Errorf("MainContext called %d times for a build that does not use it", calls)
	}
}

func TestResolveDest(t *testing.T) {
	for _, c := range []struct{ wd, dest, want string }{
		{"/app", "./", "/app/"},
		{"/app", ".", "/app/"},
		{"/app", "x", "/app/x"},
		{"/app", "x/", "/app/x/"},
		{"/app", "/abs", "/abs"},
		{"/", "/etc/ssl/certs/", "/etc/ssl/certs/"},
		{"/app", "../y/.", "/y/"},
	} {
		if got := resolveDest(c.wd, c.dest); got != c.want {
			t.Errorf("resolveDest(%q, %q) = %q, want %q", c.wd, c.dest, got, c.want)
		}
	}
}
