package dsl

import (
	"github.com/ourorg/securefile/spec"
)

// Parse parses the Securefile DSL. It always returns a non-nil *spec.File
// holding everything that could be decoded, and all diagnostics (sorted
// with Diagnostics.Sort).
func Parse(filename string, src []byte) (*spec.File, spec.Diagnostics) {
	enc, binary := checkEncoding(filename, src)
	if binary {
		f := &spec.File{Node: spec.Node{Range: spec.Range{
			Filename: filename,
			Start:    spec.Pos{Line: 1, Column: 1},
			End:      endOfFile(src),
		}}}
		return f, enc
	}
	lx := lex(filename, src)
	r := newReader(lx.toks)
	items, _, _, _ := r.readItems(nil)

	eof := lx.toks[len(lx.toks)-1].Pos
	f := &spec.File{Node: spec.Node{Range: spec.Range{
		Filename: filename,
		Start:    spec.Pos{Line: 1, Column: 1},
		End:      toPos(eof),
	}}}
	d := &decoder{file: f}
	d.decodeFile(items)
	attachComments(f, lx, d.anchors, filename, src)

	n := len(enc) + len(lx.diags) + len(r.diags) + len(d.diags)
	if n == 0 {
		return f, nil
	}
	diags := make(spec.Diagnostics, 0, n)
	diags = append(diags, enc...)
	diags = append(diags, withoutEncodingRepeats(lx.diags, enc)...)
	diags = append(diags, withoutEncodingRepeats(r.diags, enc)...)
	diags = append(diags, d.diags...)
	diags.Sort()
	return f, diags
}
