package check

import (
	"testing"

	"github.com/ourorg/securefile/spec"
)

// mkdirStep is a step kind the checker does not know, as one added to the
// model without its checks would be.
type mkdirStep struct {
	spec.Node
	Path spec.Value[string]
}

func (*mkdirStep) Verb() string { return "mkdir" }

func fileWithMkdir() (*spec.File, *mkdirStep) {
	st := &mkdirStep{Node: node(3, 3), Path: str(3, 9, "${netrc}")}
	f := &spec.File{
		Secrets: []*spec.Secret{secret(1, "netrc")},
		Stages:  []*spec.Stage{defaultImage(2, "app", scratch(2, 20), run(4, "true"), st)},
	}
	return f, st
}

// TestUnknownStepKindIsAnInternalError: a file with a step kind the checker
// does not know does not pass the check, whatever the step holds; the
// finding is at the step, once, however many passes meet it.
func TestUnknownStepKindIsAnInternalError(t *testing.T) {
	f, st := fileWithMkdir()
	var got []*spec.Diagnostic
	for _, d := range Check(f) {
		if d.Code == "internal" {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].Range != st.Range || got[0].Severity != spec.Error {
		t.Fatalf("internal findings = %v, want one error at %v", got, st.Range)
	}
}

// TestEveryPassFailsClosed runs each pass that switches on step kinds by
// itself on a file with an unknown kind: each must report it, none may
// skip it.
func TestEveryPassFailsClosed(t *testing.T) {
	passes := map[string]func(c *checker){
		"collect":              func(c *checker) { c.collect() },
		"checkStages":          func(c *checker) { c.checkStages() },
		"layers":               func(c *checker) { c.layers() },
		"checkStageGraph":      func(c *checker) { c.checkStageGraph() },
		"checkCredentialFiles": func(c *checker) { c.checkCredentialFiles() },
		"checkSecretValues":    func(c *checker) { c.checkSecretValues() },
		"checkSSHHosts":        func(c *checker) { c.checkSSHHosts() },
		"collectSuppressions":  func(c *checker) { c.collectSuppressions() },
	}
	for name, pass := range passes {
		t.Run(name, func(t *testing.T) {
			f, st := fileWithMkdir()
			c := &checker{}
			c.f, c.fileRange = f, span(1, 1, "x")
			c.used = map[use]bool{}
			c.argEdges = map[*spec.Arg][]argEdge{}
			c.argDefaults = map[string]argValue{}
			if name != "collect" {
				c.collect()
				c.diags, c.unknownSteps = nil, nil
			}
			pass(c)
			for _, d := range c.diags {
				if d.Code == "internal" && d.Range == st.Range {
					return
				}
			}
			t.Errorf("%s skipped the unknown step kind; diagnostics: %v", name, c.diags)
		})
	}
}

// TestUnknownSourceKindIsAnInternalError: a base, copy, bind or cache
// seed of a source kind the checker does not know fails the check, once
// per source, at it.
func TestUnknownSourceKindIsAnInternalError(t *testing.T) {
	odd := func(line int) spec.Source {
		return spec.Source{Node: node(line, 20), Set: true, Kind: spec.SourceScratch + 1, Name: str(line, 20, "x")}
	}
	cp := copyStep(4, "/x", "a")
	cp.From = odd(4)
	r := run(5, "true")
	r.Binds = []*spec.Bind{{Node: node(5, 9), From: odd(5), Target: str(5, 40, "/mnt")}}
	r.Caches = []spec.Value[string]{word(6, 9, "seeded")}
	seeded := cache(7, "seeded", "/c")
	seeded.From = odd(9)
	f := &spec.File{
		Caches: []*spec.Cache{seeded},
		Stages: []*spec.Stage{defaultImage(3, "app", odd(3), cp, r)},
	}
	lines := map[int32]int{}
	for _, d := range Check(f) {
		if d.Code == "internal" {
			lines[d.Range.Start.Line]++
		}
	}
	for _, l := range []int32{3, 4, 5, 9} {
		if lines[l] != 1 {
			t.Errorf("line %d: %d internal findings, want 1 (all: %v)", l, lines[l], lines)
		}
	}
}
