package dsl

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// checkRoundTrip asserts that Format(f) parses back to f and formats to
// itself, and returns the formatted text.
func checkRoundTrip(t testing.TB, f *spec.File) string {
	t.Helper()
	out := Format(f)
	f2, diags := Parse("Securefile", out)
	if len(diags) > 0 {
		t.Fatalf("formatted output does not parse:\n%s\n%s", out, diags)
	}
	if diff := cmp.Diff(f, f2, ignoreRanges); diff != "" {
		t.Fatalf("model changed through Format (-before +after):\n%s\nformatted:\n%s", diff, out)
	}
	if out2 := Format(f2); string(out2) != string(out) {
		t.Fatalf("Format is not idempotent:\nfirst:\n%s\nsecond:\n%s", out, out2)
	}
	return string(out)
}

func TestFormatCanonical(t *testing.T) {
	src := `# syntax=ourorg/securefile
# second header line

stage build from "golang:1.22" {   # the builder
  workdir "/src"
  # fetch modules
  run "go mod download" {
    network = "host"
    cache gomod
    env GOFLAGS = "-mod=mod"
    secret netrc
  }
  platform = "${BUILDPLATFORM}"
  copy "a"   "b" to "/x" { link = true
    chmod = "0755" }
  # end of build
}
cache gomod { sharing = "locked"
  target = "/go/pkg/mod" }
secret netrc {}
arg B
# about A
arg A = 'x'
platforms = [ "linux/amd64" ]
default image app from build {
  entrypoint = ["/app"]
  labels = {
    "org.opencontainers.image.source" = "https://github.com/ourorg/securefile", "org.opencontainers.image.title" = "app"
  }
  expose = ["8080", "8081", "8082", "8083", "8084", "8085", "8086", "8087", "8088", "8089"]
}
# the end
`
	want := `# syntax=ourorg/securefile
# second header line

platforms = ["linux/amd64"]

arg B
# about A
arg A = "x"

secret netrc

cache gomod {
  target = "/go/pkg/mod"
  sharing = "locked"
}

# the builder
# end of build
stage build from "golang:1.22" {
  platform = "${BUILDPLATFORM}"

  workdir "/src"
  # fetch modules
  run "go mod download" {
    secret netrc
    cache gomod
    env GOFLAGS = "-mod=mod"
    network = "host"
  }
  copy "a" "b" to "/x" {
    chmod = "0755"
    link = true
  }
}

default image app from build {
  entrypoint = ["/app"]
  labels = {
    "org.opencontainers.image.source" = "https://github.com/ourorg/securefile"
    "org.opencontainers.image.title" = "app"
  }
  expose = [
    "8080",
    "8081",
    "8082",
    "8083",
    "8084",
    "8085",
    "8086",
    "8087",
    "8088",
    "8089",
  ]
}

# the end
`
	f := mustParse(t, src)
	got := checkRoundTrip(t, f)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	inputs := []string{
		docExamples,
		"",
		"# only a comment\n",
		"# header\n\n",
		"# header\n\n# trailing\n",
		"arg A # about A\n# about B\narg B\n# trailing\n",
		"stage s from \"x\" {\n  run \"a\" { # on the run line\n    # in the run block\n    ssh s\n  } # after the block\n  # after the last step\n}\n",
		"secret s {\n  # inside\n  target = \"/x\" # eol\n}\n# between\nssh k\n",
		"platforms = [\n  \"a\", # eol in list\n  # in list\n  \"b\",\n]\n",
		"stage s from \"x\" {\n  labels = { a = \"1\" } # on a setting\n  # before a step\n  run \"a\"\n}\n",
		"image i from \"x\" {\n  healthcheck = {}\n  expose = []\n  labels = {}\n  cmd = []\n  run []\n  copy \"a\" to \"b\" { include = [] }\n}\n",
		"stage from from context\nstage context from context \"context\" {\n  copy \"a\" from context to \"b\"\n  copy \"a\" from \"scratch\" to \"b\"\n}\ncache c {\n  target = \"/c\"\n  from = context\n}\n",
		"stage s from \"x\" {\n  env \"A B\" = \"1\", \"\" = \"2\", x.y-z = \"3\", \"1A\" = \"4\"\n  labels = { \"a\\nb\" = \"c\\nd\", \"\" = \"\" }\n}\n",
		"stage s from \"x\" {\n  run [\"sh\", \"-c\", \"\"\"\necho 1\necho 2\n\"\"\"] {\n    tmpfs \"/t\"\n  }\n  run \"\"\"\n\"\"\"\n}\n",
		"default stage s from \"x\"\n",
	}
	for _, src := range inputs {
		checkRoundTrip(t, mustParse(t, src))
	}
}

func TestFormatStrings(t *testing.T) {
	values := []string{
		"", "plain", `quote " and backslash \`, "tab\tand\rcr", "nul\x00 bell\x07 del\x7f",
		"line\n", "\n", "\n\nlead", "a\nb\nc", "ends in a quote\"", "two\"\"\nquotes\"\"",
		"three\"\"\"\nquotes\"\"\"", "\"\"\"\n\"\"\"", "back\\\nslash\\", "\r\n", "é€😀\n",
		"${NAME:-x} $$", "\\u0041 is not an escape here",
	}
	for _, v := range values {
		f := &spec.File{
			Args: []*spec.Arg{{Name: spec.Of("A"), Default: spec.Of(v)}},
			Stages: []*spec.Stage{{Name: spec.Of("s"), From: spec.Source{Set: true, Kind: spec.SourceScratch},
				Steps:  []spec.Step{&spec.Env{Vars: []*spec.KeyValue{{Key: spec.Of(v), Value: spec.Of(v)}}}},
				Config: spec.ImageConfig{Labels: []*spec.KeyValue{{Key: spec.Of(v), Value: spec.Of(v)}}}}},
		}
		checkRoundTrip(t, f)
	}
}

// TestFormatInvalidUTF8: no escape writes a byte that is not UTF-8, so a
// model made in code with one formats to text that Parse refuses at the
// byte, rather than to a file that fails later in BuildKit.
func TestFormatInvalidUTF8(t *testing.T) {
	f := &spec.File{Args: []*spec.Arg{{Name: spec.Of("A"), Default: spec.Of("bad \xff utf-8")}}}
	out := Format(f)
	_, diags := Parse("Securefile", out)
	if len(diags) != 1 || diags[0].Line() != "Securefile:1:14: invalid UTF-8 byte 0xff" {
		t.Errorf("formatted:\n%s\ngot %v, want one invalid UTF-8 error at 1:14", out, diags)
	}
}

// TestFormatBuiltModel formats a model made in code, with no positions
// and every field set.
func TestFormatBuiltModel(t *testing.T) {
	f := &spec.File{
		Node:      spec.Node{Comments: []string{" platforms"}},
		Header:    []string{" syntax=ourorg/securefile"},
		Platforms: spec.ListOf("linux/amd64"),
		Args:      []*spec.Arg{{Node: spec.Node{Comments: []string{" the version"}}, Name: spec.Of("V"), Default: spec.Of("1")}},
		Secrets: []*spec.Secret{{Name: spec.Of("s"), ID: spec.Of("i"), Target: spec.Of("/t"), Env: spec.Of("E"), Mode: spec.Of("0400"),
			UID: spec.Of(1), GID: spec.Of(2), Required: spec.Of(false)}},
		SSH: []*spec.SSH{{Name: spec.Of("k"), ID: spec.Of("default"), Target: spec.Of("/k"), Required: spec.Of(true), Mode: spec.Of("0600"),
			UID: spec.Of(0), GID: spec.Of(0), KnownHosts: spec.ListOf("h1", "h2")}},
		Caches: []*spec.Cache{{Name: spec.Of("c"), Target: spec.Of("/c"), ID: spec.Of("ci"), Sharing: spec.Of("locked"), Mode: spec.Of("0755"),
			UID: spec.Of(3), GID: spec.Of(4), ReadOnly: spec.Of(true), From: spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("img")}}},
		Stages: []*spec.Stage{{
			Node: spec.Node{Comments: []string{" build"}},
			Kind: spec.KindImage, Name: spec.Of("app"), Default: spec.Of(true),
			From:     spec.Source{Set: true, Kind: spec.SourceNamedContext, Name: spec.Of("base")},
			Platform: spec.Of("linux/arm64"),
			Config: spec.ImageConfig{
				Entrypoint: spec.Command{Shell: spec.Of("/app")},
				Cmd:        spec.Command{Exec: spec.ListOf("serve", "--port", "80")},
				Labels:     []*spec.KeyValue{{Key: spec.Of("a"), Value: spec.Of("b")}},
				Expose:     spec.ListOf("80"),
				Volumes:    spec.ListOf("/data"),
				Healthcheck: &spec.Healthcheck{Test: spec.Command{Shell: spec.Of("true")}, None: spec.Of(false), Interval: spec.Of("1s"),
					Timeout: spec.Of("2s"), StartPeriod: spec.Of("3s"), StartInterval: spec.Of("4s"), Retries: spec.Of(5)},
				StopSignal: spec.Of("SIGINT"),
			},
			Steps: []spec.Step{
				&spec.Run{Node: spec.Node{Comments: []string{" compile"}}, Command: spec.Command{Shell: spec.Of("make")},
					Secrets: []spec.Value[string]{spec.Of("s")}, SSH: []spec.Value[string]{spec.Of("k")}, Caches: []spec.Value[string]{spec.Of("c")},
					Binds:   []*spec.Bind{{From: spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of("b")}, Path: spec.Of("/o"), Target: spec.Of("/m"), ReadWrite: spec.Of(false)}},
					Tmpfs:   []*spec.Tmpfs{{Target: spec.Of("/tmp"), Size: spec.Of("1g")}},
					Network: spec.Of("none"), Security: spec.Of("insecure"),
					Env: []*spec.KeyValue{{Key: spec.Of("A"), Value: spec.Of("1")}, {Key: spec.Of("B"), Value: spec.Of("2")}}},
				&spec.Copy{Sources: spec.ListOf("a", "b"), From: spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("i")}, Dest: spec.Of("/d"),
					Chown: spec.Of("1"), Chmod: spec.Of("0644"), Include: spec.ListOf("*"), Exclude: spec.ListOf("x"), Link: spec.Of(true), Parents: spec.Of(true)},
				&spec.Add{Kind: spec.AddGit, URL: spec.Of("u"), Dest: spec.Of("/g"), Checksum: spec.Of("c"), Ref: spec.Of("r"), Commit: spec.Of("h"),
					KeepGitDir: spec.Of(true), Chown: spec.Of("1"), Chmod: spec.Of("0600")},
				&spec.Workdir{Path: spec.Of("/w")},
				&spec.User{User: spec.Of("u")},
			},
		}},
		Trailing: []string{" end"},
	}
	out := checkRoundTrip(t, f)
	if !strings.HasPrefix(out, "# syntax=ourorg/securefile\n\n# platforms\nplatforms = [\"linux/amd64\"]\n") {
		t.Errorf("unexpected start:\n%s", out)
	}
}
