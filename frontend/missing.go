package frontend

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/convert"
)

// missingSecret turns BuildKit's "secret ID: not found", which a step that
// mounts a required secret the client did not give fails with, into an
// error at the secret's declaration that names the flag to pass. The
// digest step of every secret (convert/rotate.go) mounts it before any
// step that uses it runs, so the build stops there. The session's
// secrets cannot be listed beforehand: BuildKit asks the client for each
// when a step mounts it. (securefile build checks its --secret flags
// before it connects.) BuildKit's error is quoted, not wrapped: the gRPC
// status inside it would replace this message on the way to the client.
func (b *builder) missingSecret(err error, res *convert.Result) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range res.Secrets {
		if s.Optional || !strings.Contains(msg, "secret "+s.ID+": not found") {
			continue
		}
		return withSource(fmt.Errorf("%s: secret %q is required, and the client gave none with that id: pass --secret id=%s,src=FILE (or id=%s,env=VAR) to buildctl, docker buildx or securefile build, or declare it required = false (%v)", s.Range, s.ID, s.ID, s.ID, msg), b.in.info(), s.Range)
	}
	return err
}
