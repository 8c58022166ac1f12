//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestHello: the README's example; /hello.txt greets every line of
// greeting.txt, and the image config has the file's cmd and label.
func TestHello(t *testing.T) {
	t.Parallel()
	greeting, err := os.ReadFile(filepath.Join(h.repo, "examples", "hello", "greeting.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(greeting)), "\n") {
		want = append(want, "Hello, "+l)
	}
	eachVariant(t, func(t *testing.T, v variant) {
		a, _ := h.buildOCI(t, v, buildOpts{example: "hello"})
		img := a.image(t)
		if got := fileString(t, img.files(t), "/hello.txt"); got != strings.Join(want, "\n") {
			t.Errorf("/hello.txt = %q, want %q", got, strings.Join(want, "\n"))
		}
		if got, want := img.config.Config.Cmd, []string{"cat", "/hello.txt"}; !slices.Equal(got, want) {
			t.Errorf("config Cmd = %q, want %q", got, want)
		}
		if got := img.config.Config.Labels["org.opencontainers.image.title"]; got != "hello" {
			t.Errorf("label org.opencontainers.image.title = %q, want hello", got)
		}
		if got := img.platformString(); got != "linux/amd64" {
			t.Errorf("platform %s, want linux/amd64", got)
		}
	})
}
