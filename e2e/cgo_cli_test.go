//go:build e2e

package e2e

import (
	"debug/elf"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/reference"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestCgoCLI: a securefile CLI that cannot be the scanner itself (built
// with cgo, so dynamically linked) runs the leak scanner and the secret
// digest from a securefile image instead: the one linked into it
// (internal/version.toolImage, as a release has it), or the one
// --tool-image names. Without either, a build with a secret fails saying
// why and what to do, and a build without one still works.
func TestCgoCLI(t *testing.T) {
	pinned := pinnedFrontendImage(t)
	dir := t.TempDir()
	// Both binaries once for every case below: the one with the image
	// linked in, and a development build without it.
	withImage := buildCgoCLI(t, filepath.Join(dir, "with-image", "securefile"), pinned)
	noImage := buildCgoCLI(t, filepath.Join(dir, "no-image", "securefile"), "")
	env := []string{"BUILDKIT_HOST=" + h.addr, "TOKEN_ENV=" + "tok_e2e-cgo-" + nonce(t, 12)}
	value := strings.TrimPrefix(env[1], "TOKEN_ENV=")

	secretBuild := func(t *testing.T, bin string, want int, extra ...string) (string, string) {
		ctx := writeSecurefile(t, cgoSecretFile)
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"build", "--progress", "plain",
			"--build-arg", "BASE=" + h.base, "--build-arg", "NONCE=" + nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV",
			"--output", "type=local,dest=" + out}, extra...)
		log := runCLI(t, bin, env, want, append(args, ctx)...)
		if strings.Contains(log, value) {
			t.Errorf("the output has the secret's value:\n%s", log)
		}
		return log, out
	}

	t.Run("linked image: a build with a secret", func(t *testing.T) {
		log, out := secretBuild(t, withImage, 0)
		wantFile(t, out, "ok", "ok\n")
		wantFile(t, out, "hello", "hello\n")
		// The scanner ran from the linked-in image, pinned, not from the
		// CLI, which cannot run in an empty container.
		if !strings.Contains(log, "[securefile] scanner "+pinned) {
			t.Errorf("no scan from %s in the progress:\n%s", pinned, log)
		}
		if strings.Contains(log, "load the scanner binary") {
			t.Errorf("the CLI shared itself as the scanner:\n%s", log)
		}
	})

	t.Run("linked image: a leak is caught", func(t *testing.T) {
		ctx := writeSecurefile(t, cgoLeakFile)
		out := filepath.Join(t.TempDir(), "out")
		log := runCLI(t, withImage, env, 1, "build", "--progress", "plain",
			"--build-arg", "BASE="+h.base, "--build-arg", "NONCE="+nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV", "--output", "type=local,dest="+out, ctx)
		for _, w := range []string{"secrets leak into the image", `secret "token"`, "/leak", "Securefile:6:3"} {
			if !strings.Contains(log, w) {
				t.Errorf("the error lacks %q:\n%s", w, log)
			}
		}
		if strings.Contains(log, value) {
			t.Errorf("the output has the secret's value:\n%s", log)
		}
		if _, err := os.Stat(filepath.Join(out, "leak")); !os.IsNotExist(err) {
			t.Errorf("the leaking build exported /leak (%v)", err)
		}
	})

	t.Run("no image: a build with a secret fails saying why", func(t *testing.T) {
		log, out := secretBuild(t, noImage, 1)
		for _, w := range []string{
			`Securefile:3:1: target "app" mounts secret "token"`,
			"this securefile is dynamically linked (built with cgo)",
			"--tool-image REF", "make build", "CGO_ENABLED=0",
		} {
			if !strings.Contains(log, w) {
				t.Errorf("the error lacks %q:\n%s", w, log)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("the failed build wrote its output (%v)", err)
		}
	})

	t.Run("no image: a build without secrets needs no tool", func(t *testing.T) {
		ctx := writeSecurefile(t, cgoPlainFile)
		out := filepath.Join(t.TempDir(), "out")
		runCLI(t, noImage, env, 0, "build", "--progress", "plain", "--build-arg", "BASE="+h.base,
			"--output", "type=local,dest="+out, ctx)
		wantFile(t, out, "hello", "hello\n")
	})

	t.Run("no image: --tool-image", func(t *testing.T) {
		log, out := secretBuild(t, noImage, 0, "--tool-image", pinned)
		wantFile(t, out, "ok", "ok\n")
		if !strings.Contains(log, "[securefile] scanner "+pinned) {
			t.Errorf("no scan from %s in the progress:\n%s", pinned, log)
		}
	})
}

const cgoSecretFile = `arg BASE
arg NONCE
secret token {
  env = "TOKEN"
}
default image app from "${BASE}" {
  run "test -n \"$TOKEN\" && echo ok > /ok" {
    secret token
    env NONCE = "${NONCE}"
  }
  run "echo hello > /hello"
}
`

const cgoLeakFile = `arg BASE
arg NONCE
secret token { }

default image app from "${BASE}" {
  run "cat /run/secrets/token > /leak" {
    secret token
    env NONCE = "${NONCE}"
  }
}
`

const cgoPlainFile = `arg BASE
default image app from "${BASE}" {
  run "echo hello > /hello"
}
`

// buildCgoCLI builds cmd/securefile with cgo into out, with toolImage
// linked in as the default tool image ("" for none), and checks that it
// is dynamically linked: a static binary would share itself and prove
// nothing here.
func buildCgoCLI(t *testing.T, out, toolImage string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-o", out}
	if toolImage != "" {
		args = append(args, "-ldflags", "-X github.com/ourorg/securefile/internal/version.toolImage="+toolImage)
	}
	c := exec.Command("go", append(args, "./cmd/securefile")...)
	c.Dir = h.repo
	c.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go build (cgo) ./cmd/securefile: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return out
		}
	}
	t.Fatalf("%s built with CGO_ENABLED=1 has no program interpreter: it is static, and the test would prove nothing", out)
	return ""
}

// pinnedFrontendImage is the e2e frontend image pinned to the digest the
// registry has for its tag now.
func pinnedFrontendImage(t *testing.T) string {
	t.Helper()
	named, err := reference.ParseNormalizedNamed(h.frontend)
	if err != nil {
		t.Fatal(err)
	}
	tagged, ok := reference.TagNameOnly(named).(reference.Tagged)
	if !ok {
		t.Fatalf("%s: no tag", h.frontend)
	}
	url := fmt.Sprintf("http://%s/v2/%s/manifests/%s", reference.Domain(named), reference.Path(named), tagged.Tag())
	req, err := http.NewRequest(http.MethodHead, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", strings.Join([]string{
		ocispecs.MediaTypeImageIndex, ocispecs.MediaTypeImageManifest,
		"application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.docker.distribution.manifest.v2+json",
	}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode != http.StatusOK || d == "" {
		t.Fatalf("HEAD %s: %s, digest %q (run hack/e2e.sh image)", url, resp.Status, d)
	}
	return reference.TrimNamed(named).String() + "@" + d
}

// wantFile checks the file name under dir.
func wantFile(t *testing.T, dir, name, want string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if string(b) != want {
		t.Errorf("%s = %q, want %q", name, b, want)
	}
}
