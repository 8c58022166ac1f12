package lower

import (
	"context"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
)

// TestOnbuildTriggers: a base image's ONBUILD triggers are commands from
// the image, never run here, so such a base is refused at the stage's
// from, naming the triggers, unless the stage sets ignore_onbuild; then
// the image built here does not carry them on.
func TestOnbuildTriggers(t *testing.T) {
	img := dockerspec.DockerOCIImage{}
	img.Config.Env = []string{"PATH=/usr/bin:/bin"}
	img.Config.OnBuild = []string{"RUN make", "COPY . /src"}
	o := opts()
	o.MetaResolver = &fakeResolver{configs: map[string]dockerspec.DockerOCIImage{"docker.io/library/trigger:1": img}}

	src := "image app from \"trigger:1\" {\n  run \"true\"\n}\n"
	f, diags := grammar.Load("Securefile", []byte(src), grammar.DSL)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, err := Lower(context.Background(), f, o)
	if err == nil || !strings.Contains(err.Error(), "Securefile:1:16:") || !strings.Contains(err.Error(), "RUN make; COPY . /src") || !strings.Contains(err.Error(), "ignore_onbuild") {
		t.Fatalf("a base with ONBUILD triggers: err = %v, want a refusal at its from naming the triggers and ignore_onbuild", err)
	}

	res := lower(t, "image app from \"trigger:1\" {\n  ignore_onbuild = true\n  run \"true\"\n}\n", o)
	if len(res.Image.Config.OnBuild) != 0 {
		t.Errorf("the image carries the base's triggers on: %q", res.Image.Config.OnBuild)
	}
}
