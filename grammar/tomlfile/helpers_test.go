package tomlfile

import (
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ourorg/securefile/spec"
)

// ignoreRanges compares models without positions.
var ignoreRanges = cmpopts.IgnoreTypes(spec.Range{}, []spec.Range(nil))

// Shorthands for expected models.

func sv(v string) spec.Value[string] { return spec.Of(v) }

func names(vs ...string) []spec.Value[string] { return spec.ListOf(vs...).Items }

func kv(k, v string) *spec.KeyValue { return &spec.KeyValue{Key: sv(k), Value: sv(v)} }

func image(name string) spec.Source {
	return spec.Source{Set: true, Kind: spec.SourceImage, Name: sv(name)}
}

func stageSrc(name string) spec.Source {
	return spec.Source{Set: true, Kind: spec.SourceStage, Name: sv(name)}
}

func contextSrc(name string) spec.Source {
	return spec.Source{Set: true, Kind: spec.SourceNamedContext, Name: sv(name)}
}

var scratch = spec.Source{Set: true, Kind: spec.SourceScratch}

func shell(s string) spec.Command { return spec.Command{Shell: sv(s)} }

func exec(vs ...string) spec.Command { return spec.Command{Exec: spec.ListOf(vs...)} }

// build wraps steps in `stage build from "x"`, as the docs' step examples
// assume.
func build(steps ...spec.Step) *spec.File {
	return &spec.File{Stages: []*spec.Stage{{Kind: spec.KindStage, Name: sv("build"), From: image("x"), Steps: steps}}}
}

const buildHeader = "[stage.build]\nfrom = \"x\"\n\n"

func fuzzSeeds() []string {
	seeds := []string{
		"platforms = [\"linux/amd64\"]\n",
		"# syntax=x\n\n# c\n[args]\nA = \"1\" # e\n\n[secret.s]\nmode = \"0400\"\n",
		"a.b.c = 1\n[x.y]\nz = 2021-01-01 10:00:00\n",
	}
	for _, c := range parseCases {
		seeds = append(seeds, c.src)
	}
	for _, c := range diagCases {
		seeds = append(seeds, c.src)
	}
	return append(seeds, roundTripCases...)
}
