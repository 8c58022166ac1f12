//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
)

// TestRegistryCacheAcrossDaemons: the story of docs/scaling.md. A build on
// the harness daemon exports its cache to the registry (mode=max); a second
// buildkitd, started here with an empty --root, imports that cache and runs
// the same build: every RUN and COPY step of it must come from the cache,
// and the result must be the same files as the first build's.
//
// examples/parallel has eight steps (four RUN, four COPY). Its NONCE arg is
// set to one fresh value for both builds: the first build really runs the
// steps (nothing on the harness daemon matches), and the second can only get
// them from this test's cache ref. A control build on the second daemon with
// another NONCE and no import shows its RUN steps as not cached.
func TestRegistryCacheAcrossDaemons(t *testing.T) {
	t.Parallel()
	const example, wantSteps = "parallel", 8
	ref := h.registry + "/e2e/cache:" + nonce(t, 8)
	args := map[string]string{"NONCE": nonce(t, 8)}

	first := t.TempDir()
	res1 := cacheBuild(t, h.addr, example, args, first,
		[]client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": ref, "mode": "max"}}}, nil)
	if n := len(execSteps(res1)); n < wantSteps {
		t.Fatalf("first build: %d RUN/COPY steps in the progress stream, want at least %d", n, wantSteps)
	}

	addr := startDaemon(t)
	second := t.TempDir()
	res2 := cacheBuild(t, addr, example, args, second, nil,
		[]client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": ref}}})

	steps := execSteps(res2)
	var cached, ran []string
	for _, s := range steps {
		if s.cached {
			cached = append(cached, s.name)
		} else {
			ran = append(ran, s.name)
		}
	}
	sort.Strings(cached)
	sort.Strings(ran)
	t.Logf("second daemon: %d of %d RUN/COPY steps cached: %q", len(cached), len(steps), cached)
	if len(steps) < wantSteps {
		t.Errorf("second build: %d RUN/COPY steps in the progress stream, want at least %d", len(steps), wantSteps)
	}
	if len(ran) > 0 {
		t.Errorf("second build: %d steps did not come from the registry cache: %q", len(ran), ran)
	}

	// Control: with a new NONCE and nothing to import, the same daemon runs
	// the RUN steps, and the check above sees them as not cached.
	res3 := cacheBuild(t, addr, example, map[string]string{"NONCE": nonce(t, 8)}, t.TempDir(), nil, nil)
	uncached := 0
	for _, s := range execSteps(res3) {
		if !s.cached && strings.Contains(s.name, "] RUN ") {
			uncached++
		}
	}
	if uncached != 4 {
		t.Errorf("control build without a cache import: %d RUN steps ran, want 4", uncached)
	}

	a, b := treeOf(t, first), treeOf(t, second)
	if len(a) == 0 {
		t.Fatal("first build exported no files")
	}
	for p, c := range a {
		if got, ok := b[p]; !ok {
			t.Errorf("%s: in the first build's output, not in the second's", p)
		} else if got != c {
			t.Errorf("%s: %q on the first daemon, %q on the second", p, c, got)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			t.Errorf("%s: in the second build's output, not in the first's", p)
		}
	}
	for _, part := range []string{"one", "two", "three", "four"} {
		if got := strings.TrimSpace(b["parts/"+part+".txt"]); got != part {
			t.Errorf("parts/%s.txt = %q, want %q", part, got, part)
		}
	}
}

// cacheBuild builds examples/<example>/Securefile in process (client.Build
// with frontend.Build) on the daemon at addr, exporting the result to the
// directory out, with the given cache exports and imports.
func cacheBuild(t *testing.T, addr, example string, args map[string]string, out string, exports, imports []client.CacheOptionsEntry) []*client.SolveStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := client.New(ctx, addr)
	if err != nil {
		t.Fatalf("connecting to %s: %v", addr, err)
	}
	defer c.Close()
	src, err := fsutil.NewFS(filepath.Join(h.repo, "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"filename": "Securefile", "build-arg:BASE": h.base}
	for k, v := range args {
		attrs["build-arg:"+k] = v
	}
	opt := client.SolveOpt{
		Exports:       []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
		CacheExports:  exports,
		CacheImports:  imports,
		LocalMounts:   map[string]fsutil.FS{"context": src, "dockerfile": src},
		FrontendAttrs: attrs,
	}
	ch := make(chan *client.SolveStatus)
	done := make(chan []*client.SolveStatus)
	go func() {
		var all []*client.SolveStatus
		for s := range ch {
			all = append(all, s)
		}
		done <- all
	}()
	t0 := time.Now()
	_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	statuses := <-done
	if err != nil {
		t.Logf("vertexes:\n%s", vertexList(statuses))
		t.Fatalf("build of examples/%s on %s failed: %v", example, addr, err)
	}
	t.Logf("built examples/%s on %s in %v", example, addr, time.Since(t0).Round(time.Millisecond))
	if os.Getenv("E2E_VERBOSE") == "1" {
		t.Logf("vertexes:\n%s", vertexList(statuses))
	}
	return statuses
}

// execSteps merges the vertexes of the build's RUN and COPY steps (the
// frontend names them "[stage i/n] RUN …", "[stage i/n] COPY …"), by digest.
func execSteps(statuses []*client.SolveStatus) map[digest.Digest]*span {
	return vertexSpans(statuses, func(v *client.Vertex) bool {
		return strings.Contains(v.Name, "] RUN ") || strings.Contains(v.Name, "] COPY ")
	})
}

// vertexList is every vertex of the stream, one a line, for failure logs.
func vertexList(statuses []*client.SolveStatus) string {
	seen := map[digest.Digest]bool{}
	var b strings.Builder
	for _, st := range statuses {
		for _, v := range st.Vertexes {
			if v.Completed == nil || seen[v.Digest] {
				continue
			}
			seen[v.Digest] = true
			b.WriteString("  ")
			if v.Cached {
				b.WriteString("CACHED ")
			}
			b.WriteString(v.Name)
			if v.Error != "" {
				b.WriteString(" ERROR: " + v.Error)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// treeOf maps each regular file under dir (slash path) to its contents.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// startDaemon starts a second buildkitd (the binary and config of
// hack/e2e.sh: plain-HTTP localhost:5000, OCI worker) with an empty root and
// its own socket, waits until it lists its workers, and stops it and removes
// its root when the test ends. It returns the daemon's address.
func startDaemon(t *testing.T) string { return startDaemonWith(t, daemonOpts{}) }

// daemonOpts vary the second daemon: a config of its own, a tcp address
// with TLS (buildkitd's --tlscert/--tlskey/--tlscacert), and the address
// a client uses to check that it answers.
type daemonOpts struct {
	config    string
	addr      string // default: a unix socket in a temporary directory
	args      []string
	clientOpt []client.ClientOpt
}

func startDaemonWith(t *testing.T, o daemonOpts) string {
	t.Helper()
	d, err := spawnDaemon(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.stop(t.Logf); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("second buildkitd's log:\n%s", d.logs.String())
		}
	})
	t.Logf("second buildkitd on %s, root %s", d.addr, d.root)
	return d.addr
}

// daemon is a second buildkitd that spawnDaemon started.
type daemon struct {
	addr, root, sockDir string
	cmd                 *exec.Cmd
	exited              chan error
	logs                *bytes.Buffer
}

// spawnDaemon starts a second buildkitd and waits until it answers; on an
// error nothing of it is left. The caller stops it (startDaemonWith in a
// test's cleanup, the scripts' buildkitd command when the script ends).
func spawnDaemon(o daemonOpts) (*daemon, error) {
	bin := filepath.Join(h.repo, ".cache", "e2e", "bin", "buildkitd")
	config := filepath.Join(h.repo, ".cache", "e2e", "run", "buildkitd.toml")
	if o.config != "" {
		config = o.config
	}
	for _, f := range []string{bin, config} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%v (run make e2e-start)", err)
		}
	}
	// The root is next to the harness daemon's (same file system); the
	// socket in a short temporary directory (unix socket paths are limited).
	base := filepath.Join(h.repo, ".cache", "e2e")
	root, err := os.MkdirTemp(base, "daemon2-")
	if err != nil {
		return nil, err
	}
	sockDir, err := os.MkdirTemp("", "bk2-")
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	d := &daemon{addr: "unix://" + filepath.Join(sockDir, "buildkitd.sock"), root: root, sockDir: sockDir,
		exited: make(chan error, 1), logs: &bytes.Buffer{}}
	if o.addr != "" {
		d.addr = o.addr
	}
	d.cmd = exec.Command(bin, append([]string{"--root", root, "--addr", d.addr, "--config", config,
		"--oci-worker=true", "--containerd-worker=false"}, o.args...)...)
	d.cmd.Stdout, d.cmd.Stderr = &syncWriter{w: d.logs}, &syncWriter{w: d.logs}
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		os.RemoveAll(root)
		os.RemoveAll(sockDir)
		return nil, err
	}
	go func() { d.exited <- d.cmd.Wait() }()
	fail := func(err error) (*daemon, error) {
		_ = d.stop(func(string, ...any) {})
		return nil, err
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := func() error {
			c, err := client.New(ctx, d.addr, o.clientOpt...)
			if err != nil {
				return err
			}
			defer c.Close()
			ws, err := c.ListWorkers(ctx)
			if err == nil && len(ws) == 0 {
				err = errors.New("no workers")
			}
			return err
		}()
		cancel()
		if err == nil {
			return d, nil
		}
		select {
		case e := <-d.exited:
			d.exited <- e // for stop
			return fail(fmt.Errorf("second buildkitd exited: %v\n%s", e, d.logs.String()))
		default:
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("second buildkitd did not answer in time: %v\n%s", err, d.logs.String()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pid is the daemon's process id (the leader of its process group).
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// stop ends the daemon (SIGTERM, then SIGKILL after 15 s; it may be dead
// already), unmounts what it left and removes its root and socket.
func (d *daemon) stop(logf func(string, ...any)) error {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
	unmountUnder(logf, d.root)
	_ = os.RemoveAll(d.sockDir)
	if err := os.RemoveAll(d.root); err != nil {
		return fmt.Errorf("removing the second daemon's root: %v", err)
	}
	return nil
}

// unmountUnder detaches whatever a stopped buildkitd left mounted under dir.
func unmountUnder(logf func(string, ...any), dir string) {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && strings.HasPrefix(fields[1], dir+"/") {
			mounts = append(mounts, fields[1])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	for _, m := range mounts {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			logf("unmounting %s: %v", m, err)
		}
	}
}
