// Package hack holds no code: only the tests that `make dist` (hack/dist.sh)
// keeps producing what a release publishes, and that the BuildKit patches
// of hack/upstream still apply to the pinned BuildKit (hack/upstream.sh).
// They are ordinary package tests so that `go test ./...` (make unit, make
// test) runs them without a daemon.
package hack

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/pe"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const (
	module = "github.com/ourorg/securefile"
	// The tool image a release links in: any digest will do here.
	toolImage = "docker.io/ourorg/securefile:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// dist runs hack/dist.sh with env added to the test's environment, and GO
// set to a wrapper that records the go command lines it runs in the
// returned log (one argument per line, a blank line after each command).
func dist(t *testing.T, env ...string) (out []byte, golog string, err error) {
	t.Helper()
	goBin, lookErr := exec.LookPath("go")
	if lookErr != nil {
		t.Fatalf("the go command is not on PATH: %v", lookErr)
	}
	tmp := t.TempDir()
	golog = filepath.Join(tmp, "go.log")
	wrapper := filepath.Join(tmp, "go")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" '' >>%q\nexec %q \"$@\"\n", golog, goBin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "dist.sh")
	// What the caller's environment says about a release does not leak
	// into the case (the last of duplicate variables wins).
	cmd.Env = append(os.Environ(), "GO="+wrapper, "VERSION=", "DIST=", "DIST_PLATFORMS=", "TOOL_IMAGE=", "TOOL_PLATFORMS=")
	cmd.Env = append(cmd.Env, env...)
	out, err = cmd.CombinedOutput()
	return out, golog, err
}

func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the CLI twice (-short)")
	}
	dir := filepath.Join(t.TempDir(), "dist")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A binary and checksums of an earlier run must not survive into this one.
	for _, stale := range []string{"securefile-v0.0.1-linux-amd64", "SHA256SUMS"} {
		if err := os.WriteFile(filepath.Join(dir, stale), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// 1.2.3 is normalised to the tag's spelling v1.2.3, in the names and in
	// the binary.
	out, golog, err := dist(t, "VERSION=1.2.3", "DIST="+dir, "DIST_PLATFORMS=linux/amd64,windows/arm64", "TOOL_IMAGE="+toolImage)
	if err != nil {
		t.Fatalf("hack/dist.sh: %v\n%s", err, out)
	}
	const version = "v1.2.3"
	linux := "securefile-" + version + "-linux-amd64"
	windows := "securefile-" + version + "-windows-arm64.exe"

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"SHA256SUMS", linux, windows}; !slices.Equal(names, want) {
		t.Fatalf("DIST holds %q, want %q", names, want)
	}

	// SHA256SUMS lists exactly the binaries, each with its real digest.
	sums := readSums(t, filepath.Join(dir, "SHA256SUMS"))
	if got, want := slices.Sorted(maps.Keys(sums)), []string{linux, windows}; !slices.Equal(got, want) {
		t.Errorf("SHA256SUMS lists %q, want %q", got, want)
	}
	for name, sum := range sums {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("SHA256SUMS: %s is %s, the file's digest is %x", name, sum, h)
		}
	}

	// The go command lines: both platforms, cgo off, -trimpath, the
	// linker flags of a release (tool image included).
	ldflags := "-s -w -X " + module + "/internal/version.version=" + version +
		" -X " + module + "/internal/version.toolImage=" + toolImage
	// The tools the CLIs embed are built first (internal/toolbin/build.sh),
	// one per default tool platform, then each CLI with -tags toolbin.
	var builds, toolBuilds [][]string
	for _, b := range goBuilds(t, golog) {
		if b[len(b)-1] == "./cmd/securefile-tool" {
			if len(builds) > 0 {
				t.Errorf("a tool was built after a CLI: %q", b)
			}
			toolBuilds = append(toolBuilds, b)
		} else {
			builds = append(builds, b)
		}
	}
	if len(toolBuilds) != 2 || len(builds) != 2 {
		t.Fatalf("dist.sh ran %d tool and %d CLI go builds, want 2 and 2: %q %q", len(toolBuilds), len(builds), toolBuilds, builds)
	}
	for _, b := range toolBuilds {
		if !slices.Contains(b, "-trimpath") || !hasPair(b, "-ldflags", "-s -w") {
			t.Errorf("go command for a tool: %q, want -trimpath and -ldflags '-s -w'", b)
		}
	}
	for i, want := range []string{linux, windows} {
		b := builds[i]
		if !slices.Contains(b, "-trimpath") || !hasPair(b, "-ldflags", ldflags) || !hasPair(b, "-tags", "toolbin") ||
			!hasPair(b, "-o", filepath.Join(dir, want)) || b[len(b)-1] != "./cmd/securefile" {
			t.Errorf("go command for %s: %q, want -tags toolbin, -trimpath, -ldflags %q, -o %s, ./cmd/securefile", want, b, ldflags, filepath.Join(dir, want))
		}
	}
	// Every CLI, the Windows one too, embeds the linux tools: their
	// SHA256SUMS, which only the embedded file system holds, is in it.
	toolSums, err := os.ReadFile(filepath.Join("..", "internal", "toolbin", "bin", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !bytes.Contains(toolSums, []byte("  securefile-tool-linux-"+arch+"\n")) {
			t.Errorf("internal/toolbin/bin/SHA256SUMS lacks linux/%s:\n%s", arch, toolSums)
		}
	}
	for _, name := range []string{linux, windows} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, toolSums) {
			t.Errorf("%s does not embed the tools (internal/toolbin/bin/SHA256SUMS)", name)
		}
	}

	t.Run("linux", func(t *testing.T) {
		path := filepath.Join(dir, linux)
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC {
			t.Errorf("%s: %v %v %v, want a 64-bit x86-64 executable", linux, f.Class, f.Machine, f.Type)
		}
		// Static: no interpreter, no dynamic section, no libraries (cgo off).
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("%s has a %v program header: not static", linux, p.Type)
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("%s needs %q: not static", linux, libs)
		}
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skipf("cannot run a linux/amd64 binary on %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		out, err := exec.Command(path, "version").CombinedOutput()
		if err != nil {
			t.Fatalf("%s version: %v\n%s", linux, err, out)
		}
		if want := "securefile " + version + " (language "; !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), "linux/amd64)") {
			t.Errorf("%s version printed %q, want %q… linux/amd64)", linux, out, want)
		}
	})

	t.Run("windows", func(t *testing.T) {
		f, err := pe.Open(filepath.Join(dir, windows))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.Machine != pe.IMAGE_FILE_MACHINE_ARM64 {
			t.Errorf("%s: PE machine %#x, want IMAGE_FILE_MACHINE_ARM64 (%#x)", windows, f.Machine, pe.IMAGE_FILE_MACHINE_ARM64)
		}
		if f.Characteristics&pe.IMAGE_FILE_EXECUTABLE_IMAGE == 0 {
			t.Errorf("%s is not an executable image", windows)
		}
		// The version is linked into this binary too (it cannot run here).
		data, err := os.ReadFile(filepath.Join(dir, windows))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(version)) {
			t.Errorf("%s does not contain its version %s", windows, version)
		}
	})

	// The CLI falls back to the linked-in tool image (cmd/securefile
	// build_tool.go), so the linker keeps the string in both binaries.
	for _, name := range []string{linux, windows} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(toolImage)) {
			t.Errorf("%s does not contain the tool image %s", name, toolImage)
		}
	}
}

// TestDistRefuses: inputs that would publish something wrong, or delete
// something that is not a dist output, fail before anything is built.
func TestDistRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		env        []string
		keep       string // a file in DIST that must survive
	}{
		{name: "foreign file in DIST", want: "not deleting it", keep: "notes.txt",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS=linux/amd64"}},
		{name: "empty version", want: "VERSION is empty",
			env: []string{"VERSION=", "DIST_PLATFORMS=linux/amd64"}},
		{name: "version with a slash", want: "may only hold",
			env: []string{"VERSION=v1/2", "DIST_PLATFORMS=linux/amd64"}},
		{name: "tool image not pinned", want: "pinned by digest",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS=linux/amd64", "TOOL_IMAGE=docker.io/ourorg/securefile:1.2.3"}},
		{name: "unknown platform", want: "not a platform Go builds for",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS=linux/amd64,plan10/amd64"}},
		{name: "duplicate platform", want: "listed twice",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS=linux/amd64,linux/amd64"}},
		{name: "variant on amd64", want: "only arm takes a variant",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS=linux/amd64/v3"}},
		{name: "empty platforms", want: "DIST_PLATFORMS is empty",
			env: []string{"VERSION=v1.2.3", "DIST_PLATFORMS="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.keep != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.keep), []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, golog, err := dist(t, append(tc.env, "DIST="+dir)...)
			if err == nil {
				t.Fatalf("hack/dist.sh succeeded, want an error containing %q\n%s", tc.want, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("hack/dist.sh: %v\n%s\nwant an error containing %q", err, out, tc.want)
			}
			if builds := goBuilds(t, golog); len(builds) > 0 {
				t.Errorf("hack/dist.sh ran go build before refusing: %q", builds)
			}
			if tc.keep != "" {
				if _, err := os.Stat(filepath.Join(dir, tc.keep)); err != nil {
					t.Errorf("%s was deleted: %v", tc.keep, err)
				}
			}
		})
	}
}

// readSums parses sha256sum output: "<64 hex>  <name>" per line.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if _, hexErr := hex.DecodeString(sum); !ok || len(sum) != 64 || hexErr != nil || name == "" || strings.ContainsAny(name, "/ ") {
			t.Fatalf("%s: %q is not a sha256sum line", path, sc.Text())
		}
		if _, dup := sums[name]; dup {
			t.Fatalf("%s lists %s twice", path, name)
		}
		sums[name] = sum
	}
	return sums
}

// goBuilds returns the argument lists of the `go build` commands in a log
// written by the wrapper of dist.
func goBuilds(t *testing.T, golog string) [][]string {
	t.Helper()
	data, err := os.ReadFile(golog)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var builds [][]string
	for _, cmd := range strings.Split(strings.TrimSuffix(string(data), "\n\n"), "\n\n") {
		args := strings.Split(cmd, "\n")
		if len(args) > 0 && args[0] == "build" {
			builds = append(builds, args)
		}
	}
	return builds
}

func hasPair(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}
