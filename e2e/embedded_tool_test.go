//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedTool: the CLI as `make build` makes it (internal/toolbin/
// build.sh, then go build -tags toolbin) shares its small embedded
// securefile-tool with the daemon, not itself: a secret build sends a few
// MB for the tool the first time and a few bytes the second, exports the
// right files, and a planted leak is caught by the scan running from that
// tool. On its first build it prunes a tool directory of its cache that no
// build used for long, and marks its own as used.
func TestEmbeddedTool(t *testing.T) {
	dir := t.TempDir()
	bin, tool := makeBuildCLI(t, dir)
	cache := filepath.Join(dir, "cache") // a fresh shared key and tool cache
	env := []string{"BUILDKIT_HOST=" + h.addr, "XDG_CACHE_HOME=" + cache,
		"TOKEN_ENV=" + "tok_e2e-embedded-" + nonce(t, 12)}
	value := strings.TrimPrefix(env[2], "TOKEN_ENV=")

	// A tool directory of another version, written and last used long ago.
	tools := filepath.Join(cache, "securefile", "tools")
	stale := filepath.Join(tools, "v0.0.1-"+strings.Repeat("0", 64))
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "securefile-tool"), []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-60 * 24 * time.Hour)
	for _, p := range []string{filepath.Join(stale, "securefile-tool"), stale} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}

	secretBuild := func(t *testing.T) string {
		ctx := writeSecurefile(t, cgoSecretFile)
		out := filepath.Join(t.TempDir(), "out")
		log := runCLI(t, bin, env, 0, "build", "--progress=plain",
			"--build-arg", "BASE="+h.base, "--build-arg", "NONCE="+nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV", "--output", "type=local,dest="+out, ctx)
		wantFile(t, out, "ok", "ok\n")
		wantFile(t, out, "hello", "hello\n")
		for _, w := range []string{"[securefile] load the scanner binary securefile-tool", "[securefile] verify that no secret is in the image"} {
			if !strings.Contains(log, w) {
				t.Errorf("the progress lacks %q:\n%s", w, log)
			}
		}
		if strings.Contains(log, value) {
			t.Errorf("the output has the secret's value:\n%s", log)
		}
		return log
	}

	t.Run("first build sends the small tool", func(t *testing.T) {
		log := secretBuild(t)
		n := toolTransfer(t, log)
		// The tool is about 3.7 MB; the CLI, which a build without the
		// embedded tool shares, about 28 MB.
		if n < 1e6 || n >= 10e6 {
			t.Errorf("the tool transfer is %d bytes, want the small tool (1 to 10 MB):\n%s", n, log)
		}
		// What was shared is the embedded tool, written to the cache.
		sumFile := func(p string) string {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err != nil {
				t.Fatal(err)
			}
			return hex.EncodeToString(h.Sum(nil))
		}
		want := sumFile(tool)
		installed := filepath.Join(tools, "e2e-embedded-"+want)
		if got := sumFile(filepath.Join(installed, "securefile-tool")); got != want {
			t.Errorf("the cached tool has digest %s, want %s", got, want)
		}
		if fi, err := os.Stat(installed + ".used"); err != nil || time.Since(fi.ModTime()) > time.Hour {
			t.Errorf("no recent use marker for %s: %v", installed, err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("the long unused %s was not pruned (%v)", stale, err)
		}
	})

	t.Run("second build sends next to nothing", func(t *testing.T) {
		log := secretBuild(t)
		if n := toolTransfer(t, log); n >= 1000 {
			t.Errorf("the second tool transfer is %d bytes, want a few (the daemon has the tool):\n%s", n, log)
		}
	})

	t.Run("a leak is caught", func(t *testing.T) {
		ctx := writeSecurefile(t, cgoLeakFile)
		out := filepath.Join(t.TempDir(), "out")
		log := runCLI(t, bin, env, 1, "build", "--progress=plain",
			"--build-arg", "BASE="+h.base, "--build-arg", "NONCE="+nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV", "--output", "type=local,dest="+out, ctx)
		for _, w := range []string{"secrets leak into the image", `secret "token"`, "/leak", "Securefile:6:3",
			"[securefile] load the scanner binary securefile-tool"} {
			if !strings.Contains(log, w) {
				t.Errorf("the output lacks %q:\n%s", w, log)
			}
		}
		if strings.Contains(log, value) {
			t.Errorf("the output has the secret's value:\n%s", log)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("the leaking build wrote its output (%v)", err)
		}
	})
}

// makeBuildCLI runs `make build` (build.sh for the daemon's platform
// only, then go build -tags toolbin) in a copy of the repository's files
// under dir, so that the repository's own internal/toolbin/bin, which
// other builds embed, is left as it is. It returns the CLI and the tool
// build.sh wrote.
func makeBuildCLI(t *testing.T, dir string) (bin, tool string) {
	t.Helper()
	src := filepath.Join(dir, "src")
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = h.repo
	list, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimSuffix(string(list), "\x00"), "\x00") {
		if err := copyEntry(filepath.Join(h.repo, name), filepath.Join(src, name)); err != nil {
			t.Fatal(err)
		}
	}
	bin = filepath.Join(dir, "bin")
	c := exec.Command("make", "build", "BIN="+bin, "TOOL_PLATFORMS=linux/"+runtime.GOARCH, "VERSION=e2e-embedded")
	c.Dir = src
	t0 := time.Now()
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	t.Logf("make build in %v", time.Since(t0).Round(time.Millisecond))
	return filepath.Join(bin, "securefile"), filepath.Join(src, "internal", "toolbin", "bin", "securefile-tool-linux-"+runtime.GOARCH)
}

// copyEntry copies a regular file or a symbolic link; a listed file that
// is gone (deleted in the work tree) is skipped.
func copyEntry(from, to string) error {
	fi, err := os.Lstat(from)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		return os.Symlink(target, to)
	case fi.Mode().IsRegular():
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, fi.Mode().Perm())
	}
	return nil
}

// transferLine is the plain progress's last word on the tool local:
// "#5 transferring securefile-tool: 3.69MB 0.1s done".
var transferLine = regexp.MustCompile(`(?m)transferring securefile-tool: ([0-9.]+)(B|kB|MB|GB)\b`)

// toolTransfer is how many bytes the build sent for the tool, from the
// last transferring line (the earlier ones are partial).
func toolTransfer(t *testing.T, log string) int64 {
	t.Helper()
	m := transferLine.FindAllStringSubmatch(log, -1)
	if len(m) == 0 {
		t.Fatalf("no \"transferring securefile-tool:\" line in the progress:\n%s", log)
	}
	last := m[len(m)-1]
	f, err := strconv.ParseFloat(last[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]float64{"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[last[2]]
	t.Logf("the tool transfer: %s%s", last[1], last[2])
	return int64(f * unit)
}
