//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The CLI's own e2e tests are scripts (cli_script_test.go,
// testdata/cliscript); the tests of other features that also drive the
// binary use these helpers.

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
