//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/lock"
)

// TestLock locks a file that uses the local busybox and an image of its
// own, moves that image's tag, and checks that builds keep using the
// locked image, that frozen mode names the drift and an unpinned source,
// and that locking again is byte-stable and keeps the salt.
func TestLock(t *testing.T) {
	bin := buildCLI(t)
	moving := h.registry + "/e2e/lock-" + nonce(t, 6) + ":latest"
	pushMarker(t, bin, moving, "one")

	dir := t.TempDir()
	src := fmt.Sprintf(`platforms = ["linux/amd64", "linux/386"]

image app from %q {
  # Shell builtins only: linux/386 runs under qemu, spare it the execs.
  copy "/bin/busybox" from %q to "/bb"
  run "read -r m < /marker; echo $m > /seen"
}
`, moving, h.base)
	writeFile(t, filepath.Join(dir, "Securefile"), src)
	// The TOML twin shares the lock (inprocess-toml builds it).
	writeFile(t, filepath.Join(dir, "Securefile.toml"), runCLIStdout(t, bin, "fmt", "--to", "toml", filepath.Join(dir, "Securefile")))
	lockPath := filepath.Join(dir, lock.FileName)

	out := runCLI(t, bin, nil, 0, "lock", "--addr", h.addr, "--progress", "plain", dir)
	if !strings.Contains(out, "wrote "+lockPath) {
		t.Errorf("lock output lacks %q:\n%s", "wrote "+lockPath, out)
	}
	first := readLock(t, lockPath)
	for _, ref := range []string{h.base, moving} {
		im := first.Image(ref)
		if im == nil {
			t.Fatalf("%s not locked:\n%s", ref, lock.Marshal(first))
		}
		// Each platform is pinned to the index the registry serves (the
		// build picks the platform's manifest from that immutable index).
		index, manifests := registryIndex(t, ref)
		if im.Index != index {
			t.Errorf("%s: lock index %s, registry serves %s", ref, im.Index, index)
		}
		for _, p := range []string{"linux/amd64", "linux/386"} {
			if manifests[p] == "" || im.Platforms[p] != index {
				t.Errorf("%s %s: lock pins %q, want the index %s (which has %q for it)", ref, p, im.Platforms[p], index, manifests[p])
			}
		}
	}
	firstBytes := mustRead(t, lockPath)

	// Locking again changes nothing, byte for byte.
	if out := runCLI(t, bin, nil, 0, "lock", "--addr", h.addr, "--progress", "quiet", dir); !strings.Contains(out, "up to date") {
		t.Errorf("second lock did not report an unchanged lock:\n%s", out)
	}
	if again := mustRead(t, lockPath); !bytes.Equal(again, firstBytes) {
		t.Fatalf("second lock differs:\n%s\n---\n%s", firstBytes, again)
	}

	// The tag moves; builds with the lock keep the locked image.
	lockedDigest := first.Image(moving).Platforms["linux/amd64"]
	pushMarker(t, bin, moving, "two")
	nowIndex, _ := registryIndex(t, moving)
	now := map[string]digest.Digest{"linux/amd64": nowIndex}
	if now["linux/amd64"] == lockedDigest {
		t.Fatal("the second push did not move the tag")
	}
	eachVariant(t, func(t *testing.T, v variant) {
		dest := t.TempDir()
		h.build(t, v, buildOpts{dir: dir, exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dest}}})
		for _, p := range []string{"linux_amd64", "linux_386"} {
			if got := strings.TrimSpace(string(mustRead(t, filepath.Join(dest, p, "seen")))); got != "one" {
				t.Errorf("%s: /seen = %q, want the locked image's %q", p, got, "one")
			}
		}

		_, err := h.tryBuild(t, v, buildOpts{dir: dir, opts: map[string]string{frontend.LockOption: frontend.LockFrozen}})
		if err == nil {
			t.Fatal("frozen build passed although the tag moved")
		}
		for _, want := range []string{
			"image \"" + moving + "\" for linux/amd64 has drifted",
			lockedDigest.String(), now["linux/amd64"].String(),
			now["linux/386"].String(),
			`run "securefile lock" to update the lock`,
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("frozen error lacks %q:\n%v", want, err)
			}
		}
	})

	// The CLI flag is the same option.
	out = runCLI(t, bin, nil, 1, "build", "--addr", h.addr, "--progress", "quiet", "--frozen", dir)
	if !strings.Contains(out, "has drifted") || !strings.Contains(out, "Securefile:3:") {
		t.Errorf("securefile build --frozen output:\n%s", out)
	}

	// Locking again follows the tag and keeps the salt.
	runCLI(t, bin, nil, 0, "lock", "--addr", h.addr, "--progress", "quiet", dir)
	second := readLock(t, lockPath)
	if !bytes.Equal(second.Salt, first.Salt) {
		t.Errorf("salt changed: %x, then %x", first.Salt, second.Salt)
	}
	if got := second.Image(moving).Platforms["linux/amd64"]; got != now["linux/amd64"] {
		t.Errorf("relocked %s pins %s, registry serves %s", moving, got, now["linux/amd64"])
	}
	runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "quiet", "--frozen", dir)

	// A stage added after locking is unpinned: frozen mode says where.
	unpinned := h.registry + "/e2e/lock-unpinned:never-locked"
	writeFile(t, filepath.Join(dir, "Securefile"), src+fmt.Sprintf(`
stage extra from %q {
  run "true"
}
`, unpinned))
	out = runCLI(t, bin, nil, 1, "build", "--addr", h.addr, "--progress", "quiet", "--frozen", dir)
	for _, want := range []string{
		`Securefile:9:18: image "` + unpinned + `" for linux/386 is not pinned in Securefile.lock`,
		`Securefile:9:18: image "` + unpinned + `" for linux/amd64 is not pinned in Securefile.lock`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("frozen build output lacks %q:\n%s", want, out)
		}
	}
}

// pushMarker pushes an image for both platforms, busybox with /marker
// holding marker, to ref.
func pushMarker(t *testing.T, bin, ref, marker string) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Securefile"), fmt.Sprintf(`platforms = ["linux/amd64", "linux/386"]

image marker from %q {
  run "echo %s > /marker"
}
`, h.base, marker))
	runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "quiet",
		"--output", "type=image,name="+ref+",push=true", dir)
}

// registryIndex is what the registry serves for ref: the digest of the
// index and the manifest digest of each platform in it.
func registryIndex(t *testing.T, ref string) (digest.Digest, map[string]digest.Digest) {
	t.Helper()
	host, rest, _ := strings.Cut(ref, "/")
	repo, tag, _ := strings.Cut(rest, ":")
	req, err := http.NewRequest("GET", fmt.Sprintf("http://%s/v2/%s/manifests/%s", host, repo, tag), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", req.URL, resp.Status, err)
	}
	var idx ocispecs.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		t.Fatal(err)
	}
	out := map[string]digest.Digest{}
	for _, m := range idx.Manifests {
		if m.Platform != nil {
			out[m.Platform.OS+"/"+m.Platform.Architecture] = m.Digest
		}
	}
	return digest.FromBytes(body), out
}

func readLock(t *testing.T, path string) *lock.File {
	t.Helper()
	f, err := lock.Parse(path, mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runCLIStdout runs the binary and returns its stdout alone.
func runCLIStdout(t *testing.T, bin string, args ...string) string {
	t.Helper()
	c := exec.Command(bin, args...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("securefile %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
