package tomlfile

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// parseCases cover every construct of the TOML column of
// docs/language.md, most of them in the docs' own words.
var parseCases = []struct {
	name string
	src  string
	want *spec.File
}{
	{"empty", "", &spec.File{}},
	{"platforms", `platforms = ["linux/amd64", "linux/arm64"]        # TOML` + "\n",
		&spec.File{Node: spec.Node{Comments: []string{" TOML"}}, Platforms: spec.ListOf("linux/amd64", "linux/arm64")}},
	{"args", "[args]\nGO_VERSION = \"1.22\"\nVERSION = \"\"\n",
		&spec.File{Args: []*spec.Arg{{Name: sv("GO_VERSION"), Default: sv("1.22")}, {Name: sv("VERSION")}}}},
	{"args keep their order", "[args]\nZ = \"1\"\nA = \"2\"\nM = \"3\"\n",
		&spec.File{Args: []*spec.Arg{{Name: sv("Z"), Default: sv("1")}, {Name: sv("A"), Default: sv("2")}, {Name: sv("M"), Default: sv("3")}}}},
	{"secrets", `[secret.netrc]
target = "/root/.netrc"
mode = "0400"

[secret.token]
id = "gh_token"
env = "GITHUB_TOKEN"
required = false

[secret.npmrc]
`, &spec.File{Secrets: []*spec.Secret{
		{Name: sv("netrc"), Target: sv("/root/.netrc"), Mode: sv("0400")},
		{Name: sv("token"), ID: sv("gh_token"), Env: sv("GITHUB_TOKEN"), Required: spec.Of(false)},
		{Name: sv("npmrc")},
	}}},
	{"secret uid and gid", "[secret.s]\nuid = 1000\ngid = 0\n",
		&spec.File{Secrets: []*spec.Secret{{Name: sv("s"), UID: spec.Of(1000), GID: spec.Of(0)}}}},
	{"ssh", `[ssh.github]
target = "/run/ssh/github.sock"
known_hosts = [
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
]
`, &spec.File{SSH: []*spec.SSH{{Name: sv("github"), Target: sv("/run/ssh/github.sock"),
		KnownHosts: spec.ListOf("github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")}}}},
	{"ssh all keys", "[ssh.s]\nid = \"default\"\nrequired = true\nmode = \"0600\"\nuid = 1\ngid = 2\n",
		&spec.File{SSH: []*spec.SSH{{Name: sv("s"), ID: sv("default"), Required: spec.Of(true), Mode: sv("0600"), UID: spec.Of(1), GID: spec.Of(2)}}}},
	{"caches", `[cache.gomod]
target = "/go/pkg/mod"
sharing = "locked"

[cache.seeded]
target = "/var/cache/apt"
from = { stage = "deps" }           # or from = "image:ref"

[cache.img]
target = "/c"
id = "shared-c"
mode = "0755"
uid = 0
gid = 0
readonly = true
from = "image:ref"
`, &spec.File{Caches: []*spec.Cache{
		{Name: sv("gomod"), Target: sv("/go/pkg/mod"), Sharing: sv("locked")},
		{Node: spec.Node{Comments: []string{` or from = "image:ref"`}}, Name: sv("seeded"), Target: sv("/var/cache/apt"), From: stageSrc("deps")},
		{Name: sv("img"), Target: sv("/c"), ID: sv("shared-c"), Mode: sv("0755"), UID: spec.Of(0), GID: spec.Of(0), ReadOnly: spec.Of(true), From: image("image:ref")},
	}}},
	{"stages and images", `[stage.build]
from = "golang:${GO_VERSION}"
platform = "${BUILDPLATFORM}"

[[stage.build.steps]]
workdir = "/src"

[[stage.build.steps]]
run = "go build -o /out/app ."

[image.app]
default = true
from = "scratch"
entrypoint = ["/app"]

[[image.app.steps]]
copy = ["/out/app"]
from = { stage = "build" }
to = "/app"
`, &spec.File{Stages: []*spec.Stage{
		{Kind: spec.KindStage, Name: sv("build"), From: image("golang:${GO_VERSION}"), Platform: sv("${BUILDPLATFORM}"),
			Steps: []spec.Step{&spec.Workdir{Path: sv("/src")}, &spec.Run{Command: shell("go build -o /out/app .")}}},
		{Kind: spec.KindImage, Name: sv("app"), Default: spec.Of(true), From: scratch,
			Config: spec.ImageConfig{Entrypoint: exec("/app")},
			Steps:  []spec.Step{&spec.Copy{Sources: spec.ListOf("/out/app"), From: stageSrc("build"), Dest: sv("/app")}}},
	}}},
	{"stages keep their order across stage and image tables", "[image.b]\nfrom = \"x\"\n[stage.a]\nfrom = \"x\"\n[image.c]\nfrom = \"x\"\n",
		&spec.File{Stages: []*spec.Stage{
			{Kind: spec.KindImage, Name: sv("b"), From: image("x")},
			{Kind: spec.KindStage, Name: sv("a"), From: image("x")},
			{Kind: spec.KindImage, Name: sv("c"), From: image("x")},
		}}},
	{"named context base", "[stage.a]\nfrom = { context = \"docs\" }\n",
		&spec.File{Stages: []*spec.Stage{{Kind: spec.KindStage, Name: sv("a"), From: contextSrc("docs")}}}},
	{"default false", "[image.a]\nfrom = \"x\"\ndefault = false\n",
		&spec.File{Stages: []*spec.Stage{{Kind: spec.KindImage, Name: sv("a"), From: image("x"), Default: spec.Of(false)}}}},
	{"stage settings", `[image.app]
from = "scratch"
platform = "linux/amd64"
entrypoint = "/app --serve"
cmd = ["--help"]
labels = { "org.opencontainers.image.title" = "app", b = "2", a = "1" }
expose = ["8080", "53/udp"]
volumes = ["/data"]
healthcheck = { cmd = ["/app", "health"], none = false, interval = "30s", timeout = "5s", start_period = "1s", start_interval = "2s", retries = 3 }
stop_signal = "SIGTERM"
`, &spec.File{Stages: []*spec.Stage{{Kind: spec.KindImage, Name: sv("app"), From: scratch, Platform: sv("linux/amd64"),
		Config: spec.ImageConfig{
			Entrypoint: shell("/app --serve"),
			Cmd:        exec("--help"),
			Labels:     []*spec.KeyValue{kv("org.opencontainers.image.title", "app"), kv("b", "2"), kv("a", "1")},
			Expose:     spec.ListOf("8080", "53/udp"),
			Volumes:    spec.ListOf("/data"),
			Healthcheck: &spec.Healthcheck{Test: exec("/app", "health"), None: spec.Of(false), Interval: sv("30s"), Timeout: sv("5s"),
				StartPeriod: sv("1s"), StartInterval: sv("2s"), Retries: spec.Of(3)},
			StopSignal: sv("SIGTERM"),
		}}}}},
	{"labels and healthcheck as sub-tables", "[image.app]\nfrom = \"x\"\n\n[image.app.labels]\nz = \"1\"\n\"a.b\" = \"2\"\n\n[image.app.healthcheck]\ncmd = \"true\"\n",
		&spec.File{Stages: []*spec.Stage{{Kind: spec.KindImage, Name: sv("app"), From: image("x"),
			Config: spec.ImageConfig{Labels: []*spec.KeyValue{kv("z", "1"), kv("a.b", "2")}, Healthcheck: &spec.Healthcheck{Test: shell("true")}}}}}},
	{"run forms", buildHeader + `[[stage.build.steps]]
run = "go build ./..."

[[stage.build.steps]]
run = ["go", "build", "./..."]
`, build(&spec.Run{Command: shell("go build ./...")}, &spec.Run{Command: exec("go", "build", "./...")})},
	{"run with every option", buildHeader + `[[stage.build.steps]]
run = "make"
secrets = ["netrc"]
ssh = ["github"]
caches = ["gomod"]
binds = [
  { source = "/out", from = { stage = "build" }, target = "/mnt/out" },
  { source = ".", target = "/src", rw = true },
]
tmpfs = [{ target = "/tmp", size = "64m" }]
env = { CGO_ENABLED = "0" }
network = "none"
security = "sandbox"
`, build(&spec.Run{
		Command: shell("make"), Secrets: names("netrc"), SSH: names("github"), Caches: names("gomod"),
		Binds: []*spec.Bind{
			{Path: sv("/out"), From: stageSrc("build"), Target: sv("/mnt/out")},
			{Path: sv("."), Target: sv("/src"), ReadWrite: spec.Of(true)},
		},
		Tmpfs:   []*spec.Tmpfs{{Target: sv("/tmp"), Size: sv("64m")}},
		Env:     []*spec.KeyValue{kv("CGO_ENABLED", "0")},
		Network: sv("none"), Security: sv("sandbox"),
	})},
	{"bind from an image and a named context", buildHeader + "[[stage.build.steps]]\nrun = \"x\"\nbinds = [{ from = \"alpine\", target = \"/a\" }, { source = \"d\", from = { context = \"docs\" }, target = \"/d\" }]\n",
		build(&spec.Run{Command: shell("x"), Binds: []*spec.Bind{
			{From: image("alpine"), Target: sv("/a")},
			{Path: sv("d"), From: contextSrc("docs"), Target: sv("/d")},
		}})},
	{"binds as an array of tables", buildHeader + "[[stage.build.steps]]\nrun = \"x\"\n[[stage.build.steps.binds]]\ntarget = \"/a\"\n[[stage.build.steps.binds]]\ntarget = \"/b\"\n",
		build(&spec.Run{Command: shell("x"), Binds: []*spec.Bind{{Target: sv("/a")}, {Target: sv("/b")}}})},
	{"copy", buildHeader + `[[stage.build.steps]]
copy = ["go.mod", "go.sum"]
to = "./"

[[stage.build.steps]]
copy = ["/out/app"]
from = { stage = "build" }
to = "/app"

[[stage.build.steps]]
copy = ["src"]
to = "/src"
chown = "1000:1000"
chmod = "0755"
include = ["**/*.go"]
exclude = ["**/*_test.go"]
link = true
parents = true
`, build(
		&spec.Copy{Sources: spec.ListOf("go.mod", "go.sum"), Dest: sv("./")},
		&spec.Copy{Sources: spec.ListOf("/out/app"), From: stageSrc("build"), Dest: sv("/app")},
		&spec.Copy{Sources: spec.ListOf("src"), Dest: sv("/src"), Chown: sv("1000:1000"), Chmod: sv("0755"),
			Include: spec.ListOf("**/*.go"), Exclude: spec.ListOf("**/*_test.go"), Link: spec.Of(true), Parents: spec.Of(true)},
	)},
	{"copy one string, from an image and a named context", buildHeader + `[[stage.build.steps]]
copy = "/etc/ssl/certs"
from = "alpine:3.20"
to = "/etc/ssl/certs"

[[stage.build.steps]]
copy = ["."]
from = { context = "docs" }
to = "/docs"
`, build(
		&spec.Copy{Sources: spec.ListOf("/etc/ssl/certs"), From: image("alpine:3.20"), Dest: sv("/etc/ssl/certs")},
		&spec.Copy{Sources: spec.ListOf("."), From: contextSrc("docs"), Dest: sv("/docs")},
	)},
	{"add", buildHeader + `[[stage.build.steps]]
add = "https://example.com/tool.tar.gz"
to = "/opt/tool.tar.gz"
checksum = "sha256:4d2a…"

[[stage.build.steps]]
add = { git = "https://github.com/moby/buildkit.git" }
to = "/src/buildkit"
ref = "v0.13.0"
commit = "<40-hex commit>"
keep_git_dir = true
chown = "1:1"
chmod = "0700"
`, build(
		&spec.Add{Kind: spec.AddHTTP, URL: sv("https://example.com/tool.tar.gz"), Dest: sv("/opt/tool.tar.gz"), Checksum: sv("sha256:4d2a…")},
		&spec.Add{Kind: spec.AddGit, URL: sv("https://github.com/moby/buildkit.git"), Dest: sv("/src/buildkit"), Ref: sv("v0.13.0"),
			Commit: sv("<40-hex commit>"), KeepGitDir: spec.Of(true), Chown: sv("1:1"), Chmod: sv("0700")},
	)},
	{"workdir, env, user", buildHeader + `[[stage.build.steps]]
workdir = "/src"

[[stage.build.steps]]
env = { GOPATH = "/go", CGO_ENABLED = "0" }

[[stage.build.steps]]
user = "1000:1000"
`, build(
		&spec.Workdir{Path: sv("/src")},
		&spec.Env{Vars: []*spec.KeyValue{kv("GOPATH", "/go"), kv("CGO_ENABLED", "0")}},
		&spec.User{User: sv("1000:1000")},
	)},
	{"env step as a sub-table", buildHeader + "[[stage.build.steps]]\n[stage.build.steps.env]\nB = \"2\"\nA = \"1\"\n",
		build(&spec.Env{Vars: []*spec.KeyValue{kv("B", "2"), kv("A", "1")}})},
	{"steps as an inline array", "[stage.build]\nfrom = \"x\"\nsteps = [{ workdir = \"/a\" }, { user = \"u\" }]\n",
		build(&spec.Workdir{Path: sv("/a")}, &spec.User{User: sv("u")})},
	{"dotted keys", "stage.build.from = \"x\"\nstage.build.platform = \"p\"\nsecret.s.id = \"i\"\n",
		&spec.File{
			Secrets: []*spec.Secret{{Name: sv("s"), ID: sv("i")}},
			Stages:  []*spec.Stage{{Kind: spec.KindStage, Name: sv("build"), From: image("x"), Platform: sv("p")}},
		}},
	{"strings of every kind", buildHeader + `[[stage.build.steps]]
run = """
echo "a" \
  b
printf '%s\n' \u00e9
"""

[[stage.build.steps]]
run = '''C:\raw ${X}'''

[[stage.build.steps]]
run = 'single \n'

[[stage.build.steps]]
run = "tab\there \"q\" \\ \u00e9"
`, build(
		&spec.Run{Command: shell("echo \"a\" b\nprintf '%s\n' é\n")},
		&spec.Run{Command: shell(`C:\raw ${X}`)},
		&spec.Run{Command: shell(`single \n`)},
		&spec.Run{Command: shell("tab\there \"q\" \\ é")},
	)},
	{"quoted names", "[secret.\"my secret\"]\n[stage.'a.b']\nfrom = \"x\"\n",
		&spec.File{
			Secrets: []*spec.Secret{{Name: sv("my secret")}},
			Stages:  []*spec.Stage{{Kind: spec.KindStage, Name: sv("a.b"), From: image("x")}},
		}},
	{"CRLF line ends", "# h\r\n\r\n[args]\r\n# c\r\nA = \"1\"\r\n",
		&spec.File{Header: []string{" h"}, Args: []*spec.Arg{{Node: spec.Node{Comments: []string{" c"}}, Name: sv("A"), Default: sv("1")}}}},
	{"byte order mark", "\ufeff[args]\nA = \"1\"\n",
		&spec.File{Args: []*spec.Arg{{Name: sv("A"), Default: sv("1")}}}},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			got, diags := Parse("Securefile.toml", []byte(c.src))
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", diags)
			}
			if diff := cmp.Diff(c.want, got, ignoreRanges); diff != "" {
				t.Errorf("model mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDocExamples parses every TOML example of docs/language.md. Step
// examples stand alone in the docs; they get the stage they assume.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 8 {
		t.Fatalf("found only %d TOML examples in docs/language.md", len(blocks))
	}
	for _, b := range blocks {
		src := b[1]
		if strings.Contains(src, "[[stage.build.steps]]") && !strings.Contains(src, "[stage.build]") {
			src = buildHeader + src
		}
		f, diags := Parse("language.md", []byte(src))
		if len(diags) > 0 {
			t.Errorf("example does not parse cleanly:\n%s\n%s", src, diags)
			continue
		}
		if spec.Dump(f) == "" {
			t.Errorf("example gives an empty model:\n%s", src)
		}
	}
}

// TestEnvIsRunOption: in a step with run, env is run's option, not a
// second verb.
func TestEnvIsRunOption(t *testing.T) {
	f, diags := Parse("f", []byte(buildHeader+"[[stage.build.steps]]\nenv = { A = \"1\" }\nrun = \"x\"\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	want := build(&spec.Run{Command: shell("x"), Env: []*spec.KeyValue{kv("A", "1")}})
	if diff := cmp.Diff(want, f, ignoreRanges); diff != "" {
		t.Error(diff)
	}
}
