//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// fieldFile is a Securefile whose app stage runs one step with the secret
// id mounted at target; the step is on line 9.
func fieldFile(id, target, run string) string {
	return fmt.Sprintf(`arg BASE = "busybox"
arg NONCE
secret %s {
  target = %q
}

image app from "${BASE}" {
  run "echo hello > /hello"
  run %q {
    secret %s
    env NONCE = "${NONCE}"
  }
}
`, id, target, run, id)
}

// A step that extracts one field of a credential file leaks the
// credential without leaking the file. The scan looks for the fields of
// the formats it recognises, fails the build naming the secret, the field
// (never its value), the path and the step, and exports nothing.
func TestVerifyFindsCredentialFields(t *testing.T) {
	cases := []struct {
		name, id, target, run, path, field string
		// secret is the secret's content for a fresh password.
		secret func(password string) string
	}{
		{
			name: "netrc-awk", id: "netrc", target: "/root/.netrc", path: "/pw", field: "netrc password",
			run: `awk '/password/{print $2}' /root/.netrc > /pw`,
			secret: func(pw string) string {
				return "machine private.example.com\n  login deploy\n  password " + pw + "\n"
			},
		},
		{
			name: "docker-auth", id: "dockercfg", target: "/root/.docker/config.json", path: "/regpass", field: "docker config auths password",
			run: `awk -F'"' '{print $8}' /root/.docker/config.json | base64 -d | cut -d: -f2 > /regpass`,
			secret: func(pw string) string {
				return `{"auths":{"registry.example.com":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("deploy:"+pw)) + `"}}}` + "\n"
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSecurefile(t, fieldFile(tc.id, tc.target, tc.run))
			verifyVariants(t, func(t *testing.T, v variant) {
				password := "pw-" + nonce(t, 12)
				exp, out := ociExport(t)
				_, err := h.tryBuild(t, v, buildOpts{
					dir:     dir,
					args:    map[string]string{"NONCE": nonce(t, 8)},
					secrets: map[string][]byte{tc.id: []byte(tc.secret(password))},
					exports: []client.ExportEntry{exp},
				})
				if err == nil {
					t.Fatal("the build that extracted a credential field passed")
				}
				msg := err.Error()
				t.Logf("error: %s", msg)
				if want := fmt.Sprintf("Securefile:9:3: secret %q (", tc.id); !strings.Contains(msg, want) ||
					!strings.Contains(msg, ") in "+tc.path+", written by [app 2/2] RUN") {
					t.Errorf("error does not name the secret, %s and the step:\n%s", tc.path, msg)
				}
				if want := fmt.Sprintf("secret %q (its %s, raw) in %s", tc.id, tc.field, tc.path); !strings.Contains(msg, want) {
					t.Errorf("error does not say %q:\n%s", want, msg)
				}
				if strings.Contains(msg, password) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte(password))) {
					t.Errorf("the error holds the password:\n%s", msg)
				}
				if st, err := os.Stat(out); err == nil && st.Size() > 0 {
					t.Errorf("an image was exported (%d bytes) although the build failed", st.Size())
				}
			})
		})
	}
}

// A field that is no credential (a netrc login) is not looked for: the
// step that writes it builds, and the image has it.
func TestVerifyIgnoresIdentifierFields(t *testing.T) {
	dir := writeSecurefile(t, fieldFile("netrc", "/root/.netrc", `awk '/login/{print $2}' /root/.netrc > /login`))
	verifyVariants(t, func(t *testing.T, v variant) {
		netrc := "machine private.example.com\n  login deploy-account\n  password pw-" + nonce(t, 12) + "\n"
		img, res := h.buildOCI(t, v, buildOpts{
			dir:     dir,
			args:    map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"netrc": []byte(netrc)},
		})
		if got := strings.TrimSpace(fileString(t, img.image(t).files(t), "login")); got != "deploy-account" {
			t.Errorf("/login = %q, want deploy-account", got)
		}
		if !scanRan(res) {
			t.Error("no verification step in the progress")
		}
	})
}
