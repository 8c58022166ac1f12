//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// A required secret the client does not give fails at its declaration,
// naming the flag to pass, instead of BuildKit's bare "secret token: not
// found" from the step, and before any step has run: the step before the
// one that mounts it is not even loaded (without the digests solved
// first, it was, and it could run).
func TestMissingRequiredSecretNamesTheFlag(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg NONCE
secret token { }

image app from "${BASE}" {
  run "echo ${NONCE} > /before"
  run "echo ${NONCE}; wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`)
	verifyVariants(t, func(t *testing.T, v variant) {
		for _, opts := range []map[string]string{nil, {"securefile-verify": "false"}} {
			n := nonce(t, 8)
			res, err := h.tryBuild(t, v, buildOpts{dir: dir, args: map[string]string{"NONCE": n}, opts: opts})
			if err == nil {
				t.Fatal("the build without its required secret passed")
			}
			for _, s := range res.statuses {
				for _, vx := range s.Vertexes {
					// The build's own definition is never solved: its
					// steps do not even appear in the progress.
					if strings.Contains(vx.Name, "> /before") {
						t.Errorf("step %q was loaded (started: %v) although the build lacks a required secret", vx.Name, vx.Started != nil)
					}
				}
			}
			for _, want := range []string{`Securefile:3:1: secret "token" is required`, "--secret id=token,src=FILE"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error (opts %v) does not say %q:\n%v", opts, want, err)
				}
			}
		}
	})
}

// The same for a required ssh agent the client does not forward: BuildKit
// says `no SSH key "default" forwarded from the client` when the step
// that mounts it is reached; the frontend checks every required agent
// first and names the declaration and the flag.
func TestMissingRequiredSSHNamesTheFlag(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg NONCE
ssh default { }

image app from "${BASE}" {
  run "echo ${NONCE} > /before"
  run "ls $SSH_AUTH_SOCK" {
    ssh default
  }
}
`)
	verifyVariants(t, func(t *testing.T, v variant) {
		n := nonce(t, 8)
		res, err := h.tryBuild(t, v, buildOpts{dir: dir, args: map[string]string{"NONCE": n}})
		if err == nil {
			t.Fatal("the build without its required ssh agent passed")
		}
		for _, want := range []string{`Securefile:3:1: ssh agent "default" is required`, "--ssh default"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not say %q:\n%v", want, err)
			}
		}
		for _, s := range res.statuses {
			for _, vx := range s.Vertexes {
				if strings.Contains(vx.Name, "> /before") {
					t.Errorf("step %q was loaded (started: %v) although the build lacks a required ssh agent", vx.Name, vx.Started != nil)
				}
			}
		}
	})
}
