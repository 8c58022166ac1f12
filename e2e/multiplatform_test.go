//go:build e2e

package e2e

import (
	"sort"
	"testing"

	"github.com/moby/buildkit/client"
)

// TestMultiplatform: the file's platforms give an image index with a
// linux/amd64 and a linux/386 image, pushed to the registry; each image's
// step ran on its platform (uname -m; linux/386 runs under qemu).
func TestMultiplatform(t *testing.T) {
	t.Parallel()
	want := map[string]string{"linux/amd64": "x86_64", "linux/386": "i686"}
	eachVariant(t, func(t *testing.T, v variant) {
		ref := h.registry + "/e2e/multiplatform:" + v.name + "-" + nonce(t, 6)
		h.build(t, v, buildOpts{
			example: "multiplatform",
			exports: []client.ExportEntry{{
				Type:  client.ExporterImage,
				Attrs: map[string]string{"name": ref, "push": "true"},
			}},
		})
		imgs := registryImages(t, ref)
		var got []string
		for _, img := range imgs {
			p := img.platformString()
			got = append(got, p)
			files := img.files(t)
			if arch, ok := want[p]; ok {
				if a := fileString(t, files, "/arch"); a != arch {
					t.Errorf("%s: /arch = %q, want %q", p, a, arch)
				}
				if tp := fileString(t, files, "/platform"); tp != p {
					t.Errorf("%s: /platform (TARGETPLATFORM) = %q, want %q", p, tp, p)
				}
			}
			if img.platform != nil && img.config.Architecture != img.platform.Architecture {
				t.Errorf("%s: config architecture is %q", p, img.config.Architecture)
			}
		}
		sort.Strings(got)
		if len(got) != 2 || got[0] != "linux/386" || got[1] != "linux/amd64" {
			t.Errorf("%s has images for %v, want linux/386 and linux/amd64", ref, got)
		}
	})
}
