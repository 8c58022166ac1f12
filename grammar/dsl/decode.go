package dsl

import (
	"fmt"
	"strconv"

	"github.com/ourorg/securefile/spec"
)

// The decoder gives the generic items their meaning, following the DSL
// column of docs/language.md and the key tables of package spec. It checks
// syntax, shape, keys and types only; what the values mean is the
// checker's business.

type decoder struct {
	file  *spec.File
	diags spec.Diagnostics
	// anchors are the nodes comments can belong to, in source order.
	anchors []*anchor
	// platforms is where platforms was first set, for duplicates.
	platforms spec.Range
	// stepBuf holds the bindings of the step being decoded, reused from
	// step to step.
	stepBuf []spec.Field
}

// anchor is a node comments can attach to: the platforms setting, a
// declaration, a stage or a step (children of their stage).
type anchor struct {
	node     *spec.Node
	rng      spec.Range
	children []*anchor
}

// forms are the shapes of the statements, for hints: of the steps, from
// their kinds.
var forms = func() map[string]string {
	out := map[string]string{
		"arg":     `arg NAME = "default"`,
		"secret":  "secret NAME { … }",
		"ssh":     "ssh NAME { … }",
		"cache":   `cache NAME { target = "/path" }`,
		"stage":   "stage NAME from SOURCE { … }",
		"image":   "image NAME from SOURCE { … }",
		"default": "default image NAME from SOURCE { … }",
		"bind":    `bind "PATH" to "TARGET" or bind "PATH" from SOURCE to "TARGET"`,
		"tmpfs":   `tmpfs "TARGET"`,
	}
	for _, k := range spec.StepKinds {
		if _, dup := out[k.Verb]; dup {
			panic("dsl: step verb " + k.Verb + " is also a statement")
		}
		out[k.Verb] = stepForm(k)
	}
	return out
}()

// mountForms are the shapes of the statements of a run block.
var mountForms = map[string]string{
	"secret": "secret NAME",
	"ssh":    "ssh NAME",
	"cache":  "cache NAME",
	"bind":   forms["bind"],
	"tmpfs":  forms["tmpfs"],
	"env":    `env NAME = "value", NAME2 = "value2"`,
}

var topStatements = []string{"platforms", "arg", "secret", "ssh", "cache", "stage", "image", "default"}

func (d *decoder) decodeFile(items []*item) {
	for _, it := range items {
		if it.attr != nil {
			d.topAttr(it)
			continue
		}
		switch it.name.Value {
		case "arg":
			d.arg(it)
		case "secret":
			d.secret(it)
		case "ssh":
			d.ssh(it)
		case "cache":
			d.cache(it)
		case "stage", "image", "default":
			d.stage(it)
		case "platforms":
			d.diags = append(d.diags, expectedEquals(it))
		default:
			d.unknownTop(it)
		}
	}
}

func (d *decoder) topAttr(it *item) {
	name := it.name.Value
	if name == "platforms" {
		if !d.platforms.IsZero() {
			d.diags = append(d.diags, spec.DuplicateKey(tokenRange(*it.name), d.platforms, "the file", name))
			return
		}
		d.platforms = tokenRange(*it.name)
		d.set(spec.FieldPtr(spec.FileFields(d.file), name), it.attr, name)
		d.anchors = append(d.anchors, &anchor{node: &d.file.Node, rng: it.rng})
		return
	}
	if form, ok := forms[name]; ok {
		d.diags = append(d.diags, notASetting(it, form))
		return
	}
	d.diags = append(d.diags, spec.UnknownKey(tokenRange(*it.name), "the file", name, spec.FileKeys))
}

// notASetting reports a statement written as NAME = value.
func notASetting(it *item, form string) *spec.Diagnostic {
	return syntaxErr(tokenRange(*it.name), fmt.Sprintf("%q is a statement, not a setting: it is written without \"=\".", it.name.Value),
		"write: "+form, "%q is not a setting", it.name.Value)
}

func (d *decoder) unknownTop(it *item) {
	name := it.name.Value
	if isStepVerb(name) {
		d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
			fmt.Sprintf("%q is a step; steps go inside the block of a stage or image.", name),
			`write: stage NAME from SOURCE { … }`, "%q outside a stage", name))
		return
	}
	d.diags = append(d.diags, spec.Errorf(tokenRange(*it.name), "unknown-statement",
		"The top level of a file holds platforms = [ … ] and the statements arg, secret, ssh, cache, stage and image.",
		spec.DidYouMean(name, topStatements), "unknown statement %q", name))
}

func isStepVerb(name string) bool {
	for _, v := range spec.StepVerbs {
		if v == name {
			return true
		}
	}
	return false
}

// Shape errors of statements.

func (d *decoder) syntax(r spec.Range, form, summary string, args ...any) {
	hint := ""
	if form != "" {
		hint = "write: " + form
	}
	d.diags = append(d.diags, syntaxErr(r, "", hint, summary, args...))
}

// extraWords reports words after a complete statement of the given form.
func (d *decoder) extraWords(ws []*value, verb, form string) {
	if len(ws) > 0 {
		d.syntax(ws[0].rng(), form, "unexpected %s after the %s statement", describeValue(ws[0]), verb)
	}
}

// noBlock reports a block on a statement that takes none.
func (d *decoder) noBlock(it *item, form string) {
	if it.block != nil {
		d.syntax(it.block.rng, form, "%q takes no block", it.name.Value)
	}
}

func describeValue(v *value) string {
	switch v.kind {
	case vList:
		return "list"
	case vMap:
		return "map"
	}
	return describe(*v.tok)
}

// lastEnd is an empty range at the end of the statement's words, where
// something missing belongs.
func lastEnd(it *item) spec.Range {
	r := tokenRange(*it.name)
	if n := len(it.words); n > 0 {
		r = it.words[n-1].rng()
	}
	r.Start = r.End
	return r
}

// name reads the declaration name after verb.
func (d *decoder) name(it *item, verb string) (spec.Value[string], bool) {
	if len(it.words) == 0 {
		d.syntax(lastEnd(it), forms[verb], "expected a name after %q", verb)
		return spec.Value[string]{}, false
	}
	w := it.words[0]
	if !w.isIdent() {
		form := forms[verb]
		if w.isString() {
			form = verb + " " + stringValue(*w.tok)
			if verb == "arg" {
				form += ` = "default"`
			}
			d.syntax(w.rng(), form, "expected a name after %q, not a string", verb)
		} else {
			d.syntax(w.rng(), form, "expected a name after %q", verb)
		}
		return spec.Value[string]{}, false
	}
	return spec.At(w.tok.Value, w.rng()), true
}

func (d *decoder) arg(it *item) {
	name, ok := d.name(it, "arg")
	if !ok {
		return
	}
	a := &spec.Arg{Node: spec.Node{Range: it.rng}, Name: name}
	rest := it.words[1:]
	if len(rest) > 0 {
		if !rest[0].isPunct("=") {
			d.extraWords(rest, "arg", forms["arg"])
		} else if len(rest) == 1 {
			d.syntax(lastEnd(it), forms["arg"], `expected a default value after "="`)
		} else {
			a.Default = d.str(rest[1], name.V)
			d.extraWords(rest[2:], "arg", forms["arg"])
		}
	}
	d.noBlock(it, forms["arg"])
	d.file.Args = append(d.file.Args, a)
	d.anchors = append(d.anchors, &anchor{node: &a.Node, rng: it.rng})
}

// declaration decodes "VERB NAME [{ settings }]" into a declaration's
// node, name and fields, and reports whether it was one.
func (d *decoder) declaration(it *item, verb string, node *spec.Node, name *spec.Value[string], keys []spec.Key, fs []spec.Field) bool {
	n, ok := d.name(it, verb)
	if !ok {
		return false
	}
	d.extraWords(it.words[1:], verb, forms[verb])
	*node, *name = spec.Node{Range: it.rng}, n
	f := d.fields(verb+" "+strconv.Quote(n.V), keys)
	f.block(it.block, d.setter(fs))
	f.missing(tokenRange(*it.name), it.block)
	d.anchors = append(d.anchors, &anchor{node: node, rng: it.rng})
	return true
}

func (d *decoder) secret(it *item) {
	s := &spec.Secret{}
	if d.declaration(it, "secret", &s.Node, &s.Name, spec.SecretKeys, spec.SecretFields(s)) {
		d.file.Secrets = append(d.file.Secrets, s)
	}
}

func (d *decoder) ssh(it *item) {
	s := &spec.SSH{}
	if d.declaration(it, "ssh", &s.Node, &s.Name, spec.SSHKeys, spec.SSHFields(s)) {
		d.file.SSH = append(d.file.SSH, s)
	}
}

func (d *decoder) cache(it *item) {
	c := &spec.Cache{}
	if d.declaration(it, "cache", &c.Node, &c.Name, spec.CacheKeys, spec.CacheFields(c)) {
		d.file.Caches = append(d.file.Caches, c)
	}
}
