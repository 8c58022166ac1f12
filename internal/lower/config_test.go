package lower

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestImageConfig(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	o := opts()
	o.Epoch = &epoch
	o.BuildArgs = map[string]string{"VERSION": "2.0"}
	res := lower(t, `
arg VERSION = "dev"
stage base from scratch {
  env A = "1"
  cmd = ["--from-base"]
  labels = { "base" = "yes" }
}
default image app from base {
  entrypoint = "/app serve ${B}"
  cmd = ["--port", "8080"]
  labels = {
    "org.opencontainers.image.version" = "${VERSION}"
    "org.opencontainers.image.title" = "app"
  }
  expose = ["8080", "53/udp", "9000-9002/TCP"]
  volumes = ["/data"]
  healthcheck = {
    cmd = ["/app", "health"]
    interval = "30s"
    timeout = "5s"
    start_period = "1m"
    start_interval = "2s"
    retries = 3
  }
  stop_signal = "SIGTERM"

  env B = "${VERSION}", A = "one"
  workdir "/srv"
  workdir "www"
  user "app"
  copy "x" to "y"
  run "true"
}
`, o)
	img := res.Image
	want := dockerspec.DockerOCIImageConfig{}
	want.User = "app"
	want.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=one", "B=2.0"}
	want.WorkingDir = "/srv/www"
	want.Entrypoint = []string{"/bin/sh", "-c", "/app serve ${B}"} // for the container's shell
	want.Cmd = []string{"--port", "8080"}
	want.Labels = map[string]string{"base": "yes", "org.opencontainers.image.version": "2.0", "org.opencontainers.image.title": "app"}
	want.ExposedPorts = map[string]struct{}{"8080/tcp": {}, "53/udp": {}, "9000/tcp": {}, "9001/tcp": {}, "9002/tcp": {}}
	want.Volumes = map[string]struct{}{"/data": {}}
	want.StopSignal = "SIGTERM"
	want.Healthcheck = &dockerspec.HealthcheckConfig{
		Test:     []string{"CMD", "/app", "health"},
		Interval: 30 * time.Second, Timeout: 5 * time.Second, StartPeriod: time.Minute, StartInterval: 2 * time.Second, Retries: 3,
	}
	if diff := cmp.Diff(want, img.Config); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if img.Created == nil || !img.Created.Equal(epoch) || img.OS != "linux" || img.Architecture != "arm64" {
		t.Errorf("created %v platform %v", img.Created, img.Platform)
	}
	e := &epoch
	wantHistory := []ocispecs.History{
		{Created: e, CreatedBy: "ENV A=1", Comment: historyComment, EmptyLayer: true},
		{Created: e, CreatedBy: "ENV B=2.0 A=one", Comment: historyComment, EmptyLayer: true},
		{Created: e, CreatedBy: "WORKDIR /srv", Comment: historyComment},
		{Created: e, CreatedBy: "WORKDIR /srv/www", Comment: historyComment},
		{Created: e, CreatedBy: "USER app", Comment: historyComment, EmptyLayer: true},
		{Created: e, CreatedBy: "COPY x y", Comment: historyComment},
		{Created: e, CreatedBy: "RUN /bin/sh -c true", Comment: historyComment},
	}
	if diff := cmp.Diff(wantHistory, img.History); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	g := marshal(t, res.State)
	// The workdir is created, owned by the user of the time, with the
	// epoch as its time; copies carry the epoch too.
	mk := g.file(t, "WORKDIR /srv/www").Actions[0].GetMkdir()
	if mk.Path != "/srv/www" || !mk.MakeParents || mk.Timestamp != epoch.UnixNano() || mk.Owner != nil {
		t.Errorf("mkdir: %v", mk)
	}
	if cp := g.file(t, "COPY x y").Actions[0].GetCopy(); cp.Timestamp != epoch.UnixNano() || cp.Dest != "/srv/www/y" {
		t.Errorf("copy: %v", cp)
	}
	if run := g.exec(t, "true"); run.Meta.Cwd != "/srv/www" || run.Meta.User != "app" {
		t.Errorf("run: %v", run.Meta)
	}
}

func TestConfigClearingAndHealthcheckForms(t *testing.T) {
	const src = `
stage base from scratch {
  entrypoint = ["/base"]
  cmd = ["--base"]
  healthcheck = {
    cmd = "curl -f localhost"
    interval = "10s"
  }
}
stage timing from base {
  healthcheck = {
    timeout = "3s"
  }
}
stage none from base {
  healthcheck = {
    none = true
  }
}
default image app from base {
  entrypoint = []
  cmd = []
}
`
	o := opts()
	cfg := lower(t, src, o).Image.Config
	if cfg.Entrypoint != nil || cfg.Cmd != nil {
		t.Errorf("empty lists must clear: entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	if hc := cfg.Healthcheck; hc == nil || !cmp.Equal(hc.Test, []string{"CMD-SHELL", "curl -f localhost"}) || hc.Interval != 10*time.Second {
		t.Errorf("inherited healthcheck %v", hc)
	}
	o.Target = "timing"
	if hc := lower(t, src, o).Image.Config.Healthcheck; hc == nil || !cmp.Equal(hc.Test, []string{"CMD-SHELL", "curl -f localhost"}) || hc.Timeout != 3*time.Second || hc.Interval != 0 {
		t.Errorf("timing-only healthcheck %v", hc)
	}
	o.Target = "none"
	if hc := lower(t, src, o).Image.Config.Healthcheck; hc == nil || !cmp.Equal(hc.Test, []string{"NONE"}) {
		t.Errorf("disabled healthcheck %v", hc)
	}
}

// TestNothingSecretReachesTheDefinition builds a file whose secret ids and
// targets are easy to find and checks, structurally, where they appear:
// only as references in secret mounts. Nothing in the model holds a secret
// value, so what this really guards is that args (which can look like
// secrets) reach only the environment of the steps whose command names
// them, and that secret mounts never turn into env.
func TestNothingSecretReachesTheDefinition(t *testing.T) {
	o := opts()
	o.BuildArgs = map[string]string{"NOT_A_SECRET_ARG": "arg-value-456"}
	res := lower(t, `
arg NOT_A_SECRET_ARG = "default-value"
secret creds {
  id = "sekret-id-123"
  env = "CREDS"
}
secret file {
  id = "sekret-id-789"
}
default image app from scratch {
  labels = { "l" = "label" }
  run "use ${NOT_A_SECRET_ARG} $CREDS" {
    secret creds
    secret file
  }
  run "other"
}
`, o)
	def, err := res.State.Marshal(context.Background(), llb.Platform(arm64))
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, dt := range def.Def {
		all += string(dt)
	}
	if !strings.Contains(all, "sekret-id-123") || !strings.Contains(all, "sekret-id-789") {
		t.Fatalf("secret ids are references and must be in the definition")
	}
	g := marshal(t, res.State)
	for _, d := range g.order {
		op := g.ops[d]
		e := op.GetExec()
		if e == nil {
			if strings.Contains(op.String(), "sekret-id") {
				t.Errorf("secret id outside an exec: %v", op)
			}
			continue
		}
		names := strings.Contains(e.Meta.Args[len(e.Meta.Args)-1], "${NOT_A_SECRET_ARG}")
		for _, kv := range e.Meta.Env {
			if strings.Contains(kv, "sekret") || strings.HasPrefix(kv, "CREDS=") {
				t.Errorf("env entry %q", kv)
			}
			if arg := strings.HasPrefix(kv, "NOT_A_SECRET_ARG="); arg && (!names || kv != "NOT_A_SECRET_ARG=arg-value-456") || !arg && strings.Contains(kv, "arg-value-456") {
				t.Errorf("env entry %q in the step %q", kv, e.Meta.Args)
			}
		}
		for _, m := range e.Mounts {
			if m.MountType != pb.MountType_SECRET && m.SecretOpt != nil {
				t.Errorf("secret options on a %v mount", m.MountType)
			}
		}
		if strings.Join(e.Meta.Args, " ") == "/bin/sh -c other" && (len(e.Secretenv) != 0 || strings.Contains(e.String(), "sekret")) {
			t.Errorf("a step without secrets got some: %v", e)
		}
	}
	// The arg used by the command is in its argv, where the command put
	// it, and nowhere else: not in the history beyond the step's text, not
	// in the config.
	for _, h := range res.Image.History {
		if strings.Contains(h.CreatedBy, "NOT_A_SECRET_ARG=") || strings.Contains(h.CreatedBy, "sekret") {
			t.Errorf("history %q", h.CreatedBy)
		}
	}
	for _, kv := range res.Image.Config.Env {
		if strings.Contains(kv, "arg-value") || strings.Contains(kv, "sekret") {
			t.Errorf("image env %q", kv)
		}
	}
}

// A base image config without a WorkingDir stays without one when no
// workdir step sets it, as in a Dockerfile build; steps still run and
// resolve paths in "/". Scratch has "/", as the Dockerfile frontend's.
func TestNoWorkdirLeavesConfigEmpty(t *testing.T) {
	o := opts()
	o.MetaResolver = &fakeResolver{}
	res := lower(t, `
default image app from "busybox" {
  copy "x" to "y"
  run "true"
}
`, o)
	if wd := res.Image.Config.WorkingDir; wd != "" {
		t.Errorf("WorkingDir = %q, want empty", wd)
	}
	scratch := lower(t, `default image app from scratch { copy "x" to "y" }`, opts())
	if wd := scratch.Image.Config.WorkingDir; wd != "/" {
		t.Errorf("scratch: WorkingDir = %q, want /", wd)
	}
	def, err := res.State.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var cwd []string
	var dest []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if e := op.GetExec(); e != nil {
			cwd = append(cwd, e.Meta.Cwd)
		}
		if f := op.GetFile(); f != nil {
			for _, a := range f.Actions {
				if c := a.GetCopy(); c != nil {
					dest = append(dest, c.Dest)
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"/"}, cwd); diff != "" {
		t.Errorf("exec cwd (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/y"}, dest); diff != "" {
		t.Errorf("copy dest (-want +got):\n%s", diff)
	}
}
