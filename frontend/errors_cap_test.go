package frontend

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
)

// The overlayfs mount error of a wide image listed 20,014 lower
// directories: the frontend returns its first and last lines and the
// count between, and keeps the details clients read from the chain.
func TestCapErrorKeepsFirstAndLastLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("failed to mount /tmp/containerd-mount: mount options:")
	for i := range 20013 {
		fmt.Fprintf(&b, "\nlowerdir=/var/lib/buildkit/snapshots/%d/fs", i)
	}
	orig := withSource(errors.New(b.String()), testInfo, rng(2, 1, 3))
	err := capError(orig)
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != 2*keepErrorLines+1 {
		t.Fatalf("capped message has %d lines, want %d:\n%s", len(lines), 2*keepErrorLines+1, msg)
	}
	if !strings.HasPrefix(msg, "failed to mount /tmp/containerd-mount") || !strings.HasSuffix(msg, "snapshots/20012/fs") {
		t.Errorf("capped message lost its first or last line:\n%s", msg)
	}
	if want := fmt.Sprintf("[… %d lines left out of this message …]", 20014-2*keepErrorLines); lines[keepErrorLines] != want {
		t.Errorf("line %d = %q, want %q", keepErrorLines+1, lines[keepErrorLines], want)
	}
	if len(msg) > 4096 {
		t.Errorf("capped message is %d bytes", len(msg))
	}
	var src *errdefs.SourceError
	if !errors.As(err, &src) || !errors.Is(err, orig) {
		t.Errorf("capped error lost the chain: %#v", err)
	}
}

func TestCapErrorLeavesShortErrorsAlone(t *testing.T) {
	short := errors.New(strings.Repeat("line\n", maxErrorLines-1) + "last")
	if err := capError(short); err != short {
		t.Errorf("capError changed a %d-line error: %v", maxErrorLines, err)
	}
	if capError(nil) != nil {
		t.Error("capError(nil) is not nil")
	}
}
