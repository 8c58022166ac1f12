package hack

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// upstreamCheck runs `hack/upstream.sh check` on the patches in dir.
func upstreamCheck(t *testing.T, dir string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("bash", "upstream.sh", "check")
	cmd.Env = append(os.Environ(), "UPSTREAM_PATCHES="+dir)
	return cmd.CombinedOutput()
}

// The patches docs/upstream.md offers upstream still apply to the
// BuildKit the project pins, so that a BuildKit bump cannot leave the
// report's reproduction stale without a failing test.
func TestUpstreamPatchesApply(t *testing.T) {
	out, err := upstreamCheck(t, "upstream")
	if err != nil {
		t.Fatalf("hack/upstream.sh check: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "the patches apply to buildkit@") {
		t.Fatalf("hack/upstream.sh check said:\n%s", out)
	}
}

// A patch whose context the pinned source no longer has fails the check,
// rather than being skipped.
func TestUpstreamPatchThatDoesNotApply(t *testing.T) {
	dt, err := os.ReadFile(filepath.Join("upstream", "buildkit-computeblobchain.patch"))
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(dt), "sr.mu.Unlock()", "sr.mu.Unlock() // not in the source", 1)
	if stale == string(dt) {
		t.Fatal("the patch no longer has the context line this test changes")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stale.patch"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := upstreamCheck(t, dir)
	if err == nil {
		t.Fatalf("hack/upstream.sh check passed a patch that does not apply:\n%s", out)
	}
	if !strings.Contains(string(out), "stale.patch does not apply") || strings.Contains(string(out), "can't open patch") {
		t.Fatalf("hack/upstream.sh check failed without naming the patch:\n%s", out)
	}
}
