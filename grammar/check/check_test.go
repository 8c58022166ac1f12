package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// app is a clean one-image file: `image app from "alpine:3.20"` on line 3
// with `run "echo hi"` on line 4; mod changes it.
func app(mod func(f *spec.File, s *spec.Stage)) *spec.File {
	s := image(3, "app", imageSrc(3, 16, "alpine:3.20"), run(4, "echo hi"))
	f := &spec.File{Node: spec.Node{Range: span(1, 1, "x")}, Stages: []*spec.Stage{s}}
	if mod != nil {
		mod(f, s)
	}
	return f
}

// withRun is app whose run step (line 4) mod changes.
func withRun(mod func(f *spec.File, r *spec.Run)) *spec.File {
	return app(func(f *spec.File, s *spec.Stage) { mod(f, s.Steps[0].(*spec.Run)) })
}

// withStep is app with step st after the run.
func withStep(st spec.Step, decls func(f *spec.File)) *spec.File {
	return app(func(f *spec.File, s *spec.Stage) {
		s.Steps = append(s.Steps, st)
		if decls != nil {
			decls(f)
		}
	})
}

func lines(ds spec.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Line()+" ["+d.Code+"]")
	}
	return out
}

type checkCase struct {
	name string
	f    *spec.File
	want []string
}

func checkCases() []checkCase {
	return append(append(securityCases(), inlineCases()...), []checkCase{
		{"clean", app(nil), nil},
		{"zero file", &spec.File{}, []string{"<input>:1:1: no stages [no-stages]"}},
		{"unknown step kind", app(func(f *spec.File, s *spec.Stage) {
			s.Steps = append(s.Steps, &mkdirStep{Node: node(9, 3), Path: str(9, 9, "/x")})
		}), []string{
			`Securefile:9:3: internal checker error: unknown step "mkdir" [internal]`,
		}},
		{"nil file", nil, []string{"<input>:1:1: no stages [no-stages]"}},
		{"no stages", &spec.File{Node: spec.Node{Range: span(1, 1, "x")}, Args: []*spec.Arg{arg(2, "A")}}, []string{
			"Securefile:1:1: no stages [no-stages]",
			`Securefile:2:5: warning: unused arg "A" [unused-arg]`,
		}},

		// names
		{"invalid arg name", app(func(f *spec.File, s *spec.Stage) { f.Args = []*spec.Arg{arg(1, "GO-VERSION")} }), []string{
			`Securefile:1:5: invalid arg name "GO-VERSION" [invalid-name]`,
		}},
		{"invalid declaration names", app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(1, "1netrc")}
			f.Caches = []*spec.Cache{cache(2, "go mod", "/go")}
			s.Steps[0].(*spec.Run).Secrets = []spec.Value[string]{word(4, 20, "1netrc")}
			s.Steps[0].(*spec.Run).Caches = []spec.Value[string]{word(4, 30, "go mod")}
		}), []string{
			`Securefile:1:8: invalid secret name "1netrc" [invalid-name]`,
			`Securefile:2:7: invalid cache name "go mod" [invalid-name]`,
			`Securefile:4:7: warning: secret "1netrc" can end up in cache "go mod" [secret-in-cache]`,
		}},
		{"reserved names", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{arg(1, "TARGETARCH")}
			s.Steps[0] = run(4, "echo ${TARGETARCH}")
			f.Stages = append(f.Stages, stage(6, "scratch", imageSrc(6, 20, "alpine")), stage(8, "Context", imageSrc(8, 20, "alpine")))
		}), []string{
			`Securefile:1:5: arg "TARGETARCH" is reserved [reserved-name]`,
			`Securefile:6:7: stage name "scratch" is reserved [reserved-name]`,
			`Securefile:8:7: stage name "Context" is reserved [reserved-name]`,
		}},
		{"duplicate declarations", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{arg(1, "A"), arg(2, "A")}
			f.Secrets = []*spec.Secret{secret(3, "s"), secret(4, "s")}
			f.SSH = []*spec.SSH{sshDecl(5, "k"), sshDecl(6, "k")}
			f.Caches = []*spec.Cache{cache(7, "c", "/c"), cache(9, "c", "/d")}
			s.Steps[0] = run(4, "echo ${A}")
			r := s.Steps[0].(*spec.Run)
			r.Secrets = []spec.Value[string]{word(4, 30, "s")}
			r.SSH = []spec.Value[string]{word(4, 40, "k")}
			r.Caches = []spec.Value[string]{word(4, 50, "c")}
			s.Steps = append(s.Steps, copyStep(5, "/", "x"))
			s.Steps[1].(*spec.Copy).From = stageSrc(5, 20, "base")
			f.Stages = append(f.Stages, stage(11, "base", imageSrc(11, 20, "alpine")), stage(12, "Base", imageSrc(12, 20, "alpine")))
		}), []string{
			`Securefile:2:5: duplicate arg "A" [duplicate-arg]`,
			`Securefile:4:7: warning: secret "s" can end up in cache "c" [secret-in-cache]`,
			`Securefile:4:8: duplicate secret "s" [duplicate-secret]`,
			`Securefile:6:5: duplicate ssh "k" [duplicate-ssh]`,
			`Securefile:9:7: duplicate cache "c" [duplicate-cache]`,
			`Securefile:12:7: duplicate stage name "Base" [duplicate-stage]`,
		}},

		// references
		{"undefined secret", withRun(func(f *spec.File, r *spec.Run) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			r.Secrets = []spec.Value[string]{word(4, 20, "nertc")}
		}), []string{
			`Securefile:1:8: warning: unused secret "netrc" [unused-secret]`,
			`Securefile:4:20: undefined secret "nertc" [undefined-secret]`,
		}},
		{"undefined ssh and cache", withRun(func(f *spec.File, r *spec.Run) {
			r.SSH = []spec.Value[string]{word(4, 20, "github")}
			r.Caches = []spec.Value[string]{word(4, 30, "gomod")}
		}), []string{
			`Securefile:4:20: undefined ssh "github" [undefined-ssh]`,
			`Securefile:4:30: undefined cache "gomod" [undefined-cache]`,
		}},
		{"duplicate mount", withRun(func(f *spec.File, r *spec.Run) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			r.Secrets = []spec.Value[string]{word(4, 20, "netrc"), word(4, 30, "netrc")}
		}), []string{`Securefile:4:30: secret "netrc" is mounted twice [duplicate-mount]`}},
		{"undefined stages everywhere", app(func(f *spec.File, s *spec.Stage) {
			f.Stages = append(f.Stages, stage(6, "build", stageSrc(6, 20, "bse")), stage(7, "base", imageSrc(7, 20, "alpine")))
			cp := copyStep(5, "/", "x")
			cp.From = stageSrc(5, 20, "biuld")
			s.Steps = append(s.Steps, cp)
			r := s.Steps[0].(*spec.Run)
			r.Binds = []*spec.Bind{{Node: node(4, 20), From: stageSrc(4, 30, "Build"), Target: str(4, 40, "/mnt")}}
			r.Caches = []spec.Value[string]{word(4, 60, "seeded")}
			seeded := cache(9, "seeded", "/var/cache")
			seeded.From = stageSrc(11, 10, "alpine:3.20")
			f.Caches = []*spec.Cache{seeded}
		}), []string{
			`Securefile:4:30: undefined stage "Build" [undefined-stage]`,
			`Securefile:5:20: undefined stage "biuld" [undefined-stage]`,
			`Securefile:6:20: undefined stage "bse" [undefined-stage]`,
			`Securefile:11:10: undefined stage "alpine:3.20" [undefined-stage]`,
		}},
		{"forward reference is fine", app(func(f *spec.File, s *spec.Stage) {
			s.From = stageSrc(3, 16, "later")
			f.Stages = append(f.Stages, stage(6, "later", imageSrc(6, 20, "alpine:3.20")))
		}), nil},
		{"self dependency", app(func(f *spec.File, s *spec.Stage) {
			cp := copyStep(5, "/", "x")
			cp.From = stageSrc(5, 20, "app")
			s.Steps = append(s.Steps, cp)
		}), []string{`Securefile:5:20: image "app" depends on itself [stage-cycle]`}},
		{"cycle", app(func(f *spec.File, s *spec.Stage) {
			s.From = stageSrc(3, 16, "a")
			b := stage(8, "b", stageSrc(8, 15, "a"))
			a := stage(6, "a", imageSrc(6, 15, "alpine"), copyStep(7, "/", "x"))
			a.Steps[0].(*spec.Copy).From = stageSrc(7, 20, "b")
			f.Stages = append(f.Stages, a, b)
		}), []string{`Securefile:8:15: dependency cycle a → b → a [stage-cycle]`}},
		{"two cycles", app(func(f *spec.File, s *spec.Stage) {
			a := stage(6, "a", stageSrc(6, 15, "b"))
			b := stage(7, "b", stageSrc(7, 15, "c"))
			c := stage(8, "c", stageSrc(8, 15, "a"), copyStep(9, "/", "x"))
			c.Steps[0].(*spec.Copy).From = stageSrc(9, 20, "b")
			cp := copyStep(5, "/", "x")
			cp.From = stageSrc(5, 20, "a")
			s.Steps = append(s.Steps, cp)
			f.Stages = append(f.Stages, a, b, c)
		}), []string{
			`Securefile:8:15: dependency cycle a → b → c → a [stage-cycle]`,
			`Securefile:9:20: dependency cycle b → c → b [stage-cycle]`,
		}},
		{"cycle through a seeded cache", app(func(f *spec.File, s *spec.Stage) {
			seeded := cache(1, "deps", "/deps")
			seeded.From = stageSrc(2, 30, "app")
			f.Caches = []*spec.Cache{seeded}
			s.Steps[0].(*spec.Run).Caches = []spec.Value[string]{word(4, 20, "deps")}
		}), []string{`Securefile:4:20: image "app" depends on itself [stage-cycle]`}},

		// targets
		{"ambiguous default", app(func(f *spec.File, s *spec.Stage) {
			f.Stages = append(f.Stages, image(6, "debug", imageSrc(6, 18, "busybox")))
		}), []string{`Securefile:6:7: no default among 2 images [ambiguous-default]`}},
		{"one default among images", app(func(f *spec.File, s *spec.Stage) {
			f.Stages = append(f.Stages, defaultImage(6, "debug", imageSrc(6, 26, "busybox")), image(8, "x", imageSrc(8, 18, "busybox")))
		}), nil},
		{"multiple defaults", app(func(f *spec.File, s *spec.Stage) {
			f.Stages = []*spec.Stage{defaultImage(3, "a", imageSrc(3, 26, "busybox")), defaultImage(5, "b", imageSrc(5, 26, "busybox"))}
		}), []string{`Securefile:5:1: more than one default target [multiple-defaults]`}},
		{"default on a stage", app(func(f *spec.File, s *spec.Stage) {
			st := stage(6, "tools", imageSrc(6, 20, "alpine"))
			st.Default = boolean(6, 30, true)
			f.Stages = append(f.Stages, st)
		}), []string{`Securefile:6:30: only an image can be the default target [default-on-stage]`}},
		{"stage without base", app(func(f *spec.File, s *spec.Stage) { s.From = spec.Source{} }), []string{
			`Securefile:3:7: image "app" is missing "from" [missing-key]`,
		}},
		// A stage nothing depends on is a target of its own (--target),
		// not an unused stage.
		{"only stages: each leaf is a target of its own", &spec.File{Stages: []*spec.Stage{
			stage(1, "a", imageSrc(1, 15, "alpine")), stage(2, "b", stageSrc(2, 15, "a")), stage(3, "c", imageSrc(3, 15, "alpine")),
		}}, nil},

		// values
		{"platforms", app(func(f *spec.File, s *spec.Stage) {
			f.Platforms = strs(1, 13, "linux/amd64", "linux/amd65", "linux/x86_64", "linux//arm", "${TARGETPLATFORM}", "")
			s.Platform = str(3, 40, "linux/arm/v7/x")
		}), []string{
			`Securefile:1:29: warning: unknown architecture "amd65" in platform "linux/amd65" [unknown-platform]`,
			`Securefile:1:44: warning: duplicate platform "linux/x86_64" [duplicate-platform]`,
			`Securefile:1:60: invalid platform "linux//arm" [invalid-platform]`,
			`Securefile:1:95: empty platform [empty-value]`,
			`Securefile:3:40: invalid platform "linux/arm/v7/x" [invalid-platform]`,
		}},
		{"empty platforms", app(func(f *spec.File, s *spec.Stage) { f.Platforms = strs(1, 13) }), []string{
			`Securefile:1:13: empty platforms [empty-value]`,
		}},
		{"modes and owners", withRun(func(f *spec.File, r *spec.Run) {
			s := secret(1, "netrc")
			s.Mode, s.UID = str(2, 10, "0800"), num(2, 20, -1)
			k := sshDecl(5, "agent")
			k.Mode = str(6, 10, "rw")
			c := cache(7, "c", "/c")
			c.Mode, c.GID = str(9, 10, "0o755"), num(9, 20, -5)
			f.Secrets, f.SSH, f.Caches = []*spec.Secret{s}, []*spec.SSH{k}, []*spec.Cache{c}
			r.Secrets = []spec.Value[string]{word(4, 20, "netrc")}
			r.SSH = []spec.Value[string]{word(4, 30, "agent")}
			r.Caches = []spec.Value[string]{word(4, 40, "c")}
		}), []string{
			`Securefile:2:10: invalid mode "0800" [invalid-mode]`,
			`Securefile:2:20: invalid uid -1 [invalid-uid]`,
			`Securefile:4:7: warning: secret "netrc" can end up in cache "c" [secret-in-cache]`,
			`Securefile:6:10: invalid mode "rw" [invalid-mode]`,
			`Securefile:9:10: invalid mode "0o755" [invalid-mode]`,
			`Securefile:9:20: invalid gid -5 [invalid-gid]`,
		}},
		{"enums", withRun(func(f *spec.File, r *spec.Run) {
			c := cache(1, "c", "/c")
			c.Sharing = str(3, 13, "lock")
			f.Caches = []*spec.Cache{c}
			r.Caches = []spec.Value[string]{word(4, 20, "c")}
			r.Network = str(5, 15, "None")
			r.Security = str(6, 16, "privileged")
		}), []string{
			`Securefile:3:13: invalid sharing "lock" [invalid-sharing]`,
			`Securefile:5:15: invalid network "None" [invalid-network]`,
			`Securefile:6:16: invalid security "privileged" [invalid-security]`,
		}},
		{"mount targets and env names", withRun(func(f *spec.File, r *spec.Run) {
			s := secret(1, "a")
			s.Target = str(2, 12, "root/.netrc")
			t := secret(3, "b")
			t.Env = str(4, 9, "GH-TOKEN")
			f.Secrets = []*spec.Secret{s, t}
			r.Secrets = []spec.Value[string]{word(4, 20, "a"), word(4, 25, "b")}
			r.Binds = []*spec.Bind{{Node: node(5, 5), Path: str(5, 10, "."), Target: str(5, 20, "src")}}
			r.Tmpfs = []*spec.Tmpfs{{Node: node(6, 5), Target: str(6, 11, "/tmp"), Size: str(6, 25, "64x")}}
		}), []string{
			`Securefile:2:12: target "root/.netrc" is not an absolute path [relative-path]`,
			`Securefile:4:9: invalid environment variable name "GH-TOKEN" [invalid-env-name]`,
			`Securefile:5:20: target "src" is not an absolute path [relative-path]`,
			`Securefile:6:25: invalid tmpfs size "64x" [invalid-size]`,
		}},
		{"secret options ignored without a file", withRun(func(f *spec.File, r *spec.Run) {
			s := secret(1, "token")
			s.Env, s.Mode = str(2, 9, "TOKEN"), str(3, 10, "0400")
			f.Secrets = []*spec.Secret{s}
			r.Secrets = []spec.Value[string]{word(4, 20, "token")}
		}), []string{`Securefile:3:10: warning: mode has no effect on secret "token" [ignored-option]`}},
		{"mount and env conflicts", withRun(func(f *spec.File, r *spec.Run) {
			a, b := secret(1, "a"), secret(2, "b")
			a.Target = str(1, 20, "/run/x")
			b.Env = str(2, 20, "TOKEN")
			c := secret(3, "c")
			c.Env = str(3, 20, "TOKEN")
			f.Secrets = []*spec.Secret{a, b, c}
			r.Secrets = []spec.Value[string]{word(4, 20, "a"), word(4, 25, "b"), word(4, 30, "c")}
			r.Tmpfs = []*spec.Tmpfs{{Node: node(5, 5), Target: str(5, 11, "/run/x/")}, {Node: node(6, 5), Target: str(6, 11, "/")}}
		}), []string{
			`Securefile:4:30: environment variable "TOKEN" is set twice [env-conflict]`,
			`Securefile:5:11: two mounts at "/run/x" [mount-conflict]`,
			`Securefile:6:11: mount target "/" replaces the root filesystem [mount-conflict]`,
		}},
		{"default secret targets collide", withRun(func(f *spec.File, r *spec.Run) {
			a, b := secret(1, "a"), secret(2, "b")
			a.ID, b.ID = str(1, 20, "npm"), str(2, 20, "npm")
			f.Secrets = []*spec.Secret{a, b}
			r.Secrets = []spec.Value[string]{word(4, 20, "a"), word(4, 25, "b")}
		}), []string{`Securefile:4:25: two mounts at "/run/secrets/npm" [mount-conflict]`}},
		{"cache id conflict", withRun(func(f *spec.File, r *spec.Run) {
			a, b := cache(1, "apt", "/var/cache/apt"), cache(3, "apt2", "/var/lib/apt")
			a.ID, a.Sharing = str(2, 30, "apt"), str(2, 50, "locked")
			b.ID = str(4, 30, "apt")
			f.Caches = []*spec.Cache{a, b}
			r.Caches = []spec.Value[string]{word(4, 20, "apt"), word(4, 25, "apt2")}
		}), []string{`Securefile:4:30: warning: cache "apt2" shares id "apt" with cache "apt" but not its settings [cache-id-conflict]`}},
		{"known hosts", withRun(func(f *spec.File, r *spec.Run) {
			k := sshDecl(1, "gh")
			k.KnownHosts = list(2, 17,
				str(3, 5, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"),
				str(4, 5, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"),
				str(5, 5, "github.com ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"),
				str(6, 5, "github.com ssh-ed25519 not-base64!"),
				str(7, 5, "github.com"),
				str(8, 5, "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"),
			)
			f.SSH = []*spec.SSH{k}
			r.SSH = []spec.Value[string]{word(4, 90, "gh")}
		}), []string{
			`Securefile:4:5: invalid known_hosts entry [invalid-known-hosts]`,
			`Securefile:5:5: invalid known_hosts entry [invalid-known-hosts]`,
			`Securefile:6:5: invalid known_hosts entry [invalid-known-hosts]`,
			`Securefile:7:5: invalid known_hosts entry [invalid-known-hosts]`,
		}},
		{"add http", withStep(&spec.Add{Node: node(5, 3), Kind: spec.AddHTTP, URL: str(5, 7, "https://example.com/t.tgz"), Dest: str(5, 40, "/t.tgz"),
			Ref: str(6, 11, "main"), KeepGitDir: boolean(7, 20, true)}, nil), []string{
			`Securefile:5:7: missing checksum for "https://example.com/t.tgz" [missing-checksum]`,
			`Securefile:6:11: ref applies only to git sources [option-not-applicable]`,
			`Securefile:7:20: keep_git_dir applies only to git sources [option-not-applicable]`,
		}},
		{"add http checksums", app(func(f *spec.File, s *spec.Stage) {
			for i, sum := range []string{"sha256:ABC", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:" + strings.Repeat("a", 63), "sha256:" + strings.Repeat("a", 64), "sha512:" + strings.Repeat("0", 128)} {
				s.Steps = append(s.Steps, &spec.Add{Node: node(5+i, 3), Kind: spec.AddHTTP, URL: str(5+i, 7, "https://x.org/f"), Dest: str(5+i, 30, "/f"), Checksum: str(5+i, 50, sum)})
			}
		}), []string{
			`Securefile:5:50: invalid checksum "sha256:ABC" [invalid-checksum]`,
			`Securefile:6:50: invalid checksum "md5:d41d8cd98f00b204e9800998ecf8427e" [invalid-checksum]`,
			`Securefile:7:50: invalid checksum "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" [invalid-checksum]`,
		}},
		{"add http URLs", app(func(f *spec.File, s *spec.Stage) {
			sum := str(0, 0, "sha256:"+strings.Repeat("a", 64))
			for i, u := range []string{"ftp://x.org/f", "example.com/f", "https://user:pw@x.org/f", "git@github.com:o/r.git"} {
				a := &spec.Add{Node: node(5+i, 3), Kind: spec.AddHTTP, URL: str(5+i, 7, u), Dest: str(5+i, 40, "/f"), Checksum: sum}
				a.Checksum.Range = spec.Range{}
				s.Steps = append(s.Steps, a)
			}
		}), []string{
			`Securefile:5:7: invalid download URL "ftp://x.org/f" [invalid-url]`,
			`Securefile:6:7: invalid download URL "example.com/f" [invalid-url]`,
			`Securefile:7:7: credentials in URL [url-credentials]`,
			`Securefile:8:7: invalid download URL "git@github.com:o/r.git" [invalid-url]`,
		}},
		{"add git", app(func(f *spec.File, s *spec.Stage) {
			urls := []string{"https://github.com/moby/buildkit.git", "git@github.com:moby/buildkit.git", "ssh://git@github.com/moby/buildkit", "git://example.com/r", "github.com/moby/buildkit", "ftp://x/r", "https://tok@github.com/o/r"}
			for i, u := range urls {
				s.Steps = append(s.Steps, &spec.Add{Node: node(5+i, 3), Kind: spec.AddGit, URL: str(5+i, 11, u), Dest: str(5+i, 60, "/src")})
			}
			bad := s.Steps[1].(*spec.Add)
			bad.Commit, bad.Checksum, bad.Ref = str(20, 14, "abc123"), str(21, 16, "sha256:"+strings.Repeat("a", 64)), str(22, 11, "")
			s.Steps[2].(*spec.Add).Commit = str(23, 14, strings.Repeat("A", 40))
			s.Steps[3].(*spec.Add).Commit = str(24, 14, strings.Repeat("0", 40))
		}), []string{
			`Securefile:6:11: no pinned host key for "github.com" [unpinned-ssh-host]`,
			`Securefile:7:11: no pinned host key for "github.com" [unpinned-ssh-host]`,
			`Securefile:9:11: invalid git URL "github.com/moby/buildkit" [invalid-git-url]`,
			`Securefile:10:11: invalid git URL "ftp://x/r" [invalid-git-url]`,
			`Securefile:11:11: credentials in URL [url-credentials]`,
			`Securefile:20:14: invalid commit "abc123" [invalid-commit]`,
			`Securefile:21:16: checksum applies only to http sources [option-not-applicable]`,
			`Securefile:22:11: empty ref [empty-value]`,
			`Securefile:23:14: invalid commit "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" [invalid-commit]`,
		}},
		{"chown and user", app(func(f *spec.File, s *spec.Stage) {
			a := copyStep(5, "/app", "app")
			a.Chown, a.Link = str(5, 60, "app:app"), boolean(5, 80, true)
			b := copyStep(6, "/app", "app")
			b.Chown = str(6, 60, "a:b:c")
			s.Steps = append(s.Steps, a, b, &spec.User{Node: node(7, 3), User: str(7, 8, "1000:")}, &spec.User{Node: node(8, 3), User: str(8, 8, "nobody:nogroup")})
		}), []string{
			`Securefile:5:60: chown by name cannot be used with link [chown-name-with-link]`,
			`Securefile:6:60: invalid chown "a:b:c" [invalid-chown]`,
			`Securefile:7:8: invalid user "1000:" [invalid-user]`,
		}},
		{"copy", app(func(f *spec.File, s *spec.Stage) {
			none := &spec.Copy{Node: node(5, 3), Sources: spec.List[string]{Set: true, Range: span(5, 8, "[]")}, Dest: str(5, 20, "/x")}
			url := copyStep(6, "/x", "https://example.com/f")
			up := copyStep(7, "/x", "../secrets/key")
			multi := copyStep(8, "/app", "a", "b")
			multiOK := copyStep(9, ".", "a", "b")
			fromScratch := copyStep(10, "/x", "x")
			fromScratch.From = scratch(10, 20)
			badPattern := copyStep(11, "/x", ".")
			badPattern.Include = strs(11, 50, "[a-", "**/*.go")
			s.Steps = append(s.Steps, none, url, up, multi, multiOK, fromScratch, badPattern)
		}), []string{
			`Securefile:5:8: copy without a source [missing-source]`,
			`Securefile:6:9: copy source "https://example.com/f" is a URL [url-in-copy]`,
			`Securefile:7:9: warning: path "../secrets/key" leaves its source [path-escapes-source]`,
			`Securefile:8:40: warning: destination "/app" of several sources does not end with "/" [copy-dest-not-dir]`,
			`Securefile:10:20: cannot copy from scratch [invalid-source]`,
			`Securefile:11:51: invalid include pattern "[a-" [invalid-pattern]`,
		}},
		{"commands", app(func(f *spec.File, s *spec.Stage) {
			s.Steps = append(s.Steps, run(5, "  "), runExec(6), runExec(7, "apt-get install -y curl"), runExec(8, "", "x"),
				&spec.Run{Node: node(9, 3)})
			s.Config.Entrypoint = spec.Command{Node: node(10, 3), Exec: strs(10, 16)}
		}), []string{
			`Securefile:5:7: empty run command [empty-command]`,
			`Securefile:6:7: empty run command [empty-command]`,
			`Securefile:7:8: warning: exec form runs "apt-get install -y curl" as one program name [exec-form-spaces]`,
			`Securefile:8:8: empty program in run command [empty-command]`,
			`Securefile:9:3: run step without a command [empty-command]`,
			// entrypoint = [] clears the inherited entrypoint: no finding.
		}},
		{"image config", app(func(f *spec.File, s *spec.Stage) {
			s.Config = spec.ImageConfig{
				Expose:     strs(5, 12, "80", "53/udp", "8000-8100/tcp", "8080:80", "70000", "90-80", "80/http", "${PORT}"),
				Volumes:    strs(6, 13, "/data", "data"),
				StopSignal: str(7, 17, "SIGTREM"),
				Labels:     []*spec.KeyValue{kv(8, 14, "", "x")},
			}
			f.Args = []*spec.Arg{argDefault(1, "PORT", "80")}
		}), []string{
			`Securefile:5:46: invalid port "8080:80" [invalid-port]`,
			`Securefile:5:57: invalid port "70000" [invalid-port]`,
			`Securefile:5:66: invalid port "90-80" [invalid-port]`,
			`Securefile:5:75: invalid port "80/http" [invalid-port]`,
			`Securefile:6:23: volume "data" is not an absolute path [relative-path]`,
			`Securefile:7:17: invalid stop signal "SIGTREM" [invalid-signal]`,
			`Securefile:8:14: empty label key [empty-value]`,
		}},
		{"stop signals", app(func(f *spec.File, s *spec.Stage) {
			images := []*spec.Stage{s}
			for i, sig := range []string{"TERM", "sigkill", "15", "SIGRTMIN+3", "0", "99"} {
				im := image(10+i, fmt.Sprintf("i%d", i), imageSrc(10+i, 20, "alpine"))
				im.Config.StopSignal = str(10+i, 40, sig)
				images = append(images, im)
			}
			s.Default = boolean(3, 50, true)
			f.Stages = images
		}), []string{
			`Securefile:14:40: invalid stop signal "0" [invalid-signal]`,
			`Securefile:15:40: invalid stop signal "99" [invalid-signal]`,
		}},
		{"healthcheck", app(func(f *spec.File, s *spec.Stage) {
			s.Config.Healthcheck = &spec.Healthcheck{Node: node(5, 17), None: boolean(5, 25, true),
				Test:     spec.Command{Node: node(5, 40), Exec: strs(5, 40, "/app", "health")},
				Interval: str(6, 15, "30"), Timeout: str(6, 30, "-5s"), StartPeriod: str(6, 45, "10ns"), StartInterval: str(6, 60, "1m"),
				Retries: num(7, 14, -1)}
		}), []string{
			`Securefile:5:25: healthcheck none cannot be combined with cmd, interval, timeout, start_period, start_interval, retries [healthcheck-conflict]`,
			`Securefile:6:15: invalid interval "30" [invalid-duration]`,
			`Securefile:6:30: negative timeout "-5s" [invalid-duration]`,
			`Securefile:6:45: start_period "10ns" is shorter than 1ms [invalid-duration]`,
			`Securefile:7:14: invalid retries -1 [invalid-retries]`,
		}},
		{"sources", app(func(f *spec.File, s *spec.Stage) {
			f.Stages = append(f.Stages, stage(6, "build", imageSrc(6, 20, "Alpine:3.20")), stage(7, "ctx", spec.Source{Node: node(7, 15), Set: true, Kind: spec.SourceContext}))
			s.From = imageSrc(3, 16, "build")
			r := s.Steps[0].(*spec.Run)
			r.Binds = []*spec.Bind{{Node: node(4, 20), From: scratch(4, 30), Target: str(4, 40, "/mnt")}}
			seeded := cache(8, "seeded", "/c")
			seeded.From = namedCtx(10, 10, "docs")
			f.Caches = []*spec.Cache{seeded}
			r.Caches = []spec.Value[string]{word(4, 60, "seeded")}
		}), []string{
			`Securefile:3:16: warning: image "build" has the name of a stage [image-named-like-stage]`,
			`Securefile:4:30: scratch cannot be bound [invalid-source]`,
			`Securefile:6:20: invalid image reference "Alpine:3.20" [invalid-image]`,
			`Securefile:7:15: the main build context cannot be a base [invalid-source]`,
			`Securefile:10:10: a cache cannot be seeded from named context "docs" [invalid-source]`,
		}},
		{"image references", app(func(f *spec.File, s *spec.Stage) {
			refs := []string{"ghcr.io/Org/app:1", "alpine:", "alpine@sha256:abc", "localhost:5000/app:v1", "docker.io/library/alpine:3.20@sha256:" + strings.Repeat("b", 64), "my image"}
			for i, ref := range refs {
				st := image(10+i, "i"+string(rune('a'+i)), imageSrc(10+i, 20, ref))
				f.Stages = append(f.Stages, st)
			}
			s.Default = boolean(3, 50, true)
		}), []string{
			`Securefile:10:20: invalid image reference "ghcr.io/Org/app:1" [invalid-image]`,
			`Securefile:11:20: invalid image reference "alpine:" [invalid-image]`,
			`Securefile:12:20: invalid image reference "alpine@sha256:abc" [invalid-image]`,
			`Securefile:15:20: invalid image reference "my image" [invalid-image]`,
		}},

		// interpolation
		{"undefined arg inside a string", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "GO_VERSION", "1.22")}
			s.From = imageSrc(3, 16, "golang:${GO_VERSOIN}-alpine")
		}), []string{
			`Securefile:1:5: warning: unused arg "GO_VERSION" [unused-arg]`,
			`Securefile:3:24: undefined arg "GO_VERSOIN" [undefined-arg]`,
		}},
		{"platform args need no declaration", app(func(f *spec.File, s *spec.Stage) {
			s.Platform = str(3, 40, "${BUILDPLATFORM}")
			s.Steps = append(s.Steps, &spec.Env{Node: node(5, 3), Vars: []*spec.KeyValue{kv(5, 7, "ARCH", "${TARGETARCH}${TARGETVARIANT:+/${TARGETVARIANT}}")}})
		}), nil},
		{"secret interpolation", app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			f.SSH = []*spec.SSH{sshDecl(2, "agent")}
			s.Steps = []spec.Step{run(4, "echo ${netrc} ${HOME} $netrc")}
			s.Steps[0].(*spec.Run).Secrets = []spec.Value[string]{word(4, 60, "netrc")}
			s.Steps[0].(*spec.Run).SSH = []spec.Value[string]{word(4, 70, "agent")}
			s.Config.Labels = []*spec.KeyValue{kv(5, 14, "token", "x${netrc}"), kv(6, 14, "sock", "${agent:-none}")}
		}), []string{
			`Securefile:4:13: secret "netrc" cannot be interpolated [secret-interpolation]`,
			`Securefile:5:24: secret "netrc" cannot be interpolated [secret-interpolation]`,
			`Securefile:6:22: ssh "agent" cannot be interpolated [mount-interpolation]`,
		}},
		{"secret in arg default and run env", withRun(func(f *spec.File, r *spec.Run) {
			f.Secrets = []*spec.Secret{secret(1, "token")}
			f.Args = []*spec.Arg{argDefault(2, "T", "${token}")}
			r.Secrets = []spec.Value[string]{word(4, 60, "token")}
			r.Env = []*spec.KeyValue{kv(5, 9, "GH", "${T}${token}")}
		}), []string{
			`Securefile:2:10: secret "token" cannot be interpolated [secret-interpolation]`,
			`Securefile:5:19: secret "token" cannot be interpolated [secret-interpolation]`,
		}},
		{"interpolation syntax errors", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "V", "1")}
			s.Steps = append(s.Steps,
				&spec.Workdir{Node: node(5, 3), Path: str(5, 11, "/src/${V")},
				&spec.Workdir{Node: node(6, 3), Path: str(6, 11, "/é/${V:=unset}")},
				&spec.Workdir{Node: node(7, 3), Path: str(7, 11, "/${}")},
				&spec.Workdir{Node: node(8, 3), Path: str(8, 11, "/$${V}")},
				&spec.Workdir{Node: node(9, 3), Path: str(9, 11, "/${V}")},
			)
		}), []string{
			`Securefile:5:17: invalid interpolation: unterminated "${" (no closing "}") [invalid-interpolation]`,
			`Securefile:6:18: invalid interpolation: unsupported operator ":=" [invalid-interpolation]`,
			`Securefile:7:13: invalid interpolation: missing name after "${" [invalid-interpolation]`,
		}},
		{"commands leave the shell alone", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "VERSION", "1")}
			s.Steps = []spec.Step{run(4, "echo ${VERSION} $HOME ${PATH} ${x:?} ${ ${1} $$ $(pwd) ${UNDECLARED}")}
			s.Config.Entrypoint = spec.Command{Node: node(5, 3), Exec: strs(5, 16, "/bin/sh", "-c", "exec app ${HOME:-/root}")}
		}), nil},
		{"unsubstituted args in commands", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "VERSION", "1"), argDefault(2, "MODE", "x"), argDefault(3, "SET", "y")}
			s.Steps = []spec.Step{
				&spec.Env{Node: node(4, 3), Vars: []*spec.KeyValue{kv(4, 7, "SET", "z")}},
				run(5, `echo $VERSION '$MODE' \$MODE ${MODE%%-*} $SET $TARGETARCH`),
				runExec(6, "echo", "$MODE"),
				runExec(7, "sh", "-c", "echo '$MODE' $VERSION"),
			}
		}), []string{
			// A run step's shell gets the args it names as env: $VERSION,
			// ${MODE%%-*}, $TARGETARCH and the script after -c are fine;
			// only an exec-form word keeps "$MODE" as text.
			`Securefile:3:5: warning: unused arg "SET" [unused-arg]`,
			`Securefile:6:17: warning: arg "MODE" is not substituted in "$MODE" [unsubstituted-arg]`,
		}},
		{"args in runtime commands", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "VERSION", "1"), argDefault(2, "BAKED", "b")}
			s.Steps = []spec.Step{&spec.Env{Node: node(4, 3), Vars: []*spec.KeyValue{kv(4, 7, "BAKED", "${BAKED}")}}}
			s.Config.Entrypoint = spec.Command{Node: node(5, 3), Shell: str(5, 16, "/app --version ${VERSION} $HOME ${BAKED} $${VERSION}")}
			s.Config.Cmd = spec.Command{Node: node(6, 3), Exec: strs(6, 10, "/bin/sh", "-c", "echo $VERSION")}
			s.Config.Healthcheck = &spec.Healthcheck{Node: node(7, 3), Test: spec.Command{Node: node(7, 12), Exec: strs(7, 12, "/app", "${VERSION}")}}
		}), []string{
			`Securefile:5:32: arg "VERSION" in the entrypoint [arg-in-runtime-command]`,
			`Securefile:6:34: arg "VERSION" in the cmd [arg-in-runtime-command]`,
			// An exec-form word too: a shell entrypoint may run it.
			`Securefile:7:22: arg "VERSION" in the healthcheck [arg-in-runtime-command]`,
		}},
		{"too many layers", func() *spec.File {
			f := &spec.File{}
			base := stage(1, "base", spec.Source{Set: true, Kind: spec.SourceImage, Name: str(1, 20, "busybox")})
			top := stage(2, "app", spec.Source{Set: true, Kind: spec.SourceStage, Name: str(2, 20, "base")})
			top.Kind = spec.KindImage
			for i := range 401 {
				st := spec.Step(&spec.Workdir{Node: node(3+i, 3), Path: str(3+i, 11, "/w")})
				if i%2 == 0 {
					base.Steps = append(base.Steps, st)
				} else {
					top.Steps = append(top.Steps, st)
				}
			}
			f.Stages = []*spec.Stage{base, top}
			return f
		}(), []string{
			`Securefile:2:7: warning: image "app" has 401 layers [too-many-layers]`,
		}},
		{"script words of exec-form runs", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "B", "main")}
			s.Steps = []spec.Step{
				runExec(4, "sh", "-ec", "echo $B"),
				runExec(5, "echo", "$B"),
			}
		}), []string{
			`Securefile:5:17: warning: arg "B" is not substituted in "$B" [unsubstituted-arg]`,
		}},
		{"environment variables outside commands", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "VERSION", "1")}
			tok := secret(2, "token")
			tok.Env = str(2, 30, "GITHUB_TOKEN")
			f.Secrets = []*spec.Secret{tok}
			mount := run(9, "echo $PATH ${PATH} $GITHUB_TOKEN")
			mount.Secrets = []spec.Value[string]{word(9, 60, "token")}
			s.Steps = []spec.Step{
				&spec.Env{Node: node(4, 3), Vars: []*spec.KeyValue{kv(4, 7, "PATH", "/opt/bin:$PATH")}},
				&spec.Env{Node: node(5, 3), Vars: []*spec.KeyValue{kv(5, 7, "P", "/opt/bin:${PATH}"), kv(5, 40, "G", "${GOPATH}/bin"), kv(5, 70, "N", "${NOPE}")}},
				&spec.Env{Node: node(6, 3), Vars: []*spec.KeyValue{kv(6, 7, "V", "v$VERSION $$HOME $${HOME} $5 ${VERSION}")}},
				&spec.Env{Node: node(7, 3), Vars: []*spec.KeyValue{kv(7, 7, "T", "${GITHUB_TOKEN}"), kv(7, 40, "U", "$UNKNOWN")}},
				mount,
			}
		}), []string{
			// The stage is based on an image: ${PATH} and ${GOPATH} read
			// its config; ${NOPE} is a near miss of a name the file knows.
			`Securefile:4:24: warning: "$PATH" is not expanded [unexpanded-variable]`,
			`Securefile:5:75: warning: variable NOPE must come from the base image's config [inherited-env]`,
			`Securefile:6:13: warning: "$VERSION" is not expanded [unexpanded-variable]`,
			`Securefile:7:12: secret "token" cannot be interpolated [secret-interpolation]`,
			`Securefile:7:45: warning: "$UNKNOWN" is not expanded [unexpanded-variable]`,
		}},
		{"indented here-document end lines", app(func(f *spec.File, s *spec.Stage) {
			s.Steps = []spec.Step{
				run(4, "cat <<EOF > /x\n  hi\n  EOF\n"),
				run(5, "cat <<EOF > /x\nhi\nEOF\n"),
				runExec(6, "sh", "-c", "cat <<-END\n  x\n  END"),
				runExec(7, "cat", "<<EOF\n  EOF"),
			}
		}), []string{
			`Securefile:4:7: warning: here-document "EOF" never ends: its end line is "  EOF" [indented-heredoc-end]`,
			`Securefile:6:20: warning: here-document "END" never ends: its end line is "  END" [indented-heredoc-end]`,
		}},
		{"arg cycles", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "A", "${B}"), argDefault(2, "B", "x${A}"), argDefault(3, "C", "${C:-c}"), argDefault(4, "D", "${A}")}
			s.Steps = []spec.Step{run(4, "echo ${D}")}
		}), []string{
			`Securefile:2:11: arg cycle A → B → A [arg-cycle]`,
			`Securefile:3:10: arg "C" refers to itself [arg-cycle]`,
		}},
		{"arg named like a secret", withRun(func(f *spec.File, r *spec.Run) {
			f.Args = []*spec.Arg{arg(1, "netrc")}
			f.Secrets = []*spec.Secret{secret(2, "netrc")}
			r.Command.Shell = str(4, 7, "echo ${netrc}")
			r.Secrets = []spec.Value[string]{word(4, 60, "netrc")}
		}), []string{`Securefile:1:5: warning: arg "netrc" has the name of a secret [arg-secret-clash]`}},
		{"secrets in args and env", app(func(f *spec.File, s *spec.Stage) {
			// Names alone, ${…} and paths are no finding (moby/buildkit#5775);
			// literals under secret names are.
			f.Args = []*spec.Arg{argDefault(1, "GITHUB_TOKEN", ""), argDefault(2, "PUBLIC_KEY", ""), argDefault(3, "TOKENIZER", ""), arg(7, "KEY_NAME"), argDefault(8, "DB_PASSWORD", "hunter2")}
			s.Steps = []spec.Step{
				&spec.Env{Node: node(4, 3), Vars: []*spec.KeyValue{kv(4, 7, "DB_PASSWORD", "${GITHUB_TOKEN}"), kv(4, 40, "KEY_FILE", "${PUBLIC_KEY}"), kv(4, 70, "PASSWORD_FILE", "/run/secrets/pw")}},
				run(5, "echo ${TOKENIZER} ${KEY_NAME} ${DB_PASSWORD}"),
			}
			s.Steps[1].(*spec.Run).Env = []*spec.KeyValue{kv(6, 9, "api_key", "x")}
		}), []string{
			`Securefile:6:9: warning: environment variable "api_key" looks like a secret [secret-in-env]`,
			`Securefile:8:5: warning: arg "DB_PASSWORD" looks like a secret [secret-in-arg]`,
		}},
		{"redundant platform and relative workdir", app(func(f *spec.File, s *spec.Stage) {
			s.Platform = str(3, 40, "${TARGETPLATFORM}")
			s.Steps = append(s.Steps, &spec.Workdir{Node: node(5, 3), Path: str(5, 11, "src")}, &spec.Workdir{Node: node(6, 3), Path: str(6, 11, "sub")})
			// a stage based on a stage with an absolute workdir is fine
			base := stage(8, "base", imageSrc(8, 20, "alpine"), &spec.Workdir{Node: node(9, 3), Path: str(9, 11, "/src")})
			derived := image(10, "derived", stageSrc(10, 20, "base"), &spec.Workdir{Node: node(11, 3), Path: str(11, 11, "sub")})
			fromScratch := image(12, "static", scratch(12, 20), &spec.Workdir{Node: node(13, 3), Path: str(13, 11, "app")})
			s.Default = boolean(3, 60, true)
			f.Stages = append(f.Stages, base, derived, fromScratch)
		}), []string{
			`Securefile:3:40: warning: platform ${TARGETPLATFORM} is the default [redundant-platform]`,
			`Securefile:5:11: warning: relative workdir "src" [relative-workdir]`,
		}},
		{"image reference invalid with default args", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{arg(1, "BASE"), argDefault(2, "TAG", "${BASE}"), argDefault(3, "GO", "1.22")}
			s.From = imageSrc(3, 16, "${BASE}")
			f.Stages = append(f.Stages,
				stage(5, "a", imageSrc(5, 20, "golang:${TAG}")),
				stage(6, "b", imageSrc(6, 20, "golang:${GO}-${TARGETOS}")),
				stage(7, "c", imageSrc(7, 20, "${BASE:-alpine}")),
				stage(8, "d", imageSrc(8, 20, "${UNDECLARED}")),
			)
			for i, n := range []string{"a", "b", "c", "d"} {
				cp := copyStep(12+i, "/", "x")
				cp.From = stageSrc(12+i, 20, n)
				s.Steps = append(s.Steps, cp)
			}
		}), []string{
			`Securefile:3:16: warning: image reference "${BASE}" is invalid with the default arg values [invalid-default-image]`,
			`Securefile:5:20: warning: image reference "golang:${TAG}" is invalid with the default arg values [invalid-default-image]`,
			`Securefile:8:21: undefined arg "UNDECLARED" [undefined-arg]`,
		}},
		{"unused declarations", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{arg(1, "A"), arg(2, "B")}
			f.Secrets = []*spec.Secret{secret(3, "s")}
			f.SSH = []*spec.SSH{sshDecl(4, "k")}
			f.Caches = []*spec.Cache{cache(5, "c", "/c")}
			f.Stages = append(f.Stages, stage(8, "tools", imageSrc(8, 20, "alpine")))
			s.Config.Labels = []*spec.KeyValue{kv(7, 14, "b", "${B}")}
		}), []string{
			`Securefile:1:5: warning: unused arg "A" [unused-arg]`,
			`Securefile:3:8: warning: unused secret "s" [unused-secret]`,
			`Securefile:4:5: warning: unused ssh "k" [unused-ssh]`,
			`Securefile:5:7: warning: unused cache "c" [unused-cache]`,
		}},
		{"many findings sorted by position", app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(9, "netrc")}
			s.Steps = append(s.Steps, copyStep(5, "/", "x"))
			s.Steps[1].(*spec.Copy).Chmod = str(5, 60, "999")
			s.Steps[0].(*spec.Run).Secrets = []spec.Value[string]{word(4, 20, "nettrc")}
			f.Platforms = strs(1, 13, "plan10")
		}), []string{
			`Securefile:1:14: invalid platform "plan10" [invalid-platform]`,
			`Securefile:4:20: undefined secret "nettrc" [undefined-secret]`,
			`Securefile:5:60: invalid chmod "999" [invalid-mode]`,
			`Securefile:9:8: warning: unused secret "netrc" [unused-secret]`,
		}},
		{"values without ranges fall back to their node", &spec.File{
			Node: spec.Node{Range: span(1, 1, "x")},
			Stages: []*spec.Stage{{Node: node(3, 1), Kind: spec.KindImage, Name: spec.Of("app"), From: spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("alpine")},
				Steps: []spec.Step{&spec.Run{Node: node(4, 3), Command: spec.Command{Shell: spec.Of("make")}, Secrets: []spec.Value[string]{spec.Of("missing")},
					Binds: []*spec.Bind{{Target: spec.Of("rel")}}}}}},
		}, []string{
			`Securefile:4:3: target "rel" is not an absolute path [relative-path]`,
			`Securefile:4:3: undefined secret "missing" [undefined-secret]`,
		}},
		{"no ranges at all", &spec.File{Stages: []*spec.Stage{{Kind: spec.KindImage, Name: spec.Of("app"), From: spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("alpine")},
			Steps: []spec.Step{&spec.Run{Command: spec.Command{Shell: spec.Of("make")}, Caches: []spec.Value[string]{spec.Of("missing")}}}}}},
			[]string{`<input>: undefined cache "missing" [undefined-cache]`}},
	}...)
}

func TestCheck(t *testing.T) {
	for _, tc := range checkCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := lines(Check(tc.f))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
