package lower

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// TestInlineFile: a file step writes its content as a 0644 file on an
// empty filesystem and copies it to the destination with its mode and
// owner, creating the parents, as dockerfile2llb lowers COPY <<EOF; the
// content is a template unless raw.
func TestInlineFile(t *testing.T) {
	res := lower(t, `
arg PORT = "8080"
image app from scratch {
  workdir "/srv"
  file "/etc/app.conf" {
    content = "listen = ${PORT} $${KEPT}\n"
    chmod = "0600"
    chown = "1000:staff"
  }
  file "bin/entry" {
    content = "#!/bin/sh\nexec \"${@}\" ${PORT}\n"
    raw = true
    chmod = "u+x"
  }
}
`, opts())
	g := marshal(t, res.State)

	conf := g.file(t, "FILE --chown=1000:staff --chmod=0600 /etc/app.conf")
	if len(conf.Actions) != 1 {
		t.Fatalf("one file step is one copy, got %d actions", len(conf.Actions))
	}
	want := &pb.FileActionCopy{
		Src: "/app.conf", Dest: "/etc/app.conf", Mode: 0o600, CreateDestPath: true, Timestamp: -1,
		Owner: &pb.ChownOpt{
			User:  &pb.UserOpt{User: &pb.UserOpt_ByID{ByID: 1000}},
			Group: &pb.UserOpt{User: &pb.UserOpt_ByName{ByName: &pb.NamedUserOpt{Name: "staff", Input: 0}}},
		},
	}
	if diff := cmp.Diff(want, conf.Actions[0].GetCopy(), protocmp.Transform()); diff != "" {
		t.Errorf("copy of the file (-want +got):\n%s", diff)
	}
	doc := g.file(t, "[internal] preparing inline document /etc/app.conf").Actions[0].GetMkfile()
	if doc == nil || doc.Path != "/app.conf" || doc.Mode != 0o644 || string(doc.Data) != "listen = 8080 ${KEPT}\n" {
		t.Errorf("document = %+v, want /app.conf 0644 with the expanded content", doc)
	}

	entry := g.file(t, "FILE --chmod=u+x bin/entry").Actions[0].GetCopy()
	if entry.Dest != "/srv/bin/entry" || entry.ModeStr != "u+x" {
		t.Errorf("relative file step: dest %q mode %o modeStr %q, want /srv/bin/entry, symbolic u+x", entry.Dest, entry.Mode, entry.ModeStr)
	}
	raw := g.file(t, "[internal] preparing inline document /srv/bin/entry").Actions[0].GetMkfile()
	if string(raw.Data) != "#!/bin/sh\nexec \"${@}\" ${PORT}\n" {
		t.Errorf("raw content = %q, want it as written", raw.Data)
	}
	if h := res.Image.History; len(h) < 2 || h[len(h)-2].CreatedBy != "FILE --chown=1000:staff --chmod=0600 /etc/app.conf" || h[len(h)-1].EmptyLayer {
		t.Errorf("history = %+v", h)
	}
}

// TestSymbolicChmod: copy and add take a symbolic chmod, which BuildKit
// applies to each file (ModeStr), as COPY --chmod=u+x.
func TestSymbolicChmod(t *testing.T) {
	res := lower(t, `
image app from scratch {
  copy "bin" to "/bin/" { chmod = "u=rwx,go=rx" }
  add "https://example.com/t.tgz" to "/t" {
    checksum = "sha256:`+sum1[7:]+`"
    chmod = "a+X"
  }
}
`, opts())
	g := marshal(t, res.State)
	if c := g.file(t, "COPY --chmod=u=rwx,go=rx bin /bin/").Actions[0].GetCopy(); c.ModeStr != "u=rwx,go=rx" {
		t.Errorf("copy: mode %o modeStr %q", c.Mode, c.ModeStr)
	}
	if c := g.file(t, "ADD --chmod=a+X").Actions[0].GetCopy(); c.ModeStr != "a+X" {
		t.Errorf("add: modeStr %q", c.ModeStr)
	}
	if _, err := chmodOpt("u+q"); err == nil {
		t.Error("chmodOpt accepts u+q")
	}
	if _, err := chmodOpt("17777"); err == nil {
		t.Error("chmodOpt accepts 17777")
	}
}

// TestCopyUnpack: unpack asks BuildKit to extract a tar source, as ADD
// of a local archive does; without it the archive is copied.
func TestCopyUnpack(t *testing.T) {
	res := lower(t, `
image app from scratch {
  copy "rootfs.tar.gz" to "/" { unpack = true }
  copy "plain.tar" to "/opt/"
}
`, opts())
	g := marshal(t, res.State)
	if c := g.file(t, "COPY --unpack rootfs.tar.gz /").Actions[0].GetCopy(); !c.AttemptUnpackDockerCompatibility {
		t.Error("copy with unpack does not extract")
	}
	if c := g.file(t, "COPY plain.tar /opt/").Actions[0].GetCopy(); c.AttemptUnpackDockerCompatibility {
		t.Error("copy without unpack extracts")
	}
}

// TestStageShell: a stage's shell runs its shell-form run, entrypoint and
// cmd and is the image's Shell; a stage inherits its base stage's shell,
// and an image base's config Shell, as a Dockerfile stage inherits SHELL.
func TestStageShell(t *testing.T) {
	o := opts()
	base := dockerspec.DockerOCIImage{}
	base.Config.Shell = []string{"/bin/ash", "-eo", "pipefail", "-c"}
	o.MetaResolver = &fakeResolver{configs: map[string]dockerspec.DockerOCIImage{"docker.io/library/alpine:3.20": base}}
	res := lower(t, `
stage a from "alpine:3.20" {
  run "one"
}
stage b from a {
  shell = ["/bin/bash", "-c"]
  run "two"
}
image app from b {
  run "three"
  entrypoint = "serve"
  cmd = "--port 80"
  healthcheck = { cmd = "check" }
}
`, o)
	g := marshal(t, res.State)
	for cmd, want := range map[string][]string{
		"one":   {"/bin/ash", "-eo", "pipefail", "-c", "one"},
		"two":   {"/bin/bash", "-c", "two"},
		"three": {"/bin/bash", "-c", "three"},
	} {
		if got := g.exec(t, cmd).Meta.Args; !slices.Equal(got, want) {
			t.Errorf("%s: args %q, want %q", cmd, got, want)
		}
	}
	cfg := res.Image.Config
	if !slices.Equal(cfg.Shell, []string{"/bin/bash", "-c"}) || !slices.Equal(cfg.Entrypoint, []string{"/bin/bash", "-c", "serve"}) ||
		!slices.Equal(cfg.Cmd, []string{"/bin/bash", "-c", "--port 80"}) || !slices.Equal(cfg.Healthcheck.Test, []string{"CMD-SHELL", "check"}) {
		t.Errorf("config shell %q entrypoint %q cmd %q healthcheck %q", cfg.Shell, cfg.Entrypoint, cfg.Cmd, cfg.Healthcheck.Test)
	}
	if h := res.Image.History; h[len(h)-1].CreatedBy != "RUN /bin/bash -c three" {
		t.Errorf("history %q", h[len(h)-1].CreatedBy)
	}
}

// TestRunDevices: each device is a required CDI device of the exec op.
func TestRunDevices(t *testing.T) {
	res := lower(t, `
image app from scratch {
  run "nvidia-smi" { devices = ["vendor.com/gpu=all", "vendor.com/fpga"] }
}
`, opts())
	got := marshal(t, res.State).exec(t, "nvidia-smi").CdiDevices
	want := []*pb.CDIDevice{{Name: "vendor.com/gpu=all"}, {Name: "vendor.com/fpga"}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
}

// TestGitSubdirExclude: subdir is the git source's subdirectory (as
// #ref:subdir) and exclude the copy's exclude patterns (ADD --exclude).
func TestGitSubdirExclude(t *testing.T) {
	res := lower(t, `
image app from scratch {
  add git "https://github.com/moby/buildkit.git" to "/src" {
    ref = "v0.13.0"
    subdir = "docs"
    exclude = ["*.md", "${X}"]
  }
}
arg X = "tmp"
`, opts())
	g := marshal(t, res.State)
	src := g.source(t, "git://github.com/moby/buildkit.git")
	if src.Identifier != "git://github.com/moby/buildkit.git#v0.13.0:docs" {
		t.Errorf("git source %q, want the subdir after the ref", src.Identifier)
	}
	c := g.file(t, "ADD git https://github.com/moby/buildkit.git#v0.13.0:docs /src").Actions[0].GetCopy()
	if !slices.Equal(c.ExcludePatterns, []string{"*.md", "tmp"}) {
		t.Errorf("exclude patterns %q", c.ExcludePatterns)
	}
}

// TestParityWithDockerfile2LLB lowers Dockerfile instructions with
// BuildKit's own frontend and their Securefile forms with this one, and
// requires the same file actions (heredoc COPY as a file step, ADD of a
// local archive as copy unpack, symbolic chmod and the chown forms, ADD of
// a git subdirectory with excludes) and git sources: what BuildKit
// executes, without the names and the timestamps.
func TestParityWithDockerfile2LLB(t *testing.T) {
	const df = `FROM scratch
COPY <<EOF /etc/app/app.conf
listen = 80
EOF
COPY --chmod=0600 --chown=1000:1000 <<'EOF' /opt/raw.sh
echo ${PORT}
EOF
COPY --chmod=u+x,go-r bin/ /usr/local/bin/
COPY --chown=:1000 tool /tool-g
COPY --chown=1000: tool /tool-u
ADD root.tar.gz /unpacked/
ADD --exclude=*.md https://github.com/moby/buildkit.git#v0.13.0:docs /src
`
	const sf = `
image app from scratch {
  file "/etc/app/app.conf" { content = "listen = 80\n" }
  file "/opt/raw.sh" {
    content = "echo ${PORT}\n"
    raw = true
    chmod = "0600"
    chown = "1000:1000"
  }
  copy "bin/" to "/usr/local/bin/" { chmod = "u+x,go-r" }
  copy "tool" to "/tool-g" { chown = ":1000" }
  copy "tool" to "/tool-u" { chown = "1000:" }
  copy "root.tar.gz" to "/unpacked/" { unpack = true }
  add git "https://github.com/moby/buildkit.git" to "/src" {
    ref = "v0.13.0"
    subdir = "docs"
    exclude = ["*.md"]
  }
}
`
	p := arm64
	main := llb.Local("context")
	theirs, err := dockerfile2llb.Dockerfile2LLB(context.Background(), []byte(df), dockerfile2llb.ConvertOpt{
		MainContext: &main, TargetPlatform: &p, MetaResolver: &fakeResolver{},
	})
	if err != nil {
		t.Fatal(err)
	}
	summary := func(g *graph) (files, gits []string) {
		for _, d := range g.order {
			op := g.ops[d]
			if s := op.GetSource(); s != nil && strings.HasPrefix(s.Identifier, "git://") {
				gits = append(gits, s.Identifier)
			}
			for _, a := range op.GetFile().GetActions() {
				switch {
				case a.GetCopy() != nil:
					c := proto.Clone(a.GetCopy()).(*pb.FileActionCopy)
					c.Timestamp = 0
					// Deliberate: a copy pattern that matches nothing
					// is an error here (copy.go), not an empty copy.
					c.AllowEmptyWildcard = false
					// Where the document is on its own filesystem is
					// not what is written: only its destination is.
					if c.Src == "/EOF" || c.Src == "/app.conf" || c.Src == "/raw.sh" {
						c.Src = "(document)"
					}
					files = append(files, prototext.Format(c))
				case a.GetMkfile() != nil:
					m := a.GetMkfile()
					files = append(files, fmt.Sprintf("mkfile %o %q", m.Mode, m.Data))
				}
			}
		}
		return files, gits
	}
	df1, dg := summary(marshal(t, theirs.State))
	sf1, sg := summary(marshal(t, lower(t, sf, opts()).State))
	if diff := cmp.Diff(df1, sf1); diff != "" {
		t.Errorf("file actions (-dockerfile2llb +securefile):\n%s", diff)
	}
	if diff := cmp.Diff(dg, sg); diff != "" {
		t.Errorf("git sources (-dockerfile2llb +securefile):\n%s", diff)
	}
}

// TestInlineFilesOneLayer: a file step with files lowers as
// dockerfile2llb lowers COPY <<a <<b /dir/: one FileOp copying each
// document into the directory, each with its mode and owner (the step's
// unless the file sets its own), parents created.
func TestInlineFilesOneLayer(t *testing.T) {
	const df = `FROM scratch
COPY --chmod=0600 --chown=1000:1000 <<a <<b /etc/d/
one
a
two
b
`
	const sf = `
image app from scratch {
  file "/etc/d/" {
    chmod = "0600"
    chown = "1000:1000"
    file "a" { content = "one\n" }
    file "b" { content = "two\n" }
  }
  file "/srv/" {
    file "x.conf" {
      content = "${X}"
      raw = true
    }
    file "sub/y" {
      content = "y"
      chmod = "0755"
    }
  }
}
`
	copies := func(g *graph) (out [][]string) {
		for _, d := range g.order {
			var cs []string
			for _, a := range g.ops[d].GetFile().GetActions() {
				if c := a.GetCopy(); c != nil {
					c = proto.Clone(c).(*pb.FileActionCopy)
					c.Timestamp = 0
					c.AllowEmptyWildcard = false
					cs = append(cs, prototext.Format(c))
				}
			}
			if cs != nil {
				out = append(out, cs)
			}
		}
		return out
	}
	p := arm64
	main := llb.Local("context")
	theirs, err := dockerfile2llb.Dockerfile2LLB(context.Background(), []byte(df), dockerfile2llb.ConvertOpt{
		MainContext: &main, TargetPlatform: &p, MetaResolver: &fakeResolver{},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := copies(marshal(t, theirs.State))
	g := marshal(t, lower(t, sf, opts()).State)
	got := copies(g)
	if len(want) != 1 || len(want[0]) != 2 {
		t.Fatalf("dockerfile2llb: %d file ops, want one with two copies", len(want))
	}
	if len(got) != 2 {
		t.Fatalf("two file steps are %d file ops, want 2", len(got))
	}
	if diff := cmp.Diff(want[0], got[0]); diff != "" {
		t.Errorf("the layer of COPY <<a <<b /etc/d/ (-dockerfile2llb +securefile):\n%s", diff)
	}
	second := g.file(t, "FILE x.conf sub/y /srv/").Actions
	if len(second) != 2 {
		t.Fatalf("second step: %d actions, want 2", len(second))
	}
	if c := second[0].GetCopy(); c.Dest != "/srv/" || c.Src != "/x.conf" || c.Mode != -1 || !c.CreateDestPath {
		t.Errorf("x.conf: %+v", c)
	}
	if c := second[1].GetCopy(); c.Dest != "/srv/sub/" || c.Src != "/y" || c.Mode != 0o755 {
		t.Errorf("sub/y: %+v", c)
	}
	if doc := g.file(t, "[internal] preparing inline document /srv/x.conf").Actions[0].GetMkfile(); string(doc.Data) != "${X}" {
		t.Errorf("raw file content = %q", doc.Data)
	}
}
