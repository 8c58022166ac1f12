package dsl

import (
	"fmt"

	"github.com/ourorg/securefile/spec"
)

// commandLine reads the line of a step whose main value is a command:
// VERB "COMMAND" or VERB ["PROGRAM", "ARG"].
func (d *decoder) commandLine(it *item, verb string, cmd *spec.Command) bool {
	if len(it.words) == 0 || !(it.words[0].isString() || it.words[0].kind == vList) {
		r := lastEnd(it)
		if len(it.words) > 0 {
			r = it.words[0].rng()
		}
		d.syntax(r, forms[verb], `expected a command after %q`, verb)
		return false
	}
	*cmd = d.command(it.words[0], verb)
	if !cmd.IsSet() {
		return false
	}
	d.extraWords(it.words[1:], verb, forms[verb])
	return true
}

// runWords are what a run block holds, for did-you-mean hints: its
// statements, then its settings, in key-table order.
var runWords = func() []string {
	var out []string
	for _, k := range spec.RunKeys {
		if k.DSLStatement {
			out = append(out, statementOf[k.Name])
		}
	}
	return append(out, spec.Names(runAttrKeys)...)
}()

// runBlockHolds says what a run block holds: a new setting of run is
// listed from the key table.
var runBlockHolds = "A run block holds the mounts secret, ssh, cache, bind and tmpfs, env, and the settings " + keyList(runAttrKeys) + "."

// runAttrKeys are the run keys written NAME = value in the DSL.
var runAttrKeys = stepSyntaxes["run"].blockKeys

// statementOf maps the TOML names of run mounts to their DSL statement.
var statementOf = map[string]string{
	"secret": "secret", "secrets": "secret", "ssh": "ssh", "cache": "cache", "caches": "cache",
	"bind": "bind", "binds": "bind", "tmpfs": "tmpfs", "env": "env",
}

// runBody decodes the statements and settings of a run block.
func (d *decoder) runBody(r *spec.Run, b *block) {
	f := d.fields("run step", runAttrKeys)
	var fs []spec.Field // bound when a setting is met: most run blocks hold mounts only
	for _, it := range b.items {
		name := it.name.Value
		if it.attr != nil {
			if form, ok := statementOf[name]; ok {
				d.diags = append(d.diags, syntaxErr(tokenRange(*it.name),
					fmt.Sprintf("Inside a run block, %s is a statement, written without \"=\".", name),
					"write: "+mountForms[form], "%q is not a setting", name))
				continue
			}
			if f.known(name, tokenRange(*it.name)) {
				if fs == nil {
					fs = spec.RunFields(r)
				}
				d.set(spec.FieldPtr(fs, name), it.attr, name)
			}
			continue
		}
		switch name {
		case "secret", "ssh", "cache":
			v, ok := d.mountName(it, name)
			if !ok {
				continue
			}
			switch name {
			case "secret":
				r.Secrets = append(r.Secrets, v)
			case "ssh":
				r.SSH = append(r.SSH, v)
			case "cache":
				r.Caches = append(r.Caches, v)
			}
		case "bind":
			if bd := d.bind(it); bd != nil {
				r.Binds = append(r.Binds, bd)
			}
		case "tmpfs":
			if t := d.tmpfs(it); t != nil {
				r.Tmpfs = append(r.Tmpfs, t)
			}
		case "env":
			if vars, ok := d.envVars(it, mountForms[name]); ok {
				d.noBlock(it, mountForms[name])
				r.Env = append(r.Env, vars...)
			}
		default:
			if d.misplacedArg(it, true) {
				continue
			}
			if _, ok := spec.Lookup(runAttrKeys, name); ok {
				d.diags = append(d.diags, expectedEquals(it))
				continue
			}
			d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
				runBlockHolds,
				spec.DidYouMean(name, runWords), "unknown statement %q in run block", name))
		}
	}
}

// mountName reads "secret NAME" (or ssh, cache) in a run block.
func (d *decoder) mountName(it *item, verb string) (spec.Value[string], bool) {
	form := mountForms[verb]
	d.noBlock(it, form)
	if len(it.words) == 0 || !it.words[0].isIdent() {
		r := lastEnd(it)
		if len(it.words) > 0 {
			r = it.words[0].rng()
			if it.words[0].isString() {
				form = verb + " " + stringValue(*it.words[0].tok)
			}
		}
		d.syntax(r, form, "expected the name of a %s after %q", verb, verb)
		return spec.Value[string]{}, false
	}
	d.extraWords(it.words[1:], verb, form)
	return spec.At(it.words[0].tok.Value, it.words[0].rng()), true
}

// bind decodes bind "PATH" [from SOURCE] to "TARGET" [{ rw = BOOL }].
func (d *decoder) bind(it *item) *spec.Bind {
	paths, from, target, ok := d.pathsTo(it, "bind", it.words, false)
	if !ok {
		return nil
	}
	b := &spec.Bind{Node: spec.Node{Range: it.rng}, From: from, Target: target,
		Path: spec.At(stringValue(*paths[0].tok), paths[0].rng())}
	attrBlock(d, it.block, "bind mount", bindBlockKeys, b, spec.BindFields)
	return b
}

// tmpfs decodes tmpfs "TARGET" [{ size = "SIZE" }].
func (d *decoder) tmpfs(it *item) *spec.Tmpfs {
	if len(it.words) == 0 || !it.words[0].isString() {
		r := lastEnd(it)
		if len(it.words) > 0 {
			r = it.words[0].rng()
		}
		d.syntax(r, forms["tmpfs"], `expected the target path after "tmpfs"`)
		return nil
	}
	d.extraWords(it.words[1:], "tmpfs", forms["tmpfs"])
	t := &spec.Tmpfs{Node: spec.Node{Range: it.rng}, Target: spec.At(stringValue(*it.words[0].tok), it.words[0].rng())}
	attrBlock(d, it.block, "tmpfs mount", tmpfsBlockKeys, t, spec.TmpfsFields)
	return t
}
