//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// TestSecretAsBuildArgRefused: passing the secret's variable as a build
// arg, or a token-shaped value in any option, is refused before anything
// runs, every way the frontend is reached, and the value is not repeated.
func TestSecretAsBuildArgRefused(t *testing.T) {
	t.Parallel()
	const token = "ghp_Q2w9Er7tY5uI3oP1aS8dF6gH4jK0lZxCvB3n"
	eachVariant(t, func(t *testing.T, v variant) {
		for _, tc := range []struct {
			name string
			args map[string]string
			opts map[string]string
			want string
		}{
			{"secret env as build arg", map[string]string{"TOKEN": "plain-value-123", "NONCE": nonce(t, 4)}, nil,
				`build arg TOKEN names secret "token"`},
			{"token-shaped label option", map[string]string{"NONCE": nonce(t, 4)}, map[string]string{"label:leak": token},
				"option label:leak holds a GitHub token (ghp_…)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := h.tryBuild(t, v, buildOpts{example: "secret-env", args: tc.args, opts: tc.opts,
					secrets: map[string][]byte{"token": []byte("the-real-secret")}})
				if err == nil {
					t.Fatal("the build was not refused")
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "--secret") {
					t.Errorf("error lacks %q or the --secret hint:\n%s", tc.want, msg)
				}
				if strings.Contains(msg, token) || strings.Contains(msg, "plain-value-123") {
					t.Errorf("the error repeats the value:\n%s", msg)
				}
				for _, s := range res.statuses {
					for _, vx := range s.Vertexes {
						if strings.Contains(vx.Name, "RUN") {
							t.Errorf("a step ran: %s", vx.Name)
						}
					}
				}
			})
		}
	})
}
