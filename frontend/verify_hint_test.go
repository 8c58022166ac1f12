package frontend

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerui"

	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/internal/verify"
)

// The leak error's hint never sends a secret to a cache mount: a cache
// outlives the build on the daemon, is never scanned, and every later
// build that mounts it reads it.
func TestLeakHintKeepsSecretsOutOfCaches(t *testing.T) {
	lc := &leakCheck{b: &builder{in: &input{src: &dockerui.Source{}}}}
	res := &lower.Result{
		Secrets: []lower.SecretUse{{ID: "netrc"}},
		Steps:   []lower.Step{{Name: "[app 2/2] RUN"}},
	}
	err := lc.reportError(res, &verify.Report{Hits: []verify.Hit{{Secret: 0, Layer: 0, Path: "/leak", Encoding: "raw"}}})
	if err == nil {
		t.Fatal("no error for a hit")
	}
	msg := err.Error()
	hint := msg[strings.Index(msg, "hint:"):]
	for _, want := range []string{"tmpfs", "never on the filesystem or in a cache mount", "never scanned"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint does not say %q:\n%s", want, hint)
		}
	}
	if strings.Contains(hint, "or a cache,") {
		t.Errorf("the hint recommends a cache:\n%s", hint)
	}
}
