package dsl

import "github.com/ourorg/securefile/spec"

// fileForm is the shape of a file statement of a file step's block.
const fileForm = `file "PATH" { content = "…" }`

// fileBody decodes the block of a file step: its settings, and the file
// statements of its files (written in the same layer).
func (d *decoder) fileBody(st *spec.Inline, step *item) {
	b := step.block
	if b == nil {
		b = &block{}
	}
	f := d.fields("file step", stepSyntaxes["file"].blockKeys)
	fs := spec.InlineFields(st)
	for _, it := range b.items {
		name := it.name.Value
		if it.attr != nil {
			if name == "files" {
				d.diags = append(d.diags, syntaxErr(tokenRange(*it.name),
					"Inside a file block, each file of files is a statement, written without \"=\".",
					"write: "+fileForm, "%q is not a setting", name))
				continue
			}
			if f.known(name, tokenRange(*it.name)) {
				d.set(spec.FieldPtr(fs, name), it.attr, name)
			}
			continue
		}
		if name != "file" {
			f.d.statementInAttrs(it, f.what, f.keys)
			continue
		}
		if x := d.inlineFile(it); x != nil {
			st.Files = append(st.Files, x)
			if f.seen == nil {
				f.seen = map[string]spec.Range{}
			}
			if _, ok := f.seen["files"]; !ok {
				f.seen["files"] = it.rng
			}
		}
	}
	f.what = "a file step"
	f.missing(tokenRange(*step.name), step.block)
}

// inlineFile decodes file "PATH" { content = "…" } in a file block.
func (d *decoder) inlineFile(it *item) *spec.InlineFile {
	if len(it.words) == 0 || !it.words[0].isString() {
		r := lastEnd(it)
		if len(it.words) > 0 {
			r = it.words[0].rng()
		}
		d.syntax(r, fileForm, `expected the path of the file after "file"`)
		return nil
	}
	d.extraWords(it.words[1:], "file", fileForm)
	x := &spec.InlineFile{Node: spec.Node{Range: it.rng}, Path: spec.At(stringValue(*it.words[0].tok), it.words[0].rng())}
	f := d.fields("file of a file step", fileBlockKeys)
	if it.block != nil {
		f.block(it.block, d.setter(spec.InlineFileFields(x)))
	}
	f.what = "a file of a file step"
	f.missing(tokenRange(*it.name), it.block)
	return x
}
