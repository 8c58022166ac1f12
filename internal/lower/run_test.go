package lower

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/testing/protocmp"
)

func TestRunCommandAndEnv(t *testing.T) {
	res := lower(t, `
arg VERSION = "1.2"
arg UNUSED = "leak-me-not"
image app from scratch {
  env GOPATH = "/go", CGO_ENABLED = "0"
  workdir "/src"
  user "1000:1000"
  run "echo ${VERSION} $HOME ${PATH} ${TARGETARCH}" {
    env CGO_ENABLED = "1", EXTRA = "v-${VERSION}"
  }
  run ["go", "build", "-ldflags=-X main.v=${VERSION}", "$HOME"]
}
`, opts())
	g := marshal(t, res.State)

	// The shell command is as written; the args it names are its env
	// (PATH and HOME are not args: the shell's).
	sh := g.exec(t, "echo")
	want := &pb.Meta{
		Args: []string{"/bin/sh", "-c", "echo ${VERSION} $HOME ${PATH} ${TARGETARCH}"},
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"GOPATH=/go", "CGO_ENABLED=1", "EXTRA=v-1.2", "VERSION=1.2", "TARGETARCH=arm64",
		},
		Cwd:                       "/src",
		User:                      "1000:1000",
		RemoveMountStubsRecursive: true,
	}
	if diff := cmp.Diff(want, sh.Meta, protocmp.Transform()); diff != "" {
		t.Errorf("shell-form meta (-want +got):\n%s", diff)
	}
	exec := g.exec(t, "go build")
	if diff := cmp.Diff([]string{"go", "build", "-ldflags=-X main.v=1.2", "$HOME"}, exec.Meta.Args); diff != "" {
		t.Errorf("exec-form args (-want +got):\n%s", diff)
	}
	// The run's own env is for that step only.
	if diff := cmp.Diff([]string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"GOPATH=/go", "CGO_ENABLED=0",
	}, exec.Meta.Env); diff != "" {
		t.Errorf("second step env (-want +got):\n%s", diff)
	}
	// An exec-form command gets its words substituted, not the env; no
	// step gets an arg it does not name.
	for _, e := range g.execs() {
		for _, kv := range e.Meta.Env {
			if strings.HasPrefix(kv, "VERSION=") && e != sh || strings.HasPrefix(kv, "UNUSED=") || strings.Contains(kv, "leak-me-not") {
				t.Errorf("arg in the env of a step that does not name it: %s", kv)
			}
		}
	}
}

func TestSecretMounts(t *testing.T) {
	res := lower(t, `
secret netrc {
  target = "/root/.netrc"
  mode = "0440"
  uid = 1000
  gid = 1001
}
secret token {
  id = "gh_token"
  env = "GITHUB_TOKEN"
  required = false
}
secret both {
  target = "/run/both"
  env = "BOTH"
}
secret npmrc
image app from scratch {
  run "make" {
    secret netrc
    secret token
    secret both
    secret npmrc
  }
}
`, opts())
	e := marshal(t, res.State).exec(t, "make")
	var secrets []*pb.Mount
	for _, m := range e.Mounts {
		if m.MountType == pb.MountType_SECRET {
			secrets = append(secrets, m)
		}
	}
	want := []*pb.Mount{
		{Input: int64(pb.Empty), Dest: "/root/.netrc", MountType: pb.MountType_SECRET, SecretOpt: &pb.SecretOpt{ID: "netrc", Uid: 1000, Gid: 1001, Mode: 0o440}},
		{Input: int64(pb.Empty), Dest: "/run/both", MountType: pb.MountType_SECRET, SecretOpt: &pb.SecretOpt{ID: "both", Mode: 0o400}},
		{Input: int64(pb.Empty), Dest: "/run/secrets/npmrc", MountType: pb.MountType_SECRET, SecretOpt: &pb.SecretOpt{ID: "npmrc", Mode: 0o400}},
	}
	if diff := cmp.Diff(want, secrets, protocmp.Transform()); diff != "" {
		t.Errorf("secret mounts (-want +got):\n%s", diff)
	}
	wantEnv := []*pb.SecretEnv{
		{ID: "gh_token", Name: "GITHUB_TOKEN", Optional: true},
		{ID: "both", Name: "BOTH"},
	}
	if diff := cmp.Diff(wantEnv, e.Secretenv, protocmp.Transform()); diff != "" {
		t.Errorf("secret env (-want +got):\n%s", diff)
	}
	// Secrets are delivered by mounts, never by the environment.
	for _, kv := range e.Meta.Env {
		if strings.HasPrefix(kv, "GITHUB_TOKEN=") || strings.HasPrefix(kv, "BOTH=") {
			t.Errorf("secret variable in the plain env: %s", kv)
		}
	}
}

func TestSSHMountAndKnownHosts(t *testing.T) {
	const key = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	res := lower(t, `
ssh first
ssh github {
  id = "gh"
  required = false
  mode = "0660"
  uid = 10
  gid = 20
  known_hosts = [
    "`+key+`",
  ]
}
image app from scratch {
  run "git clone git@github.com:org/repo.git" {
    ssh github
    ssh first
  }
  run "true" {
    ssh first
  }
}
`, opts())
	g := marshal(t, res.State)
	e := g.exec(t, "git clone")
	var ssh []*pb.Mount
	for _, m := range e.Mounts {
		if m.MountType == pb.MountType_SSH {
			ssh = append(ssh, m)
		}
	}
	want := []*pb.Mount{
		{Input: int64(pb.Empty), Dest: "/run/buildkit/ssh_agent.1", MountType: pb.MountType_SSH, SSHOpt: &pb.SSHOpt{ID: "gh", Uid: 10, Gid: 20, Mode: 0o660, Optional: true}},
		{Input: int64(pb.Empty), Dest: "/run/buildkit/ssh_agent.0", MountType: pb.MountType_SSH, SSHOpt: &pb.SSHOpt{ID: "default", Mode: 0o600}},
	}
	if diff := cmp.Diff(want, ssh, protocmp.Transform()); diff != "" {
		t.Errorf("ssh mounts (-want +got):\n%s", diff)
	}
	env := strings.Join(e.Meta.Env, "\n")
	for _, w := range []string{
		"SSH_AUTH_SOCK=/run/buildkit/ssh_agent.1",
		"GIT_SSH_COMMAND=ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/ssh/ssh_known_hosts",
	} {
		if !strings.Contains(env, w) {
			t.Errorf("env lacks %s:\n%s", w, env)
		}
	}
	kh := mountAt(t, e, "/etc/ssh/ssh_known_hosts")
	if !kh.Readonly || kh.Selector != "/known_hosts" || kh.MountType != pb.MountType_BIND {
		t.Errorf("known_hosts mount: %v", kh)
	}
	// Plain ssh is held to the pins too, through the system config.
	sc := mountAt(t, e, "/etc/ssh/ssh_config.d/00-securefile-pinned-hosts.conf")
	if !sc.Readonly || sc.Selector != "/ssh_config" || sc.Input != kh.Input {
		t.Errorf("ssh_config mount: %v", sc)
	}
	// The mounted file holds exactly the pinned keys.
	var data string
	for _, d := range g.order {
		if f := g.ops[d].GetFile(); f != nil {
			for _, a := range f.Actions {
				if mk := a.GetMkfile(); mk != nil && mk.Path == "/known_hosts" {
					data = string(mk.Data)
				}
				if mk := a.GetMkfile(); mk != nil && mk.Path == "/ssh_config" && !strings.Contains(string(mk.Data), "StrictHostKeyChecking yes") {
					t.Errorf("ssh_config = %q", mk.Data)
				}
			}
		}
	}
	if data != key+"\n" {
		t.Errorf("known_hosts file = %q", data)
	}

	// Without pinned keys there is no file and no GIT_SSH_COMMAND.
	plain := g.exec(t, "true")
	if env := strings.Join(plain.Meta.Env, "\n"); strings.Contains(env, "GIT_SSH_COMMAND") || !strings.Contains(env, "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0") {
		t.Errorf("env of a step without pinned keys:\n%s", env)
	}
	for _, m := range plain.Mounts {
		if strings.HasPrefix(m.Dest, "/etc/ssh/") {
			t.Errorf("%s mounted for a step without pinned keys", m.Dest)
		}
	}
}

func TestCacheMounts(t *testing.T) {
	res := lower(t, `
cache gomod {
  target = "/go/pkg/mod"
  sharing = "locked"
}
cache build {
  target = "/root/.cache/go-build"
  id = "go-build"
  sharing = "private"
  mode = "0700"
  uid = 1000
  gid = 1000
  readonly = true
}
cache seeded {
  target = "/var/cache/apt"
  from = deps
}
stage deps from scratch {
  run "fetch"
}
image app from scratch {
  run "make" {
    cache gomod
    cache build
    cache seeded
  }
}
`, opts())
	g := marshal(t, res.State)
	e := g.exec(t, "make")

	gomod := mountAt(t, e, "/go/pkg/mod")
	if diff := cmp.Diff(&pb.Mount{Input: int64(pb.Empty), Dest: "/go/pkg/mod", Output: int64(pb.SkipOutput), MountType: pb.MountType_CACHE,
		CacheOpt: &pb.CacheOpt{ID: "gomod", Sharing: pb.CacheSharingOpt_LOCKED}}, gomod, protocmp.Transform()); diff != "" {
		t.Errorf("gomod (-want +got):\n%s", diff)
	}

	build := mountAt(t, e, "/root/.cache/go-build")
	if build.CacheOpt.ID != "go-build" || build.CacheOpt.Sharing != pb.CacheSharingOpt_PRIVATE || !build.Readonly || build.Selector != "/cache" {
		t.Errorf("go-build cache: %v", build)
	}
	// Its owner and mode come from a directory made for it.
	mk := g.ops[g.byName(t, "setting cache mount permissions")].GetFile().Actions[0].GetMkdir()
	if diff := cmp.Diff(&pb.FileActionMkDir{Path: "/cache", Mode: 0o700, Timestamp: -1,
		Owner: &pb.ChownOpt{User: &pb.UserOpt{User: &pb.UserOpt_ByID{ByID: 1000}}, Group: &pb.UserOpt{User: &pb.UserOpt_ByID{ByID: 1000}}}},
		mk, protocmp.Transform()); diff != "" {
		t.Errorf("cache directory (-want +got):\n%s", diff)
	}

	seeded := mountAt(t, e, "/var/cache/apt")
	if seeded.CacheOpt.ID != "seeded" || seeded.CacheOpt.Sharing != pb.CacheSharingOpt_SHARED || seeded.Input == int64(pb.Empty) {
		t.Errorf("seeded cache: %v", seeded)
	}
	if !g.ancestors(g.head)[g.byName(t, "RUN fetch")] {
		t.Errorf("the seed stage is not an input of the step")
	}
}

func TestBindTmpfsNetworkSecurity(t *testing.T) {
	res := lower(t, `
stage tools from scratch {
  run "build-tools"
}
image app from scratch {
  workdir "/work"
  run "make" {
    bind "/opt" from tools to "/mnt/tools"
    bind "docs" from context "docs" to "/work/rel" { rw = true }
    bind "." to "/src"
    tmpfs "/tmp" { size = "64m" }
    tmpfs "/scratch"
    network = "none"
    security = "insecure"
  }
  run "host" {
    network = "host"
  }
}
`, withNamedContexts(opts(), "docs"))
	g := marshal(t, res.State)
	e := g.exec(t, "make")

	tools := mountAt(t, e, "/mnt/tools")
	if !tools.Readonly || tools.Selector != "/opt" || tools.Output != int64(pb.SkipOutput) {
		t.Errorf("read-only bind: %v", tools)
	}
	docs := mountAt(t, e, "/work/rel")
	if docs.Readonly || docs.Selector != "/docs" || docs.Output != int64(pb.SkipOutput) {
		t.Errorf("read-write bind (writes discarded): %v", docs)
	}
	src := mountAt(t, e, "/src")
	if !src.Readonly || src.Selector != "" {
		t.Errorf("context bind: %v", src)
	}
	tmp := mountAt(t, e, "/tmp")
	if tmp.MountType != pb.MountType_TMPFS || tmp.TmpfsOpt.GetSize() != 64<<20 {
		t.Errorf("tmpfs: %v", tmp)
	}
	if s := mountAt(t, e, "/scratch"); s.MountType != pb.MountType_TMPFS || s.TmpfsOpt.GetSize() != 0 {
		t.Errorf("tmpfs without size: %v", s)
	}
	if e.Network != pb.NetMode_NONE || e.Security != pb.SecurityMode_INSECURE {
		t.Errorf("network %v, security %v", e.Network, e.Security)
	}
	if h := g.exec(t, "host"); h.Network != pb.NetMode_HOST || h.Security != pb.SecurityMode_SANDBOX {
		t.Errorf("host step: network %v, security %v", h.Network, h.Security)
	}
	// The context bind of "." needs the whole context.
	if fp := g.source(t, "local://context").Attrs[pb.AttrFollowPaths]; fp != "" {
		t.Errorf("followpaths = %s, want none", fp)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512": 512, "64m": 64 << 20, "1g": 1 << 30, "1.5k": 1536, "2 MiB": 2 << 20, "3kb": 3 << 10} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseSize("lots"); err == nil {
		t.Errorf("parseSize(lots) did not fail")
	}
}
