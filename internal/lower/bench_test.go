package lower

import (
	"context"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"

	"github.com/ourorg/securefile/grammar"
)

// benchShapes are the generated builds BenchmarkLower lowers, each also
// written as a Dockerfile.
var benchShapes = []struct {
	name       string
	securefile func() string
	dockerfile func() string
}{
	{"linear-1000", func() string { return genLinear(1000, false) }, func() string { return dockerfileLinear(1000) }},
	{"linear-8000", func() string { return genLinear(8000, false) }, func() string { return dockerfileLinear(8000) }},
	{"fanin-1000", func() string { return genFanIn(1000) }, func() string { return dockerfileFanIn(1000) }},
}

// BenchmarkLower measures Lower + Marshal on generated builds and, in the
// same run, BuildKit's Dockerfile frontend (dockerfile2llb.Dockerfile2LLB +
// Marshal) on the same shapes written as Dockerfiles. Both resolve their
// base image with the same in-memory resolver, so neither touches a
// registry.
//
// Sub-benchmarks per shape:
//
//	securefile        Lower + Marshal of an already loaded file
//	securefile+parse  grammar.Load + Lower + Marshal, like for like with
//	                  dockerfile2llb, which parses inside
//	dockerfile2llb    Dockerfile2LLB + Marshal
//
// dockerfile2llb reports x_slower: its time per op divided by that of
// securefile+parse, like for like; and x_slower_lower: divided by that of
// securefile, the lowering alone (it logs both). On a stage of 8,000 steps it
// takes seconds per op, so one iteration is what the default -benchtime
// runs; -benchtime=1x makes that explicit.
func BenchmarkLower(b *testing.B) {
	ctx := context.Background()
	ours := map[string]float64{}
	for _, shape := range benchShapes {
		sf, df := shape.securefile(), shape.dockerfile()
		o := opts()
		o.MetaResolver = &fakeResolver{noRecord: true}

		b.Run(shape.name+"/securefile", func(b *testing.B) {
			f := load(b, sf)
			b.ReportAllocs()
			for b.Loop() {
				res, err := Lower(ctx, f, o)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.State.Marshal(ctx, llb.Platform(arm64)); err != nil {
					b.Fatal(err)
				}
			}
			ours[shape.name] = perOp(b)
		})
		b.Run(shape.name+"/securefile+parse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f, diags := grammar.Load("Securefile", []byte(sf), grammar.DSL)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				res, err := Lower(ctx, f, o)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.State.Marshal(ctx, llb.Platform(arm64)); err != nil {
					b.Fatal(err)
				}
			}
			ours[shape.name+"+parse"] = perOp(b)
		})
		b.Run(shape.name+"/dockerfile2llb", func(b *testing.B) {
			p := arm64
			b.ReportAllocs()
			for b.Loop() {
				main := llb.Local("context")
				res, err := dockerfile2llb.Dockerfile2LLB(ctx, []byte(df), dockerfile2llb.ConvertOpt{
					MainContext:    &main,
					TargetPlatform: &p,
					MetaResolver:   &fakeResolver{noRecord: true},
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.State.Marshal(ctx, llb.Platform(arm64)); err != nil {
					b.Fatal(err)
				}
			}
			theirs := perOp(b)
			if v := ours[shape.name+"+parse"]; v > 0 {
				b.ReportMetric(theirs/v, "x_slower")
			}
			if v := ours[shape.name]; v > 0 {
				b.ReportMetric(theirs/v, "x_slower_lower")
			}
			if v, w := ours[shape.name], ours[shape.name+"+parse"]; v > 0 && w > 0 {
				b.Logf("%s: dockerfile2llb %.1f ms/op, securefile %.2f ms/op (%.0fx), securefile+parse %.2f ms/op (%.0fx)",
					shape.name, theirs/1e6, v/1e6, theirs/v, w/1e6, theirs/w)
			}
		})
	}
}

func perOp(b *testing.B) float64 {
	if b.N == 0 {
		return 0
	}
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

// BenchmarkMarshalDefinition compares MarshalDefinition with what it
// replaces in `securefile llb`, protobuf's deterministic marshal of
// def.ToPB(), on the definition of a stage of 8,000 steps with a source
// map (a location per op).
func BenchmarkMarshalDefinition(b *testing.B) {
	ctx := context.Background()
	src := genLinear(8000, false)
	o := opts()
	o.SourceMap = llb.NewSourceMap(nil, "Securefile", "", []byte(src))
	res, err := Lower(ctx, load(b, src), o)
	if err != nil {
		b.Fatal(err)
	}
	def, err := res.State.Marshal(ctx, llb.Platform(arm64))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("linear-8000/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := MarshalDefinition(def); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("linear-8000/protobuf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := protobufMarshal(def); err != nil {
				b.Fatal(err)
			}
		}
	})
}
