package tomlfile

import (
	"sync"

	"github.com/ourorg/securefile/spec"
)

// The index the position scanner builds: one node per key path, with
// where its key, its value and everything under it were written.

// nodeKind is how a key path came to exist, which decides what may be
// written to it later (a [header] may define a table implied before, but
// not one already defined).
type nodeKind uint8

const (
	kindImplicit      nodeKind = iota // implied by a header: [a.b] implies a
	kindDotted                        // implied by a dotted key: a.b = 1 implies a
	kindTable                         // defined by its own [header]
	kindArrayOfTables                 // [[a]]; elems are the tables
	kindInline                        // { … }
	kindArray                         // [ … ]
	kindScalar                        // string, number, boolean, date
)

// pos and span are compact spec.Pos and spec.Range: a big file has a
// node per key, and most of them are never looked at.
type pos struct{ line, col, off int32 }

type span struct{ start, end pos }

func (p pos) spec() spec.Pos {
	return spec.Pos{Line: int32(p.line), Column: int32(p.col), Byte: int32(p.off)}
}

func (sp span) isZero() bool { return sp.start.line == 0 }

func cover(a, b span) span {
	if a.isZero() {
		return b
	}
	if b.isZero() {
		return a
	}
	if b.start.off < a.start.off {
		a.start = b.start
	}
	if b.end.off > a.end.off {
		a.end = b.end
	}
	return a
}

// pnode is one key path: a table, an array, an element or a scalar.
type pnode struct {
	name   string
	file   string
	parent *pnode
	index  int32 // position among the parent's elems; -1 for keyed nodes
	kind   nodeKind
	// header says val is a [table] or [[table]] line.
	header bool
	// key is where the key (the last segment of a dotted key or header)
	// was first written; val is the value as written, brackets and quotes
	// included, or the table's header; span covers everything under the
	// path.
	key, val, span span
	kids           []*pnode // keyed children in written order
	byName         map[string]*pnode
	elems          []*pnode
}

// Tables are small; only big ones get a map.
const indexAbove = 8

func (n *pnode) lookup(name string) *pnode {
	if n.byName != nil {
		return n.byName[name]
	}
	for _, c := range n.kids {
		if c.name == name {
			return c
		}
	}
	return nil
}

// add makes c, which a.node allocated, n's child name.
func (n *pnode) add(a *arena, name string, kind nodeKind, key span) *pnode {
	c := a.node()
	*c = pnode{name: name, file: n.file, parent: n, index: -1, kind: kind, key: key}
	if n.kids == nil {
		n.kids = a.kids()
	}
	n.kids = append(n.kids, c)
	switch {
	case n.byName != nil:
		n.byName[name] = c
	case len(n.kids) > indexAbove:
		n.byName = make(map[string]*pnode, 2*len(n.kids))
		for _, k := range n.kids {
			n.byName[k.name] = k
		}
	}
	return c
}

// child returns the node of a key, or, when the scanner has none (it
// stopped early), a stand-in positioned at n so that every diagnostic
// still has a place.
func (n *pnode) child(name string) *pnode {
	if c := n.lookup(name); c != nil {
		return c
	}
	sp := n.best()
	return &pnode{name: name, file: n.file, parent: n, index: -1, key: sp, val: sp, span: sp}
}

// elem is child for array elements.
func (n *pnode) elem(i int) *pnode {
	if i >= 0 && i < len(n.elems) {
		return n.elems[i]
	}
	sp := n.best()
	return &pnode{file: n.file, parent: n, index: int32(i), key: sp, val: sp, span: sp}
}

// best is the most precise span known for n.
func (n *pnode) best() span {
	for m := n; m != nil; m = m.parent {
		for _, sp := range []span{m.key, m.val, m.span} {
			if !sp.isZero() {
				return sp
			}
		}
	}
	return span{}
}

func (n *pnode) rng(sp span) spec.Range {
	if sp.isZero() {
		sp = n.best()
	}
	return spec.Range{Filename: n.file, Start: sp.start.spec(), End: sp.end.spec()}
}

func (n *pnode) keyRange() spec.Range { return n.rng(n.key) }
func (n *pnode) valRange() spec.Range { return n.rng(n.val) }
func (n *pnode) spanRange() spec.Range {
	if n.span.isZero() {
		return n.valRange()
	}
	return n.rng(n.span)
}

// tableRange is the extent of a table as a value: the braces of an inline
// table, or a [table] with its keys.
func (n *pnode) tableRange() spec.Range {
	if n.kind == kindInline {
		return n.valRange()
	}
	return n.spanRange()
}

// head is where a table starts: its header, or its opening brace.
func (n *pnode) head() spec.Range {
	if n.header || n.kind == kindInline {
		return n.valRange()
	}
	return n.spanRange()
}

// arena allocates the scanner's nodes and their first few children in
// blocks: a big file has a node per key, and one allocation each was a
// good part of the scanner's time (and the collector's). Blocks are
// reused from parse to parse.
type arena struct {
	nodes  []pnode
	ptrs   []*pnode
	blocks []*nodeBlock
	pblock []*ptrBlock
}

const (
	arenaNodes = 256
	kidsCap    = 4 // enough for most tables; more grow as usual
)

type nodeBlock [arenaNodes]pnode
type ptrBlock [kidsCap * arenaNodes]*pnode

var (
	nodeBlocks = sync.Pool{New: func() any { return new(nodeBlock) }}
	ptrBlocks  = sync.Pool{New: func() any { return new(ptrBlock) }}
)

func (a *arena) node() *pnode {
	if len(a.nodes) == 0 {
		b := nodeBlocks.Get().(*nodeBlock)
		a.blocks = append(a.blocks, b)
		a.nodes = b[:]
	}
	n := &a.nodes[0]
	a.nodes = a.nodes[1:]
	return n
}

// kids is an empty slice with room for kidsCap children; appending past
// that copies it out of the block, so slices never share elements.
func (a *arena) kids() []*pnode {
	if len(a.ptrs) < kidsCap {
		b := ptrBlocks.Get().(*ptrBlock)
		a.pblock = append(a.pblock, b)
		a.ptrs = b[:]
	}
	k := a.ptrs[:0:kidsCap]
	a.ptrs = a.ptrs[kidsCap:]
	return k
}

// release gives the blocks back for the next parse; nothing may use a
// node of a after. They are cleared first, so that the pool holds on to
// nothing of this parse, by a goroutine of their own: Parse has returned
// by then, and the caller's checking of the model (one core) leaves the
// other core idle.
func (a *arena) release() {
	blocks, pblock := a.blocks, a.pblock
	*a = arena{}
	go func() {
		for _, b := range blocks {
			*b = nodeBlock{}
			nodeBlocks.Put(b)
		}
		for _, b := range pblock {
			*b = ptrBlock{}
			ptrBlocks.Put(b)
		}
	}()
}
