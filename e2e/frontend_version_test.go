//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/version"
)

// TestFrontendVersion: in every mode the frontend says which version it
// is, in the describe subrequest and in the build's progress, and both say
// the same. The image is built with a version from git (hack/e2e.sh
// image), never the "dev" of a plain go build; in process it is the test
// binary's own.
func TestFrontendVersion(t *testing.T) {
	t.Parallel()
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			meta, err := h.call(t, v, filepath.Join(h.repo, "examples", "hello"), "frontend.subrequests.describe")
			if err != nil {
				t.Fatal(err)
			}
			got := string(meta[frontend.MetaVersion])
			switch {
			case v.mode == modeInProcess && got != version.String():
				t.Errorf("describe: %s = %q, want the test binary's %q", frontend.MetaVersion, got, version.String())
			case v.mode != modeInProcess && (got == "" || got == "dev"):
				t.Errorf("describe: the frontend image's %s = %q, want the version it was built with", frontend.MetaVersion, got)
			}
			if lang := string(meta[frontend.MetaLanguage]); lang != version.Language {
				t.Errorf("describe: %s = %q, want %q", frontend.MetaLanguage, lang, version.Language)
			}
			if !strings.Contains(string(meta["result.txt"]), "securefile "+got+" (language ") {
				t.Errorf("describe's text does not name the version %q:\n%s", got, meta["result.txt"])
			}

			res := h.build(t, v, buildOpts{example: "hello"})
			want := "(securefile " + got + ")"
			var names []string
			for _, s := range res.statuses {
				for _, vx := range s.Vertexes {
					if strings.Contains(vx.Name, want) {
						return
					}
					names = append(names, vx.Name)
				}
			}
			t.Errorf("no vertex of the build's progress names %q; vertices: %q", want, names)
		})
	}
}
