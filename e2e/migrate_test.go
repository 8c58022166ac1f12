//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/migrate"
)

// TestMigrationFidelity builds every Dockerfile of testdata/migrate/* with
// BuildKit's own Dockerfile frontend, converts it with migrate.Dockerfile,
// builds the conversion with our frontend (in process), and compares the two
// images: the flattened root filesystems (path, type, mode, owner, content,
// link target; not mtimes) and the runtime part of the image config (Env,
// User, WorkingDir, Entrypoint, Cmd, Labels, ExposedPorts, Volumes,
// Healthcheck, StopSignal). History, created times and layer boundaries are
// allowed to differ.
//
// A case directory holds a Dockerfile and its context; an optional file
// "target" names the stage both builds select, an optional file
// "platforms" the platforms both build (then every platform's image is
// compared with its counterpart), an optional file "build-args" the build
// args both get (NAME=VALUE lines; # starts a comment), and an optional
// file "base" the image the build arg BASE names: "debian" for the Debian
// image, else (and without the file) busybox.
func TestMigrationFidelity(t *testing.T) {
	root := filepath.Join(h.repo, "e2e", "testdata", "migrate")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			migrationCase(t, filepath.Join(root, name))
		})
	}
}

func migrationCase(t *testing.T, dir string) {
	src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"build-arg:BASE": h.base}
	if b, err := os.ReadFile(filepath.Join(dir, "base")); err == nil && strings.TrimSpace(string(b)) == "debian" {
		attrs["build-arg:BASE"] = getenv("E2E_DEBIAN_IMAGE", h.registry+"/debian:bookworm")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "build-args")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("build-args: %q is not NAME=VALUE", l)
			}
			attrs["build-arg:"+k] = v
		}
	}
	if tgt, err := os.ReadFile(filepath.Join(dir, "target")); err == nil {
		attrs["target"] = strings.TrimSpace(string(tgt))
	}
	if p, err := os.ReadFile(filepath.Join(dir, "platforms")); err == nil {
		attrs["platform"] = strings.TrimSpace(string(p))
	}

	f, findings, err := migrate.Dockerfile("Dockerfile", src)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, fd := range findings {
		t.Logf("finding: line %d: %s", fd.Line, fd.Message)
	}
	dsl := grammar.Format(f, grammar.DSL)
	conv := t.TempDir()
	if err := os.CopyFS(conv, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conv, "Securefile"), dsl, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("converted Securefile:\n%s", dsl)
		}
	})

	dockerImgs := migrationBuild(t, dir, "Dockerfile", attrs, false)
	ourImgs := migrationBuild(t, conv, "Securefile", attrs, true)
	if p := attrs["platform"]; p != "" && len(dockerImgs) != len(strings.Split(p, ",")) {
		t.Fatalf("the Dockerfile build gave %d images for %s", len(dockerImgs), p)
	}
	if len(dockerImgs) != len(ourImgs) {
		t.Fatalf("the Dockerfile build gave %d images, ours %d", len(dockerImgs), len(ourImgs))
	}
	for _, dockerImg := range dockerImgs {
		p := dockerImg.platformString()
		var ourImg *ociImage
		for _, img := range ourImgs {
			if img.platformString() == p {
				ourImg = img
			}
		}
		if ourImg == nil {
			t.Errorf("%s: the Dockerfile build has an image, ours has none", p)
			continue
		}
		compareImages(t, p, dockerImg, ourImg)
	}
}

// compareImages compares one platform's images of the two builds.
func compareImages(t *testing.T, p string, dockerImg, ourImg *ociImage) {
	t.Helper()
	want := fsSummary(t, dockerImg)
	got := fsSummary(t, ourImg)
	if d := diffMaps(want, got); d != "" {
		t.Errorf("%s: root filesystems differ (-dockerfile +securefile):\n%s", p, d)
	}

	wc, gc := dockerImg.config.Config, ourImg.config.Config
	cmp := func(what string, w, g any) {
		if !reflect.DeepEqual(w, g) {
			t.Errorf("%s: config %s differs:\n dockerfile: %#v\n securefile: %#v", p, what, w, g)
		}
	}
	cmp("Architecture", dockerImg.config.Architecture, ourImg.config.Architecture)
	cmp("Env", wc.Env, gc.Env)
	cmp("User", wc.User, gc.User)
	cmp("WorkingDir", wc.WorkingDir, gc.WorkingDir)
	cmp("Entrypoint", wc.Entrypoint, gc.Entrypoint)
	cmp("Cmd", wc.Cmd, gc.Cmd)
	cmp("Labels", wc.Labels, gc.Labels)
	cmp("ExposedPorts", wc.ExposedPorts, gc.ExposedPorts)
	cmp("Volumes", wc.Volumes, gc.Volumes)
	cmp("Healthcheck", wc.Healthcheck, gc.Healthcheck)
	cmp("StopSignal", wc.StopSignal, gc.StopSignal)
}

// migrationBuild builds dir/filename with the Dockerfile frontend (ours
// false) or ours in process, and returns the images of the OCI export (one
// per platform).
func migrationBuild(t *testing.T, dir, filename string, attrs map[string]string, ours bool) []*ociImage {
	t.Helper()
	ctx, c := dialDaemon(t, 5*time.Minute)
	fsrc, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := map[string]string{"filename": filename}
	for k, v := range attrs {
		a[k] = v
	}
	exp, path := ociExport(t)
	opt := client.SolveOpt{
		Exports:       []client.ExportEntry{exp},
		LocalMounts:   map[string]fsutil.FS{"context": fsrc, "dockerfile": fsrc},
		FrontendAttrs: a,
	}
	ch := make(chan *client.SolveStatus)
	var logs bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range ch {
			for _, l := range s.Logs {
				logs.Write(l.Data)
			}
			for _, v := range s.Vertexes {
				if v.Error != "" {
					fmt.Fprintf(&logs, "%s: %s\n", v.Name, v.Error)
				}
			}
		}
	}()
	if ours {
		shareTool(t, &opt)
		_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	} else {
		opt.Frontend = "dockerfile.v0"
		_, err = c.Solve(ctx, nil, opt, ch)
	}
	<-done
	if err != nil {
		t.Fatalf("build of %s failed: %v\n%s", filename, err, logs.String())
	}
	return readOCI(t, path).images(t)
}

// fsSummary describes every entry of the flattened filesystem, without
// mtimes.
func fsSummary(t *testing.T, img *ociImage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p, f := range img.files(t) {
		hd := f.hdr
		s := fmt.Sprintf("type=%c mode=%o uid=%d gid=%d", hd.Typeflag, hd.Mode&0o7777, hd.Uid, hd.Gid)
		switch hd.Typeflag {
		case tar.TypeSymlink, tar.TypeLink:
			s += " link=" + hd.Linkname
		case tar.TypeReg:
			s += fmt.Sprintf(" size=%d content=%q", len(f.data), short(f.data))
		}
		out[p] = s
	}
	return out
}

func short(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%s...(%x)", b[:64], bytes.TrimSpace(b[len(b)-16:]))
	}
	return string(b)
}

func diffMaps(want, got map[string]string) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, k := range sorted {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "- %s: %s\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "+ %s: %s\n", k, g)
		case w != g:
			fmt.Fprintf(&b, "- %s: %s\n+ %s: %s\n", k, w, k, g)
		}
	}
	return b.String()
}
