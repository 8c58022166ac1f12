package frontend

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/lower"
)

// lowerLayers lowers src for linux/amd64 and takes its chain apart.
func lowerLayers(t *testing.T, src string) (*lower.Result, *layers) {
	t.Helper()
	f := loadClean(t, src)
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	res, err := lower.Lower(context.Background(), f, lower.Options{TargetPlatform: p, BuildPlatform: p})
	if err != nil {
		t.Fatal(err)
	}
	lay := chainLayers(res)
	if lay == nil || len(lay.diffs) != len(res.Steps) {
		t.Fatalf("chainLayers: %v for %d steps", lay, len(res.Steps))
	}
	return res, lay
}

// scanOf is a scan that mounts diffs the way leakCheck.check does.
func scanOf(diffs []llb.State) llb.State {
	ro := []llb.RunOption{llb.Args([]string{"/scan"})}
	for i, d := range diffs {
		ro = append(ro, llb.AddMount(scanLayers+"/"+strconv.Itoa(i), d, llb.Readonly))
	}
	return llb.Scratch().Run(ro...).AddMount(scanOut, llb.Scratch())
}

func marshal(t *testing.T, st llb.State, opts ...llb.ConstraintsOpt) *llb.Definition {
	t.Helper()
	def, err := st.Marshal(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

const layersFile = `secret token { }
image app from "busybox" {
  run "echo one > /one"
  run "cp /run/secrets/token /two" {
    secret token
  }
  copy "x" to "/x"
}
`

func TestSameLayers(t *testing.T) {
	// The frontend's main context has a session; without one, every
	// Marshal draws a new local.unique unless it is given.
	amd64 := llb.ConstraintsOpt(llb.Platform(ocispecs.Platform{OS: "linux", Architecture: "amd64"}))
	unique := llb.LocalUniqueID("test")
	for _, tc := range []struct {
		name string
		src  string
	}{
		{"image base", layersFile},
		{"scratch base, one step", `secret token { }
image app from scratch {
  copy "x" to "/x"
}
`},
		{"scratch base", strings.Replace(layersFile, `from "busybox"`, "from scratch", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, lay := lowerLayers(t, tc.src)
			for _, opts := range [][]llb.ConstraintsOpt{{amd64, unique}, {amd64, unique, llb.IgnoreCache}} {
				export := marshal(t, lay.export(), opts...)
				if err := lay.sameLayers(export, marshal(t, scanOf(lay.diffs), opts...), scanLayers); err != nil {
					t.Errorf("the same diffs, marshalled alike: %v", err)
				}
			}
			export := marshal(t, lay.export(), amd64, unique)
			// Marshalled with other cache options, the diffs are other
			// vertices for BuildKit's solver.
			if err := lay.sameLayers(export, marshal(t, scanOf(lay.diffs), amd64, unique, llb.IgnoreCache), scanLayers); err == nil {
				t.Error("a scan marshalled with --no-cache passed for an export without")
			}
			// A scan that reads other states, or fewer of them, fails.
			other := append([]llb.State(nil), lay.diffs...)
			other[len(other)-1] = llb.Scratch().File(llb.Mkfile("/other", 0o644, nil))
			if err := lay.sameLayers(export, marshal(t, scanOf(other), amd64, unique), scanLayers); err == nil {
				t.Error("a scan of another last layer passed")
			}
			if err := lay.sameLayers(export, marshal(t, scanOf(lay.diffs[1:]), amd64, unique), scanLayers); err == nil {
				t.Error("a scan of fewer layers passed")
			}
		})
	}
}

// The export of a verified build has the plain chain's content: base and
// diffs merged, the merge never loaded from the cache.
func TestExportIsTheMergedChain(t *testing.T) {
	_, lay := lowerLayers(t, layersFile)
	def := marshal(t, lay.export(), llb.Platform(ocispecs.Platform{OS: "linux", Architecture: "amd64"}))
	in, err := mergeInputs(def)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1+len(lay.diffs) {
		t.Fatalf("the merge has %d inputs, want the base and %d diffs", len(in), len(lay.diffs))
	}
	m, root, err := decodeOps(def)
	if err != nil {
		t.Fatal(err)
	}
	if m[root].GetMerge() == nil || !def.Metadata[root].IgnoreCache {
		t.Errorf("the export's root is %v with metadata %+v, want a merge that ignores the cache", m[root], def.Metadata[root])
	}
}
