package frontend

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
)

// dockerfileSources lowers the repository's Dockerfile (the frontend
// image) with BuildKit's Dockerfile frontend and returns the sources the
// build would load.
func dockerfileSources(t *testing.T, opts map[string]string) []string {
	t.Helper()
	dt, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	c := newFakeClient(map[string]string{"Dockerfile": string(dt)}, opts)
	bc, err := dockerui.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := dockerfile2llb.Dockerfile2LLB(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config:       bc.Config,
		Client:       bc,
		MetaResolver: c,
	})
	if err != nil {
		t.Fatal(err)
	}
	def, err := res.State.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, op := range ops(t, def.ToPB()) {
		if s := op.GetSource(); s != nil {
			srcs = append(srcs, withoutDigest(s.Identifier))
		}
	}
	slices.Sort(srcs)
	if res.Image.Config.Entrypoint[0] != "/bin/securefile-frontend" || res.Image.Config.Labels["moby.buildkit.frontend.network.none"] != "true" ||
		!strings.Contains(res.Image.Config.Labels["moby.buildkit.frontend.caps"], "moby.buildkit.frontend.subrequests") {
		t.Errorf("image config = %+v", res.Image.Config)
	}
	return srcs
}

// Online, the binary is compiled in the golang image from the context.
func TestDockerfileOnline(t *testing.T) {
	got := dockerfileSources(t, nil)
	want := []string{"docker-image://docker.io/library/golang:1.26", "local://context"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// Offline, a "binary" named context (a directory with a host-built
// binary) replaces the stage: the build loads that directory and nothing
// else, so it needs no registry and no network.
func TestDockerfileOffline(t *testing.T) {
	got := dockerfileSources(t, map[string]string{"context:binary": "local:binary"})
	want := []string{"local://binary"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}
