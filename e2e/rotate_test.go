//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/lock"
	"github.com/ourorg/securefile/internal/rotate"
)

// rotateSecurefile: the app step uses the rotated secret; the other stage
// uses none, and its file is copied in after the step. Each step records a
// fresh random id, so the image tells which steps ran and which were cached.
// RUN_ID keeps the steps out of the cache of earlier test runs.
const rotateSecurefile = `
arg BASE = "busybox:1.36"
arg RUN_ID

secret token {
  rotate = true
}

stage other from "${BASE}" {
  run "echo ${RUN_ID} && cat /proc/sys/kernel/random/uuid > /other.txt"
}

image app from "${BASE}" {
  run "echo ${RUN_ID} && cat /proc/sys/kernel/random/uuid > /stamp.txt && sha256sum < /run/securefile/rotate/token > /digest-sum.txt && wc -c < /run/secrets/token > /len.txt" {
    secret token
  }
  copy "/other.txt" from other to "/other.txt"
}
`

// Progress names of the steps, as the frontend writes them.
const (
	rotateUsingStep = "[app 1/2] RUN"
	rotateOtherStep = "[other 1/1] RUN"
	rotateDigest    = "[internal] digest of secret token"
)

// TestSecretRotation: the step that uses a secret declared with rotate =
// true is cached while the value stays the same and rebuilt when it
// changes, steps that do not use it stay cached, the digest step runs on
// every build, and neither the value nor its digest reaches the image.
//
// Every way of running the frontend is covered, because the digest step
// runs from a different tool in each: in-process from the shared binary (a
// local, whose cache key changes with every session), under the gateway
// from the frontend image (whose key does not, so only the digest step's
// ignore-cache flag makes it run again).
func TestSecretRotation(t *testing.T) {
	t.Parallel()
	for _, m := range []mode{modeInProcess, modeGateway, modeSyntax} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			testSecretRotation(t, m)
		})
	}
}

func testSecretRotation(t *testing.T, m mode) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lf, err := lock.New()
	if err != nil {
		t.Fatal(err)
	}
	write("Securefile", []byte(rotateSecurefile))
	write(lock.FileName, lock.Marshal(lf))

	runID := nonce(t, 8)
	valueA, valueB := "tok-A-"+nonce(t, 12), "tok-B-"+nonce(t, 12)

	type outcome struct {
		stamp, other, digestSum, length string
		prog                            *rotateProgress
		hits                            []string
	}
	build := func(value string) outcome {
		t.Helper()
		a, prog := rotateBuild(t, m, dir, runID, value)
		files := a.image(t).files(t)
		for p := range files {
			if strings.HasPrefix(p, "run/securefile") {
				t.Errorf("the image has %s: the digest mount leaves a trace", p)
			}
		}
		return outcome{
			stamp:     fileString(t, files, "/stamp.txt"),
			other:     fileString(t, files, "/other.txt"),
			digestSum: fileString(t, files, "/digest-sum.txt"),
			length:    fileString(t, files, "/len.txt"),
			prog:      prog,
			hits: a.search(map[string][]byte{
				"secret value A":          []byte(valueA),
				"secret value B":          []byte(valueB),
				"the digest of value A":   []byte(rotate.Digest(lf.Salt, "token", []byte(valueA))),
				"the digest of value B":   []byte(rotate.Digest(lf.Salt, "token", []byte(valueB))),
				"the salt":                lf.Salt,
				"the salt (hex, as lock)": []byte(hex.EncodeToString(lf.Salt)),
			}),
		}
	}
	// What the step saw in the digest file: its checksum, so that the
	// digest itself is never in the image.
	sumOf := func(value string) string {
		s := sha256.Sum256([]byte(rotate.Digest(lf.Salt, "token", []byte(value)) + "\n"))
		return hex.EncodeToString(s[:]) + "  -"
	}

	first := build(valueA)
	if first.prog.cached(rotateUsingStep) || first.prog.cached(rotateOtherStep) {
		t.Fatalf("first build: steps were cached before they ever ran (RUN_ID %s not unique?)", runID)
	}
	if first.digestSum != sumOf(valueA) || first.length != fmt.Sprint(len(valueA)) {
		t.Errorf("first build: the step saw digest checksum %q and a %s-byte secret; want %q and %d bytes", first.digestSum, first.length, sumOf(valueA), len(valueA))
	}

	same := build(valueA)
	if !same.prog.cached(rotateUsingStep) || same.stamp != first.stamp {
		t.Errorf("same value: the using step ran again (cached=%v, stamp %s then %s); it must be cached", same.prog.cached(rotateUsingStep), first.stamp, same.stamp)
	}
	if !same.prog.ran(rotateDigest) {
		t.Errorf("same value: the digest step did not run; it must run on every build (vertices: %s)", same.prog.names())
	}

	changed := build(valueB)
	if changed.prog.cached(rotateUsingStep) || changed.stamp == first.stamp {
		t.Errorf("changed value: the using step was cached (stamp %s both times); it must run again", first.stamp)
	}
	if changed.digestSum != sumOf(valueB) || changed.length != fmt.Sprint(len(valueB)) {
		t.Errorf("changed value: the step saw digest checksum %q, a %s-byte secret; want %q, %d bytes", changed.digestSum, changed.length, sumOf(valueB), len(valueB))
	}
	if !changed.prog.cached(rotateOtherStep) || changed.other != first.other {
		t.Errorf("changed value: the step that does not use the secret ran again (other.txt %s then %s)", first.other, changed.other)
	}

	// Going back to the first value finds the first build's result: the
	// step is keyed by the digest's content, not by the build.
	back := build(valueA)
	if !back.prog.cached(rotateUsingStep) || back.stamp != first.stamp {
		t.Errorf("back to the first value: the using step ran again (stamp %s, first %s); it must be the first build's", back.stamp, first.stamp)
	}

	for i, o := range []outcome{first, same, changed, back} {
		for _, hit := range o.hits {
			t.Errorf("build %d: %s", i+1, hit)
		}
	}
}

// rotateProgress is the vertices a build reported.
type rotateProgress struct {
	mu       sync.Mutex
	vertices map[string][]*client.Vertex // by name
}

func (p *rotateProgress) add(s *client.SolveStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, v := range s.Vertexes {
		p.vertices[v.Name] = append(p.vertices[v.Name], v)
	}
}

// matching returns the updates of the vertices whose names start with s.
func (p *rotateProgress) matching(s string) []*client.Vertex {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*client.Vertex
	for name, vs := range p.vertices {
		if strings.HasPrefix(name, s) {
			out = append(out, vs...)
		}
	}
	return out
}

func (p *rotateProgress) cached(s string) bool {
	for _, v := range p.matching(s) {
		if v.Cached {
			return true
		}
	}
	return false
}

// ran reports whether the vertices named like s completed, none from the
// cache.
func (p *rotateProgress) ran(s string) bool {
	vs := p.matching(s)
	done := false
	for _, v := range vs {
		if v.Cached {
			return false
		}
		if v.Completed != nil && v.Error == "" {
			done = true
		}
	}
	return done
}

func (p *rotateProgress) names() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for n := range p.vertices {
		out = append(out, fmt.Sprintf("%q", n))
	}
	return strings.Join(out, ", ")
}

// rotateBuild builds dir with the secret token set to value, and returns
// the exported image and the progress. In-process, the frontend binary is
// shared as the tool (shareTool).
func rotateBuild(t *testing.T, m mode, dir, runID, value string) (*ociArchive, *rotateProgress) {
	t.Helper()
	path, prog, log, err := rotateSolve(t, m, dir, runID, value)
	if err != nil {
		t.Fatalf("build: %v\nvertices: %s\nlogs:\n%s", err, prog.names(), log)
	}
	return readOCI(t, path), prog
}

// rotateSolve runs the build of rotateBuild and returns where the image
// was exported, the progress, the steps' output and the build's error.
func rotateSolve(t *testing.T, m mode, dir, runID, value string) (string, *rotateProgress, string, error) {
	t.Helper()
	ctx, c := dialDaemon(t, 5*time.Minute)
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	exp, path := ociExport(t)
	opt := client.SolveOpt{
		Exports: []client.ExportEntry{exp},
		LocalMounts: map[string]fsutil.FS{
			"context": src, "dockerfile": src,
		},
		Session: []session.Attachable{secretsprovider.FromMap(map[string][]byte{"token": []byte(value)})},
		FrontendAttrs: map[string]string{
			"filename":         "Securefile",
			"build-arg:BASE":   h.base,
			"build-arg:RUN_ID": runID,
		},
	}
	route(t, m, &opt)
	prog := &rotateProgress{vertices: map[string][]*client.Vertex{}}
	ch := make(chan *client.SolveStatus)
	done := make(chan struct{})
	var log bytes.Buffer
	go func() {
		defer close(done)
		for s := range ch {
			prog.add(s)
			for _, l := range s.Logs {
				log.Write(l.Data)
			}
		}
	}()
	if m == modeInProcess {
		_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	} else {
		_, err = c.Solve(ctx, nil, opt, ch)
	}
	<-done
	return path, prog, log.String(), err
}

// TestSecretRotationNeedsSalt: without Securefile.lock there is no salt,
// and a build that uses a rotated secret fails at the rotate key, saying
// to run securefile lock; no step runs with the secret.
func TestSecretRotationNeedsSalt(t *testing.T) {
	t.Parallel()
	for _, m := range []mode{modeInProcess, modeGateway} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Securefile"), []byte(rotateSecurefile), 0o644); err != nil {
				t.Fatal(err)
			}
			_, prog, _, err := rotateSolve(t, m, dir, nonce(t, 8), "tok-"+nonce(t, 8))
			if err == nil {
				t.Fatal("the build succeeded without a rotation salt")
			}
			for _, want := range []string{"Securefile:6:12", `secret "token" has rotate = true`, "no rotation salt", "securefile lock"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			if prog.ran(rotateUsingStep) || prog.ran(rotateDigest) {
				t.Error("steps ran although the build has no salt")
			}
		})
	}
}
