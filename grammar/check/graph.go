package check

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// checkStageGraph reports dependency cycles between stages, one per
// reference that closes a cycle. There is no finding for a stage that no
// image uses: every stage can be built with --target, and a stage that
// nothing depends on is a target of its own (tests, linters, a dev image),
// not a mistake; and a warning there would fail every CI job that runs
// the check, which treats warnings as failures.
func (c *checker) checkStageGraph() {
	deps := map[*spec.Stage][]stageEdge{}
	for _, s := range c.f.Stages {
		if s != nil {
			deps[s] = c.stageEdges(s)
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[*spec.Stage]int{}
	onStack := map[*spec.Stage]int{} // position in path
	var path []*spec.Stage
	var via []string // via[i]: how path[i] depends on path[i+1]
	var visit func(s *spec.Stage)
	visit = func(s *spec.Stage) {
		color[s] = grey
		onStack[s] = len(path)
		path = append(path, s)
		for _, e := range deps[s] {
			switch color[e.to] {
			case white:
				via = append(via, e.via)
				visit(e.to)
				via = via[:len(via)-1]
			case grey:
				c.cycle(path[onStack[e.to]:], append(via[onStack[e.to]:len(via):len(via)], e.via), e)
			}
		}
		path = path[:len(path)-1]
		color[s] = black
	}
	for _, s := range c.f.Stages {
		if s != nil && color[s] == white {
			visit(s)
		}
	}
}

type stageEdge struct {
	to  *spec.Stage
	r   spec.Range // the reference
	via string     // "based on", "copy from", "bind from", `cache "x"`
}

// stageEdges are the references of s to stages of the file
// (spec.StageDeps) that the checks of the references let through: a
// reference by an empty name, or a cache the step mounts twice, is
// reported by those checks, and is no edge. The caches of a run step come
// before its binds, the order of the step's checks, so that a cycle is
// reported where it always was.
func (c *checker) stageEdges(s *spec.Stage) []stageEdge {
	sfb := or(s.Range, c.f.Range)
	deps, err := spec.StageDeps(c.f, s)
	var us *spec.UnknownStepError
	var usrc *spec.UnknownSourceError
	switch {
	case errors.As(err, &us):
		c.unknownStep(us.Step, sfb)
	case errors.As(err, &usrc):
		c.unknownSource(usrc.Source, sfb)
	}
	var out, binds []stageEdge
	var step spec.Step
	var caches []string // the names of the caches of step seen so far
	for _, d := range deps {
		if d.Step != step {
			out, binds, caches, step = append(out, binds...), nil, nil, d.Step
		}
		if !d.IsStage() {
			continue
		}
		name := d.Source.Name.V
		to := c.stages[name]
		e := stageEdge{to: to, r: or(d.Range, sfb)}
		switch d.Kind {
		case spec.DepBase:
			e.via = "based on"
		case spec.DepCopy:
			e.via = "copy from"
		case spec.DepBind:
			e.via = "bind from"
		case spec.DepCache:
			ref := d.CacheRef.V
			if ref == "" || slices.Contains(caches, ref) {
				continue
			}
			caches = append(caches, ref)
			e.via = fmt.Sprintf("cache %q", ref)
		}
		if to == nil || name == "" && d.Kind != spec.DepCache {
			continue
		}
		if d.Kind == spec.DepBind {
			binds = append(binds, e)
		} else {
			out = append(out, e)
		}
	}
	return append(out, binds...)
}

// cycle reports the cycle path[0] → … → path[n-1] → path[0]; vias[i] says
// how path[i] uses the next one, and e is the reference that closes it.
func (c *checker) cycle(path []*spec.Stage, vias []string, e stageEdge) {
	if len(path) == 1 {
		s := path[0]
		c.errorf(e.r, "stage-cycle",
			fmt.Sprintf("%s %q uses itself (%s), but its result does not exist until it is built.", capitalize(s.Kind.String()), s.Name.V, e.via),
			"use an earlier stage, or split the stage in two", "%s %q depends on itself", s.Kind, s.Name.V)
		return
	}
	names := make([]string, 0, len(path)+1)
	var steps []string
	for i, s := range path {
		names = append(names, s.Name.V)
		next := path[(i+1)%len(path)]
		steps = append(steps, fmt.Sprintf("%q uses %q (%s)", s.Name.V, next.Name.V, vias[i]))
	}
	names = append(names, path[0].Name.V)
	// A cycle through thousands of stages is shown by its first links.
	if len(steps) > maxQuoted {
		steps = append(steps[:maxQuoted], fmt.Sprintf("and %d more links", len(path)-maxQuoted))
		names = append(names[:maxQuoted], "…", path[0].Name.V)
	}
	c.errorf(e.r, "stage-cycle",
		fmt.Sprintf("Each stage is built before the stages that use it, so stages cannot use each other in a circle: %s.", strings.Join(steps, ", ")),
		"remove one of the references in the cycle", "dependency cycle %s", strings.Join(names, " → "))
}

// checkArgCycles reports args whose defaults refer to themselves, directly
// or through other args.
func (c *checker) checkArgCycles() {
	const (
		white = iota
		grey
		black
	)
	color := map[*spec.Arg]int{}
	onStack := map[*spec.Arg]int{}
	var path []*spec.Arg
	var visit func(a *spec.Arg)
	visit = func(a *spec.Arg) {
		color[a] = grey
		onStack[a] = len(path)
		path = append(path, a)
		for _, e := range c.argEdges[a] {
			switch color[e.to] {
			case white:
				visit(e.to)
			case grey:
				cyc := path[onStack[e.to]:]
				if len(cyc) == 1 {
					c.errorf(e.r, "arg-cycle",
						fmt.Sprintf("The default of arg %q uses ${%s}, its own value, which is not known until the default is.", a.Name.V, a.Name.V),
						"use another arg, or write the value", "arg %q refers to itself", a.Name.V)
					continue
				}
				names := make([]string, 0, len(cyc)+1)
				for _, x := range cyc {
					names = append(names, x.Name.V)
				}
				names = append(names, e.to.Name.V)
				c.errorf(e.r, "arg-cycle",
					fmt.Sprintf("The defaults of args %s refer to each other in a circle, so none of them has a value.", quoteList(names[:len(names)-1])),
					"break the cycle: at least one of them must have a default that does not use the others", "arg cycle %s", strings.Join(names, " → "))
			}
		}
		path = path[:len(path)-1]
		color[a] = black
	}
	for _, a := range c.f.Args {
		if a != nil && c.args[a.Name.V] == a && color[a] == white {
			visit(a)
		}
	}
}

func (c *checker) checkUnused() {
	for _, a := range c.f.Args {
		if a == nil || c.args[a.Name.V] != a || !interp.IsName(a.Name.V) || c.used[use{"arg", a.Name.V}] {
			continue
		}
		c.warnf(or(a.Name.Range, a.Range, c.f.Range), "unused-arg",
			fmt.Sprintf("Arg %q is declared, but no string uses ${%s}, so setting it with --build-arg changes nothing.", a.Name.V, a.Name.V),
			fmt.Sprintf("remove it, or use ${%s} where it is needed", a.Name.V), "unused arg %q", a.Name.V)
	}
	for _, s := range c.f.Secrets {
		if s == nil || c.secrets[s.Name.V] != s || !isDeclName(s.Name.V) || c.used[use{"secret", s.Name.V}] {
			continue
		}
		c.warnf(or(s.Name.Range, s.Range, c.f.Range), "unused-secret",
			fmt.Sprintf("Secret %q is declared, but no run step mounts it.", s.Name.V),
			"mount it in the run step that needs it, or remove the declaration", "unused secret %q", s.Name.V)
	}
	for i, s := range c.f.SSH {
		if s == nil || c.ssh[s.Name.V] != i || !isDeclName(s.Name.V) || c.used[use{"ssh", s.Name.V}] {
			continue
		}
		c.warnf(or(s.Name.Range, s.Range, c.f.Range), "unused-ssh",
			fmt.Sprintf("SSH agent %q is declared, but no run step forwards it.", s.Name.V),
			"forward it in the run step that needs it, or remove the declaration", "unused ssh %q", s.Name.V)
	}
	for _, cc := range c.f.Caches {
		if cc == nil || c.caches[cc.Name.V] != cc || !isDeclName(cc.Name.V) || c.used[use{"cache", cc.Name.V}] {
			continue
		}
		c.warnf(or(cc.Name.Range, cc.Range, c.f.Range), "unused-cache",
			fmt.Sprintf("Cache %q is declared, but no run step mounts it.", cc.Name.V),
			"mount it in the run steps that need it, or remove the declaration", "unused cache %q", cc.Name.V)
	}
}
