package lower

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
	a, err := newArgValues(f, map[string]string{"A": "cli", "IGNORED": "x"}, arm64, amd64, "app")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"A": "cli", "B": "cli-b", "C": "cli-b-c", "D": "${literal} arm64", "E": "set",
		"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
		"TARGETPLATFORM": "linux/arm64", "TARGETOS": "linux", "TARGETARCH": "arm64", "TARGETVARIANT": "",
		"BUILDOSVERSION": "", "TARGETOSVERSION": "", "TARGETSTAGE": "app",
	}
	for _, p := range spec.ProxyArgs {
		want[p] = "" // known, and unset (below)
	}
	if diff := cmp.Diff(want, a.values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	// Exec-form words get the args they name; a shell command gets none,
	// only the escape is undone.
	if got := a.execWord("${A} $A ${HOME:-/root} $${x} ${C:+${B}}"); got != "cli $A ${HOME:-/root} ${x} cli-b" {
		t.Errorf("execWord = %q", got)
	}
	if got := shellText("${A} $A $${x} ${C:+${B}}"); got != "${A} $A ${x} ${C:+${B}}" {
		t.Errorf("shellText = %q", got)
	}
	// A declared arg without a value is unset, not empty.
	if _, ok := a.lookup("A"); !ok {
		t.Error("A has a build arg but is unset")
	}
	b, err := newArgValues(f, nil, arm64, amd64, "app")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := b.lookup("A"); ok || v != "" || !b.known("A") {
		t.Errorf("A without default or build arg: lookup %q, %v; known %v; want unset and known", v, ok, b.known("A"))
	}
	// Automatic args are overridden by build args, as in a Dockerfile.
	c, err := newArgValues(f, map[string]string{"TARGETOS": "freebsd", "TARGETSTAGE": "x", "HTTP_PROXY": "http://p:3128"}, arm64, amd64, "app")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"TARGETOS": "freebsd", "TARGETSTAGE": "x", "HTTP_PROXY": "http://p:3128"} {
		if v, _ := c.lookup(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if c.proxy == nil || c.proxy.HTTPProxy != "http://p:3128" || b.proxy != nil {
		t.Errorf("proxy = %+v (and %+v without proxy build args)", c.proxy, b.proxy)
	}

	// A cycle (which the checker reports) is an error, not a hang.
	cyc := &spec.File{Args: []*spec.Arg{
		{Name: spec.Of("X"), Default: spec.Of("${Y}")},
		{Name: spec.Of("Y"), Default: spec.Of("${X}")},
	}}
	var e *Error
	if _, err := newArgValues(cyc, nil, arm64, amd64, "app"); !errors.As(err, &e) || !strings.Contains(err.Error(), "refers to itself") {
		t.Errorf("cycle: %v", err)
	}
	// A --build-arg breaks it, as the default is then never read.
	if _, err := newArgValues(cyc, map[string]string{"X": "1"}, arm64, amd64, "app"); err != nil {
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
		src, err := os.ReadFile("../../examples/reference/" + name)
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
