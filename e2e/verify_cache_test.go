//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// cachedLeakFile is a Securefile whose second step copies the secret into
// the image. Unlike leakFile, the leaking step does not depend on a value
// that changes per build: the first step is this test's own (NONCE), so a
// second build of the test can be a cache hit of the first one's steps.
const cachedLeakFile = `arg BASE = "busybox"
arg NONCE
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE} > /nonce"
  run "cp /run/secrets/token /leak" {
    secret token
  }
}
`

// wantLeak fails the test unless err is the leak of secret token in /leak,
// and unless nothing was exported to out.
func wantLeak(t *testing.T, err error, out string, values ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("the build with a leaking step passed")
	}
	msg := err.Error()
	for _, w := range []string{`secret "token" (raw) in /leak, written by [app 2/2] RUN`, "Securefile:7:3"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
	for _, v := range values {
		if strings.Contains(msg, v) {
			t.Errorf("the error holds a secret's value:\n%s", msg)
		}
	}
	wantNoExport(t, out)
}

// The scan reads exactly what is exported, whatever the cache flags: with
// --no-cache the export used to re-run the leaking step after the scan
// had read its cached result, and shipped the new value unscanned.
func TestVerifyNoCacheScansWhatIsExported(t *testing.T) {
	dir := writeSecurefile(t, cachedLeakFile)
	verifyVariants(t, func(t *testing.T, v variant) {
		args := map[string]string{"NONCE": nonce(t, 8)}
		noCache := map[string]string{"no-cache": ""}
		first, second := "sf-a-"+nonce(t, 12), "sf-b-"+nonce(t, 12)

		exp, out := ociExport(t)
		_, err := h.tryBuild(t, v, buildOpts{dir: dir, args: args, opts: noCache,
			secrets: map[string][]byte{"token": []byte(first)}, exports: []client.ExportEntry{exp}})
		wantLeak(t, err, out, first)

		exp, out = ociExport(t)
		_, err = h.tryBuild(t, v, buildOpts{dir: dir, args: args, opts: noCache,
			secrets: map[string][]byte{"token": []byte(second)}, exports: []client.ExportEntry{exp}})
		wantLeak(t, err, out, first, second)
	})
}

// A step that mounts a secret is never a cache hit of a run with another
// value of it: BuildKit keys steps without their secrets, so a leaking
// step built with an earlier value would ship that value past a scan for
// the current one.
func TestVerifyCachedStepWithAnotherValue(t *testing.T) {
	dir := writeSecurefile(t, cachedLeakFile)
	verifyVariants(t, func(t *testing.T, v variant) {
		args := map[string]string{"NONCE": nonce(t, 8)}
		first, second := "sf-a-"+nonce(t, 12), "sf-b-"+nonce(t, 12)

		// Built once unverified: the leaking layer is in the cache.
		h.build(t, v, buildOpts{dir: dir, args: args, opts: map[string]string{"securefile-verify": "false"},
			secrets: map[string][]byte{"token": []byte(first)}})

		exp, out := ociExport(t)
		_, err := h.tryBuild(t, v, buildOpts{dir: dir, args: args,
			secrets: map[string][]byte{"token": []byte(second)}, exports: []client.ExportEntry{exp}})
		if err == nil {
			if found := readOCI(t, out).search(map[string][]byte{"first": []byte(first), "second": []byte(second)}); len(found) > 0 {
				t.Errorf("the image holds: %q", found)
			}
		}
		wantLeak(t, err, out, first, second)
	})
}

// The same across daemons: a registry cache exported by another daemon
// holds the leaking layer built with another value; importing it must not
// bring that layer into this build's image.
func TestVerifyImportedCacheWithAnotherValue(t *testing.T) {
	dir := writeSecurefile(t, cachedLeakFile)
	other := startDaemon(t)
	verifyVariants(t, func(t *testing.T, v variant) {
		args := map[string]string{"NONCE": nonce(t, 8)}
		ref := h.registry + "/e2e/leak-cache:" + nonce(t, 8)
		first, second := "sf-a-"+nonce(t, 12), "sf-b-"+nonce(t, 12)

		h.build(t, v, buildOpts{dir: dir, args: args, addr: other, opts: map[string]string{"securefile-verify": "false"},
			secrets:      map[string][]byte{"token": []byte(first)},
			cacheExports: []client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": ref, "mode": "max"}}}})

		exp, out := ociExport(t)
		_, err := h.tryBuild(t, v, buildOpts{dir: dir, args: args,
			secrets:      map[string][]byte{"token": []byte(second)},
			exports:      []client.ExportEntry{exp},
			cacheImports: []client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": ref}}}})
		if err == nil {
			if found := readOCI(t, out).search(map[string][]byte{"first": []byte(first), "second": []byte(second)}); len(found) > 0 {
				t.Errorf("the image holds: %q", found)
			}
		}
		wantLeak(t, err, out, first, second)
	})
}

// cleanSecretFile mounts a secret in its second step without leaking it.
const cleanSecretFile = `arg BASE = "busybox"
arg NONCE
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE} > /nonce"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
  run "echo done > /done"
}
`

// A clean build with --no-cache passes and exports what it built.
func TestVerifyNoCacheCleanBuild(t *testing.T) {
	dir := writeSecurefile(t, cleanSecretFile)
	verifyVariants(t, func(t *testing.T, v variant) {
		value := "sf-" + nonce(t, 12)
		exp, out := ociExport(t)
		res := h.build(t, v, buildOpts{dir: dir, args: map[string]string{"NONCE": nonce(t, 8)},
			opts:    map[string]string{"no-cache": ""},
			secrets: map[string][]byte{"token": []byte(value)}, exports: []client.ExportEntry{exp}})
		if !strings.Contains(vertexList(res.statuses), "verify that no secret is in the image") {
			t.Errorf("no scan in the progress:\n%s", vertexList(res.statuses))
		}
		files := readOCI(t, out).image(t).files(t)
		for path, want := range map[string]string{"len": fmt.Sprintf("%d\n", len(value)), "done": "done\n"} {
			f := files[path]
			if f == nil || string(f.data) != want {
				t.Errorf("/%s: got %v, want %q", path, f, want)
			}
		}
		if found := readOCI(t, out).search(map[string][]byte{"value": []byte(value)}); len(found) > 0 {
			t.Errorf("the image holds the secret: %q", found)
		}
	})
}

// The other direction: the same value keeps the step cached. Without a
// lock the digest is keyed by the daemon's salt, which must stay the same
// from build to build (a digest step that ignored the cache would have
// BuildKit prune the salt's cache mount every time).
func TestSecretStepCachedWithTheSameValue(t *testing.T) {
	dir := writeSecurefile(t, cleanSecretFile)
	verifyVariants(t, func(t *testing.T, v variant) {
		args := map[string]string{"NONCE": nonce(t, 8)}
		value := "sf-" + nonce(t, 12)
		step := func(res *buildResult) *span {
			for _, s := range execSteps(res.statuses) {
				if strings.Contains(s.name, "RUN wc -c") {
					return s
				}
			}
			t.Fatalf("no secret step in the progress:\n%s", vertexList(res.statuses))
			return nil
		}
		b := buildOpts{dir: dir, args: args, secrets: map[string][]byte{"token": []byte(value)}}
		if s := step(h.build(t, v, b)); s.cached {
			t.Error("the first build's secret step was cached")
		}
		if s := step(h.build(t, v, b)); !s.cached {
			t.Error("the same value rebuilt the secret step")
		}
		b.secrets = map[string][]byte{"token": []byte(value + "-new")}
		if s := step(h.build(t, v, b)); s.cached {
			t.Error("a new value did not rebuild the secret step")
		}
	})
}
