package frontend

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// elfBinary is the head of a static 64-bit little-endian ELF executable
// for machine (62 x86-64, 183 AArch64), with one PT_LOAD program header,
// or with a PT_INTERP one too when dynamic.
func elfBinary(machine uint16, dynamic bool) string {
	types := []uint32{1}
	if dynamic {
		types = append(types, 3)
	}
	b := make([]byte, 64+56*len(types))
	copy(b, "\x7fELF")
	b[4], b[5] = 2, 1
	binary.LittleEndian.PutUint16(b[18:], machine)
	binary.LittleEndian.PutUint64(b[32:], 64)
	binary.LittleEndian.PutUint16(b[54:], 56)
	binary.LittleEndian.PutUint16(b[56:], uint16(len(types)))
	for i, ty := range types {
		binary.LittleEndian.PutUint32(b[64+56*i:], ty)
	}
	return string(b)
}

// imageOf is the image reference a tool image's state pulls, "" when it
// pulls none (a local).
func imageOf(t *testing.T, img *toolImage) string {
	t.Helper()
	def, err := img.state.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if src := op.GetSource(); src != nil {
			if ref, ok := strings.CutPrefix(src.Identifier, "docker-image://"); ok {
				return ref
			}
		}
	}
	return ""
}

func TestLocateTool(t *testing.T) {
	const pinned = "docker.io/ourorg/securefile:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		name  string
		opts  map[string]string
		files map[string]string
		build ocispecs.Platform
		// wantImage is the image the tools run from: "@" alone wants the
		// repository of the tag, pinned to the digest the daemon resolves;
		// "local" wants the shared binary.
		wantImage, wantPath string
		// wantErr are parts of the error; errNoTool marks a missing tool.
		wantErr    []string
		wantNoTool bool
	}{
		{
			name:      "tool image tag is pinned for the build platform",
			opts:      map[string]string{keyToolImage: "ourorg/securefile:1.2.3"},
			build:     linuxAMD64,
			wantImage: "docker.io/ourorg/securefile@",
			wantPath:  imageToolPath,
		},
		{
			name:      "tool image with a digest is used as it is",
			opts:      map[string]string{keyToolImage: pinned},
			build:     linuxARM64,
			wantImage: pinned,
			wantPath:  imageToolPath,
		},
		{
			name:      "tool image wins over the frontend image and a shared binary",
			opts:      map[string]string{keyToolImage: pinned, keySource: "example.com/other/frontend:9", keyToolLocal: "securefile"},
			files:     map[string]string{"securefile": elfBinary(62, false)},
			build:     linuxAMD64,
			wantImage: pinned,
			wantPath:  imageToolPath,
		},
		{
			name:      "the frontend image wins over a shared binary",
			opts:      map[string]string{keySource: "example.com/other/frontend:9", keyToolLocal: "securefile"},
			files:     map[string]string{"securefile": elfBinary(62, false)},
			build:     linuxAMD64,
			wantImage: "example.com/other/frontend@",
			wantPath:  imageToolPath,
		},
		{
			name:      "a static shared binary for the build platform",
			opts:      map[string]string{keyToolLocal: "securefile"},
			files:     map[string]string{"securefile": elfBinary(62, false)},
			build:     linuxAMD64,
			wantImage: "local",
			wantPath:  "/securefile",
		},
		{
			name:    "a shared amd64 binary is refused for an arm64 build platform",
			opts:    map[string]string{keyToolLocal: "securefile"},
			files:   map[string]string{"securefile": elfBinary(62, false)},
			build:   linuxARM64,
			wantErr: []string{`"securefile"`, "built for amd64", "build platform is linux/arm64", "GOARCH=arm64", keyToolImage},
		},
		{
			name:      "a shared arm64 binary for an arm64 build platform",
			opts:      map[string]string{keyToolLocal: "securefile"},
			files:     map[string]string{"securefile": elfBinary(183, false)},
			build:     linuxARM64,
			wantImage: "local",
			wantPath:  "/securefile",
		},
		{
			name:    "a dynamically linked shared binary is refused",
			opts:    map[string]string{keyToolLocal: "securefile"},
			files:   map[string]string{"securefile": elfBinary(62, true)},
			build:   linuxAMD64,
			wantErr: []string{"empty root filesystem", "CGO_ENABLED=0"},
		},
		{
			name:    "an empty tool image is an error, not a fallback",
			opts:    map[string]string{keyToolImage: " ", keySource: "example.com/other/frontend:9"},
			build:   linuxAMD64,
			wantErr: []string{keyToolImage, "empty image reference"},
		},
		{
			name:    "a tool image that is no reference",
			opts:    map[string]string{keyToolImage: "Not A Reference"},
			build:   linuxAMD64,
			wantErr: []string{"the tool image Not A Reference", keyToolImage},
		},
		{
			name:       "no tool, with the client's reason",
			opts:       map[string]string{keyToolUnavailable: "this securefile is darwin/arm64\n\x1b[31mred"},
			build:      linuxAMD64,
			wantErr:    []string{"the client offers no securefile tool: this securefile is darwin/arm64  [31mred\n", "leak verification needs the securefile scanner", keyToolImage},
			wantNoTool: true,
		},
		{
			name:       "no tool, without a reason",
			build:      linuxAMD64,
			wantErr:    []string{"leak verification needs the securefile scanner"},
			wantNoTool: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fc := newFakeClient(c.files, c.opts)
			img, err := locateTool(context.Background(), fc, c.build)
			if err == nil {
				// A shared binary's check runs on its own: its outcome
				// is the tool's.
				err = img.ready()
			}
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; want one with %q", c.wantErr)
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\nlacks %q", err, w)
					}
				}
				if got := errors.Is(err, errNoTool); got != c.wantNoTool {
					t.Errorf("errors.Is(err, errNoTool) = %v, want %v", got, c.wantNoTool)
				}
				if c.wantNoTool && strings.Contains(err.Error(), "\x1b") {
					t.Errorf("the client's control characters are in the error: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if img.path != c.wantPath {
				t.Errorf("path %q, want %q", img.path, c.wantPath)
			}
			got := imageOf(t, img)
			switch {
			case c.wantImage == "local":
				if got != "" {
					t.Errorf("image %q, want the shared binary", got)
				}
			case strings.HasSuffix(c.wantImage, "@"):
				if !strings.HasPrefix(got, c.wantImage+"sha256:") {
					t.Errorf("image %q, want %ssha256:… (pinned)", got, c.wantImage)
				}
			default:
				if got != c.wantImage {
					t.Errorf("image %q, want %q", got, c.wantImage)
				}
			}
		})
	}
}

// The pinned digest is the one the daemon resolves for the build
// platform: another platform, another digest.
func TestToolImagePinnedForTheBuildPlatform(t *testing.T) {
	fc := newFakeClient(nil, map[string]string{keyToolImage: "ourorg/securefile:1.2.3"})
	amd, err := locateTool(context.Background(), fc, linuxAMD64)
	if err != nil {
		t.Fatal(err)
	}
	arm, err := locateTool(context.Background(), fc, linuxARM64)
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := fakeImageConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := imageOf(t, amd); a != "docker.io/ourorg/securefile@"+want.String() {
		t.Errorf("amd64: %s, want the digest %s", a, want)
	}
	if a, b := imageOf(t, amd), imageOf(t, arm); a == b {
		t.Errorf("the same digest for amd64 and arm64: %s", a)
	}
}

// A shared binary that fails its check (checked while the build resolves
// its images) fails the build before anything that runs it is solved.
func TestBadSharedToolRunsNothing(t *testing.T) {
	const src = `secret token { }
image app from "busybox" {
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`
	fc := newFakeClient(map[string]string{
		"Securefile": src,
		"securefile": elfBinary(62, true), // x86-64, dynamically linked
	}, map[string]string{keyToolLocal: "securefile", "platform": "linux/amd64"})
	_, err := Build(context.Background(), fc)
	if err == nil || !strings.Contains(err.Error(), "empty root filesystem") {
		t.Fatalf("err = %v", err)
	}
	for _, def := range fc.solves {
		for _, op := range ops(t, def) {
			if op.GetExec() != nil {
				t.Fatalf("a step was solved before the tool's check failed: %v", op.GetExec().Meta.Args)
			}
		}
	}
}
