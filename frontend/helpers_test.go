package frontend

import (
	"context"
	"testing"

	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// load parses and checks a DSL build file named Securefile.
func load(t *testing.T, src string) (*spec.File, spec.Diagnostics) {
	t.Helper()
	return grammar.Load("Securefile", []byte(src), grammar.DSL)
}

// loadClean is load for a file that must have no errors.
func loadClean(t *testing.T, src string) *spec.File {
	t.Helper()
	f, diags := load(t, src)
	if diags.HasErrors() {
		t.Fatalf("test file has errors:\n%s", diags.Errors())
	}
	return f
}

// lowerWithTool lowers f for linux/amd64 with secret digests from a tool
// image, as the frontend does.
func lowerWithTool(t *testing.T, f *spec.File) (*lower.Result, ocispecs.Platform) {
	t.Helper()
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tool := llb.Image("example.com/tool:1")
	res, err := lower.Lower(context.Background(), f, lower.Options{
		TargetPlatform: p, BuildPlatform: p, SecretDigests: true,
		ToolState: &tool, ToolPath: "/tool", RotationNonce: "n",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, p
}

// appFile is a build with two images that need different things: app
// needs the build stage (netrc, github, gomod, GO_IMAGE, VERSION, the
// seed of gomod), tools needs only alpine and the apt cache.
const appFile = `# syntax=ourorg/securefile

# Go toolchain image.
arg GO_IMAGE = "golang:1.23"
# Version stamped into the binary.
arg VERSION = "v${MAJOR}.0"
arg MAJOR = "1"
arg ALPINE = "alpine:3.20"

# Credentials for the private module proxy.
secret netrc {
  target = "/root/.netrc"
}

secret token {
  id = "gh_token"
  env = "GITHUB_TOKEN"
  required = false
}

# Read-only deploy key.
ssh github {
  required = false
}

# Go module cache.
cache gomod {
  target = "/go/pkg/mod"
  sharing = "locked"
  from = seed
}

cache apt {
  target = "/var/cache/apt"
  readonly = true
}

stage seed from "${GO_IMAGE}" {
  run "go version"
}

# Compiles the app.
stage build from "${GO_IMAGE}" {
  run "go build -ldflags=-X=main.version=${VERSION} -o /out/app ." {
    secret netrc
    secret token
    ssh github
    cache gomod
  }
}

# The application.
# Ships only the binary.
default image app from scratch {
  copy "/out/app" from build to "/app"
}

image tools from "${ALPINE}" {
  run "apk add git" {
    cache apt
  }
}
`
