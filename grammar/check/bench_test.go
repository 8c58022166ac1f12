package check

import (
	"fmt"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// bigFile has one image of n steps: runs that mount secrets and caches
// (with the secret-in-cache warning suppressed) and use args, copies, env
// steps and workdirs, all valid.
func bigFile(n int) *spec.File {
	f := &spec.File{
		Node: spec.Node{Range: span(1, 1, "x")},
		Args: []*spec.Arg{argDefault(1, "VERSION", "1.0"), argDefault(2, "BASE", "alpine:3.20")},
	}
	for i := 0; i < 20; i++ {
		s := secret(3+i, fmt.Sprintf("secret%d", i))
		s.Target = str(3+i, 30, fmt.Sprintf("/run/s/%d", i))
		f.Secrets = append(f.Secrets, s)
		f.Caches = append(f.Caches, cache(30+2*i, fmt.Sprintf("cache%d", i), fmt.Sprintf("/cache/%d", i)))
	}
	var steps []spec.Step
	for i := 0; i < n; i++ {
		line := 100 + i
		switch i % 4 {
		case 0:
			r := run(line, "make VERSION=${VERSION} target-"+fmt.Sprint(i)+" && echo $HOME")
			k := i / 4
			r.Secrets = []spec.Value[string]{word(line, 80, fmt.Sprintf("secret%d", k%20))}
			r.Caches = []spec.Value[string]{word(line, 95, fmt.Sprintf("cache%d", k%20)), word(line, 105, fmt.Sprintf("cache%d", (k+1)%20))}
			r.Env = []*spec.KeyValue{kv(line, 120, "CGO_ENABLED", "0")}
			// Reviewed: the build reads the secret and caches only
			// downloads (and the suppression is checked at scale too).
			r.Comments = []string{" securefile:ignore secret-in-cache make reads the secret, the caches hold downloads"}
			steps = append(steps, r)
		case 1:
			cp := copyStep(line, "/src/"+fmt.Sprint(i)+"/", "a.go", "b-${VERSION}.go")
			cp.Chmod = str(line, 60, "0644")
			steps = append(steps, cp)
		case 2:
			steps = append(steps, &spec.Env{Node: node(line, 3), Vars: []*spec.KeyValue{kv(line, 7, fmt.Sprintf("V%d", i), "${VERSION}-x")}})
		case 3:
			steps = append(steps, &spec.Workdir{Node: node(line, 3), Path: str(line, 11, "/w/"+fmt.Sprint(i))})
		}
	}
	f.Stages = []*spec.Stage{image(99, "app", imageSrc(99, 16, "${BASE}"), steps...)}
	return f
}

// A 1,000-step file is clean but for its layer count, which overlayfs
// cannot stack.
func TestBigFileIsClean(t *testing.T) {
	diags := Check(bigFile(1000))
	if len(diags) != 1 || diags[0].Code != "too-many-layers" {
		t.Fatalf("want only the layer count, got:\n%s", diags)
	}
}

func BenchmarkCheck10000Steps(b *testing.B) {
	f := bigFile(10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(f)
	}
}
