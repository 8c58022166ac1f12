//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/tonistiigi/fsutil"
)

// TestLLBPipesIntoBuildKit: what `securefile llb` prints is a definition a
// daemon builds as it is (`securefile llb | buildctl build …`), with the
// same result as building the file.
func TestLLBPipesIntoBuildKit(t *testing.T) {
	bin := buildCLI(t)
	dir := filepath.Join(h.repo, "examples", "hello")
	c := exec.Command(bin, "llb", "--build-arg", "BASE="+h.base, filepath.Join(dir, "Securefile"))
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("securefile llb: %v\n%s", err, stderr.String())
	}
	def, err := llb.ReadFrom(&stdout)
	if err != nil {
		t.Fatalf("the output is not an LLB definition: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cl, err := client.New(ctx, h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	if _, err := cl.Solve(ctx, def, client.SolveOpt{
		LocalMounts: map[string]fsutil.FS{"context": src},
		Exports:     []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dest}},
	}, nil); err != nil {
		t.Fatalf("building the printed definition: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dest, "hello.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hello, securefile"; strings.TrimSpace(string(got)) != want {
		t.Errorf("/hello.txt = %q, want %q", got, want)
	}
}
