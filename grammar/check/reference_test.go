package check

import (
	"testing"

	"github.com/ourorg/securefile/spec"
)

// referenceModel is examples/reference/Securefile (every construct of the
// language once) built in code; the examples must lint clean, so it must
// have no diagnostics at all, not even warnings.
func referenceModel() *spec.File {
	tools := stage(51, "tools", imageSrc(51, 20, "${GO_IMAGE}"),
		&spec.Env{Node: node(54, 3), Vars: []*spec.KeyValue{kv(54, 7, "CGO_ENABLED", "0"), kv(54, 26, "GOFLAGS", "-mod=readonly")}},
		&spec.Workdir{Node: node(55, 3), Path: str(55, 11, "/src")},
		&spec.User{Node: node(56, 3), User: str(56, 8, "root")},
		&spec.Add{Node: node(57, 3), Kind: spec.AddHTTP, URL: str(57, 7, "https://example.com/tool.tar.gz"), Dest: str(57, 44, "/opt/tool.tar.gz"),
			Checksum: str(58, 16, "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), Chmod: str(59, 13, "0644")},
		&spec.Add{Node: node(61, 3), Kind: spec.AddGit, URL: str(61, 11, "https://github.com/moby/buildkit.git"), Dest: str(61, 54, "/src/buildkit"),
			Ref: str(62, 11, "v0.13.0"), KeepGitDir: boolean(63, 20, true)},
	)
	tools.Platform = str(52, 14, "${BUILDPLATFORM}")

	goBuild := runExec(74, "go", "build", "-ldflags", "-X main.version=${VERSION}", "-o", "/out/app", ".")
	goBuild.Secrets = []spec.Value[string]{word(75, 12, "token")}
	goBuild.Caches = []spec.Value[string]{word(76, 11, "gomod"), word(77, 11, "gobuild")}
	goBuild.Binds = []*spec.Bind{
		{Node: node(78, 5), Path: str(78, 10, "/opt"), From: stageSrc(78, 22, "tools"), Target: str(78, 31, "/mnt/tools")},
		{Node: node(79, 5), Path: str(79, 10, "docs"), From: namedCtx(79, 25, "docs"), Target: str(79, 35, "/mnt/docs"), ReadWrite: boolean(80, 12, true)},
	}
	goBuild.Tmpfs = []*spec.Tmpfs{{Node: node(82, 5), Target: str(82, 11, "/tmp"), Size: str(83, 14, "64m")}}
	goBuild.Env = []*spec.KeyValue{kv(85, 9, "GOOS", "${TARGETOS}"), kv(85, 30, "GOARCH", "${TARGETARCH}")}
	goBuild.Network = str(86, 15, "none")
	goBuild.Security = str(87, 16, "sandbox")
	goBuild.Comments = []string{" securefile:ignore secret-in-cache go build does not write GITHUB_TOKEN into the module or build cache"}

	download := run(65, "go mod download")
	download.Secrets = []spec.Value[string]{word(66, 12, "netrc")}
	download.SSH = []spec.Value[string]{word(67, 9, "github")}
	download.Caches = []spec.Value[string]{word(68, 11, "gomod")}
	download.Comments = []string{" securefile:ignore secret-in-cache go reads the netrc to fetch modules and writes only the modules to the cache"}

	srcCopy := copyStep(70, ".", ".")
	srcCopy.Include = strs(71, 15, "**/*.go", "go.*")
	srcCopy.Exclude = strs(72, 15, "**/*_test.go")

	build := stage(64, "build", stageSrc(64, 20, "tools"),
		copyStep(65, "./", "go.mod", "go.sum"),
		download,
		srcCopy,
		goBuild,
	)

	appCopy := copyStep(101, "/app", "/out/app")
	appCopy.From = stageSrc(101, 25, "build")
	appCopy.Chown = str(102, 13, "65532:65532")
	appCopy.Chmod = str(103, 13, "0755")
	appCopy.Link = boolean(104, 12, true)
	certs := copyStep(106, "/etc/ssl/certs/", "/etc/ssl/certs/ca-certificates.crt")
	certs.From = imageSrc(106, 50, "${GO_IMAGE}")
	certs.Parents = boolean(107, 15, false)
	app := defaultImage(92, "app", scratch(92, 28), appCopy, certs, &spec.User{Node: node(109, 3), User: str(109, 8, "65532:65532")})
	app.Config = spec.ImageConfig{
		Entrypoint: spec.Command{Node: node(93, 3), Exec: strs(93, 16, "/app")},
		Cmd:        spec.Command{Node: node(94, 3), Shell: str(94, 9, "--help")},
		Labels:     []*spec.KeyValue{kv(95, 14, "org.opencontainers.image.title", "app"), kv(95, 60, "org.opencontainers.image.version", "${VERSION}")},
		Expose:     strs(96, 12, "8080/tcp"),
		Volumes:    strs(97, 13, "/data"),
		Healthcheck: &spec.Healthcheck{Node: node(98, 17), Test: spec.Command{Node: node(98, 25), Exec: strs(98, 25, "/app", "health")},
			Interval: str(98, 55, "30s"), Timeout: str(98, 73, "5s"), Retries: num(98, 89, 3)},
		StopSignal: str(99, 17, "SIGTERM"),
	}
	debugCopy := copyStep(114, "/usr/local/bin/app", "/out/app")
	debugCopy.From = stageSrc(114, 25, "build")
	debug := image(113, "debug", imageSrc(113, 18, "${RUNTIME:-busybox:1.36}"), debugCopy)

	netrc := secret(13, "netrc")
	netrc.Target, netrc.Mode, netrc.UID, netrc.GID = str(14, 12, "/root/.netrc"), str(15, 10, "0400"), num(16, 9, 0), num(17, 9, 0)
	token := secret(20, "token")
	token.ID, token.Env, token.Required = str(21, 8, "gh_token"), str(22, 9, "GITHUB_TOKEN"), boolean(23, 14, false)
	github := sshDecl(26, "github")
	github.ID, github.Target, github.Required, github.Mode = str(27, 8, "default"), str(28, 12, "/run/ssh/github.sock"), boolean(29, 14, true), str(30, 10, "0600")
	github.KnownHosts = strs(31, 17, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
	gomod := cache(34, "gomod", "/go/pkg/mod")
	gomod.Sharing = str(36, 13, "locked")
	gobuild := cache(43, "gobuild", "/root/.cache/go-build")
	// A seeded cache does not write mode, uid or gid (they would not
	// apply; the example says so).
	gobuild.ID, gobuild.Sharing = str(45, 8, "go-build"), str(46, 13, "shared")
	gobuild.ReadOnly = boolean(47, 14, false)
	gobuild.From = stageSrc(48, 10, "tools")

	return &spec.File{
		Node:      spec.Node{Range: span(1, 1, "x")},
		Platforms: strs(6, 13, "linux/amd64", "linux/arm64"),
		Args:      []*spec.Arg{argDefault(9, "GO_IMAGE", "golang:1.23"), argDefault(10, "VERSION", "dev"), arg(11, "RUNTIME")},
		Secrets:   []*spec.Secret{netrc, token},
		SSH:       []*spec.SSH{github},
		Caches:    []*spec.Cache{gomod, gobuild},
		Stages:    []*spec.Stage{tools, build, app, debug},
	}
}

func helloModel() *spec.File {
	build := stage(7, "build", imageSrc(7, 20, "${BASE}"),
		&spec.Workdir{Node: node(8, 3), Path: str(8, 11, "/src")},
		copyStep(9, ".", "greeting.txt"),
		run(10, "mkdir -p /out && sed 's/^/Hello, /' greeting.txt > /out/hello.txt"),
	)
	cp := copyStep(19, "/hello.txt", "/out/hello.txt")
	cp.From = stageSrc(19, 30, "build")
	hello := image(14, "hello", imageSrc(14, 20, "${BASE}"), cp)
	hello.Config.Cmd = spec.Command{Node: node(15, 3), Exec: strs(15, 9, "cat", "/hello.txt")}
	hello.Config.Labels = []*spec.KeyValue{kv(16, 14, "org.opencontainers.image.title", "hello")}
	return &spec.File{
		Node:   spec.Node{Range: span(1, 1, "x")},
		Args:   []*spec.Arg{argDefault(4, "BASE", "busybox:1.36")},
		Stages: []*spec.Stage{build, hello},
	}
}

func TestExamplesAreClean(t *testing.T) {
	for name, f := range map[string]*spec.File{"reference": referenceModel(), "hello": helloModel()} {
		if diags := Check(f); len(diags) > 0 {
			t.Errorf("%s: want no diagnostics, got:\n%s", name, diags)
		}
	}
}
