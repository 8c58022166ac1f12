package frontend

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
)

// newLeakCheck returns the check for this build, or nil when the client
// turned it off; then it warns that leaks are not verified.
func newLeakCheck(ctx context.Context, b *builder, bc *dockerui.Client) (*leakCheck, error) {
	on, err := verifyEnabled(b.c.BuildOpts().Opts, bc.BuildArgs)
	if err != nil {
		return nil, err
	}
	if !on {
		if b.in.src != nil && b.in.src.Warn != nil {
			b.in.src.Warn(ctx, "SecretLeaksNotVerified: leak verification is off for this build (securefile-verify=false): secrets are not checked for in the exported image", client.WarnOpts{
				Level:  1,
				Detail: [][]byte{[]byte("remove --opt securefile-verify=false (or the build arg BUILDKIT_SECUREFILE_VERIFY=false) to verify that no secret reaches the image")},
			})
		}
		return nil, nil
	}
	return &leakCheck{b: b, tools: &b.tools}, nil
}

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
