package lower

import (
	"slices"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Progress names follow dockerfile2llb's prefixCommand: in a
// multi-platform build a step carries its stage's platform, and a stage
// that runs on another platform than the target (the build platform, for
// a cross-compile) adds "->" and the target: the architecture when only
// it differs, the whole platform when the OS does.
func TestStepNames(t *testing.T) {
	const src = `
stage build from "golang:1.26" {
  platform = "${BUILDPLATFORM}"
  workdir "/src"
  run "GOARCH=${TARGETARCH} go build -o /out/app ."
}

stage native from "alpine:3.20" {
  run "uname -m > /arch"
}

default image app from "alpine:3.20" {
  copy "/out/app" from build to "/app"
  copy "/arch" from native to "/arch"
}
`
	armV7 := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	windows := ocispecs.Platform{OS: "windows", Architecture: "amd64"}
	for _, tc := range []struct {
		name   string
		target ocispecs.Platform
		multi  bool
		want   []string
	}{
		{"cross-arch", arm64, true, []string{
			"[linux/amd64->arm64 build 1/2] WORKDIR /src",
			"[linux/amd64->arm64 build 2/2] RUN GOARCH=${TARGETARCH} go build -o /out/app .",
			"[linux/arm64 native 1/1] RUN uname -m > /arch",
			"[linux/arm64 app 1/2] COPY --from=build /out/app /app",
			"[linux/arm64 app 2/2] COPY --from=native /arch /arch",
		}},
		{"cross-variant", armV7, true, []string{
			"[linux/amd64->arm/v7 build 2/2] RUN GOARCH=${TARGETARCH} go build -o /out/app .",
			"[linux/arm/v7 native 1/1] RUN uname -m > /arch",
		}},
		{"cross-os", windows, true, []string{
			"[linux/amd64->windows/amd64 build 2/2] RUN GOARCH=${TARGETARCH} go build -o /out/app .",
			"[windows/amd64 app 1/2] COPY --from=build /out/app /app",
		}},
		// The build platform is the target: nothing is cross-compiled.
		{"native", amd64, true, []string{
			"[linux/amd64 build 2/2] RUN GOARCH=${TARGETARCH} go build -o /out/app .",
			"[linux/amd64 native 1/1] RUN uname -m > /arch",
		}},
		// One platform: no platform in the names, as in a Dockerfile build.
		{"single-platform", arm64, false, []string{
			"[build 2/2] RUN GOARCH=${TARGETARCH} go build -o /out/app .",
			"[native 1/1] RUN uname -m > /arch",
			"[app 1/2] COPY --from=build /out/app /app",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts()
			o.TargetPlatform = tc.target
			o.MultiPlatform = tc.multi
			g := marshal(t, lower(t, src, o).State)
			var names []string
			for _, d := range g.order {
				names = append(names, g.name(d))
			}
			for _, w := range tc.want {
				if !slices.Contains(names, w) {
					t.Errorf("no op named %q among\n%q", w, names)
				}
			}
		})
	}
}
