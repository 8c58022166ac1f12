//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// TestSecretEnv: the token secret reaches the step as $TOKEN (the image has
// its length and digest) and nowhere else: not in the config's env or
// history, not in any layer.
func TestSecretEnv(t *testing.T) {
	t.Parallel()
	eachVariant(t, func(t *testing.T, v variant) {
		token := "tok_" + nonce(t, 20)
		a, _ := h.buildOCI(t, v, buildOpts{
			example: "secret-env",
			args:    map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte(token)},
		})
		img := a.image(t)
		files := img.files(t)
		sum := sha256.Sum256([]byte(token))
		if got, want := fileString(t, files, "/token.sha256"), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("/token.sha256 = %q, want %q: the step did not see the token", got, want)
		}
		if got, want := fileString(t, files, "/token.len"), strconv.Itoa(len(token)); got != want {
			t.Errorf("/token.len = %q, want %q", got, want)
		}
		for _, e := range img.config.Config.Env {
			if strings.HasPrefix(e, "TOKEN=") {
				t.Errorf("the image config has %q in its env", e)
			}
		}
		for _, hit := range a.search(map[string][]byte{
			"the token":           []byte(token),
			"the token in base64": []byte(base64.StdEncoding.EncodeToString([]byte(token))),
		}) {
			t.Error(hit)
		}
		if len(a.search(map[string][]byte{"digest": []byte(hex.EncodeToString(sum[:]))})) == 0 {
			t.Error("the search does not even find the digest the step saved")
		}
	})
}
