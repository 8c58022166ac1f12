package main

import (
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/toolbin"
	"github.com/ourorg/securefile/internal/verify"
)

func TestSelectTool(t *testing.T) {
	const (
		img  = "docker.io/ourorg/securefile:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		flag = "registry.example/securefile:dev"
	)
	p := func(os, arch, variant string) ocispecs.Platform {
		return ocispecs.Platform{OS: os, Architecture: arch, Variant: variant}
	}
	static := func(pl ocispecs.Platform) selfBinary { return selfBinary{platform: pl} }
	amd64, arm64 := p("linux", "amd64", ""), p("linux", "arm64", "")
	dynamic := selfBinary{platform: amd64, static: verify.ErrDynamic}
	darwin := selfBinary{platform: p("darwin", "arm64", ""), static: errors.New("not an ELF executable")}
	tool := func(pl ocispecs.Platform, name string) toolbin.Tool { return toolbin.Tool{Platform: pl, Name: name} }
	// What make build embeds by default, and one with an arm tool.
	both := []toolbin.Tool{tool(amd64, "securefile-tool-linux-amd64"), tool(arm64, "securefile-tool-linux-arm64")}
	armv7 := []toolbin.Tool{tool(p("linux", "arm", "v7"), "securefile-tool-linux-arm-v7")}
	cases := []struct {
		name       string
		self       selfBinary
		embedded   []toolbin.Tool
		daemon     ocispecs.Platform
		flag, def  string
		want       toolChoice
		wantReason []string // parts of the reason, when there is no tool
	}{
		// The embedded tool wins over sharing itself (a few MB, not the
		// CLI) and over the image (nothing to pull, no registry).
		{name: "embedded amd64 tool wins over sharing itself", self: static(amd64), embedded: both, daemon: amd64, def: img, want: toolChoice{embedded: "securefile-tool-linux-amd64"}},
		{name: "embedded arm64 tool for an arm64 daemon, from an amd64 CLI", self: static(amd64), embedded: both, daemon: arm64, def: img, want: toolChoice{embedded: "securefile-tool-linux-arm64"}},
		{name: "embedded tool on an arm64/v8 daemon", self: static(amd64), embedded: both, daemon: p("linux", "arm64", "v8"), want: toolChoice{embedded: "securefile-tool-linux-arm64"}},
		{name: "embedded tool on an amd64/v3 daemon", self: darwin, embedded: both, daemon: p("linux", "amd64", "v3"), want: toolChoice{embedded: "securefile-tool-linux-amd64"}},
		{name: "a darwin CLI needs no image with an embedded tool", self: darwin, embedded: both, daemon: arm64, def: img, want: toolChoice{embedded: "securefile-tool-linux-arm64"}},
		{name: "a cgo CLI needs no image with an embedded tool", self: dynamic, embedded: both, daemon: amd64, want: toolChoice{embedded: "securefile-tool-linux-amd64"}},
		{name: "the flag wins over an embedded tool", self: static(amd64), embedded: both, daemon: amd64, flag: flag, def: img, want: toolChoice{image: flag}},
		{name: "no embedded tool for the daemon: shares itself", self: static(arm64), embedded: both[:1], daemon: arm64, want: toolChoice{shareSelf: true}},
		{name: "no embedded tool for the daemon: the image", self: darwin, embedded: both, daemon: p("linux", "riscv64", ""), def: img, want: toolChoice{image: img}},
		{name: "embedded amd64 tool is not taken for a 386 daemon", self: dynamic, embedded: both, daemon: p("linux", "386", ""), def: img, want: toolChoice{image: img}},
		{name: "embedded arm64 tool is not taken for an arm/v7 daemon", self: darwin, embedded: both, daemon: p("linux", "arm", "v7"), def: img, want: toolChoice{image: img}},
		{name: "embedded arm/v7 tool on an arm/v7 daemon", self: darwin, embedded: armv7, daemon: p("linux", "arm", ""), want: toolChoice{embedded: "securefile-tool-linux-arm-v7"}},
		{name: "embedded arm/v7 tool is not taken for an arm/v6 daemon", self: darwin, embedded: armv7, daemon: p("linux", "arm", "v6"), def: img, want: toolChoice{image: img}},
		{
			name: "darwin development build, embedded tools for other platforms: no tool", self: darwin, embedded: both, daemon: p("linux", "s390x", ""),
			wantReason: []string{"this securefile is darwin/arm64,", "embeds no securefile-tool for the daemon's platform (linux/s390x)", "--tool-image REF", "make build"},
		},
		{name: "static linux/amd64 on an amd64 daemon shares itself", self: static(amd64), daemon: amd64, def: img, want: toolChoice{shareSelf: true}},
		{name: "static linux/amd64 on an amd64/v3 daemon shares itself", self: static(amd64), daemon: p("linux", "amd64", "v3"), want: toolChoice{shareSelf: true}},
		{name: "static linux/amd64 on an arm64 daemon takes the image", self: static(amd64), daemon: arm64, def: img, want: toolChoice{image: img}},
		{name: "static linux/arm64 on an amd64 daemon takes the image", self: static(arm64), daemon: amd64, def: img, want: toolChoice{image: img}},
		{name: "arm64/v8 is arm64", self: static(arm64), daemon: p("linux", "arm64", "v8"), want: toolChoice{shareSelf: true}},
		{name: "arm v7 on arm (normalized to v7)", self: static(p("linux", "arm", "v7")), daemon: p("linux", "arm", ""), want: toolChoice{shareSelf: true}},
		{name: "arm without a recorded GOARM on arm/v7", self: static(p("linux", "arm", "")), daemon: p("linux", "arm", "v7"), want: toolChoice{shareSelf: true}},
		{name: "arm v6 runs on an arm/v7 daemon", self: static(p("linux", "arm", "v6")), daemon: p("linux", "arm", "v7"), want: toolChoice{shareSelf: true}},
		{name: "arm v7 does not run on an arm/v6 daemon", self: static(p("linux", "arm", "v7")), daemon: p("linux", "arm", "v6"), def: img, want: toolChoice{image: img}},
		// Only(arm64) takes arm, and Only(amd64) takes 386; the frontend
		// refuses another architecture, so these take the image.
		{name: "arm/v7 on an arm64 daemon takes the image", self: static(p("linux", "arm", "v7")), daemon: arm64, def: img, want: toolChoice{image: img}},
		{name: "386 on an amd64 daemon takes the image", self: static(p("linux", "386", "")), daemon: amd64, def: img, want: toolChoice{image: img}},
		{name: "darwin/arm64 takes the image", self: selfBinary{platform: p("darwin", "arm64", ""), static: errors.New("not an ELF executable")}, daemon: arm64, def: img, want: toolChoice{image: img}},
		{name: "windows/amd64 takes the image", self: selfBinary{platform: p("windows", "amd64", ""), static: errors.New("not an ELF executable")}, daemon: amd64, def: img, want: toolChoice{image: img}},
		{name: "dynamically linked linux takes the image", self: dynamic, daemon: amd64, def: img, want: toolChoice{image: img}},
		{name: "the flag wins over sharing itself", self: static(amd64), daemon: amd64, flag: flag, def: img, want: toolChoice{image: flag}},
		{name: "the flag wins over the default image", self: dynamic, daemon: amd64, flag: flag, def: img, want: toolChoice{image: flag}},
		{name: "the flag wins in a development build", self: dynamic, daemon: amd64, flag: flag, want: toolChoice{image: flag}},
		{name: "a development build that shares itself needs no image", self: static(arm64), daemon: arm64, want: toolChoice{shareSelf: true}},
		{
			name: "dynamically linked development build: no tool", self: dynamic, daemon: amd64,
			wantReason: []string{"this securefile is dynamically linked (built with cgo)", "--tool-image REF", "docker.io/ourorg/securefile image of the same version", "make build", "CGO_ENABLED=0"},
		},
		{
			name: "darwin/arm64 development build: no tool", self: selfBinary{platform: p("darwin", "arm64", ""), static: errors.New("not an ELF executable")}, daemon: arm64,
			wantReason: []string{"this securefile is darwin/arm64,", "--tool-image REF"},
		},
		{
			name: "windows/amd64 development build: no tool", self: selfBinary{platform: p("windows", "amd64", ""), static: errors.New("not an ELF executable")}, daemon: amd64,
			wantReason: []string{"this securefile is windows/amd64,", "--tool-image REF"},
		},
		{
			name: "linux/amd64 development build on an arm64 daemon: no tool", self: static(amd64), daemon: arm64,
			wantReason: []string{"this securefile is linux/amd64 but the daemon is linux/arm64,", "--tool-image REF"},
		},
		{
			name: "arm/v7 development build on an arm/v6 daemon: no tool", self: static(p("linux", "arm", "v7")), daemon: p("linux", "arm", "v6"),
			wantReason: []string{"this securefile is linux/arm/v7 but the daemon is linux/arm/v6,"},
		},
		{
			name: "a linux file that is no ELF executable: no tool", self: selfBinary{platform: amd64, static: errors.New("not an ELF executable")}, daemon: amd64,
			wantReason: []string{"this securefile is not a static executable (not an ELF executable)"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := selectTool(c.self, c.embedded, c.daemon, c.flag, c.def)
			if len(c.wantReason) > 0 {
				if got.shareSelf || got.image != "" || got.unavailable == "" {
					t.Fatalf("got %+v, want no tool and a reason", got)
				}
				for _, w := range c.wantReason {
					if !strings.Contains(got.unavailable, w) {
						t.Errorf("reason %q\nlacks %q", got.unavailable, w)
					}
				}
				// The reason is one line of text for the frontend's error.
				if strings.ContainsAny(got.unavailable, "\n\r") {
					t.Errorf("reason has a line break: %q", got.unavailable)
				}
				return
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// The daemon's platform is the frontend's build platform: the first
// platform of the first worker, else this process's.
func TestWorkersPlatform(t *testing.T) {
	arm := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	ws := []*client.WorkerInfo{
		{ID: "a", Platforms: []ocispecs.Platform{arm, {OS: "linux", Architecture: "amd64"}}},
		{ID: "b", Platforms: []ocispecs.Platform{{OS: "linux", Architecture: "riscv64"}}},
	}
	if got := workersPlatform(ws); got.Architecture != "arm64" {
		t.Errorf("workersPlatform = %v, want the first worker's first platform", got)
	}
	for _, ws := range [][]*client.WorkerInfo{nil, {{ID: "empty"}}} {
		if got := workersPlatform(ws); got.OS != runtime.GOOS || got.Architecture != runtime.GOARCH {
			t.Errorf("workersPlatform(%v) = %v, want this process's", ws, got)
		}
	}
}

// thisBinary reads the test binary: its own platform, and static exactly
// when debug/elf finds no program interpreter in it.
func TestThisBinary(t *testing.T) {
	s := thisBinary()
	if s.platform.OS != runtime.GOOS || s.platform.Architecture != runtime.GOARCH {
		t.Errorf("platform %v", s.platform)
	}
	if runtime.GOOS != "linux" {
		if s.static == nil {
			t.Error("a non-linux binary taken for a static ELF executable")
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	if dynamic != errors.Is(s.static, verify.ErrDynamic) || (!dynamic && s.static != nil) {
		t.Errorf("program interpreter %v, static = %v", dynamic, s.static)
	}
}

func TestCheckToolImage(t *testing.T) {
	for _, ok := range []string{"", "ourorg/securefile:1.2.3", "localhost:5000/ourorg/securefile@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		if err := checkToolImage(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"Not A Ref", "ourorg/securefile:", "a@sha256:short"} {
		err := checkToolImage(bad)
		if err == nil || !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "--tool-image") {
			t.Errorf("%q: %v, want a usage error naming --tool-image", bad, err)
		}
	}
}

// The shared key is made once and read back unchanged, so that BuildKit
// finds the snapshots of the previous build; a damaged file is replaced.
func TestLocalSharedKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("HOME", dir)
	k := localSharedKey()
	if !validSharedKey(k) {
		t.Fatalf("key %q", k)
	}
	if k2 := localSharedKey(); k2 != k {
		t.Errorf("second key %q, want the first %q", k2, k)
	}
	path := filepath.Join(dir, "securefile", "shared-key")
	if runtime.GOOS == "linux" {
		if dt, err := os.ReadFile(path); err != nil || strings.TrimSpace(string(dt)) != k {
			t.Errorf("%s holds %q (%v)", path, dt, err)
		}
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err == nil {
		if k3 := localSharedKey(); !validSharedKey(k3) || k3 == k {
			t.Errorf("after damage: %q", k3)
		}
	}
}
