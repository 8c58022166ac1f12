package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ourorg/securefile/frontend"
)

// securefile build asks for no result exactly when it exports nothing: no
// --output, no --cache-to, no --call (frontend/noresult.go).
func TestBuildAsksForNoResultWithoutOutputs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Securefile"), []byte("image app from \"busybox:1.36\" {\n  run \"true\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    buildFlags
		want bool
	}{
		{"no output", buildFlags{progress: "quiet"}, true},
		{"--no-verify", buildFlags{progress: "quiet", noVerify: true}, true},
		{"--output", buildFlags{progress: "quiet", outputs: multiFlag{"type=local,dest=" + filepath.Join(dir, "out")}}, false},
		{"--cache-to", buildFlags{progress: "quiet", cacheTo: multiFlag{"type=local,dest=" + filepath.Join(dir, "cache")}}, false},
		{"--call", buildFlags{progress: "quiet", call: "targets"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, _, err := tc.f.solveOpt(dir)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := opt.FrontendAttrs[frontend.ResultOption]
			if got := ok && v == frontend.ResultNone; got != tc.want {
				t.Errorf("%s=%q (set: %v); want no result: %v", frontend.ResultOption, v, ok, tc.want)
			}
		})
	}
}
