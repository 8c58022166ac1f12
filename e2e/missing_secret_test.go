//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// A required secret the client does not give fails at its declaration,
// naming the flag to pass, instead of BuildKit's bare "secret token: not
// found" from the step.
func TestMissingRequiredSecretNamesTheFlag(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg NONCE
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE}; wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`)
	verifyVariants(t, func(t *testing.T, v variant) {
		for _, opts := range []map[string]string{nil, {"securefile-verify": "false"}} {
			_, err := h.tryBuild(t, v, buildOpts{dir: dir, args: map[string]string{"NONCE": nonce(t, 8)}, opts: opts})
			if err == nil {
				t.Fatal("the build without its required secret passed")
			}
			for _, want := range []string{`Securefile:3:1: secret "token" is required`, "--secret id=token,src=FILE"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error (opts %v) does not say %q:\n%v", opts, want, err)
				}
			}
		}
	})
}
