package grammar

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ourorg/securefile/internal/benchgen"
	"github.com/ourorg/securefile/internal/cputime"
	"github.com/ourorg/securefile/spec"
)

// bigBuild is the one-stage file of n steps the benchmarks share.
func bigBuild(n int) string { return benchgen.OneStage(n) }

// The hand-written TOML form that grammar/tomlfile's tests use is the same
// file as the DSL one.
func TestOneStageTOMLIsOneStage(t *testing.T) {
	dsl, diags := Load("Securefile", []byte(benchgen.OneStage(40)), DSL)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	toml, diags := Load("Securefile.toml", benchgen.OneStageTOML(40), TOML)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if a, b := string(Format(dsl, DSL)), string(Format(toml, DSL)); a != b {
		t.Errorf("the TOML form differs from the DSL one:\n--- DSL\n%s\n--- TOML\n%s", a, b)
	}
}

// BenchmarkLoad10000Steps is parse + check of a 10,000-step file in each
// syntax (the TOML input is the DSL converted). The bar: well
// under 100 ms. cpu-ms/op is the process's CPU time per load, the
// collector's included: on a busy machine it moves less than ns/op.
func BenchmarkLoad10000Steps(b *testing.B) {
	dslSrc := []byte(bigBuild(10000))
	f, diags := Load("Securefile", dslSrc, DSL)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	tomlSrc := Format(f, TOML)
	for _, c := range []struct {
		name   string
		src    []byte
		syntax Syntax
	}{{"dsl", dslSrc, DSL}, {"toml", tomlSrc, TOML}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			b.ReportAllocs()
			cpu0 := cputime.Used()
			for b.Loop() {
				if _, diags := Load("Securefile", c.src, c.syntax); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
			if used := cputime.Used() - cpu0; used > 0 {
				b.ReportMetric(float64(used.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
			}
		})
	}
}

// manyStages writes n small images, the shape of the 16 MiB inputs issue 11
// measured: each has an env, a run and a copy.
func manyStages(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "image s%d from \"busybox\" {\n  env A%d = \"v%d\"\n  run \"echo hello %d > /f\"\n  copy \"a\" to \"/a%d\"\n}\n", i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkLoadMemory reports what parse + check costs per input byte: the
// bytes allocated (the garbage collector's work) and the bytes the model
// still holds afterwards (what a caller keeps). Peak RSS of `securefile
// lint` follows from both (docs/performance.md).
func BenchmarkLoadMemory(b *testing.B) {
	for _, c := range []struct {
		name string
		src  []byte
	}{{"stages", []byte(manyStages(20000) + "default image app from s0 {\n}\n")}, {"steps", []byte(bigBuild(20000))}} {
		b.Run(c.name, func(b *testing.B) {
			var before, after runtime.MemStats
			var kept *spec.File
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				f, diags := Load("Securefile", c.src, DSL)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				kept = f
			}
			n := float64(len(c.src))
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "alloc-B/input-B")
			b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/n, "retained-B/input-B")
			runtime.KeepAlive(kept)
		})
	}
}
