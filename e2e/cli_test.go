//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCLI runs the securefile binary's build command (the frontend
// in-process, through client.Build) against the daemon.
func TestCLI(t *testing.T) {
	bin := buildCLI(t)

	t.Run("local", func(t *testing.T) {
		t.Parallel()
		dest := t.TempDir()
		runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "plain",
			"--build-arg", "BASE="+h.base, "--output", "type=local,dest="+dest,
			filepath.Join(h.repo, "examples", "hello"))
		got, err := os.ReadFile(filepath.Join(dest, "hello.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "Hello, securefile"; strings.TrimSpace(string(got)) != want {
			t.Errorf("/hello.txt = %q, want %q", got, want)
		}
	})

	t.Run("toml-file", func(t *testing.T) {
		t.Parallel()
		dest := t.TempDir()
		dir := filepath.Join(h.repo, "examples", "hello")
		runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "quiet",
			"-f", filepath.Join(dir, "Securefile.toml"),
			"--build-arg", "BASE="+h.base, "--output", "type=local,dest="+dest, dir)
		if _, err := os.Stat(filepath.Join(dest, "hello.txt")); err != nil {
			t.Error(err)
		}
	})

	t.Run("secret-oci", func(t *testing.T) {
		t.Parallel()
		token := "tok_" + nonce(t, 20)
		tar := filepath.Join(t.TempDir(), "image.tar")
		runCLI(t, bin, []string{"TOKEN_ENV=" + token}, 0, "build", "--addr", h.addr, "--progress", "plain",
			"--build-arg", "BASE="+h.base, "--build-arg", "NONCE="+nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV", "--output", "type=oci,dest="+tar,
			filepath.Join(h.repo, "examples", "secret-env"))
		files := readOCI(t, tar).image(t).files(t)
		sum := sha256.Sum256([]byte(token))
		if got, want := fileString(t, files, "/token.sha256"), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("/token.sha256 = %q, want %q: the step did not see the token", got, want)
		}
		if got, want := fileString(t, files, "/token.len"), strconv.Itoa(len(token)); got != want {
			t.Errorf("/token.len = %q, want %q", got, want)
		}
	})

	t.Run("registry-cache", func(t *testing.T) {
		t.Parallel()
		ref := h.registry + "/securefile-cli-cache:" + nonce(t, 6)
		args := []string{"build", "--addr", h.addr, "--progress", "plain",
			"--build-arg", "BASE=" + h.base, "--build-arg", "NONCE=" + nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV",
			"--cache-to", "type=registry,ref=" + ref + ",mode=max",
			filepath.Join(h.repo, "examples", "secret-env")}
		env := []string{"TOKEN_ENV=tok"}
		runCLI(t, bin, env, 0, args...)
		// The cache was pushed: the registry has a manifest for the tag.
		repo, tag, _ := strings.Cut(strings.TrimPrefix(ref, h.registry+"/"), ":")
		req, err := http.NewRequest(http.MethodHead, "http://"+h.registry+"/v2/"+repo+"/manifests/"+tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %s: the cache was not exported", req.URL, resp.Status)
		}
		// Importing it works too (the steps are cached locally anyway).
		args = append(args[:len(args)-1], "--cache-from", "type=registry,ref="+ref, args[len(args)-1])
		out := runCLI(t, bin, env, 0, args...)
		if !strings.Contains(out, "CACHED") {
			t.Errorf("second build with --cache-from has no CACHED step:\n%s", out)
		}
	})

	t.Run("build-context-platform", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for name, body := range map[string]string{
			"ctx/Securefile": "image app from \"busybox:1.36\" {\n  copy \"/x.txt\" from context \"docs\" to \"/x.txt\"\n}\n",
			"extra/x.txt":    "from the named context\n",
		} {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tar := filepath.Join(dir, "image.tar")
		runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "plain",
			"--build-context", "docs="+filepath.Join(dir, "extra"),
			"--build-context", "busybox:1.36=docker-image://"+h.base,
			"--platform", "linux/386", "--output", "type=oci,dest="+tar,
			filepath.Join(dir, "ctx"))
		img := readOCI(t, tar).image(t)
		if got, want := img.platformString(), "linux/386"; got != want {
			t.Errorf("platform = %s, want %s", got, want)
		}
		if got, want := fileString(t, img.files(t), "/x.txt"), "from the named context"; strings.TrimSpace(got) != want {
			t.Errorf("/x.txt = %q, want %q", got, want)
		}
	})

	t.Run("call-targets", func(t *testing.T) {
		t.Parallel()
		out := runCLI(t, bin, nil, 0, "build", "--addr", h.addr, "--progress", "quiet",
			"--call", "targets", filepath.Join(h.repo, "examples", "hello"))
		for _, want := range []string{"TARGET", "build", "hello (default)"} {
			if !strings.Contains(out, want) {
				t.Errorf("--call targets output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("call-check", func(t *testing.T) {
		t.Parallel()
		out := runCLI(t, bin, nil, 1, "build", "--addr", h.addr, "--progress", "quiet",
			"--call", "check", brokenDir(t))
		for _, want := range []string{"undefined-secret", `undefined secret "nertc"`, "Securefile:7", ">>>     secret nertc"} {
			if !strings.Contains(out, want) {
				t.Errorf("--call check output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("build-error", func(t *testing.T) {
		t.Parallel()
		out := runCLI(t, bin, nil, 1, "build", "--addr", h.addr, "--progress", "quiet", brokenDir(t))
		for _, want := range []string{`Securefile:7:12: undefined secret "nertc"`, ">>>     secret nertc"} {
			if !strings.Contains(out, want) {
				t.Errorf("build error output lacks %q:\n%s", want, out)
			}
		}
	})
}

// buildCLI builds cmd/securefile into a temporary directory (CGO_ENABLED=0
// and no -trimpath, so that it shares the build cache).
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "securefile")
	c := exec.Command("go", "build", "-o", bin, "./cmd/securefile")
	c.Dir = h.repo
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/securefile: %v\n%s", err, out)
	}
	return bin
}

// runCLI runs the binary with extra environment and returns its stdout and
// stderr together; the test fails unless it exits with code want.
func runCLI(t *testing.T, bin string, env []string, want int, args ...string) string {
	t.Helper()
	t0 := time.Now()
	c := exec.Command(bin, args...)
	c.Dir = h.repo
	c.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	if code != want {
		t.Fatalf("securefile %s: exit code %d, want %d\n%s", strings.Join(args, " "), code, want, out.String())
	}
	t.Logf("securefile %s: exit %d in %v", args[0], code, time.Since(t0).Round(time.Millisecond))
	return out.String()
}
