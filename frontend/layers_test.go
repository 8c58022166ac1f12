package frontend

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
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

// scanOf is a scan that mounts diffs the way leakCheck.plan does; more
// options are added to its exec.
func scanOf(diffs []llb.State, more ...llb.RunOption) llb.State {
	ro := []llb.RunOption{llb.Args([]string{"/scan"})}
	for i, d := range diffs {
		ro = append(ro, llb.AddMount(scanLayers+"/"+strconv.Itoa(i), d, llb.Readonly))
	}
	ro = append(ro, more...)
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
			scan := scanOf(lay.diffs)
			for _, opts := range [][]llb.ConstraintsOpt{{amd64, unique}, {amd64, unique, llb.IgnoreCache}} {
				export := marshal(t, lay.export(), opts...)
				if err := lay.sameLayers(export, marshal(t, scan, opts...), scanLayers); err != nil {
					t.Errorf("the same diffs, marshalled alike: %v", err)
				}
			}
			export := marshal(t, lay.export(), amd64, unique)
			// Marshalled with other cache options, the diffs are other
			// vertices for BuildKit's solver.
			if err := lay.sameLayers(export, marshal(t, scan, amd64, unique, llb.IgnoreCache), scanLayers); err == nil {
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
			// A merge BuildKit may load from the cache fails.
			if len(lay.diffs) > 1 || lay.base.Output() != nil {
				cached := llb.Merge(append([]llb.State{lay.base}, lay.diffs...))
				if err := lay.sameLayers(marshal(t, cached, amd64, unique), marshal(t, scan, amd64, unique), scanLayers); err == nil || !strings.Contains(err.Error(), "may be loaded from the cache") {
					t.Errorf("a cached merge: %v", err)
				}
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

// The scan is keyed on each layer's and the config's cache key, and on the
// tool's and the verdict keys' content: a content hash of a layer would
// read every byte of it (and load every layer of a cached build) for
// matches the key gives already.
func TestScanMountsContentCache(t *testing.T) {
	f := loadClean(t, layersFile)
	res, p := lowerWithTool(t, f)
	c := newFakeClient(nil, nil)
	b := &builder{c: c, buildPlatform: p, caps: c.BuildOpts().LLBCaps}
	b.tools.once.Do(func() { b.tools.img = &toolImage{state: llb.Image("example.com/tool:1"), path: "/tool"} })
	lc := &leakCheck{b: b, tools: &b.tools}
	lay := chainLayers(res)
	sc, err := lc.plan(context.Background(), res, &dockerspec.DockerOCIImage{}, lay)
	if err != nil {
		t.Fatal(err)
	}
	def := marshal(t, sc.out, llb.Platform(p))
	m, root, err := decodeOps(def)
	if err != nil {
		t.Fatal(err)
	}
	exec := m[root].GetExec()
	want := map[string]pb.MountContentCache{scanTool: pb.MountContentCache_DEFAULT, scanConfig: pb.MountContentCache_OFF, scanKeys + "/0": pb.MountContentCache_DEFAULT}
	for i := range lay.diffs {
		want[scanLayers+"/"+strconv.Itoa(i)] = pb.MountContentCache_OFF
	}
	for _, mnt := range exec.Mounts {
		w, ok := want[mnt.Dest]
		if !ok {
			continue
		}
		delete(want, mnt.Dest)
		if mnt.ContentCache != w || !mnt.Readonly {
			t.Errorf("%s: content cache %v, read-only %v; want %v, read-only", mnt.Dest, mnt.ContentCache, mnt.Readonly, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("the scan does not mount %v", want)
	}
}
