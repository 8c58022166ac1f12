package dsl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ourorg/securefile/spec"
)

var ignoreRanges = cmpopts.IgnoreTypes(spec.Range{}, []spec.Range(nil))

func mustParse(t *testing.T, src string) *spec.File {
	t.Helper()
	f, diags := Parse("Securefile", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics for\n%s\n%s", src, diags)
	}
	return f
}

func str(s string) spec.Value[string] { return spec.Of(s) }

func kv(k, v string) *spec.KeyValue { return &spec.KeyValue{Key: str(k), Value: str(v)} }

func stageSrc(kind spec.SourceKind, name string) spec.Source {
	s := spec.Source{Set: true, Kind: kind}
	if name != "" {
		s.Name = str(name)
	}
	return s
}

// stepsOf parses one stage holding body and returns its steps.
func stepsOf(t *testing.T, body string) []spec.Step {
	t.Helper()
	f := mustParse(t, "stage s from \"x\" {\n"+body+"\n}\n")
	return f.Stages[0].Steps
}

func TestParseDeclarations(t *testing.T) {
	tests := []struct {
		name string
		src  string
		got  func(*spec.File) any
		want any
	}{
		{"platforms", `platforms = ["linux/amd64", "linux/arm64",]`,
			func(f *spec.File) any { return f.Platforms }, spec.ListOf("linux/amd64", "linux/arm64")},
		{"empty platforms", `platforms = []`,
			func(f *spec.File) any { return f.Platforms }, spec.List[string]{Set: true, Items: []spec.Value[string]{}}},
		{"arg with default", `arg GO_VERSION = "1.22"`,
			func(f *spec.File) any { return f.Args },
			[]*spec.Arg{{Name: str("GO_VERSION"), Default: str("1.22")}}},
		{"arg without default", "arg VERSION\narg EMPTY = ''",
			func(f *spec.File) any { return f.Args },
			[]*spec.Arg{{Name: str("VERSION")}, {Name: str("EMPTY"), Default: str("")}}},
		{"secret", "secret netrc {\n  target = \"/root/.netrc\"\n  mode = \"0400\"\n  uid = 1000\n  gid = 0\n}\nsecret token {\n  id = \"gh_token\"\n  env = \"GITHUB_TOKEN\"\n  required = false\n}\nsecret npmrc",
			func(f *spec.File) any { return f.Secrets },
			[]*spec.Secret{
				{Name: str("netrc"), Target: str("/root/.netrc"), Mode: str("0400"), UID: spec.Of(1000), GID: spec.Of(0)},
				{Name: str("token"), ID: str("gh_token"), Env: str("GITHUB_TOKEN"), Required: spec.Of(false)},
				{Name: str("npmrc")},
			}},
		{"ssh", "ssh github {\n  id = \"default\"\n  target = \"/run/ssh.sock\"\n  required = true\n  mode = \"0600\"\n  uid = 1\n  gid = 2\n  known_hosts = [\n    \"github.com ssh-ed25519 AAAA\",\n  ]\n}",
			func(f *spec.File) any { return f.SSH },
			[]*spec.SSH{{Name: str("github"), ID: str("default"), Target: str("/run/ssh.sock"), Required: spec.Of(true),
				Mode: str("0600"), UID: spec.Of(1), GID: spec.Of(2), KnownHosts: spec.ListOf("github.com ssh-ed25519 AAAA")}}},
		{"cache", "cache gomod {\n  target = \"/go/pkg/mod\"\n  id = \"mod\"\n  sharing = \"locked\"\n  mode = \"0755\"\n  uid = 0\n  gid = 0\n  readonly = true\n}",
			func(f *spec.File) any { return f.Caches },
			[]*spec.Cache{{Name: str("gomod"), Target: str("/go/pkg/mod"), ID: str("mod"), Sharing: str("locked"),
				Mode: str("0755"), UID: spec.Of(0), GID: spec.Of(0), ReadOnly: spec.Of(true)}}},
		{"cache seeds", "cache a {\n  target = \"/a\"\n  from = deps\n}\ncache b {\n  target = \"/b\"\n  from = \"img:1\"\n}\ncache c { target = \"/c\" }",
			func(f *spec.File) any { return f.Caches },
			[]*spec.Cache{
				{Name: str("a"), Target: str("/a"), From: stageSrc(spec.SourceStage, "deps")},
				{Name: str("b"), Target: str("/b"), From: stageSrc(spec.SourceImage, "img:1")},
				{Name: str("c"), Target: str("/c")},
			}},
		{"stage bases", "stage a from \"alpine:3.20\"\nstage b from a\nstage c from scratch\nstage d from \"scratch\"\nstage e from context \"docs\"\nimage f from b {\n}\ndefault image g from scratch",
			func(f *spec.File) any { return f.Stages },
			[]*spec.Stage{
				{Name: str("a"), From: stageSrc(spec.SourceImage, "alpine:3.20")},
				{Name: str("b"), From: stageSrc(spec.SourceStage, "a")},
				{Name: str("c"), From: stageSrc(spec.SourceScratch, "")},
				{Name: str("d"), From: stageSrc(spec.SourceScratch, "")},
				{Name: str("e"), From: stageSrc(spec.SourceNamedContext, "docs")},
				{Kind: spec.KindImage, Name: str("f"), From: stageSrc(spec.SourceStage, "b")},
				{Kind: spec.KindImage, Name: str("g"), Default: spec.Of(true), From: stageSrc(spec.SourceScratch, "")},
			}},
		{"stage settings", "image app from scratch {\n  platform = \"${BUILDPLATFORM}\"\n  entrypoint = [\"/app\", \"serve\"]\n  cmd = \"--help\"\n  labels = {\n    \"org.opencontainers.image.title\" = \"app\"\n    b = 'raw'\n  }\n  expose = [\"8080\", \"53/udp\"]\n  volumes = [\"/data\"]\n  healthcheck = { cmd = [\"/app\", \"health\"], interval = \"30s\", timeout = \"5s\", start_period = \"1s\", start_interval = \"2s\", retries = 3 }\n  stop_signal = \"SIGTERM\"\n}",
			func(f *spec.File) any { return f.Stages[0] },
			&spec.Stage{Kind: spec.KindImage, Name: str("app"), From: stageSrc(spec.SourceScratch, ""),
				Platform: str("${BUILDPLATFORM}"),
				Config: spec.ImageConfig{
					Entrypoint: spec.Command{Exec: spec.ListOf("/app", "serve")},
					Cmd:        spec.Command{Shell: str("--help")},
					Labels:     []*spec.KeyValue{kv("org.opencontainers.image.title", "app"), kv("b", "raw")},
					Expose:     spec.ListOf("8080", "53/udp"),
					Volumes:    spec.ListOf("/data"),
					Healthcheck: &spec.Healthcheck{Test: spec.Command{Exec: spec.ListOf("/app", "health")},
						Interval: str("30s"), Timeout: str("5s"), StartPeriod: str("1s"), StartInterval: str("2s"), Retries: spec.Of(3)},
					StopSignal: str("SIGTERM"),
				}}},
		{"healthcheck none", "image app from scratch {\n  healthcheck = { none = true }\n}",
			func(f *spec.File) any { return f.Stages[0].Config.Healthcheck },
			&spec.Healthcheck{None: spec.Of(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			if diff := cmp.Diff(tt.want, tt.got(f), ignoreRanges); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSteps(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []spec.Step
	}{
		{"run shell and exec", "run \"go build ./...\"\nrun [\"go\", \"build\",\n  \"./...\"]",
			[]spec.Step{
				&spec.Run{Command: spec.Command{Shell: str("go build ./...")}},
				&spec.Run{Command: spec.Command{Exec: spec.ListOf("go", "build", "./...")}},
			}},
		{"run block", `run "make" {
  secret netrc
  ssh github
  cache gomod
  cache gocache
  bind "/out" from build to "/mnt/out"
  bind "." to "/src" { rw = true }
  bind "/" from context "docs" to "/docs"
  bind "/etc" from "alpine:3.20" to "/alpine"
  tmpfs "/tmp" { size = "64m" }
  tmpfs "/run"
  env CGO_ENABLED = "0"
  env A = "1", "B C" = "2"
  network = "none"
  security = "sandbox"
}`, []spec.Step{&spec.Run{
			Command: spec.Command{Shell: str("make")},
			Secrets: []spec.Value[string]{str("netrc")},
			SSH:     []spec.Value[string]{str("github")},
			Caches:  []spec.Value[string]{str("gomod"), str("gocache")},
			Binds: []*spec.Bind{
				{Path: str("/out"), From: stageSrc(spec.SourceStage, "build"), Target: str("/mnt/out")},
				{Path: str("."), Target: str("/src"), ReadWrite: spec.Of(true)},
				{Path: str("/"), From: stageSrc(spec.SourceNamedContext, "docs"), Target: str("/docs")},
				{Path: str("/etc"), From: stageSrc(spec.SourceImage, "alpine:3.20"), Target: str("/alpine")},
			},
			Tmpfs:    []*spec.Tmpfs{{Target: str("/tmp"), Size: str("64m")}, {Target: str("/run")}},
			Env:      []*spec.KeyValue{kv("CGO_ENABLED", "0"), kv("A", "1"), kv("B C", "2")},
			Network:  str("none"),
			Security: str("sandbox"),
		}}},
		{"copy", `copy "go.mod" "go.sum" to "./"
copy "/out/app" from build to "/app"
copy "/etc/ssl/certs" from "alpine:3.20" to "/etc/ssl/certs"
copy "." from context "docs" to "/docs"
copy "src" to "/src" {
  chown = "1000:1000"
  chmod = "0755"
  include = ["**/*.go"]
  exclude = ["**/*_test.go"]
  link = true
  parents = false
}`, []spec.Step{
			&spec.Copy{Sources: spec.ListOf("go.mod", "go.sum"), Dest: str("./")},
			&spec.Copy{Sources: spec.ListOf("/out/app"), From: stageSrc(spec.SourceStage, "build"), Dest: str("/app")},
			&spec.Copy{Sources: spec.ListOf("/etc/ssl/certs"), From: stageSrc(spec.SourceImage, "alpine:3.20"), Dest: str("/etc/ssl/certs")},
			&spec.Copy{Sources: spec.ListOf("."), From: stageSrc(spec.SourceNamedContext, "docs"), Dest: str("/docs")},
			&spec.Copy{Sources: spec.ListOf("src"), Dest: str("/src"), Chown: str("1000:1000"), Chmod: str("0755"),
				Include: spec.ListOf("**/*.go"), Exclude: spec.ListOf("**/*_test.go"), Link: spec.Of(true), Parents: spec.Of(false)},
		}},
		{"add", `add "https://example.com/tool.tar.gz" to "/opt/tool.tar.gz" {
  checksum = "sha256:4d2a"
  chown = "1:1"
  chmod = "0644"
}
add git "https://github.com/moby/buildkit.git" to "/src/buildkit" {
  ref = "v0.13.0"
  commit = "abc"
  keep_git_dir = true
}`, []spec.Step{
			&spec.Add{Kind: spec.AddHTTP, URL: str("https://example.com/tool.tar.gz"), Dest: str("/opt/tool.tar.gz"),
				Checksum: str("sha256:4d2a"), Chown: str("1:1"), Chmod: str("0644")},
			&spec.Add{Kind: spec.AddGit, URL: str("https://github.com/moby/buildkit.git"), Dest: str("/src/buildkit"),
				Ref: str("v0.13.0"), Commit: str("abc"), KeepGitDir: spec.Of(true)},
		}},
		{"workdir env user", `workdir "/src"
env GOPATH = "/go", CGO_ENABLED = "0"
user "1000:1000"`, []spec.Step{
			&spec.Workdir{Path: str("/src")},
			&spec.Env{Vars: []*spec.KeyValue{kv("GOPATH", "/go"), kv("CGO_ENABLED", "0")}},
			&spec.User{User: str("1000:1000")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, stepsOf(t, tt.body), ignoreRanges); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStrings(t *testing.T) {
	tests := []struct{ src, want string }{
		{`"with \"escapes\" \n \t \\ \u00e9 \U0001F600 \b \f \r"`, "with \"escapes\" \n \t \\ é 😀 \b \f \r"},
		{`'no \escapes "here"'`, `no \escapes "here"`},
		{"\"\"\"\nline 1\nline \"2\"\n\"\"\"", "line 1\nline \"2\"\n"},
		{"\"\"\"no newline dropped\"\"\"", "no newline dropped"},
		{"\"\"\"\n\nblank first\"\"\"", "\nblank first"},
		{"\"\"\"a\\\"\"\"\"\"\"", "a\"\"\""},
		{"\"\"\"ends in quotes\"\"\"\"\"", "ends in quotes\"\""},
		{"\"\"\"\r\ncrlf\r\n\"\"\"", "crlf\r\n"},
		{`"${NAME:-default} $HOME"`, "${NAME:-default} $HOME"},
	}
	for _, tt := range tests {
		f := mustParse(t, "arg A = "+tt.src)
		if got := f.Args[0].Default.V; got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestParseLayout(t *testing.T) {
	// Blocks and values may be laid out freely across lines; statements
	// end at the end of a line.
	src := "\n\nsecret a {   }\nsecret b { target = \"/b\" }\nsecret c {\n\n  target = \"/c\"\n\n}\n" +
		"stage s from \"x\" { run \"a\" }\nstage t from \"x\" {\n  labels = { a = \"1\",\n    b = \"2\",\n  }\n  run \"b\" { network = \"none\" }\n}\n"
	f := mustParse(t, src)
	if got := []int{len(f.Secrets), len(f.Stages), len(f.Stages[0].Steps), len(f.Stages[1].Config.Labels)}; !cmp.Equal(got, []int{3, 2, 1, 2}) {
		t.Errorf("got %v", got)
	}
	if f.Secrets[0].Target.Set || f.Secrets[2].Target.V != "/c" {
		t.Errorf("secrets: %s", spec.Dump(f))
	}
}

// TestParseDocExamples parses every DSL example of docs/language.md.
func TestParseDocExamples(t *testing.T) {
	f := mustParse(t, docExamples)
	got := []int{f.Platforms.Len(), len(f.Args), len(f.Secrets), len(f.SSH), len(f.Caches), len(f.Stages)}
	if want := []int{2, 2, 3, 1, 2, 3}; !cmp.Equal(got, want) {
		t.Fatalf("counts: got %v, want %v\n%s", got, want, spec.Dump(f))
	}
	steps := f.Stages[2].Steps
	if len(steps) != 13 {
		t.Fatalf("got %d steps in stage steps, want 13", len(steps))
	}
	verbs := ""
	for _, s := range steps {
		verbs += s.Verb()[:1]
	}
	if verbs != "rrrcccccaaweu" {
		t.Errorf("verbs %s", verbs)
	}
}

// docExamples holds the DSL examples of docs/language.md, in order, the
// steps gathered into one stage.
const docExamples = `# syntax=ourorg/securefile

platforms = ["linux/amd64", "linux/arm64"]        # DSL

arg GO_VERSION = "1.22"
arg VERSION

secret netrc {
  target = "/root/.netrc"
  mode = "0400"
}

secret token {
  id = "gh_token"
  env = "GITHUB_TOKEN"
  required = false
}

secret npmrc                       # no block: all defaults

ssh github {
  target = "/run/ssh/github.sock"
  known_hosts = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  ]
}

cache gomod {
  target = "/go/pkg/mod"
  sharing = "locked"
}
cache seeded {
  target = "/var/cache/apt"
  from = deps                       # a stage; or "image:ref" to seed from an image
}

stage build from "golang:${GO_VERSION}" {
  platform = "${BUILDPLATFORM}"
  workdir "/src"
  run "go build -o /out/app ."
}

default image app from scratch {
  copy "/out/app" from build to "/app"
  entrypoint = ["/app"]
}

stage steps from build {
  run "go build ./..."
  run ["go", "build", "./..."]
  run "make" {
    secret netrc
    ssh github
    cache gomod
    bind "/out" from build to "/mnt/out"
    bind "." to "/src" { rw = true }
    tmpfs "/tmp" { size = "64m" }
    env CGO_ENABLED = "0"
    network = "none"
    security = "sandbox"
  }
  copy "go.mod" "go.sum" to "./"
  copy "/out/app" from build to "/app"
  copy "/etc/ssl/certs" from "alpine:3.20" to "/etc/ssl/certs"
  copy "." from context "docs" to "/docs"
  copy "src" to "/src" {
    chown = "1000:1000"
    chmod = "0755"
    include = ["**/*.go"]
    exclude = ["**/*_test.go"]
    link = true
    parents = true
  }
  add "https://example.com/tool.tar.gz" to "/opt/tool.tar.gz" {
    checksum = "sha256:4d2a…"
  }
  add git "https://github.com/moby/buildkit.git" to "/src/buildkit" {
    ref = "v0.13.0"
    commit = "<40-hex commit>"
    keep_git_dir = true
  }
  workdir "/src"
  env GOPATH = "/go", CGO_ENABLED = "0"
  user "1000:1000"
}
`

// TestParseKeepsWhatDecodes checks that a mistake costs only the broken
// line or value, not its declaration.
func TestParseKeepsWhatDecodes(t *testing.T) {
	src := "stage s {\n  run \"a\"\n  copy \"x\"\n  run \"b\" {\n    network \"none\"\n  }\n}\n" +
		"secret k extra {\n  uid = \"1\"\n  target = \"/k\"\n}\n" +
		"arg A = 1\n" +
		"stage t from \"x\" {\n  run \"c\" @\n  run \"d\"\n}\n"
	f, diags := Parse("Securefile", []byte(src))
	if len(diags) != 7 {
		t.Errorf("got %d diagnostics:\n%s", len(diags), diags)
	}
	got := []int{len(f.Stages), len(f.Stages[0].Steps), len(f.Stages[1].Steps), len(f.Secrets), len(f.Args)}
	if want := []int{2, 2, 1, 1, 1}; !cmp.Equal(got, want) {
		t.Errorf("got %v, want %v\n%s", got, want, spec.Dump(f))
	}
	if f.Stages[0].From.Set || f.Secrets[0].Target.V != "/k" || f.Secrets[0].UID.Set || f.Args[0].Default.Set {
		t.Errorf("unexpected model:\n%s", spec.Dump(f))
	}
}
