//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// h is the environment every test builds in.
var h *harness

// harness describes the daemon and registry the tests use.
type harness struct {
	repo     string // repository root (examples/, hack/)
	addr     string // BUILDKIT_HOST
	registry string // host:port of the plain-HTTP registry, as images name it
	frontend string // the frontend image reference
	base     string // the busybox base image (linux/amd64 + linux/386)
	tool     string // a static securefile-frontend binary the in-process builds share
}

// TestMain first checks that the machine was set up for these tests
// (`make e2e-setup`: apt packages, the binfmt handler, the tools under
// .cache/e2e), which it never does itself: without it every test is skipped,
// saying what to run, or, under CI or E2E_REQUIRE=1, the run fails, so that
// CI cannot pass by skipping. Then it connects to the daemon named by
// BUILDKIT_HOST (which `make e2e` starts) or, without it, starts the local
// one with `hack/e2e.sh up` (no provisioning) and stops it again afterwards
// if it was not running before.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	repo, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if missing := setupMissing(repo); missing != "" {
		if required() {
			fmt.Fprintf(os.Stderr, "e2e: FAIL: %s(CI or E2E_REQUIRE=1 is set: the e2e tests may not skip)\n", missing)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e: skipping every test: %s", missing)
		// -run matching nothing: go test reports "[no tests to run]"
		// rather than a pass of tests that did not run.
		flag.Parse()
		if err := flag.Set("test.run", "^$"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}
	h = &harness{repo: repo}
	if addr := os.Getenv("BUILDKIT_HOST"); addr != "" {
		h.addr = addr
	} else {
		wasRunning := script(repo, "status") == nil
		if err := script(repo, "up"); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: hack/e2e.sh up:", err)
			if !wasRunning {
				_ = script(repo, "stop")
			}
			return 1
		}
		if !wasRunning {
			defer script(repo, "stop")
		}
		env, err := scriptEnv(repo)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: hack/e2e.sh env:", err)
			return 1
		}
		h.addr = env["BUILDKIT_HOST"]
	}
	h.registry = getenv("E2E_REGISTRY", "localhost:5000")
	h.frontend = getenv("E2E_FRONTEND_IMAGE", h.registry+"/ourorg/securefile:latest")
	h.base = getenv("E2E_BASE_IMAGE", h.registry+"/busybox:latest")
	tmp, err := os.MkdirTemp("", "securefile-e2e-tool")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if h.tool, err = buildTool(repo, tmp); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the tool binary:", err)
		return 1
	}
	return m.Run()
}

// buildTool builds the frontend binary from the current code, static (as
// the image has it), for the in-process builds to share as their tool.
func buildTool(repo, dir string) (string, error) {
	out := filepath.Join(dir, "securefile-frontend")
	c := exec.Command("go", "build", "-o", out, "./cmd/securefile-frontend")
	c.Dir = repo
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	return out, c.Run()
}

// setupMissing is what `hack/e2e.sh check` reports missing from the setup
// (its stamp, the commands it installs, the binfmt handler), "" when
// nothing is: one check, kept in the script that does the setup.
func setupMissing(repo string) string {
	c := exec.Command(filepath.Join(repo, "hack", "e2e.sh"), "check")
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		if out.Len() == 0 {
			return fmt.Sprintf("hack/e2e.sh check: %v; run make e2e-setup\n", err)
		}
		return out.String()
	}
	return ""
}

// required: a run where skipping the e2e tests would hide that they did
// not run (CI, make test).
func required() bool {
	return os.Getenv("CI") != "" || os.Getenv("E2E_REQUIRE") == "1"
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// script runs hack/e2e.sh CMD with its output on stderr.
func script(repo, cmd string) error {
	c := exec.Command(filepath.Join(repo, "hack", "e2e.sh"), cmd)
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	return c.Run()
}

// scriptEnv parses the "export K=V" lines of hack/e2e.sh env.
func scriptEnv(repo string) (map[string]string, error) {
	out, err := exec.Command(filepath.Join(repo, "hack", "e2e.sh"), "env").Output()
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			env[k] = v
		}
	}
	return env, sc.Err()
}
