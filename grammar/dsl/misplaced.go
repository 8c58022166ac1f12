package dsl

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// Declarations written inside a stage or a run block. Spelling hints are
// wrong for them ("arg" is not a typo of "add"): the statement is right,
// its place is not, so the hint says where it goes.

// misplacedArg reports "arg NAME [= value]" inside a stage (in a run block
// when inRun), and whether it did.
func (d *decoder) misplacedArg(it *item, inRun bool) bool {
	if it.name.Value != "arg" {
		return false
	}
	where, what := "a stage", "a stage or image"
	if inRun {
		where, what = "a run block", "a step"
	}
	decl := forms["arg"]
	if ws := it.words; len(ws) > 0 && ws[0].isIdent() {
		decl = "arg " + ws[0].tok.Value
		if len(ws) > 2 && ws[1].isPunct("=") && ws[2].isString() {
			decl += " = " + quote(stringValue(*ws[2].tok))
		}
	}
	d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
		fmt.Sprintf("Args are declared at the top level of the file, outside every stage, and every stage and step can use them as ${NAME}; %s has no args of its own.", what),
		"move it to the top level of the file, above the stage: "+decl,
		"arg inside %s", where))
	return true
}

// misplacedDecl reports a secret, ssh or cache statement among the steps
// of a stage, and whether it did: with a block it is a declaration, which
// belongs at the top level; without one it is meant as a mount, which
// belongs in the block of a run step.
func (d *decoder) misplacedDecl(it *item) bool {
	kind := it.name.Value
	if kind != "secret" && kind != "ssh" && kind != "cache" {
		return false
	}
	name := "NAME"
	if ws := it.words; len(ws) > 0 && ws[0].isIdent() {
		name = ws[0].tok.Value
	}
	noun := map[string]string{"secret": "a secret", "ssh": "an ssh agent", "cache": "a cache"}[kind]
	if it.block != nil {
		d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
			fmt.Sprintf("%s is declared at the top level of the file, outside every stage, and mounted by name in the run steps that need it.", capitalize(noun)),
			fmt.Sprintf("move the declaration to the top level of the file, above the stage, and mount it in a run step: run \"…\" { %s %s }", kind, name),
			"%s declared inside a stage", kind))
		return true
	}
	d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
		fmt.Sprintf("%s is mounted only for the run step that needs it, inside that step's block; a stage has no mounts of its own.", capitalize(noun)),
		fmt.Sprintf("write it in the block of the run step that needs it: run \"…\" { %s %s } (the declaration, %s, stays at the top level of the file)", kind, name, declForm(kind, name)),
		"%s mount outside a run block", kind))
	return true
}

// misplacedArgSetting reports "arg = …" or "args = …" among the settings
// of a stage, and whether it did.
func (d *decoder) misplacedArgSetting(it *item) bool {
	if n := it.name.Value; n != "arg" && n != "args" {
		return false
	}
	d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-key",
		"Args are declared at the top level of the file, outside every stage, and every stage can use them as ${NAME}; a stage or image has no args of its own.",
		"move them to the top level of the file, above the stage, one per line: "+forms["arg"],
		"%q is not a setting of a stage", it.name.Value))
	return true
}

func declForm(kind, name string) string {
	if kind == "cache" {
		return fmt.Sprintf(`cache %s { target = "/path" }`, name)
	}
	return fmt.Sprintf("%s %s { … }", kind, name)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
