package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/ourorg/securefile/internal/rotate"
	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/internal/verify"
)

// The tool binary links the tools and the standard library only: no
// BuildKit, gRPC, containerd or other module, which would make it as
// large as the CLI it replaces inside BuildKit.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := map[string]bool{
		"github.com/ourorg/securefile/cmd/securefile-tool": true,
		"github.com/ourorg/securefile/internal/toolmode":   true,
		"github.com/ourorg/securefile/internal/verify":     true,
		"github.com/ourorg/securefile/internal/rotate":     true,
	}
	for _, p := range strings.Fields(string(out)) {
		if !allowed[p] {
			t.Errorf("securefile-tool depends on %s", p)
		}
	}
}

// Every tool the frontend runs is registered in the binary: an unknown
// tool's error lists them.
func TestTools(t *testing.T) {
	bin := t.TempDir() + "/securefile-tool"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, toolmode.Arg, "--protocol="+toolmode.Protocol, "no-such-tool").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("unknown tool: %v, want exit 2\n%s", err, out)
	}
	if want := "have: [" + rotate.ToolName + " " + verify.ToolName + " " + toolmode.SSHCheckName + "]"; !strings.Contains(string(out), want) {
		t.Errorf("got %q, want %q", out, want)
	}
	// Anything else is a usage error.
	out, err = exec.Command(bin, "build").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "runs inside BuildKit") {
		t.Errorf("securefile-tool build: %v\n%s", err, out)
	}
}
