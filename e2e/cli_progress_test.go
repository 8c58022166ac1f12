//go:build e2e

package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIProgressAuto builds with the default --progress (auto) and stderr
// going where CI sends it: not a terminal. /dev/null is a character device
// that is not a console, so a check for "character device" alone takes it
// for a terminal and the console display fails; a log file gets the plain
// progress.
func TestCLIProgressAuto(t *testing.T) {
	bin := buildCLI(t)
	for _, tc := range []struct {
		name   string
		stderr func(t *testing.T) (*os.File, string) // the file and its path
	}{
		{"dev-null", func(t *testing.T) (*os.File, string) {
			f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			return f, ""
		}},
		{"log-file", func(t *testing.T) (*os.File, string) {
			p := filepath.Join(t.TempDir(), "build.log")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			return f, p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stderr, logPath := tc.stderr(t)
			defer stderr.Close()
			dest := t.TempDir()
			c := exec.Command(bin, "build", "--addr", h.addr,
				"--build-arg", "BASE="+h.base, "--output", "type=local,dest="+dest,
				filepath.Join(h.repo, "examples", "hello"))
			c.Dir = h.repo
			c.Stderr = stderr
			var out strings.Builder
			c.Stdout = &out
			err := c.Run()
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				t.Fatalf("securefile build with stderr to %s: exit code %d\n%s", tc.name, ee.ExitCode(), logOf(t, logPath))
			} else if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dest, "hello.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if want := "Hello, securefile"; strings.TrimSpace(string(got)) != want {
				t.Errorf("/hello.txt = %q, want %q", got, want)
			}
			if logPath == "" {
				return
			}
			// Plain progress: numbered vertexes, and no console control
			// sequences in the log.
			log := logOf(t, logPath)
			if !strings.Contains(log, "#1 ") || !strings.Contains(log, "DONE") {
				t.Errorf("the log has no plain progress:\n%s", log)
			}
			if strings.Contains(log, "\x1b[") {
				t.Errorf("the log has terminal escape sequences:\n%q", log)
			}
		})
	}
}

func logOf(t *testing.T, path string) string {
	t.Helper()
	if path == "" {
		return "(stderr was discarded)"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
