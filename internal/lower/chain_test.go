package lower

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The chain of the exported image starts at the first base that is not a
// stage, takes the steps of the stages it is based on first, counts a copy
// from another stage as one of its own steps, and leaves out steps that do
// not change the filesystem (env, user) and the steps of stages it only
// copies from.
func TestStepChain(t *testing.T) {
	res := lower(t, `
secret token { required = false }
secret key { id = "deploy_key" }
secret unused { }

stage builder from "busybox" {
  run "make" { secret key }
}
stage base from "busybox" {
  run "echo base > /base"
  env A = "1"
}
image app from base {
  copy "/out" from builder to "/out"
  run "cat /run/secrets/token > /t" { secret token }
  user "1000"
  run "rm /t" { secret key }
}
`, opts())
	var got []string
	for _, s := range res.Steps {
		got = append(got, s.Name+" "+s.Stage+" "+fmt.Sprintf("%d:%d", s.Range.Start.Line, s.Range.Start.Column))
	}
	want := []string{
		"[base 1/2] RUN base 10:3",
		"[app 1/4] COPY app 14:3",
		"[app 2/4] RUN app 15:3",
		"[app 4/4] RUN app 17:3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Each step starts where the one before ended; the last ends at the
	// target.
	ctx := context.Background()
	digestOf := func(st llb.State) string {
		def, err := st.Marshal(ctx, llb.Platform(arm64))
		if err != nil {
			t.Fatal(err)
		}
		if len(def.Def) == 0 {
			return "scratch"
		}
		return string(def.Def[len(def.Def)-1])
	}
	for i := 1; i < len(res.Steps); i++ {
		if digestOf(res.Steps[i].Before) != digestOf(res.Steps[i-1].After) {
			t.Errorf("step %d does not start where step %d ends", i+1, i)
		}
	}
	if digestOf(res.Steps[len(res.Steps)-1].After) != digestOf(res.State) {
		t.Error("the last step does not end at the target")
	}
	// The first step starts from the image, not from scratch.
	if g := marshal(t, res.Steps[0].Before); !strings.Contains(strings.Join(g.sources(), " "), "busybox") {
		t.Errorf("first step starts from %v", g.sources())
	}

	// Secrets: every one a lowered step mounts, by id, once; unused ones
	// are not there. deploy_key is mounted by a required declaration.
	var secrets []string
	for _, s := range res.Secrets {
		secrets = append(secrets, s.ID+map[bool]string{true: "?", false: ""}[s.Optional])
	}
	if got := strings.Join(secrets, " "); got != "deploy_key token?" {
		t.Errorf("secrets = %s", got)
	}
}

// A target built from scratch with only config steps adds nothing.
func TestStepChainEmpty(t *testing.T) {
	res := lower(t, `
image app from scratch {
  env A = "1"
  user "1000"
}
`, opts())
	if len(res.Steps) != 0 || len(res.Secrets) != 0 {
		t.Errorf("steps %v, secrets %v", res.Steps, res.Secrets)
	}
}

// Result.History names, for every history entry of the image, the step
// that wrote it; the base image's entries have none.
func TestHistorySources(t *testing.T) {
	o := opts()
	o.MetaResolver = &fakeResolver{configs: map[string]dockerspec.DockerOCIImage{
		"docker.io/library/busybox:latest": {Image: ocispecs.Image{History: []ocispecs.History{{CreatedBy: "base 1"}, {CreatedBy: "base 2"}}}},
	}}
	res := lower(t, `
stage base from "busybox" {
  env A = "1"
}
default image app from base {
  workdir "/w"
  run "true"
}
`, o)
	if len(res.History) != len(res.Image.History) {
		t.Fatalf("%d history sources for %d entries", len(res.History), len(res.Image.History))
	}
	var got []string
	for i, h := range res.History {
		got = append(got, fmt.Sprintf("%s|%s|%d", res.Image.History[i].CreatedBy, h.Name, h.Range.Start.Line))
	}
	want := []string{"base 1||0", "base 2||0", "ENV A=1|[base 1/1] ENV|3", "WORKDIR /w|[app 1/2] WORKDIR|6", "RUN /bin/sh -c true|[app 2/2] RUN|7"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("history sources (-want +got):\n%s", d)
	}
}
