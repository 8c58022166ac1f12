package convert

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

func TestArgValues(t *testing.T) {
	f := &spec.File{Args: []*spec.Arg{
		{Name: spec.Of("C"), Default: spec.Of("${B}-c")},
		{Name: spec.Of("B"), Default: spec.Of("${A:-none}-b")},
		{Name: spec.Of("A")},
		{Name: spec.Of("D"), Default: spec.Of("$${literal} ${TARGETARCH}")},
		{Name: spec.Of("E"), Default: spec.Of("${C:+set}")},
	}}
	a, err := newArgValues(f, map[string]string{"A": "cli", "IGNORED": "x"}, arm64, amd64)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"A": "cli", "B": "cli-b", "C": "cli-b-c", "D": "${literal} arm64", "E": "set",
		"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
		"TARGETPLATFORM": "linux/arm64", "TARGETOS": "linux", "TARGETARCH": "arm64", "TARGETVARIANT": "",
	}
	if diff := cmp.Diff(want, a.values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	// Commands keep what is not an arg for the shell.
	if got := a.command("${A} $A ${HOME:-/root} $${x} ${C:+${B}}"); got != "cli $A ${HOME:-/root} ${x} cli-b" {
		t.Errorf("command = %q", got)
	}

	// A cycle (which the checker reports) is an error, not a hang.
	cyc := &spec.File{Args: []*spec.Arg{
		{Name: spec.Of("X"), Default: spec.Of("${Y}")},
		{Name: spec.Of("Y"), Default: spec.Of("${X}")},
	}}
	var e *Error
	if _, err := newArgValues(cyc, nil, arm64, amd64); !errors.As(err, &e) || !strings.Contains(err.Error(), "refers to itself") {
		t.Errorf("cycle: %v", err)
	}
	// A --build-arg breaks it, as the default is then never read.
	if _, err := newArgValues(cyc, map[string]string{"X": "1"}, arm64, amd64); err != nil {
		t.Errorf("cycle broken by a build arg: %v", err)
	}
}

func TestUnsetPlatformsDefault(t *testing.T) {
	l, err := newLowerer(&spec.File{}, Options{BuildPlatform: ocispecs.Platform{OS: "linux", Architecture: "arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.targetPlatform.Architecture != "arm64" || l.args.values["TARGETPLATFORM"] != "linux/arm64" {
		t.Errorf("an unset target platform is the build platform: %v", l.targetPlatform)
	}
}

// TestBothSyntaxesLowerAlike lowers the reference example written in each
// syntax: lowering works on the model, so the graphs are the same.
func TestBothSyntaxesLowerAlike(t *testing.T) {
	var graphs [][]digest.Digest
	for _, name := range []string{"Securefile", "Securefile.toml"} {
		src, err := os.ReadFile("../examples/reference/" + name)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := grammar.Load(name, src, grammar.Detect(name))
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		o := withNamedContexts(opts(), "docs")
		o.MetaResolver = &fakeResolver{}
		res, err := Lower(context.Background(), f, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		def, err := res.State.Marshal(context.Background(), llb.Platform(arm64))
		if err != nil {
			t.Fatal(err)
		}
		var ds []digest.Digest
		for _, dt := range def.Def {
			ds = append(ds, digest.FromBytes(dt))
		}
		graphs = append(graphs, ds)
	}
	if diff := cmp.Diff(graphs[0], graphs[1]); diff != "" {
		t.Errorf("the two syntaxes lower differently (-dsl +toml):\n%s", diff)
	}
}
