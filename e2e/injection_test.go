//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// Build args reach commands as data, never as shell text: a value that a
// shell would run, if it were spliced into the command, is written by the
// step byte for byte, and nothing else runs. (Issue: `--build-arg
// 'BRANCH=x; echo INJECTED > /pwned'` produced /pwned.)
func TestBuildArgsAreNeverShellText(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg BRANCH = "main"

image app from "${BASE}" {
  run "printf '%s' \"${BRANCH}\" > /braced.txt"
  run "printf '%s' \"$BRANCH\" > /bare.txt"
  run "echo building ${BRANCH} > /echo.txt"
}
`)
	values := map[string]string{
		"semicolon": "x; echo INJECTED > /pwned",
		"subst":     "$(echo INJECTED > /pwned)",
		"backtick":  "`echo INJECTED > /pwned`",
		"newline":   "x\necho INJECTED > /pwned",
		"quotes":    `a"b'c`,
		"and":       "x && echo INJECTED > /pwned",
		"pipe":      "x | tee /pwned",
	}
	verifyVariants(t, func(t *testing.T, v variant) {
		for name, value := range values {
			t.Run(name, func(t *testing.T) {
				img, _ := h.buildOCI(t, v, buildOpts{dir: dir, args: map[string]string{"BRANCH": value}})
				files := img.image(t).files(t)
				if f := files["pwned"]; f != nil {
					t.Fatalf("the build arg ran as shell text: /pwned holds %q", f.data)
				}
				for _, p := range []string{"braced.txt", "bare.txt"} {
					if got := fileString(t, files, p); got != value {
						t.Errorf("/%s = %q, want the build arg's bytes %q", p, got, value)
					}
				}
				// echo joins its words with one space: the value's words, as
				// data, and nothing after a ';' ran.
				if got, want := fileString(t, files, "echo.txt"), "building "+strings.Join(strings.Fields(value), " "); got != want && !strings.Contains(value, "\n") {
					t.Errorf("/echo.txt = %q, want %q", got, want)
				}
			})
		}
	})
}
