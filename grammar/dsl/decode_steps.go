package dsl

import (
	"github.com/ourorg/securefile/spec"
)

// step decodes one step of a stage, or reports why it is none.
func (d *decoder) step(it *item, verb string) spec.Step {
	switch verb {
	case "run":
		return d.run(it)
	case "copy":
		return d.copyStep(it)
	case "add":
		return d.add(it)
	case "workdir":
		if s, ok := d.oneString(it, verb); ok {
			return &spec.Workdir{Node: spec.Node{Range: it.rng}, Path: s}
		}
	case "user":
		if s, ok := d.oneString(it, verb); ok {
			return &spec.User{Node: spec.Node{Range: it.rng}, User: s}
		}
	case "env":
		if vars, ok := d.envVars(it); ok {
			d.noBlock(it, forms[verb])
			return &spec.Env{Node: spec.Node{Range: it.rng}, Vars: vars}
		}
	default:
		if d.misplacedArg(it, false) || d.misplacedDecl(it) {
			return nil
		}
		if _, ok := spec.Lookup(spec.StageKeys, verb); ok {
			d.diags = append(d.diags, expectedEquals(it))
			return nil
		}
		d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
			"The steps of a stage are run, copy, add, workdir, env and user; its settings are written NAME = value.",
			spec.DidYouMean(verb, stepNames), "unknown step %q", verb))
	}
	return nil
}

// oneString reads "VERB STRING".
func (d *decoder) oneString(it *item, verb string) (spec.Value[string], bool) {
	d.noBlock(it, forms[verb])
	if len(it.words) == 0 || !it.words[0].isString() {
		r := lastEnd(it)
		if len(it.words) > 0 {
			r = it.words[0].rng()
		}
		d.syntax(r, forms[verb], "expected a string after %q", verb)
		return spec.Value[string]{}, false
	}
	d.extraWords(it.words[1:], verb, forms[verb])
	return spec.At(stringValue(*it.words[0].tok), it.words[0].rng()), true
}

// envVars reads NAME = "value" [, NAME = "value"]...
func (d *decoder) envVars(it *item) ([]*spec.KeyValue, bool) {
	ws := it.words
	var vars []*spec.KeyValue
	after := it.name.Value
	for {
		if len(ws) == 0 {
			d.syntax(lastEnd(it), forms["env"], "expected a variable name after %q", after)
			return nil, false
		}
		k := ws[0]
		if !k.isIdent() && !k.isString() {
			d.syntax(k.rng(), forms["env"], "expected a variable name, found %s", describeValue(k))
			return nil, false
		}
		name := mapKey(*k.tok)
		if len(ws) < 2 || !ws[1].isPunct("=") {
			r := k.rng()
			r.Start = r.End
			if len(ws) > 1 {
				r = ws[1].rng()
			}
			d.syntax(r, forms["env"], "expected \"=\" after %q", name)
			return nil, false
		}
		if len(ws) < 3 {
			d.syntax(lastEnd(it), forms["env"], `expected a value after "="`)
			return nil, false
		}
		v := d.str(ws[2], name)
		if !v.Set {
			return nil, false
		}
		vars = append(vars, &spec.KeyValue{
			Node:  spec.Node{Range: spec.Cover(k.rng(), ws[2].rng())},
			Key:   spec.At(name, k.rng()),
			Value: v,
		})
		ws = ws[3:]
		if len(ws) == 0 {
			return vars, true
		}
		if !ws[0].isPunct(",") {
			d.diags = append(d.diags, syntaxErr(ws[0].rng(), "", `separate variables with ","`,
				"unexpected %s after the value of %q", describeValue(ws[0]), name))
			return nil, false
		}
		ws, after = ws[1:], ","
	}
}

var shapes = map[string]string{
	"copy": `A copy step names its source paths, then optionally "from SOURCE", then "to" and the destination.`,
	"add":  `An add step names its URL, then "to" and the destination.`,
	"bind": `A bind mount names a path, then optionally "from SOURCE", then "to" and where to mount it.`,
}

// pathsTo reads the shape shared by copy and bind:
// "PATH"... [from SOURCE] to "DEST". many allows more than one path.
func (d *decoder) pathsTo(it *item, verb string, ws []*value, many bool) (paths []*value, from spec.Source, dest spec.Value[string], ok bool) {
	form := forms[verb]
	for len(ws) > 0 && ws[0].isString() && (many || len(paths) == 0) {
		paths, ws = append(paths, ws[0]), ws[1:]
	}
	if len(paths) == 0 {
		r := lastEnd(it)
		if len(ws) > 0 {
			r = ws[0].rng()
		}
		d.syntax(r, form, "expected a path after %q", verb)
		return nil, from, dest, false
	}
	if len(ws) > 0 && ws[0].isIdent("from") {
		src, rest, ok := d.sourceWords(ws[0], ws[1:], false)
		if !ok {
			return nil, from, dest, false
		}
		from, ws = src, rest
	}
	switch {
	case len(ws) == 0:
		what := "destination"
		if verb == "bind" {
			what = "mount target"
		}
		d.diags = append(d.diags, syntaxErr(tokenRange(*it.name), shapes[verb],
			"write: "+form, "%s is missing \"to\" and the %s", verb, what))
		return nil, from, dest, false
	case !ws[0].isIdent("to"):
		d.syntax(ws[0].rng(), form, `expected "to" or "from", found %s`, describeValue(ws[0]))
		return nil, from, dest, false
	case len(ws) == 1 || !ws[1].isString():
		r := ws[0].rng()
		r.Start = r.End
		if len(ws) > 1 {
			r = ws[1].rng()
		}
		d.syntax(r, form, `expected a path after "to"`)
		return nil, from, dest, false
	}
	d.extraWords(ws[2:], verb, form)
	return paths, from, spec.At(stringValue(*ws[1].tok), ws[1].rng()), true
}

func (d *decoder) copyStep(it *item) spec.Step {
	paths, from, dest, ok := d.pathsTo(it, "copy", it.words, true)
	if !ok {
		return nil
	}
	c := &spec.Copy{Node: spec.Node{Range: it.rng}, From: from, Dest: dest}
	c.Sources = spec.List[string]{Set: true, Range: spec.Cover(paths[0].rng(), paths[len(paths)-1].rng())}
	for _, p := range paths {
		c.Sources.Items = append(c.Sources.Items, spec.At(stringValue(*p.tok), p.rng()))
	}
	attrBlock(d, it.block, "copy step", copyBlockKeys, c, spec.CopyFields)
	return c
}

func (d *decoder) add(it *item) spec.Step {
	a := &spec.Add{Node: spec.Node{Range: it.rng}}
	ws := it.words
	if len(ws) > 0 && ws[0].isIdent("git") {
		a.Kind, ws = spec.AddGit, ws[1:]
	}
	paths, from, dest, ok := d.pathsTo(it, "add", ws, false)
	if !ok {
		return nil
	}
	if from.Set {
		d.syntax(from.Range, forms["add"], `"add" takes no "from"`)
		return nil
	}
	a.URL, a.Dest = spec.At(stringValue(*paths[0].tok), paths[0].rng()), dest
	attrBlock(d, it.block, "add step", addBlockKeys, a, spec.AddFields)
	return a
}
