package tomlfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// roundTripCases are files whose model must survive Format → Parse; the
// parse cases are round-tripped too.
var roundTripCases = []string{
	commented,
	"# only a trailing comment\n",
	"# header\n\n",
	"# header\n\n# trailing\n",
	"[args]\n# nothing follows\n",
	"[secret.a]\n# between keys\nid = \"x\"\n# after the last key\n\n[secret.b]\n",
	"[stage.a]\nfrom = \"x\"\n[stage.a.labels]\nk = \"v\"\n[[stage.a.steps]]\nrun = \"x\" # eol\n# inside\nnetwork = \"none\"\n",
	"[image.a]\nfrom = \"x\"\nsteps = [\n  # before\n  { run = \"x\" }, # eol\n  { user = \"u\" },\n]\n",
}

const commented = `# syntax=ourorg/securefile
# second header line

# Every construct once.

platforms = ["linux/amd64"] # eol on platforms

[args]
# The Go image.
GO = "golang:1.23"
RUNTIME = "" # no default

# Credentials.
[secret.netrc]
# about the target
target = "/root/.netrc"

[cache.gomod] # eol on a header
target = "/go/pkg/mod"

# The build.
[stage.build]
from = { stage = "tools" }

# First step.
[[stage.build.steps]]
run = "go build" # eol on a step key

[image.app]
from = "scratch"
# comment after the last key of the last table
# trailing, two lines
`

func TestRoundTrip(t *testing.T) {
	srcs := append([]string{}, roundTripCases...)
	for _, c := range parseCases {
		srcs = append(srcs, c.src)
	}
	for _, src := range srcs {
		f, diags := Parse("in.toml", []byte(src))
		if diags.HasErrors() {
			t.Fatalf("%q: %s", src, diags)
		}
		out := Format(f)
		g, diags := Parse("out.toml", out)
		if diags.HasErrors() {
			t.Fatalf("formatted file does not parse: %s\n%s", diags, out)
		}
		if diff := cmp.Diff(f, g, ignoreRanges); diff != "" {
			t.Errorf("model changed (-parsed +formatted and parsed):\n%s\n--- input:\n%s\n--- formatted:\n%s", diff, src, out)
		}
		if again := Format(g); string(again) != string(out) {
			t.Errorf("format is not idempotent:\n%s", cmp.Diff(string(out), string(again)))
		}
	}
}

// TestFormatCanonical: a file written any which way comes out in the
// canonical order and layout, comments above their nodes.
func TestFormatCanonical(t *testing.T) {
	f, diags := Parse("in.toml", []byte(commented))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	const want = `# syntax=ourorg/securefile
# second header line

# Every construct once.
# eol on platforms
platforms = ["linux/amd64"]

[args]
# The Go image.
GO = "golang:1.23"
# no default
RUNTIME = ""

# Credentials.
# about the target
[secret.netrc]
target = "/root/.netrc"

# eol on a header
[cache.gomod]
target = "/go/pkg/mod"

# The build.
[stage.build]
from = { stage = "tools" }

# First step.
# eol on a step key
[[stage.build.steps]]
run = "go build"

[image.app]
from = "scratch"

# comment after the last key of the last table
# trailing, two lines
`
	if got := string(Format(f)); got != want {
		t.Errorf("(-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestFormatOrder(t *testing.T) {
	const src = `[[image.app.steps]]
to = "/app"
chmod = "0755"
from = { stage = "build" }
copy = "/out/app"

[image.app]
entrypoint = ["/app"]
from = "scratch"
default = true

[cache.c]
readonly = true
target = "/c"

[secret.s]
required = false
id = "x"

[args]
B = "2"
A = "1"
`
	const want = `[args]
B = "2"
A = "1"

[secret.s]
id = "x"
required = false

[cache.c]
target = "/c"
readonly = true

[image.app]
default = true
from = "scratch"
entrypoint = ["/app"]

[[image.app.steps]]
copy = ["/out/app"]
from = { stage = "build" }
to = "/app"
chmod = "0755"
`
	f, diags := Parse("in.toml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if got := string(Format(f)); got != want {
		t.Errorf("(-want +got):\n%s", cmp.Diff(want, got))
	}
}

// TestFormatModel formats a model built in code, as the DSL parser makes
// them: every construct, no ranges, values that need care.
func TestFormatModel(t *testing.T) {
	long := strings.Repeat("x", 60)
	f := &spec.File{
		Header:    []string{" syntax=ourorg/securefile"},
		Node:      spec.Node{Comments: []string{" platforms"}},
		Platforms: spec.ListOf("linux/amd64", "linux/arm64"),
		Args: []*spec.Arg{
			{Node: spec.Node{Comments: []string{" an arg"}}, Name: sv("GO"), Default: sv("1.23")},
			{Name: sv("EMPTY")},
		},
		Secrets: []*spec.Secret{{Name: sv("my.secret"), Mode: sv("0400"), UID: spec.Of(0), Required: spec.Of(false)}},
		SSH:     []*spec.SSH{{Name: sv("gh"), KnownHosts: spec.ListOf(long, long)}},
		Caches:  []*spec.Cache{{Name: sv("c"), Target: sv("/c"), From: image("img")}},
		Stages: []*spec.Stage{
			{Kind: spec.KindStage, Name: sv("build"), From: contextSrc("src"), Steps: []spec.Step{
				&spec.Run{Command: shell("set -e\nmake \"all\"\n"), Binds: []*spec.Bind{
					{Path: sv("/"), From: stageSrc("a"), Target: sv("/mnt/" + long)},
					{Target: sv("/b"), ReadWrite: spec.Of(true)},
				}, Env: []*spec.KeyValue{kv("LONG", long), kv("OTHER", long)}, Network: sv("none")},
				&spec.Env{Vars: []*spec.KeyValue{kv("A", "1")}},
				&spec.Add{Kind: spec.AddGit, URL: sv("https://x/y.git"), Dest: sv("/y"), KeepGitDir: spec.Of(false)},
			}},
			{Kind: spec.KindImage, Name: sv("app"), Default: spec.Of(true), From: scratch, Config: spec.ImageConfig{
				Cmd:         exec("--help"),
				Labels:      []*spec.KeyValue{kv("org.opencontainers.image.title", "app"), kv("org.opencontainers.image.description", long)},
				Healthcheck: &spec.Healthcheck{Test: exec("/app", "health"), Retries: spec.Of(3)},
			}},
		},
		Trailing: []string{" the end"},
	}
	const want = `# syntax=ourorg/securefile

# platforms
platforms = ["linux/amd64", "linux/arm64"]

[args]
# an arg
GO = "1.23"
EMPTY = ""

[secret."my.secret"]
mode = "0400"
uid = 0
required = false

[ssh.gh]
known_hosts = [
  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
]

[cache.c]
target = "/c"
from = "img"

[stage.build]
from = { context = "src" }

[[stage.build.steps]]
run = """
set -e
make "all"
"""
binds = [
  { source = "/", from = { stage = "a" }, target = "/mnt/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
  { target = "/b", rw = true },
]
network = "none"

[stage.build.steps.env]
LONG = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
OTHER = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

[[stage.build.steps]]
env = { A = "1" }

[[stage.build.steps]]
add = { git = "https://x/y.git" }
to = "/y"
keep_git_dir = false

[image.app]
default = true
from = "scratch"
cmd = ["--help"]
healthcheck = { cmd = ["/app", "health"], retries = 3 }

[image.app.labels]
"org.opencontainers.image.title" = "app"
"org.opencontainers.image.description" = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

# the end
`
	out := Format(f)
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	g, diags := Parse("out.toml", out)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if diff := cmp.Diff(f, g, ignoreRanges); diff != "" {
		t.Errorf("model changed (-built +parsed):\n%s", diff)
	}
}

// TestFormatStrings: strings that need escapes or the multi-line form
// come back exactly.
func TestFormatStrings(t *testing.T) {
	for _, s := range []string{
		"", `"`, `""`, `"""`, `a"""b`, "ends with a quote\"", `back\slash\`, "tab\there",
		"\n", "\n\n", "a\n", "\na", "a\nb\"", "a\n\"\"\"\n", "crlf\r\nline", "bell\a", "del\x7f", "nul\x00",
		"é ü 日本", "a\\\nb", "trailing space \nx", "\t\n\t", "quote at the end\n\"", "\\\"\n",
	} {
		f := &spec.File{Args: []*spec.Arg{{Name: sv("A"), Default: sv(s)}}, Stages: []*spec.Stage{{
			Kind: spec.KindStage, Name: sv(s), From: image(s),
			Config: spec.ImageConfig{Labels: []*spec.KeyValue{kv(s, s)}},
			Steps:  []spec.Step{&spec.Run{Command: shell(s)}, &spec.Run{Command: exec(s, s)}},
		}}}
		if s == "" {
			f.Args[0].Default = spec.Value[string]{}
		}
		out := Format(f)
		g, diags := Parse("out.toml", out)
		if len(diags) > 0 {
			t.Errorf("%q: %s\n%s", s, diags, out)
			continue
		}
		if diff := cmp.Diff(f, g, ignoreRanges); diff != "" {
			t.Errorf("%q: model changed (-built +parsed):\n%s\n%s", s, diff, out)
		}
	}
}

func TestQuoteKey(t *testing.T) {
	for in, want := range map[string]string{
		"a": "a", "A_b-9": "A_b-9", "a.b": `"a.b"`, "": `""`, "é": `"é"`, `a"b`: `"a\"b"`, "a b": `"a b"`,
	} {
		if got := quoteKey(in); got != want {
			t.Errorf("quoteKey(%q) = %s, want %s", in, got, want)
		}
	}
}
