package frontend

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/subrequests"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/errdefs"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/version"
)

const helloDSL = `# syntax=ourorg/securefile

arg BASE = "busybox:1.36"

image hello from "${BASE}" {
  run "echo hello > /hello.txt"
}
`

const helloTOML = `# syntax=ourorg/securefile

[args]
BASE = "busybox:1.36"

[image.hello]
from = "${BASE}"

[[image.hello.steps]]
run = "echo hello > /hello.txt"
`

func TestReadPicksTheFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		files    map[string]string
		opts     map[string]string
		file     string
		syntax   grammar.Syntax
		excludes []string
	}{
		{name: "Securefile", files: map[string]string{"Securefile": helloDSL, "Securefile.toml": helloTOML}, file: "Securefile"},
		{name: "Securefile.toml when there is no Securefile", files: map[string]string{"Securefile.toml": helloTOML}, file: "Securefile.toml", syntax: grammar.TOML},
		{name: "TOML first when forced", files: map[string]string{"Securefile": helloDSL, "Securefile.toml": helloTOML}, opts: map[string]string{keySyntaxArg: "toml"}, file: "Securefile.toml", syntax: grammar.TOML},
		{name: "filename option", files: map[string]string{"ci/build.sf": helloDSL}, opts: map[string]string{"filename": "ci/build.sf"}, file: "ci/build.sf"},
		{name: "filename option, syntax forced", files: map[string]string{"build": helloTOML}, opts: map[string]string{"filename": "build", keySyntax: "toml"}, file: "build", syntax: grammar.TOML},
		{name: "forwarded from dockerfile.v0", files: map[string]string{"Dockerfile": helloDSL, "Securefile": "nope"}, opts: map[string]string{"cmdline": "ourorg/securefile"}, file: "Dockerfile"},
		{
			name:     "TOML file uses Securefile.dockerignore",
			files:    map[string]string{"Securefile.toml": helloTOML, "Securefile.dockerignore": "bin\n*.log\n"},
			file:     "Securefile.toml",
			syntax:   grammar.TOML,
			excludes: []string{"bin", "*.log"},
		},
		{
			name:   "its own ignore file wins",
			files:  map[string]string{"Securefile.toml": helloTOML, "Securefile.dockerignore": "bin\n", "Securefile.toml.dockerignore": "out\n"},
			file:   "Securefile.toml",
			syntax: grammar.TOML,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := read(ctx, newFakeClient(tc.files, tc.opts), nil)
			if err != nil {
				t.Fatal(err)
			}
			if in.filename != tc.file || in.syntax != tc.syntax {
				t.Errorf("read %s (%v), want %s (%v)", in.filename, in.syntax, tc.file, tc.syntax)
			}
			if string(in.src.Data) != tc.files[tc.file] {
				t.Errorf("data = %q", in.src.Data)
			}
			if in.src.Filename != tc.file || in.src.Language != language(tc.syntax) {
				t.Errorf("source map names %q (%s)", in.src.Filename, in.src.Language)
			}
			if diff := cmp.Diff(tc.excludes, in.excludes); diff != "" {
				t.Errorf("excludes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadNoFile(t *testing.T) {
	_, err := read(context.Background(), newFakeClient(map[string]string{"Dockerfile": "FROM scratch"}, nil), nil)
	if err == nil || !strings.Contains(err.Error(), "tried Securefile and Securefile.toml") {
		t.Fatalf("err = %v", err)
	}
	_, err = read(context.Background(), newFakeClient(nil, map[string]string{keySyntax: "yaml"}), nil)
	if err == nil || !strings.Contains(err.Error(), "securefile-syntax") {
		t.Fatalf("err = %v", err)
	}
}

// A file with errors fails the build with every error in the message and
// the first one's lines as the source; its warnings are build warnings.
func TestBuildReportsDiagnostics(t *testing.T) {
	const src = `arg UNUSED = "x"

image app from "alpine" {
  run "make" {
    secret nope
    cache missing
  }
}
`
	c := newFakeClient(map[string]string{"Securefile": src}, nil)
	_, err := Build(context.Background(), c)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"2 errors", `Securefile:5:12: undefined secret "nope"`, `Securefile:6:11: undefined cache "missing"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	srcs := errdefs.Sources(err)
	if len(srcs) != 1 {
		t.Fatalf("%d sources, want 1", len(srcs))
	}
	if s := srcs[0]; s.Info.Filename != "Securefile" || string(s.Info.Data) != src || s.Info.Definition == nil ||
		len(s.Ranges) != 1 || s.Ranges[0].Start.Line != 5 || s.Ranges[0].Start.Character != 11 {
		t.Errorf("source = %v", s)
	}
	var msgs []string
	for _, w := range c.warnings {
		msgs = append(msgs, w.msg)
		if len(w.opts.Range) != 1 || w.opts.Level != 1 {
			t.Errorf("warning %q has opts %+v", w.msg, w.opts)
		}
	}
	if diff := cmp.Diff([]string{`unused-arg: unused arg "UNUSED" (line 1)`}, msgs); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func subrequestResult(t *testing.T, files map[string]string, opts map[string]string) map[string][]byte {
	t.Helper()
	res, err := Build(context.Background(), newFakeClient(files, opts))
	if err != nil {
		t.Fatal(err)
	}
	if res == nil {
		t.Fatal("no result")
	}
	return res.Metadata
}

func TestSubrequestOutline(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": appFile}, map[string]string{
		"requestid":          "frontend.outline",
		"target":             "tools",
		"build-arg:ALPINE":   "alpine:edge",
		"build-arg:UNKNOWNX": "ignored",
	})
	var o outline.Outline
	if err := json.Unmarshal(md["result.json"], &o); err != nil {
		t.Fatal(err)
	}
	if o.Name != "tools" || len(o.Args) != 1 || o.Args[0].Value != "alpine:edge" || len(o.Cache) != 1 || o.Cache[0].ID != "apt" {
		t.Errorf("outline = %+v", o)
	}
	if !strings.Contains(string(md["result.txt"]), "CACHE") {
		t.Errorf("result.txt has no caches:\n%s", md["result.txt"])
	}
}

func TestSubrequestTargets(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": appFile}, map[string]string{"requestid": "frontend.targets"})
	var l targets.List
	if err := json.Unmarshal(md["result.json"], &l); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range l.Targets {
		n := tg.Name
		if tg.Default {
			n += "*"
		}
		names = append(names, n)
	}
	if diff := cmp.Diff([]string{"seed", "build", "app*", "tools"}, names); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// check fails on errors but still answers, with every finding.
func TestSubrequestLint(t *testing.T) {
	const src = `arg UNUSED = "x"

image app from "alpine" {
  run "make" {
    secret nope
  }
}
`
	md := subrequestResult(t, map[string]string{"Securefile": src}, map[string]string{"requestid": "frontend.lint"})
	var res lint.LintResults
	if err := json.Unmarshal(md["result.json"], &res); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, w := range res.Warnings {
		rules = append(rules, w.RuleName)
	}
	if diff := cmp.Diff([]string{"unused-arg", "undefined-secret"}, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, `undefined secret "nope"`) {
		t.Errorf("error = %+v", res.Error)
	}
	if string(md["result.statuscode"]) != "1" {
		t.Errorf("statuscode = %s", md["result.statuscode"])
	}
	var out strings.Builder
	if err := res.PrintTo(&out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `>>>     secret nope`) {
		t.Errorf("printed lint lacks the source line:\n%s", out.String())
	}
}

func TestSubrequestLintClean(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": helloDSL}, map[string]string{"requestid": "frontend.lint"})
	var res lint.LintResults
	if err := json.Unmarshal(md["result.json"], &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 || res.Error != nil || string(md["result.statuscode"]) != "0" {
		t.Errorf("lint of a clean file = %+v, status %s", res, md["result.statuscode"])
	}
}

// Outline and targets of a broken file fail like a build, with source.
func TestSubrequestOutlineOfBrokenFile(t *testing.T) {
	for _, req := range []string{"frontend.outline", "frontend.targets"} {
		_, err := Build(context.Background(), newFakeClient(map[string]string{"Securefile": "image app {\n"}, map[string]string{"requestid": req}))
		if err == nil || len(errdefs.Sources(err)) != 1 {
			t.Errorf("%s: err = %v", req, err)
		}
	}
}

func TestSubrequestDescribe(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": helloDSL}, map[string]string{"requestid": "frontend.subrequests.describe"})
	var reqs []subrequests.Request
	if err := json.Unmarshal(md["result.json"], &reqs); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reqs {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"frontend.outline", "frontend.targets", "frontend.lint", LockRequest, "frontend.subrequests.describe"}, names); diff != "" {
		t.Errorf("described (-want +got):\n%s", diff)
	}
	if got := string(md[MetaVersion]); got != version.String() || got == "" {
		t.Errorf("%s = %q, want %q", MetaVersion, got, version.String())
	}
	if got := string(md[MetaLanguage]); got != version.Language {
		t.Errorf("%s = %q, want %q", MetaLanguage, got, version.Language)
	}
	if want := "securefile " + version.String() + " (language " + version.Language + ")"; !strings.Contains(string(md["result.txt"]), want) {
		t.Errorf("result.txt has no %q:\n%s", want, md["result.txt"])
	}
}

// Every subrequest that describe lists is answered, never refused: a
// client that asks what describe offered must get an answer.
func TestSubrequestDescribedAreAnswered(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": helloDSL}, map[string]string{"requestid": "frontend.subrequests.describe"})
	var reqs []subrequests.Request
	if err := json.Unmarshal(md["result.json"], &reqs); err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if r.Name == LockRequest {
			continue // resolves sources: frontend/lock_test.go answers it against a fake resolver
		}
		subrequestResult(t, map[string]string{"Securefile": helloDSL}, map[string]string{"requestid": r.Name})
	}
}
