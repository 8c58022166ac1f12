package frontend

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/gateway/client"

	"github.com/ourorg/securefile/grammar"
)

func TestSyntaxOption(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   map[string]string
		want   grammar.Syntax
		forced bool
		err    bool
	}{
		{name: "none", opts: nil, want: grammar.DSL},
		{name: "option", opts: map[string]string{keySyntax: "toml"}, want: grammar.TOML, forced: true},
		{name: "build arg", opts: map[string]string{keySyntaxArg: "TOML"}, want: grammar.TOML, forced: true},
		{name: "option wins", opts: map[string]string{keySyntax: "dsl", keySyntaxArg: "toml"}, want: grammar.DSL, forced: true},
		{name: "empty is none", opts: map[string]string{keySyntax: " "}, want: grammar.DSL},
		{name: "invalid", opts: map[string]string{keySyntaxArg: "yaml"}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, forced, err := syntaxOption(tc.opts)
			if tc.err {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || forced != tc.forced {
				t.Errorf("got %v, %v; want %v, %v", got, forced, tc.want, tc.forced)
			}
		})
	}
}

func TestFileCandidates(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     map[string]string
		forced   grammar.Syntax
		isForced bool
		want     []string
		explicit bool
	}{
		{name: "default", want: []string{"Securefile", "Securefile.toml"}},
		{name: "toml forced", forced: grammar.TOML, isForced: true, want: []string{"Securefile.toml", "Securefile"}},
		{name: "dsl forced", forced: grammar.DSL, isForced: true, want: []string{"Securefile", "Securefile.toml"}},
		{name: "filename", opts: map[string]string{"filename": "build/app.toml"}, want: []string{"build/app.toml"}, explicit: true},
		{name: "forwarded", opts: map[string]string{"cmdline": "ourorg/securefile", "source": "ourorg/securefile"}, want: []string{"Dockerfile"}},
		{name: "forwarded with -f", opts: map[string]string{"cmdline": "ourorg/securefile", "filename": "Securefile"}, want: []string{"Securefile"}, explicit: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, explicit := fileCandidates(tc.opts, tc.forced, tc.isForced)
			if diff := cmp.Diff(tc.want, got); diff != "" || explicit != tc.explicit {
				t.Errorf("got %q, %v; want %q, %v", got, explicit, tc.want, tc.explicit)
			}
		})
	}
}

func TestSyntaxOf(t *testing.T) {
	for _, tc := range []struct {
		file     string
		forced   grammar.Syntax
		isForced bool
		want     grammar.Syntax
	}{
		{file: "Securefile", want: grammar.DSL},
		{file: "Securefile.toml", want: grammar.TOML},
		{file: "sub/App.TOML", want: grammar.TOML},
		{file: "Dockerfile", want: grammar.DSL},
		{file: "Dockerfile", forced: grammar.TOML, isForced: true, want: grammar.TOML},
		{file: "Securefile.toml", forced: grammar.DSL, isForced: true, want: grammar.DSL},
	} {
		if got := syntaxOf(tc.file, tc.forced, tc.isForced); got != tc.want {
			t.Errorf("syntaxOf(%q, %v, %v) = %v, want %v", tc.file, tc.forced, tc.isForced, got, tc.want)
		}
	}
}

func TestIgnoreStem(t *testing.T) {
	for _, tc := range []struct {
		file, stem string
		ok         bool
	}{
		{"Securefile.toml", "Securefile", true},
		{"sub/app.toml", "sub/app", true},
		{"Securefile", "", false},
		{".toml", "", false},
	} {
		stem, ok := ignoreStem(tc.file)
		if stem != tc.stem || ok != tc.ok {
			t.Errorf("ignoreStem(%q) = %q, %v; want %q, %v", tc.file, stem, ok, tc.stem, tc.ok)
		}
	}
}

// withFilename gives dockerui the name without touching the client's map.
func TestWithFilename(t *testing.T) {
	opts := map[string]string{"target": "app"}
	c := withFilename(&fakeClient{opts: client.BuildOpts{Opts: opts}}, "Securefile.toml")
	if got := c.BuildOpts().Opts; got["filename"] != "Securefile.toml" || got["target"] != "app" {
		t.Errorf("opts = %v", got)
	}
	if _, ok := opts["filename"]; ok {
		t.Error("the client's own options were changed")
	}
}
