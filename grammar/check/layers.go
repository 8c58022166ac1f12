package check

import (
	"fmt"

	"github.com/ourorg/securefile/spec"
)

// maxLayers is how many layers an image may have before overlayfs cannot
// stack them: the kernel mounts at most 500 lower directories
// (OVL_MAX_STACK), and a step runs on all the layers below it. A margin is
// left for the base image's own layers, which the checker cannot count:
// past this, a build fails late (BuildKit reports a mount error thousands
// of lines long) at about the 490th layer.
const maxLayers = 400

// layers warns when an image's chain — its steps that write the
// filesystem and those of the stages it is based on — has more layers
// than overlayfs stacks. Copies from other stages count once each: they
// are one layer of this image.
func (c *checker) layers() {
	memo := map[*spec.Stage]int{}
	var count func(s *spec.Stage, seen map[*spec.Stage]bool) int
	count = func(s *spec.Stage, seen map[*spec.Stage]bool) int {
		if n, ok := memo[s]; ok {
			return n
		}
		if seen[s] {
			return 0 // a cycle, reported elsewhere
		}
		seen[s] = true
		n := 0
		if s.From.Set && s.From.Kind == spec.SourceStage {
			if base := c.stages[s.From.Name.V]; base != nil {
				n = count(base, seen)
			}
		}
		for _, st := range s.Steps {
			k, ok := spec.KindOf(st)
			switch {
			case !ok:
				c.unknownStep(st, or(s.Range, c.f.Range))
			case !k.ConfigOnly:
				n++ // env and user change the image config only
			}
		}
		memo[s] = n
		return n
	}
	for _, s := range c.f.Stages {
		if s == nil || s.Kind != spec.KindImage {
			continue
		}
		if n := count(s, map[*spec.Stage]bool{}); n > maxLayers {
			c.warnf(or(s.Name.Range, s.Range, c.f.Range), "too-many-layers",
				fmt.Sprintf("Image %q has %d layers (steps that write its filesystem, with those of the stages it is based on), more than overlayfs can stack with the base image's: the build would fail near the 490th with a mount error.", s.Name.V, n),
				fmt.Sprintf("keep it under %d: merge run steps, copy the results of many stages from one stage that gathers them, or build in stages and copy the result once", maxLayers),
				"image %q has %d layers", s.Name.V, n)
		}
	}
}
