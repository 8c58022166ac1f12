package frontend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/moby/buildkit/frontend/gateway/client"

	"github.com/ourorg/securefile/spec"
)

// needsTool reports whether f declares a secret or an ssh agent: the
// steps that mount a secret are keyed on its digest, whose step runs a
// securefile tool (internal/lower/rotate.go), and a required agent is checked by
// a step of the tool before the build (internal/lower/sshcheck.go).
func needsTool(f *spec.File) bool {
	for _, s := range f.Secrets {
		if s != nil {
			return true
		}
	}
	for _, s := range f.SSH {
		if s != nil {
			return true
		}
	}
	return false
}

// rotation prepares what the digest steps of secrets and the checks of
// ssh agents need: the tool, and
// a nonce drawn once for the build, so that every platform shares the
// steps and no later build does. Having no tool is not an error here: the
// lowering reports it at the secret, and only when the target mounts one.
func (b *builder) rotation(ctx context.Context, c client.Client) error {
	if !needsTool(b.f) {
		return nil
	}
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		return err
	}
	b.nonce = hex.EncodeToString(n[:])
	img, err := b.tools.tool(ctx, c, b.buildPlatform)
	if errors.Is(err, errNoTool) {
		b.noTool = err // the lowering names it at the secret that needs the tool
		return nil
	}
	if err != nil {
		return err
	}
	b.tool, b.toolPath = &img.state, img.path
	return nil
}
