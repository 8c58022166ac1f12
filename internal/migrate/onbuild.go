package migrate

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/ourorg/securefile/spec"
)

// ONBUILD. A Dockerfile stage built on another stage of the same file runs
// that stage's ONBUILD triggers first (dockerfile2llb's
// initOnBuildTriggers: the parent's ONBUILD instructions, not the ones it
// inherited, parsed again and put before the stage's own instructions).
// The conversion does the same: the triggers become the first steps of the
// stage built on it. What a Securefile cannot say is the image config's
// OnBuild: an image it builds carries no triggers for a later build FROM
// it. That matters for the image the file builds (its last stage), so it
// is a change there; a trigger of another stage reaches an image only
// through a --target build of that stage, which a note says.

// trigger is one ONBUILD instruction of a stage.
type trigger struct {
	line int
	expr string
}

// addTrigger records the ONBUILD x of stage s.
func (c *conv) addTrigger(s *spec.Stage, x *instructions.OnbuildCommand, line int) {
	c.triggers[s.Name.V] = append(c.triggers[s.Name.V], trigger{line: line, expr: x.Expression})
}

// runTriggers converts the ONBUILD triggers of parent as the first steps of
// s, which is built on it.
func (c *conv) runTriggers(s *spec.Stage, sc *scope, parent string) error {
	for _, t := range c.triggers[parent] {
		cmd, flags, err := parseTrigger(t)
		c.flags[t.line] = flags
		if err != nil {
			return &ParseError{Line: t.line, Err: fmt.Errorf("ONBUILD %s: %w", t.expr, err)}
		}
		c.note(t.line, "ONBUILD %s: converted as a step at the start of stage %s, which is built on stage %s, where the Dockerfile frontend runs it", firstLine(t.expr), s.Name.V, parent)
		if a, ok := cmd.(*instructions.ArgCommand); ok {
			c.declare(a)
		}
		if err := c.command(s, sc, cmd); err != nil {
			return err
		}
	}
	c.inherited[parent] = true
	return nil
}

// parseTrigger parses a trigger as dockerfile2llb does: on its own, with
// the default escape character (a trigger is stored in the image config
// without the Dockerfile's escape directive). The lines are those of the
// ONBUILD, so that what its conversion finds is reported at that line.
func parseTrigger(t trigger) (instructions.Command, []string, error) {
	src := strings.Repeat("\n", max(t.line-1, 0)) + t.expr
	res, err := parser.Parse(strings.NewReader(src))
	if err != nil {
		return nil, nil, err
	}
	if len(res.AST.Children) != 1 {
		return nil, nil, fmt.Errorf("an ONBUILD trigger is a single instruction")
	}
	n := res.AST.Children[0]
	cmd, err := instructions.ParseCommand(n)
	return cmd, n.Flags, err
}

// triggerFindings reports, once every stage is converted, what the image
// config of each stage with ONBUILD loses.
func (c *conv) triggerFindings() {
	for _, s := range c.f.Stages {
		for _, t := range c.triggers[s.Name.V] {
			expr := firstLine(t.expr)
			switch {
			case s.Kind == spec.KindImage:
				c.changed(t.line, "ONBUILD %s: a Securefile image carries no ONBUILD triggers, so the image of %s does not have it in its config (OnBuild): a build FROM that image does not run it", expr, s.Name.V)
			case c.inherited[s.Name.V]:
				c.note(t.line, "ONBUILD %s: a Securefile image carries no ONBUILD triggers; only an image built with --target %s would have had it in its config", expr, s.Name.V)
			default:
				c.note(t.line, "ONBUILD %s: no stage is built on stage %s, so the trigger does nothing in this build (a Securefile image carries no ONBUILD triggers; only an image built with --target %s would have had it); dropped", expr, s.Name.V, s.Name.V)
			}
		}
	}
}

// firstLine is s up to its first newline (a trigger with a heredoc).
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// imageTriggers notes, once per image, that a Securefile build does not run
// the ONBUILD triggers a base image's config may hold: the Dockerfile
// frontend runs them first in the stage, and the conversion cannot see the
// image to know whether it has any.
func (c *conv) imageTriggers(image string, line int) {
	if c.imagesSeen[image] {
		return
	}
	c.imagesSeen[image] = true
	c.note(line, "FROM %s: a Securefile build does not run the ONBUILD triggers of a base image's config, which the Dockerfile frontend runs first in the stage; if the image has any (docker image inspect -f '{{.Config.OnBuild}}'), write them as the stage's first steps", image)
}
