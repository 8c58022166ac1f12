package dsl

import (
	"fmt"
	"strconv"

	"github.com/ourorg/securefile/spec"
)

// stage decodes [default] stage|image NAME from SOURCE [{ body }]. A stage
// whose base is missing or malformed stays in the model, so that its steps
// are checked and references to it resolve.
func (d *decoder) stage(it *item) {
	st := &spec.Stage{Node: spec.Node{Range: it.rng}}
	verb := it.name.Value
	ws := it.words
	if verb == "default" {
		st.Default = spec.At(true, tokenRange(*it.name))
		if len(ws) == 0 || !ws[0].isIdent("image", "stage") {
			r := lastEnd(it)
			if len(ws) > 0 {
				r = ws[0].rng()
			}
			d.syntax(r, forms["default"], `expected "image" after "default"`)
			return
		}
		verb = ws[0].tok.Value
		ws = ws[1:]
	}
	if verb == "image" {
		st.Kind = spec.KindImage
	}
	name, ok := d.name(&item{name: it.name, words: ws}, verb)
	if !ok {
		return
	}
	st.Name = name
	what := verb + " " + strconv.Quote(name.V)
	switch ws = ws[1:]; {
	case len(ws) == 0:
		diag := spec.MissingKey(tokenRange(*it.name), what, "from")
		diag.Hint = "write: " + forms[verb]
		d.diags = append(d.diags, diag)
	case !ws[0].isIdent("from"):
		d.syntax(ws[0].rng(), forms[verb], `expected "from" after the %s name, found %s`, verb, describeValue(ws[0]))
	default:
		if src, rest, ok := d.sourceWords(ws[0], ws[1:], true); ok {
			st.From = src
			d.extraWords(rest, verb, forms[verb])
		}
	}
	a := &anchor{node: &st.Node, rng: it.rng}
	if it.block != nil {
		d.stageBody(st, what, it.block, a)
	}
	d.file.Stages = append(d.file.Stages, st)
	d.anchors = append(d.anchors, a)
}

// sourceWords reads SOURCE after the word from: "image", a stage name,
// scratch, or context "NAME". It returns the words after it.
func (d *decoder) sourceWords(from *value, ws []*value, base bool) (spec.Source, []*value, bool) {
	hint := `an image "alpine:3.20", a stage name or context "NAME"`
	if base {
		hint = `an image "alpine:3.20", a stage name, context "NAME" or scratch`
	}
	if len(ws) == 0 || !(ws[0].isString() || ws[0].isIdent()) || ws[0].isIdent("to") && len(ws) > 1 && ws[1].isString() {
		r := from.rng()
		r.Start = r.End
		if len(ws) > 0 {
			r = ws[0].rng()
		}
		d.diags = append(d.diags, syntaxErr(r, "A source is "+hint+".", "", `expected a source after "from"`))
		return spec.Source{}, nil, false
	}
	if ws[0].isIdent("context") && len(ws) > 1 && ws[1].isString() {
		return spec.Source{
			Node: spec.Node{Range: spec.Cover(ws[0].rng(), ws[1].rng())},
			Set:  true,
			Kind: spec.SourceNamedContext,
			Name: spec.At(stringValue(*ws[1].tok), ws[1].rng()),
		}, ws[2:], true
	}
	return d.simpleSource(ws[0]), ws[1:], true
}

var stepNames = spec.StepVerbs

func (d *decoder) stageBody(st *spec.Stage, what string, b *block, a *anchor) {
	f := d.fields(what, spec.StageKeys)
	fs := spec.StageFields(st)
	for _, it := range b.items {
		name := it.name.Value
		if it.attr != nil {
			switch {
			case isStepVerb(name):
				d.diags = append(d.diags, syntaxErr(tokenRange(*it.name),
					fmt.Sprintf("%q is a step, written without \"=\"; the settings of a stage are %s.", name, keyList(spec.StageKeys)),
					"write: "+forms[name], "%q is a step, not a setting", name))
			case d.misplacedArgSetting(it):
			case name == "from":
				d.diags = append(d.diags, syntaxErr(tokenRange(*it.name), "The base of a stage is written on its first line.",
					"write: "+forms["stage"], `"from" is not a setting`))
			default:
				if f.known(name, tokenRange(*it.name)) {
					d.set(spec.FieldPtr(fs, name), it.attr, name)
				}
			}
			continue
		}
		step := d.step(it, name)
		if step == nil {
			continue
		}
		st.Steps = append(st.Steps, step)
		a.children = append(a.children, &anchor{node: step.NodeInfo(), rng: it.rng})
	}
}

func keyList(keys []spec.Key) string {
	s := ""
	for i, k := range keys {
		switch {
		case i > 0 && i == len(keys)-1:
			s += " and "
		case i > 0:
			s += ", "
		}
		s += k.Name
	}
	return s
}

func (d *decoder) healthcheck(v *value, key string) *spec.Healthcheck {
	if v.kind != vMap {
		d.wrongType(v, key, spec.THealthcheck, written(v))
		return nil
	}
	h := &spec.Healthcheck{Node: spec.Node{Range: v.rng()}}
	d.attrMap(v, "healthcheck", spec.HealthcheckKeys, d.setter(spec.HealthcheckFields(h)))
	return h
}
