package dsl

import (
	"sort"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// The generic tree: what every line is, before the decoder knows what it
// means.

type valueKind uint8

const (
	vScalar valueKind = iota // a string, number, name, or the words '=' and ','
	vList
	vMap
)

// Tokens are held by pointer into the token slice, and ranges computed
// when asked for: a large file has many values, and most ranges are never
// needed.
type value struct {
	kind    valueKind
	tok     *lexer.Token // the scalar; the opening bracket of a list or map
	end     *lexer.Token // the closing bracket of a list or map
	items   []*value
	entries []*entry
}

func (v *value) rng() spec.Range {
	if v.kind == vScalar {
		return tokenRange(*v.tok)
	}
	return spec.Cover(tokenRange(*v.tok), tokenRange(*v.end))
}

type entry struct {
	key *lexer.Token
	val *value
}

func (e *entry) rng() spec.Range { return spec.Cover(tokenRange(*e.key), e.val.rng()) }

// item is an attribute (attr set) or a statement (words, maybe a block).
type item struct {
	name  *lexer.Token
	attr  *value
	words []*value
	block *block
	rng   spec.Range // the whole item, its block included
}

type block struct {
	items []*item
	rng   spec.Range // braces included
	// broken is set when a broken item was left out, so that a key
	// missing from the block may just be on that item.
	broken bool
}

// A template is a parsed line with tokens given by their index in the
// line, so that it can be instantiated for every line of the same shape.

type tValue struct {
	kind  valueKind
	tok   int // the scalar; the opening bracket of a list or map
	end   int // the closing bracket of a list or map
	items []tValue
	keys  []int // map entries: the key tokens, with vals their values
	vals  []tValue
}

type tLine struct {
	attr  *tValue
	words []tValue
	open  int // index of the block's "{", or -1
	last  int // index of the last token before the block
}

func newTemplate(ast *lineAST, lt []lexer.Token) *tLine {
	idx := func(t lexer.Token) int {
		return sort.Search(len(lt), func(i int) bool { return lt[i].Pos.Offset >= t.Pos.Offset })
	}
	var val func(v *valueAST) tValue
	val = func(v *valueAST) tValue {
		switch {
		case v.List != nil:
			tv := tValue{kind: vList, tok: idx(v.List.Open), end: idx(v.List.Close)}
			for _, it := range v.List.Items {
				tv.items = append(tv.items, val(it))
			}
			return tv
		case v.Map != nil:
			tv := tValue{kind: vMap, tok: idx(v.Map.Open), end: idx(v.Map.Close)}
			for _, e := range v.Map.Entries {
				tv.keys = append(tv.keys, idx(e.Key))
				tv.vals = append(tv.vals, val(e.Value))
			}
			return tv
		}
		return tValue{kind: vScalar, tok: idx(v.Tok)}
	}
	tl := &tLine{open: -1, last: len(lt) - 1}
	if ast.Attr != nil {
		a := val(ast.Attr)
		tl.attr = &a
	}
	for _, w := range ast.Words {
		if w.List != nil {
			tl.words = append(tl.words, val(&valueAST{List: w.List}))
		} else {
			tl.words = append(tl.words, tValue{kind: vScalar, tok: idx(w.Tok)})
		}
	}
	if ast.Open.Value == "{" {
		tl.open = idx(ast.Open)
		tl.last = tl.open - 1
	}
	return tl
}

// arena hands out values and items from chunks: a large file has a
// great many of them, and one allocation per chunk is much cheaper for the
// allocator and the garbage collector than one per node.
type arena struct {
	values []value
	items  []item
	ptrs   []*value
}

const arenaChunk = 256

func (a *arena) value() *value {
	if len(a.values) == 0 {
		a.values = make([]value, arenaChunk)
	}
	v := &a.values[0]
	a.values = a.values[1:]
	return v
}

func (a *arena) item() *item {
	if len(a.items) == 0 {
		a.items = make([]item, arenaChunk)
	}
	it := &a.items[0]
	a.items = a.items[1:]
	return it
}

// list returns room for n values.
func (a *arena) list(n int) []*value {
	if n > arenaChunk {
		return make([]*value, n)
	}
	if len(a.ptrs) < n {
		a.ptrs = make([]*value, arenaChunk*4)
	}
	l := a.ptrs[:n:n]
	a.ptrs = a.ptrs[n:]
	return l
}

func (tl *tLine) instantiate(lt []lexer.Token, a *arena) *item {
	var val func(tv *tValue) *value
	val = func(tv *tValue) *value {
		v := a.value()
		v.kind, v.tok = tv.kind, &lt[tv.tok]
		switch tv.kind {
		case vList:
			v.end = &lt[tv.end]
			v.items = a.list(len(tv.items))
			for i := range tv.items {
				v.items[i] = val(&tv.items[i])
			}
		case vMap:
			v.end = &lt[tv.end]
			v.entries = make([]*entry, len(tv.keys))
			for i := range tv.keys {
				v.entries[i] = &entry{key: &lt[tv.keys[i]], val: val(&tv.vals[i])}
			}
		}
		return v
	}
	it := a.item()
	it.name = &lt[0]
	if tl.attr != nil {
		it.attr = val(tl.attr)
	}
	if len(tl.words) > 0 {
		it.words = a.list(len(tl.words))
		for i := range tl.words {
			it.words[i] = val(&tl.words[i])
		}
	}
	it.rng = spec.Cover(tokenRange(lt[0]), tokenRange(lt[tl.last]))
	return it
}
