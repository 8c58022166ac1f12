//go:build e2e

package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// A verdict is reused per daemon, and any build on the daemon that can add
// results under known keys (--no-cache, a cache import) renews the epoch
// of all of them: so each test that asserts reuse has a daemon of its own,
// which no other test's builds can renew.

// scanSpan is the leak scan's vertex in a build's progress; the test fails
// when there is none.
//
// The export's merge ignores the cache (frontend/layers.go), so that it is
// always made from the layers this build's scan reads: every build of these
// tests checks that it is never reported cached, whether the scan is.
func scanSpan(t *testing.T, res *buildResult) *span {
	t.Helper()
	if merge := namedSpan(t, res, "[securefile] the verified layers"); merge.cached {
		t.Errorf("the export's merge was loaded from the cache:\n%s", vertexList(res.statuses))
	}
	return namedSpan(t, res, "[securefile] verify that no secret is in the image")
}

// namedSpan is the one vertex of res whose name starts with prefix.
func namedSpan(t *testing.T, res *buildResult, prefix string) *span {
	t.Helper()
	spans := vertexSpans(res.statuses, func(v *client.Vertex) bool {
		return strings.HasPrefix(v.Name, prefix)
	})
	if len(spans) != 1 {
		t.Fatalf("%d vertices %q in the progress, want 1:\n%s", len(spans), prefix, vertexList(res.statuses))
	}
	for _, s := range spans {
		return s
	}
	return nil
}

// plantedFile writes the build arg PLANT into the image in a step that
// mounts no secret, and mounts the secret in another step that keeps it
// out of the image.
const plantedFile = `arg BASE = "busybox"
arg NONCE
arg PLANT
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE} ${PLANT} > /planted"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`

// A cached build of an unchanged chain with an unchanged value reuses the
// scan's verdict: the scan is a cache hit, and the build still exports
// what it built. A new value scans again.
func TestVerifyVerdictReused(t *testing.T) {
	dir := writeSecurefile(t, cleanSecretFile)
	addr := startDaemon(t)
	verifyVariants(t, func(t *testing.T, v variant) {
		b := buildOpts{dir: dir, addr: addr, args: map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte("sf-" + nonce(t, 12))}}
		exp, first := ociExport(t)
		b.exports = []client.ExportEntry{exp}
		if s := scanSpan(t, h.build(t, v, b)); s.cached {
			t.Error("the first build's scan was a cache hit")
		}
		exp, out := ociExport(t)
		b.exports = []client.ExportEntry{exp}
		if s := scanSpan(t, h.build(t, v, b)); !s.cached {
			t.Error("an unchanged build with an unchanged value scanned again")
		}
		img := readOCI(t, out).image(t)
		if f := img.files(t)["done"]; f == nil || string(f.data) != "done\n" {
			t.Errorf("/done in the image of the cached build: %v", f)
		}
		// The merges of both builds and the plain chain (verification off)
		// export the same layers.
		plain := b
		exp, unverified := ociExport(t)
		plain.exports = []client.ExportEntry{exp}
		plain.opts = map[string]string{"securefile-verify": "false"}
		h.build(t, v, plain)
		want := readOCI(t, unverified).image(t).manifest.Layers
		for name, got := range map[string][]ocispecs.Descriptor{"first build": readOCI(t, first).image(t).manifest.Layers, "cached build": img.manifest.Layers} {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the layers of the %s differ from the plain chain's (-plain +%s):\n%s", name, name, diff)
			}
		}
		b.exports = nil
		b.secrets = map[string][]byte{"token": []byte("sf-" + nonce(t, 12))}
		if s := scanSpan(t, h.build(t, v, b)); s.cached {
			t.Error("a new value reused the verdict made for the old one")
		}
	})
}

// A new value is looked for even when every layer is a cache hit: the
// layer that holds the new value was built, without any secret, before the
// value was the secret's.
func TestVerifyVerdictNewValueInCachedLayer(t *testing.T) {
	dir := writeSecurefile(t, plantedFile)
	addr := startDaemon(t)
	verifyVariants(t, func(t *testing.T, v variant) {
		// Two values of one length: the secret step's layer (/len) is the
		// same for both, so only the verdict key tells the builds apart.
		planted, other := "sf-planted-"+nonce(t, 12), "sf-another-"+nonce(t, 12)
		if len(planted) != len(other) {
			t.Fatalf("values of lengths %d and %d", len(planted), len(other))
		}
		b := buildOpts{dir: dir, addr: addr, args: map[string]string{"NONCE": nonce(t, 8), "PLANT": planted},
			secrets: map[string][]byte{"token": []byte(other)}}
		h.build(t, v, b) // clean: the verdict is cached

		b.secrets = map[string][]byte{"token": []byte(planted)}
		exp, out := ociExport(t)
		b.exports = []client.ExportEntry{exp}
		res, err := h.tryBuild(t, v, b)
		if err == nil {
			t.Fatalf("the cached layer that holds the new value passed the scan:\n%s", vertexList(res.statuses))
		}
		for _, w := range []string{`secret "token" (raw) in /planted, written by [app 1/2] RUN`, "Securefile:7:3"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error does not say %q:\n%v", w, err)
			}
		}
		if strings.Contains(err.Error(), planted) {
			t.Errorf("the error holds the secret's value:\n%v", err)
		}
		for _, s := range execSteps(res.statuses) {
			if strings.HasPrefix(s.name, "[app 1/2] RUN echo") && !s.cached {
				t.Errorf("the planting step ran again; the test wants it cached: %s", s.name)
			}
		}
		wantNoExport(t, out)
	})
}

// A changed layer that leaks is scanned and caught even when the rest of
// the chain and the value are what an earlier, clean build verified.
func TestVerifyVerdictChangedLayerLeaks(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg NONCE
arg LEAK
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE} > /nonce"
  run "wc -c < /run/secrets/token > /len; test -z \"$LEAK\" || cp /run/secrets/token /leak" {
    secret token
  }
  run "echo done > /done"
}
`)
	addr := startDaemon(t)
	verifyVariants(t, func(t *testing.T, v variant) {
		value := "sf-" + nonce(t, 12)
		b := buildOpts{dir: dir, addr: addr, args: map[string]string{"NONCE": nonce(t, 8)}, secrets: map[string][]byte{"token": []byte(value)}}
		h.build(t, v, b)
		if s := scanSpan(t, h.build(t, v, b)); !s.cached {
			t.Error("the clean build's verdict was not reused")
		}
		b.args["LEAK"] = "1"
		exp, out := ociExport(t)
		b.exports = []client.ExportEntry{exp}
		_, err := h.tryBuild(t, v, b)
		if err == nil || !strings.Contains(err.Error(), `secret "token" (raw) in /leak`) {
			t.Fatalf("a changed layer with the secret in /leak: err = %v", err)
		}
		wantNoExport(t, out)
	})
}

// A build that imports a cache, or one with --no-cache (verified or not),
// can leave BuildKit with other results under the keys a verdict was made
// for: it renews the daemon's verdict epoch, no verdict made before it is
// reused, and the builds after it reuse the next verdict.
func TestVerifyVerdictRenewedByCacheImport(t *testing.T) {
	dir := writeSecurefile(t, cleanSecretFile)
	addr := startDaemon(t)
	verifyVariants(t, func(t *testing.T, v variant) {
		b := buildOpts{dir: dir, addr: addr, args: map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte("sf-" + nonce(t, 12))}}
		h.build(t, v, b)
		imp := b
		imp.cacheImports = []client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": h.registry + "/e2e/no-such-cache:" + nonce(t, 8)}}}
		if s := scanSpan(t, h.build(t, v, imp)); s.cached {
			t.Error("a build with a cache import reused a verdict made before it")
		}
		if s := scanSpan(t, h.build(t, v, b)); !s.cached {
			t.Error("the build after the import did not reuse the import build's verdict")
		}
		// A --no-cache build renews the epoch even with verification off
		// (it re-runs the steps that mount secrets, and scans nothing): the
		// next verified build must scan again.
		if s := scanSpan(t, h.build(t, v, b)); !s.cached {
			t.Error("the build before --no-cache did not reuse the verdict")
		}
		noCache := b
		noCache.opts = map[string]string{"no-cache": "", "securefile-verify": "false"}
		h.build(t, v, noCache)
		if s := scanSpan(t, h.build(t, v, b)); s.cached {
			t.Error("the build after an unverified --no-cache build reused a verdict made before it")
		}
		if s := scanSpan(t, h.build(t, v, b)); !s.cached {
			t.Error("the verdict made after the renewal was not reused")
		}
	})
}

// wantNoExport fails the test when a failed build exported an image to out.
func wantNoExport(t *testing.T, out string) {
	t.Helper()
	if st, err := os.Stat(out); err == nil && st.Size() > 0 {
		t.Errorf("an image was exported (%d bytes) although the build failed", st.Size())
	}
}
