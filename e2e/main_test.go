//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
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

// TestMain connects to the daemon named by BUILDKIT_HOST (which `make e2e`
// starts) or, without it, brings the local environment up with hack/e2e.sh
// and stops it again afterwards if it was not running before.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	repo, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
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
