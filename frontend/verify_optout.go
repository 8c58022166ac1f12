package frontend

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
)

// newLeakCheck returns the check for this build, or nil when the client
// turned it off; then it warns that leaks are not verified, through
// stickyWarn: on the build-file vertex, as the Source's Warn sends it, the
// progress displays often drop it (warn_sticky.go says why).
func newLeakCheck(ctx context.Context, b *builder, bc *dockerui.Client) (*leakCheck, error) {
	on, err := verifyEnabled(b.c.BuildOpts().Opts, bc.BuildArgs)
	if err != nil {
		return nil, err
	}
	if !on {
		if err := stickyWarn(ctx, b.c, notVerifiedGroup, notVerifiedMessage, client.WarnOpts{
			Level:  1,
			Detail: [][]byte{[]byte(notVerifiedDetail)},
		}, llb.WithCaps(b.caps), llb.Platform(b.buildPlatform)); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return &leakCheck{b: b, tools: &b.tools}, nil
}

// The opt-out warning: its progress group (the line the displays show it
// under), its message (rule id first, as lint warnings have it) and how to
// undo it.
const (
	notVerifiedGroup   = "[securefile] leak verification is off"
	notVerifiedMessage = "SecretLeaksNotVerified: leak verification is off for this build (securefile-verify=false): secrets are not checked for in the exported image"
	notVerifiedDetail  = "remove --opt securefile-verify=false (or the build arg BUILDKIT_SECUREFILE_VERIFY=false) to verify that no secret reaches the image"
)

// verifyEnabled reads the option, which wins over the build arg.
func verifyEnabled(opts, buildArgs map[string]string) (bool, error) {
	for _, kv := range []struct{ name, v string }{{keyVerify, opts[keyVerify]}, {"build arg " + argVerify, buildArgs[argVerify]}} {
		if v := strings.TrimSpace(kv.v); v != "" {
			on, err := strconv.ParseBool(v)
			if err != nil {
				return false, fmt.Errorf("%s=%q: want true or false", kv.name, kv.v)
			}
			return on, nil
		}
	}
	return true, nil
}
