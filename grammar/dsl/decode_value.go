package dsl

import (
	"fmt"
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// Typed reading of values. Each reader reports a value of the wrong type
// and returns an unset result, so that one mistake is reported once.

func isString(t lexer.Token) bool {
	return t.Type == tString || t.Type == tRawString || t.Type == tMLString
}

func (v *value) isString() bool { return v.kind == vScalar && isString(*v.tok) }

func (v *value) isIdent(names ...string) bool {
	if v.kind != vScalar || v.tok.Type != tIdent {
		return false
	}
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if v.tok.Value == n {
			return true
		}
	}
	return false
}

func (v *value) isPunct(p string) bool { return v.kind == vScalar && isPunct(*v.tok, p) }

// written describes v for a wrong-type message.
func written(v *value) string {
	switch v.kind {
	case vList:
		return "a list"
	case vMap:
		return "a map"
	}
	switch t := *v.tok; {
	case isString(t):
		return "a string"
	case t.Type == tNumber:
		return "an integer"
	case t.Value == "true" || t.Value == "false":
		return "a boolean"
	case t.Type == tIdent:
		return "the bare name " + t.Value
	}
	return fmt.Sprintf("%q", v.tok.Value)
}

func (d *decoder) wrongType(v *value, key string, want spec.KeyType, got string) {
	if v.kind == vScalar && v.tok.Type == tNumber {
		if _, err := strconv.Atoi(v.tok.Value); err != nil {
			return // the lexer reported the malformed number
		}
	}
	diag := spec.WrongType(v.rng(), key, want, got)
	if diag.Hint == "" && v.isIdent() && (want == spec.TString || want == spec.TStringList || want == spec.TCommand) {
		diag.Hint = "strings are written in quotes: " + strconv.Quote(v.tok.Value)
	}
	d.diags = append(d.diags, diag)
}

func (d *decoder) str(v *value, key string) spec.Value[string] {
	if !v.isString() {
		d.wrongType(v, key, spec.TString, written(v))
		return spec.Value[string]{}
	}
	return spec.At(stringValue(*v.tok), v.rng())
}

func (d *decoder) integer(v *value, key string) spec.Value[int] {
	if v.kind != vScalar || v.tok.Type != tNumber {
		d.wrongType(v, key, spec.TInt, written(v))
		return spec.Value[int]{}
	}
	n, err := strconv.Atoi(v.tok.Value)
	if err != nil { // reported by the lexer
		return spec.Value[int]{}
	}
	return spec.At(n, v.rng())
}

func (d *decoder) boolean(v *value, key string) spec.Value[bool] {
	if !v.isIdent("true", "false") {
		d.wrongType(v, key, spec.TBool, written(v))
		return spec.Value[bool]{}
	}
	return spec.At(v.tok.Value == "true", v.rng())
}

func (d *decoder) strList(v *value, key string) spec.List[string] {
	return d.listOf(v, key, spec.TStringList)
}

func (d *decoder) listOf(v *value, key string, want spec.KeyType) spec.List[string] {
	if v.kind != vList {
		d.wrongType(v, key, want, written(v))
		return spec.List[string]{}
	}
	l := spec.List[string]{Set: true, Range: v.rng(), Items: make([]spec.Value[string], 0, len(v.items))}
	for _, it := range v.items {
		if !it.isString() {
			d.wrongType(it, key, want, "a list holding "+written(it))
			return spec.List[string]{}
		}
		l.Items = append(l.Items, spec.At(stringValue(*it.tok), it.rng()))
	}
	return l
}

// command reads the shell form (a string) or the exec form (a list).
func (d *decoder) command(v *value, key string) spec.Command {
	c := spec.Command{Node: spec.Node{Range: v.rng()}}
	switch {
	case v.isString():
		c.Shell = spec.At(stringValue(*v.tok), v.rng())
	case v.kind == vList:
		c.Exec = d.listOf(v, key, spec.TCommand)
	default:
		d.wrongType(v, key, spec.TCommand, written(v))
	}
	if !c.IsSet() {
		return spec.Command{}
	}
	return c
}

// keyValues reads a map of strings, in written order.
func (d *decoder) keyValues(v *value, key string) []*spec.KeyValue {
	if v.kind != vMap {
		d.wrongType(v, key, spec.TStringMap, written(v))
		return nil
	}
	var out []*spec.KeyValue
	seen := map[string]spec.Range{}
	for _, e := range v.entries {
		k, kr := mapKey(*e.key), tokenRange(*e.key)
		if first, dup := seen[k]; dup {
			d.diags = append(d.diags, spec.DuplicateKey(kr, first, key, k))
			continue
		}
		seen[k] = kr
		if !e.val.isString() {
			d.wrongType(e.val, k, spec.TString, written(e.val))
			continue
		}
		out = append(out, &spec.KeyValue{
			Node:  spec.Node{Range: e.rng()},
			Key:   spec.At(k, kr),
			Value: spec.At(stringValue(*e.val.tok), e.val.rng()),
		})
	}
	return out
}

func mapKey(t lexer.Token) string {
	if t.Type == tIdent {
		return t.Value
	}
	return stringValue(t)
}

// sourceValue reads a source written as one value (a cache's from): a
// string is an image, a name a stage, and scratch the empty filesystem.
func (d *decoder) sourceValue(v *value, key string) spec.Source {
	switch {
	case v.isString(), v.isIdent():
		return d.simpleSource(v)
	}
	d.wrongType(v, key, spec.TSource, written(v))
	return spec.Source{}
}

func (d *decoder) simpleSource(v *value) spec.Source {
	s := spec.Source{Node: spec.Node{Range: v.rng()}, Set: true}
	name := v.tok.Value
	if v.isString() {
		name = stringValue(*v.tok)
	}
	switch {
	case name == "scratch":
		s.Kind = spec.SourceScratch
	case v.isString():
		s.Kind, s.Name = spec.SourceImage, spec.At(name, v.rng())
	default:
		s.Kind, s.Name = spec.SourceStage, spec.At(name, v.rng())
	}
	return s
}

// fields decodes the attributes of a block or map against keys: it
// reports unknown and repeated keys and hands each known one to set.
type fields struct {
	d    *decoder
	what string
	keys []spec.Key
	seen map[string]spec.Range
}

func (d *decoder) fields(what string, keys []spec.Key) fields {
	return fields{d: d, what: what, keys: keys}
}

// attrBlock decodes a block of attributes of node against keys, into the
// fields bind binds; a node without a block is not bound at all.
func attrBlock[T any](d *decoder, b *block, what string, keys []spec.Key, node *T, bind func(*T) []spec.Field) {
	if b == nil {
		return
	}
	f := d.fields(what, keys)
	f.block(b, d.setter(bind(node)))
}

// setter sets the fields of a binding by key name.
func (d *decoder) setter(fs []spec.Field) func(key string, v *value) {
	return func(key string, v *value) { d.set(spec.FieldPtr(fs, key), v, key) }
}

// set decodes v into dst, whose Go type says what v must be (see
// spec.Field); key names it in diagnostics.
func (d *decoder) set(dst any, v *value, key string) {
	switch p := dst.(type) {
	case *spec.Value[string]:
		*p = d.str(v, key)
	case *spec.Value[int]:
		*p = d.integer(v, key)
	case *spec.Value[bool]:
		*p = d.boolean(v, key)
	case *spec.List[string]:
		*p = d.strList(v, key)
	case *spec.Command:
		*p = d.command(v, key)
	case *[]*spec.KeyValue:
		*p = d.keyValues(v, key)
	case *spec.Source:
		*p = d.sourceValue(v, key)
	case **spec.Healthcheck:
		*p = d.healthcheck(v, key)
	default:
		// The DSL writes the other kinds of field as statements.
		panic(fmt.Sprintf("dsl: key %q has no setting of type %T", key, dst))
	}
}

// attrMap decodes a map value against keys.
func (d *decoder) attrMap(v *value, what string, keys []spec.Key, set func(key string, v *value)) {
	f := d.fields(what, keys)
	f.entries(v, set)
}

// known reports whether key, written at r, is one of the keys and not a
// repeat, reporting it otherwise.
func (f *fields) known(key string, r spec.Range) bool {
	if _, ok := spec.Lookup(f.keys, key); !ok {
		f.d.diags = append(f.d.diags, spec.UnknownKey(r, f.what, key, f.keys))
		return false
	}
	if first, dup := f.seen[key]; dup {
		f.d.diags = append(f.d.diags, spec.DuplicateKey(r, first, f.what, key))
		return false
	}
	if f.seen == nil {
		f.seen = map[string]spec.Range{}
	}
	f.seen[key] = r
	return true
}

// block decodes a block that holds only attributes.
func (f *fields) block(b *block, set func(key string, v *value)) {
	if b == nil {
		return
	}
	for _, it := range b.items {
		if it.attr == nil {
			f.d.statementInAttrs(it, f.what, f.keys)
			continue
		}
		if f.known(it.name.Value, tokenRange(*it.name)) {
			set(it.name.Value, it.attr)
		}
	}
}

// entries decodes a map value.
func (f *fields) entries(v *value, set func(key string, v *value)) {
	for _, e := range v.entries {
		k := mapKey(*e.key)
		if f.known(k, tokenRange(*e.key)) {
			set(k, e.val)
		}
	}
}

// missing reports the required keys that were not set in b.
func (f *fields) missing(r spec.Range, b *block) {
	if b != nil && b.broken {
		return
	}
	for _, k := range f.keys {
		if _, lifted := f.seen[k.RequiredUnless]; k.RequiredUnless != "" && lifted {
			continue
		}
		if _, ok := f.seen[k.Name]; k.Required && !ok {
			f.d.diags = append(f.d.diags, spec.MissingKey(r, f.what, k.Name))
		}
	}
}

// statementInAttrs reports a statement where only attributes may be.
func (d *decoder) statementInAttrs(it *item, what string, keys []spec.Key) {
	if _, ok := spec.Lookup(keys, it.name.Value); ok {
		d.diags = append(d.diags, expectedEquals(it))
		return
	}
	d.diags = append(d.diags, spec.UnknownKey(tokenRange(*it.name), what, it.name.Value, keys))
}

// expectedEquals reports a setting written like a statement.
func expectedEquals(it *item) *spec.Diagnostic {
	r := tokenRange(*it.name)
	if len(it.words) > 0 {
		r = it.words[0].rng()
	} else if it.block != nil {
		r = it.block.rng
	}
	return syntaxErr(r, fmt.Sprintf("%q is a setting, written NAME = VALUE.", it.name.Value),
		fmt.Sprintf("write: %s = …", it.name.Value), "expected \"=\" after %q", it.name.Value)
}

// The keys of mount blocks: what the statement line does not already say
// (those of step blocks are in stepSyntaxes).
var (
	bindBlockKeys  = withoutKeys(spec.BindKeys, "source", "from", "target")
	tmpfsBlockKeys = withoutKeys(spec.TmpfsKeys, "target")
	fileBlockKeys  = withoutKeys(spec.InlineFileKeys, "path")
)

func withoutKeys(keys []spec.Key, drop ...string) []spec.Key {
	var out []spec.Key
next:
	for _, k := range keys {
		for _, n := range drop {
			if k.Name == n {
				continue next
			}
		}
		out = append(out, k)
	}
	return out
}
