package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestDaemonGone(t *testing.T) {
	const addr = "unix:///run/buildkit/buildkitd.sock"
	// What client.Build returns when the daemon dies mid-build, wrapped as
	// BuildKit's client wraps it.
	eof := fmt.Errorf("failed to solve: %w", status.Error(codes.Unavailable, "error reading from server: EOF"))
	msg, ok := daemonGone(eof, addr)
	if !ok {
		t.Fatalf("daemonGone(%v) = false, want the daemon-went-away message", eof)
	}
	for _, want := range []string{
		"the BuildKit daemon at " + addr + " went away",
		"error reading from server: EOF",
		"log", "running", "--addr", "BUILDKIT_HOST",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}

	for _, err := range []error{
		nil,
		errors.New("process \"/bin/sh -c exit 1\" did not complete successfully: exit code: 1"),
		status.Error(codes.NotFound, "secret s: not found"),
	} {
		if msg, ok := daemonGone(err, addr); ok {
			t.Errorf("daemonGone(%v) = %q, want false: the daemon answered", err, msg)
		}
	}
}
