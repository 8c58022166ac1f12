package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildKitVersionsMatch: the daemon the e2e tests run (tools/go.mod) is
// the BuildKit release the frontend is built against (go.mod). It is not
// behind the e2e tag, so `make unit` checks it.
func TestBuildKitVersionsMatch(t *testing.T) {
	const mod = "github.com/moby/buildkit"
	main := requiredVersion(t, filepath.Join("..", "go.mod"), mod)
	tools := requiredVersion(t, filepath.Join("..", "tools", "go.mod"), mod)
	if main != tools {
		t.Errorf("%s is %s in go.mod but %s in tools/go.mod: update tools/ (cd tools && go get %s@%s && go mod tidy)", mod, main, tools, mod, main)
	}
}

// requiredVersion returns the version of module mod in a go.mod's require
// lines (single-line or inside a require block).
func requiredVersion(t *testing.T, path, mod string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == mod {
			return fields[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s: no requirement for %s", path, mod)
	return ""
}
