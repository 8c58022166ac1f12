//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIVerify: securefile build verifies leaks with its own binary as the
// scanner, and --no-verify turns that off with a warning.
func TestCLIVerify(t *testing.T) {
	t.Parallel()
	bin := buildCLI(t)
	dir := t.TempDir()
	const file = `arg BASE
arg NONCE
secret token {
  env = "TOKEN"
}
default image leak from "${BASE}" {
  run "echo \"$TOKEN\" > /leaked.txt" {
    secret token
    env NONCE = "${NONCE}"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "Securefile"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	token := "tok_" + nonce(t, 20)
	build := func(t *testing.T, want int, extra ...string) (string, string) {
		dest := t.TempDir()
		args := append([]string{"build", "--addr", h.addr, "--progress", "plain",
			"--build-arg", "BASE=" + h.base, "--build-arg", "NONCE=" + nonce(t, 8),
			"--secret", "id=token,env=TOKEN_ENV", "--output", "type=local,dest=" + dest}, extra...)
		return runCLI(t, bin, []string{"TOKEN_ENV=" + token}, want, append(args, dir)...), dest
	}
	t.Run("verified", func(t *testing.T) {
		out, dest := build(t, 1)
		for _, want := range []string{"Securefile:7:3", `secret "token"`, "/leaked.txt", "[leak 1/1] RUN"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, token) {
			t.Errorf("the output repeats the secret:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(dest, "leaked.txt")); err == nil {
			t.Error("the leaking build was exported")
		}
	})
	t.Run("no-verify", func(t *testing.T) {
		out, dest := build(t, 0, "--no-verify")
		if !strings.Contains(out, "SecretLeaksNotVerified") {
			t.Errorf("no warning that leaks are not verified:\n%s", out)
		}
		got, err := os.ReadFile(filepath.Join(dest, "leaked.txt"))
		if err != nil || strings.TrimSpace(string(got)) != token {
			t.Errorf("/leaked.txt = %q, %v: the opt-out should export what was built", got, err)
		}
	})
}
