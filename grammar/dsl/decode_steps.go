package dsl

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// Steps are decoded from their kind (spec.StepKinds): the verb picks the
// kind, the kind's main shape says what the words of the line are, and
// its keys what its block holds. Only run's block, which holds mount
// statements, has code of its own (stepBodies).

// stepBodies decode the blocks of the kinds whose block holds statements
// (keys marked DSLStatement), not only NAME = value settings.
var stepBodies = map[string]func(d *decoder, st spec.Step, it *item){
	"run": func(d *decoder, st spec.Step, it *item) {
		b := it.block
		r, ok := st.(*spec.Run)
		if !ok {
			d.internal(b.rng, "the block of a %T is decoded as a run block", st)
			return
		}
		d.runBody(r, b)
	},
	"file": func(d *decoder, st spec.Step, it *item) {
		f, ok := st.(*spec.Inline)
		if !ok {
			d.internal(it.rng, "the block of a %T is decoded as a file block", st)
			return
		}
		d.fileBody(f, it)
	},
}

// stepSyntax is what the decoder derives from a kind once.
type stepSyntax struct {
	kind *spec.StepKind
	what string // "copy step", in messages
	// blockKeys are the keys its block holds as NAME = value: the kind's
	// keys but those the line already says and the statements.
	blockKeys []spec.Key
	// lineSets reports that the line sets options (from, to).
	lineSets bool
}

var stepSyntaxes = func() map[string]*stepSyntax {
	out := map[string]*stepSyntax{}
	for _, k := range spec.StepKinds {
		ss := &stepSyntax{kind: k, what: k.Verb + " step", lineSets: len(k.Main.LineKeys()) > 0}
		for _, key := range withoutKeys(k.Keys, k.Main.LineKeys()...) {
			if !key.DSLStatement {
				ss.blockKeys = append(ss.blockKeys, key)
			}
		}
		out[k.Verb] = ss
	}
	return out
}()

// stepForm is the shape of a step of the kind, for hints.
func stepForm(k *spec.StepKind) string {
	v := k.Verb
	switch k.Main {
	case spec.MainString:
		return fmt.Sprintf("%s %q", v, k.Placeholder)
	case spec.MainCommand:
		return v + ` "COMMAND" or ` + v + ` ["PROGRAM", "ARG"]`
	case spec.MainPaths:
		if _, ok := spec.Lookup(k.Keys, "from"); ok {
			return v + ` "SRC"... to "DEST" or ` + v + ` "SRC"... from SOURCE to "DEST"`
		}
		return v + ` "SRC"... to "DEST"`
	case spec.MainRemote:
		return v + ` "URL" to "DEST" or ` + v + ` git "URL" to "DEST"`
	case spec.MainVars:
		return v + ` NAME = "value", NAME2 = "value2"`
	}
	panic(fmt.Sprintf("dsl: step %q has main shape %v, which the DSL does not write", v, k.Main))
}

// stepShape explains the line of a step whose main value is followed by
// "to", for the message about a missing destination.
func stepShape(k *spec.StepKind) string {
	step := article(k.Verb) + " " + k.Verb + " step"
	switch k.Main {
	case spec.MainPaths:
		if _, ok := spec.Lookup(k.Keys, "from"); ok {
			return step + ` names its source paths, then optionally "from SOURCE", then "to" and the destination.`
		}
		return step + ` names its source paths, then "to" and the destination.`
	case spec.MainRemote:
		return step + ` names its URL, then "to" and the destination.`
	}
	return ""
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "An"
	}
	return "A"
}

// stepList lists the verbs for messages: "run, copy, add, workdir, env
// and user".
var stepList = func() string {
	vs := spec.StepVerbs
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}()

// step decodes one step of a stage, or reports why it is none.
func (d *decoder) step(it *item, verb string) spec.Step {
	ss, ok := stepSyntaxes[verb]
	if !ok {
		d.notAStep(it, verb)
		return nil
	}
	kind := ss.kind
	body := stepBodies[verb]
	takesBlock := len(ss.blockKeys) > 0 || body != nil
	st := kind.New()
	// A step that takes no block and whose line is one string reports
	// its block even when the string is missing.
	early := kind.Main == spec.MainString && !takesBlock
	if early {
		d.noBlock(it, forms[verb])
	}
	// The options are bound when the line or a block of settings sets
	// them; a body binds what it sets itself.
	var fs []spec.Field
	if ss.lineSets || it.block != nil && body == nil && takesBlock {
		fs = kind.AppendFields(d.stepBuf[:0], st)
		d.stepBuf = fs
	}
	if !d.mainValue(it, kind, st, fs) {
		return nil
	}
	st.NodeInfo().Range = it.rng
	switch {
	case body != nil:
		// run's body reads its block; file's also reports its missing
		// content when it has none.
		if it.block != nil || verb == "file" {
			body(d, st, it)
		}
	case takesBlock:
		f := d.fields(ss.what, ss.blockKeys)
		if it.block != nil {
			f.block(it.block, d.setter(fs))
		}
		// A kind whose block holds a required key (a file step's
		// content) needs its block; the message reads as TOML's.
		f.what = strings.ToLower(article(verb)) + " " + ss.what
		f.missing(tokenRange(*it.name), it.block)
	case !early:
		d.noBlock(it, forms[verb])
	}
	return st
}

// notAStep reports a statement in a stage that is no step.
func (d *decoder) notAStep(it *item, verb string) {
	if d.misplacedArg(it, false) || d.misplacedDecl(it) {
		return
	}
	if _, ok := spec.Lookup(spec.StageKeys, verb); ok {
		d.diags = append(d.diags, expectedEquals(it))
		return
	}
	d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
		"The steps of a stage are "+stepList+"; its settings are written NAME = value.",
		spec.DidYouMean(verb, stepNames), "unknown step %q", verb))
}

// internal reports a model that disagrees with the step table: a
// programming error, reported rather than skipped.
func (d *decoder) internal(r spec.Range, format string, args ...any) {
	d.diags = append(d.diags, spec.Errorf(r, "internal",
		"This is a bug in securefile, not in the file: the description of a step kind and its model disagree.", "",
		format, args...))
}

// mainValue reads the words of a step's line into its main field and the
// options the line writes (from, to), bound in fs.
func (d *decoder) mainValue(it *item, kind *spec.StepKind, st spec.Step, fs []spec.Field) bool {
	verb, main := kind.Verb, kind.MainField(st)
	bad := func() bool {
		d.internal(tokenRange(*it.name), "the main field of a %s step is a %T, not what a %v value sets", verb, main, kind.Main)
		return false
	}
	switch kind.Main {
	case spec.MainString:
		p, ok := main.(*spec.Value[string])
		if !ok {
			return bad()
		}
		*p, ok = d.oneString(it, verb)
		return ok
	case spec.MainCommand:
		p, ok := main.(*spec.Command)
		if !ok {
			return bad()
		}
		return d.commandLine(it, verb, p)
	case spec.MainVars:
		p, ok := main.(*[]*spec.KeyValue)
		if !ok {
			return bad()
		}
		*p, ok = d.envVars(it, forms[verb])
		return ok
	case spec.MainPaths:
		p, ok := main.(*spec.List[string])
		if !ok {
			return bad()
		}
		paths, ok := d.lineTo(it, kind, it.words, true, fs)
		if !ok {
			return false
		}
		*p = spec.List[string]{Set: true, Range: spec.Cover(paths[0].rng(), paths[len(paths)-1].rng())}
		for _, w := range paths {
			p.Items = append(p.Items, spec.At(stringValue(*w.tok), w.rng()))
		}
		return true
	case spec.MainRemote:
		a, ok := main.(*spec.Add)
		if !ok {
			return bad()
		}
		ws, git := it.words, false
		if len(ws) > 0 && ws[0].isIdent("git") {
			ws, git = ws[1:], true
		}
		paths, ok := d.lineTo(it, kind, ws, false, fs)
		if !ok {
			return false
		}
		if git {
			a.Kind = spec.AddGit
		}
		a.URL = spec.At(stringValue(*paths[0].tok), paths[0].rng())
		return true
	}
	d.internal(tokenRange(*it.name), "the DSL does not read a %v value (step %q)", kind.Main, verb)
	return false
}

// lineTo reads "VALUE"... [from SOURCE] to "DEST" into the step's from and
// to options, bound in fs; from is refused when the kind has none.
func (d *decoder) lineTo(it *item, kind *spec.StepKind, ws []*value, many bool, fs []spec.Field) ([]*value, bool) {
	verb := kind.Verb
	paths, from, dest, ok := d.pathsTo(it, verb, ws, many)
	if !ok {
		return nil, false
	}
	to, ok := spec.FieldPtr(fs, "to").(*spec.Value[string])
	if !ok {
		d.internal(tokenRange(*it.name), "a %s step has no string option \"to\"", verb)
		return nil, false
	}
	if from.Set {
		fp := spec.FieldPtr(fs, "from")
		if fp == nil {
			d.syntax(from.Range, forms[verb], `%q takes no "from"`, verb)
			return nil, false
		}
		src, ok := fp.(*spec.Source)
		if !ok {
			d.internal(from.Range, "the option \"from\" of a %s step is a %T, not a source", verb, fp)
			return nil, false
		}
		*src = from
	}
	*to = dest
	return paths, true
}

// oneString reads "VERB STRING".
func (d *decoder) oneString(it *item, verb string) (spec.Value[string], bool) {
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

// envVars reads NAME = "value" [, NAME = "value"]...; form is the shape of
// the statement, for hints.
func (d *decoder) envVars(it *item, form string) ([]*spec.KeyValue, bool) {
	ws := it.words
	var vars []*spec.KeyValue
	after := it.name.Value
	for {
		if len(ws) == 0 {
			d.syntax(lastEnd(it), form, "expected a variable name after %q", after)
			return nil, false
		}
		k := ws[0]
		if !k.isIdent() && !k.isString() {
			d.syntax(k.rng(), form, "expected a variable name, found %s", describeValue(k))
			return nil, false
		}
		name := mapKey(*k.tok)
		if len(ws) < 2 || !ws[1].isPunct("=") {
			r := k.rng()
			r.Start = r.End
			if len(ws) > 1 {
				r = ws[1].rng()
			}
			d.syntax(r, form, "expected \"=\" after %q", name)
			return nil, false
		}
		if len(ws) < 3 {
			d.syntax(lastEnd(it), form, `expected a value after "="`)
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

// shapes explain the lines that end in "to": of the steps that write one
// (from their kinds) and of bind.
var shapes = func() map[string]string {
	out := map[string]string{
		"bind": `A bind mount names a path, then optionally "from SOURCE", then "to" and where to mount it.`,
	}
	for _, k := range spec.StepKinds {
		if s := stepShape(k); s != "" {
			out[k.Verb] = s
		}
	}
	return out
}()

// pathsTo reads the shape shared by copy, add and bind:
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
