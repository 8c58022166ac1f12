package toolbin

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestParseSums(t *testing.T) {
	a, b := []byte("amd64 tool"), []byte("arm tool")
	fsys := fstest.MapFS{
		"bin/README.md":                    {Data: []byte("placeholder")},
		"bin/securefile-tool-linux-amd64":  {Data: a},
		"bin/securefile-tool-linux-arm-v7": {Data: b},
		"bin/SHA256SUMS": {Data: []byte(sum(a) + "  securefile-tool-linux-amd64\n" +
			sum(b) + "  securefile-tool-linux-arm-v7\n")},
	}
	tools, err := parseSums(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(tools) != 2 || tools[0].Platform.Architecture != "amd64" || tools[0].Platform.Variant != "" ||
		tools[1].Platform.Architecture != "arm" || tools[1].Platform.Variant != "v7" || tools[1].Platform.OS != "linux" ||
		tools[0].Sum != sum(a) || tools[1].Name != "securefile-tool-linux-arm-v7" {
		t.Errorf("tools = %+v", tools)
	}

	// Only the placeholder (go build -tags toolbin without make tools).
	if tools, err := parseSums(fstest.MapFS{"bin/README.md": {}}); err != nil || len(tools) != 0 {
		t.Errorf("placeholder only: %v, %v; want none", tools, err)
	}

	for name, sums := range map[string]string{
		"not listed format": "nonsense\n",
		"short digest":      "abcd  securefile-tool-linux-amd64\n",
		"upper-case hex":    strings.ToUpper(sum(a)) + "  securefile-tool-linux-amd64\n",
		"not a tool name":   sum(a) + "  securefile-linux-amd64\n",
		"darwin":            sum(a) + "  securefile-tool-darwin-amd64\n",
		"listed twice":      sum(a) + "  securefile-tool-linux-amd64\n" + sum(a) + "  securefile-tool-linux-amd64\n",
		"missing file":      sum(a) + "  securefile-tool-linux-arm64\n",
	} {
		fsys := fstest.MapFS{"bin/securefile-tool-linux-amd64": {Data: a}, "bin/SHA256SUMS": {Data: []byte(sums)}}
		if tools, err := parseSums(fsys); err == nil || !strings.Contains(err.Error(), "SHA256SUMS:1") && !strings.Contains(err.Error(), "SHA256SUMS:2") {
			t.Errorf("%s: %v, %v; want an error naming the line", name, tools, err)
		}
	}
}

func TestInstall(t *testing.T) {
	data := []byte("\x7fELF a tool")
	fsys := fstest.MapFS{"bin/securefile-tool-linux-amd64": {Data: data}}
	tool := Tool{Name: "securefile-tool-linux-amd64", Sum: sum(data)}
	root := t.TempDir()

	dir, err := install(fsys, tool, root, "v1.2.3/../x")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "v1.2.3_.._x-"+tool.Sum); dir != want {
		t.Errorf("dir %s, want %s", dir, want)
	}
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", fi.Mode())
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(data) {
		t.Errorf("wrote %q", got)
	}

	// A good file is left alone: the same mtime for BuildKit's diff.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := install(fsys, tool, root, "v1.2.3/../x"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("a good file was rewritten (mtime %v)", fi.ModTime())
	}

	// An altered file, or one that lost its mode, is replaced.
	for name, change := range map[string]func() error{
		"altered":   func() error { return os.WriteFile(path, []byte("\x7fELF evil"), 0o755) },
		"truncated": func() error { return os.Truncate(path, 3) },
		"mode":      func() error { return os.Chmod(path, 0o644) },
	} {
		if name == "mode" && runtime.GOOS == "windows" {
			continue // no permission bits
		}
		if err := change(); err != nil {
			t.Fatal(err)
		}
		if _, err := install(fsys, tool, root, "v1.2.3/../x"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ok, err := hasSum(path, tool.Sum); !ok || err != nil {
			t.Errorf("%s: the file was not replaced (%v)", name, err)
		}
	}
	// No temporary file is left behind.
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%s holds %d entries, want only %s", dir, len(es), FileName)
	}

	// Embedded bytes that do not match SHA256SUMS are refused.
	bad := Tool{Name: tool.Name, Sum: sum([]byte("other"))}
	if _, err := install(fsys, bad, root, "v1"); err == nil || !strings.Contains(err.Error(), "built wrong") {
		t.Errorf("mismatched embedded tool: %v", err)
	}
}

// What is embedded agrees with its SHA256SUMS (in a build with the tag
// toolbin after make tools; else there is nothing to check).
func TestEmbedded(t *testing.T) {
	tools, err := Tools()
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		if _, err := Install(tool, t.TempDir(), "test"); err != nil {
			t.Errorf("%s: %v", tool.Name, err)
		}
	}
	t.Logf("%d embedded tools", len(tools))
}
