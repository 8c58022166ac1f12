package tomlfile

import (
	"bytes"
	"slices"

	"github.com/BurntSushi/toml"

	"github.com/ourorg/securefile/spec"
)

// A split parse. BurntSushi's parser is most of the time Parse takes on a
// big file, and it runs on one core. A big file is mostly one long run of
// [[stage.NAME.steps]] tables, so Parse cuts such a file in two at one of
// those headers near the middle and runs the scanner, BurntSushi and the
// step decoder on each half at once, then splices the second half's steps
// onto the first half's.
//
// The result must be exactly that of parseWhole, so the split is only
// taken where that can be shown, and any doubt or error gives up on it
// (Parse then parses whole, so diagnostics are always those of one parse,
// positions included):
//
//   - The second half holds nothing but tables under one step array P:
//     its [[P]] headers and [P.x] / [[P.x]] tables (the scanner of that
//     half refuses anything else), so one parse would read it as more
//     elements of P and nothing else.
//   - In the first half, P is an array of tables and the tables above it
//     are tables ([stage.NAME] or implied), not arrays: one parse appends
//     the second half's elements to that P.
//   - Each half scans and decodes without error or duplicate key. A half
//     BurntSushi accepts ends (the first) or starts (the second) at the top
//     level of the file, so one parse tokenizes the text the same way.
//   - BurntSushi keeps two tables by key path without array indexes (which
//     keys are arrays, which tables are implied) and consults them when a
//     key is written to a path that already holds a table; in one parse,
//     what the first half left there could change how the second half is
//     read. A key written twice in the same table is a duplicate (refused
//     above); otherwise every such consultation of the "implied" table
//     follows the second half's own writes to it, and the "array" table
//     is read at the paths of the second half's tables, inline tables and
//     arrays holding inline tables (staleKeys). The split is only taken
//     when the first half left none of those paths marked as an array.
//
// Each half is scanned before BurntSushi sees it, so a file nested too
// deep still never reaches BurntSushi.

// splitAbove is the size from which Parse splits. Below it the halves are
// a few milliseconds of work each, and the goroutine, the second parser
// and the checks above are not worth it (BenchmarkSplitSizes measures it).
var splitAbove = 64 << 10

// fragment is what the scanner of the second half checks: that it holds
// only tables under the step array of its first header.
type fragment struct {
	prefix []string // P: stage or image, NAME, steps
	bad    bool
}

func (f *fragment) allows(segs []segment, array bool) bool {
	if f.prefix == nil {
		if !array || len(segs) != 3 || segs[0].name != "stage" && segs[0].name != "image" || segs[2].name != "steps" {
			return false
		}
		f.prefix = []string{segs[0].name, segs[1].name, segs[2].name}
		return true
	}
	if len(segs) < len(f.prefix) {
		return false
	}
	for i, p := range f.prefix {
		if segs[i].name != p {
			return false
		}
	}
	return array || len(segs) > len(f.prefix)
}

// splitSteps is the second half's share of the steps of node: the
// elements from from on, decoded by the second half's goroutine, which
// closes done when it is through; ok says it decoded them all.
type splitSteps struct {
	node  *pnode
	from  int
	done  chan struct{}
	ok    bool
	steps []spec.Step
	diags spec.Diagnostics
	cands []candidate
}

// splitPoint is the offset of the line to split src at: the first line
// from the middle on that is the same [[…]] header as the last one before
// the middle; -1 when there is none. It is only a guess, which the
// scanners confirm.
func splitPoint(src []byte) int {
	mid := len(src) / 2
	last := bytes.LastIndex(src[:mid], []byte("\n[["))
	if last < 0 {
		return -1
	}
	line := src[last:] // from the newline before the header
	end := bytes.Index(line, []byte("]]"))
	if end < 0 || bytes.IndexByte(line[1:end], '\n') >= 0 {
		return -1
	}
	at := bytes.Index(src[mid:], line[:end+2])
	if at < 0 {
		return -1
	}
	return mid + at + 1
}

// parseSplit is Parse on two cores; ok is false when the file cannot be
// split or either half has an error, and nothing is returned then.
func parseSplit(filename string, src []byte) (f *spec.File, diags spec.Diagnostics, ok bool) {
	split := splitPoint(src)
	if split < 0 {
		return nil, nil, false
	}
	text := string(src)
	s1 := newScanner(filename, src, text)
	s1.stop = split
	s2 := &scanner{src: src, text: text, filename: filename, bom: s1.bom, off: split,
		line: 1 + bytes.Count(src[:split], []byte("\n")), col: 1, stop: -1, frag: &fragment{}}
	s2.start()

	pre := &splitSteps{done: make(chan struct{})}
	var stale [][]string
	scanned := make(chan struct{})
	verdict := make(chan bool, 1)
	go func() {
		defer close(pre.done)
		s2.run()
		s2.finish()
		if !s2.failed && s2.dup == nil && s2.frag.prefix != nil {
			stale = staleKeys(s2.root, s2.frag.prefix)
		}
		close(scanned)
		// The text goes to BurntSushi only once both halves are scanned
		// (so not too deep) and the split holds.
		if !<-verdict {
			return
		}
		var m map[string]any
		if _, err := toml.Decode(text[split:], &m); err != nil {
			return
		}
		arr, ok := stepsOf(m, s2.frag.prefix, true)
		if !ok || len(arr) != len(pre.node.elems)-pre.from {
			return
		}
		kind := spec.KindStage
		if s2.frag.prefix[0] == "image" {
			kind = spec.KindImage
		}
		d := &decoder{cands: make([]candidate, 0, len(arr))}
		pre.steps = d.stepRange(nil, stepsWant(kind, s2.frag.prefix[1]), pre.node, arr, pre.from, len(pre.node.elems))
		pre.diags, pre.cands, pre.ok = d.diags, d.cands, true
	}()
	s1.run()
	<-scanned
	fine := s1.stopped && !s1.failed && s1.dup == nil && !s2.failed && s2.dup == nil && s2.frag.prefix != nil &&
		merge(s1, s2, pre)
	verdict <- fine
	giveUp := func() (*spec.File, spec.Diagnostics, bool) {
		<-pre.done // the second half's goroutine never outlives Parse
		return nil, nil, false
	}
	if !fine {
		return giveUp()
	}
	var m map[string]any
	md, err := toml.Decode(text[:split], &m)
	if err != nil {
		return giveUp()
	}
	if arr, ok := stepsOf(m, s2.frag.prefix, false); !ok || len(arr) != pre.from {
		return giveUp()
	}
	for _, k := range stale {
		if md.Type(append(slices.Clip(s2.frag.prefix), k...)...) == "Array" {
			return giveUp()
		}
	}
	if f, diags, ok = buildModel(s1, src, m, pre); !ok {
		return giveUp()
	}
	s1.release()
	s2.release()
	return f, diags, true
}

// stepsOf is the array of tables at path p in m, which must be reached
// through tables; alone says m must hold nothing else.
func stepsOf(m map[string]any, p []string, alone bool) ([]any, bool) {
	for _, k := range p[:len(p)-1] {
		if alone && len(m) != 1 {
			return nil, false
		}
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	if alone && len(m) != 1 {
		return nil, false
	}
	arr, ok := m[p[len(p)-1]].([]map[string]any)
	if !ok {
		return nil, false
	}
	return asArray(arr)
}

// merge makes s1's index that of the whole file, as one scanner would
// have made it: the second half's elements of P become the last elements
// of the first half's P. It reports false, changing nothing, when P is
// not an array of tables reached through tables in the first half.
func merge(s1, s2 *scanner, pre *splitSteps) bool {
	p := s2.frag.prefix
	var pairs [][2]*pnode
	n1, n2 := s1.root, s2.root
	for i, name := range p {
		c1, c2 := n1.lookup(name), n2.lookup(name)
		if c1 == nil || c2 == nil || len(n2.kids) != 1 {
			return false
		}
		last := i == len(p)-1
		if !last && c1.kind != kindTable && c1.kind != kindImplicit ||
			last && (c1.kind != kindArrayOfTables || c2.kind != kindArrayOfTables) {
			return false
		}
		pairs = append(pairs, [2]*pnode{c1, c2})
		n1, n2 = c1, c2
	}
	for _, pr := range pairs {
		pr[0].span = cover(pr[0].span, pr[1].span)
	}
	pre.node, pre.from = n1, len(n1.elems)
	for _, e := range n2.elems {
		e.parent = n1
		e.index += int32(pre.from)
		n1.elems = append(n1.elems, e)
	}
	s1.root.span.end = s2.root.span.end
	s1.comments = append(s1.comments, s2.comments...)
	return true
}

// keyTrie holds key paths, to list each once.
type keyTrie struct {
	kids   map[string]*keyTrie
	marked bool
}

func (t *keyTrie) kid(name string) *keyTrie {
	if c := t.kids[name]; c != nil {
		return c
	}
	if t.kids == nil {
		t.kids = map[string]*keyTrie{}
	}
	c := &keyTrie{}
	t.kids[name] = c
	return c
}

// staleKeys lists, relative to the step array at prefix in root, the key
// paths (without array indexes, as BurntSushi keys them) at which reading
// the second half may consult BurntSushi's record of which keys are
// arrays: those of tables of every kind, inline tables included, and of
// arrays holding inline tables (BurntSushi builds those as tables first).
// Each path is listed once.
func staleKeys(root *pnode, prefix []string) [][]string {
	n := root
	for _, name := range prefix {
		if n = n.lookup(name); n == nil {
			return nil
		}
	}
	var out [][]string
	var path []string
	mark := func(t *keyTrie) {
		if !t.marked {
			t.marked = true
			out = append(out, slices.Clone(path))
		}
	}
	var walk func(n *pnode, t *keyTrie)
	var walkArray func(n *pnode, t *keyTrie) bool
	walk = func(n *pnode, t *keyTrie) {
		for _, c := range n.kids {
			tc := t.kid(c.name)
			path = append(path, c.name)
			switch c.kind {
			case kindImplicit, kindDotted, kindTable, kindInline:
				mark(tc)
				walk(c, tc)
			case kindArrayOfTables:
				mark(tc)
				for _, e := range c.elems {
					walk(e, tc)
				}
			case kindArray:
				if walkArray(c, tc) {
					mark(tc)
				}
			}
			path = path[:len(path)-1]
		}
	}
	// walkArray walks the inline tables in array n, at any depth, and
	// reports whether there are any.
	walkArray = func(n *pnode, t *keyTrie) bool {
		has := false
		for _, e := range n.elems {
			switch e.kind {
			case kindInline:
				has = true
				walk(e, t)
			case kindArray:
				has = walkArray(e, t) || has
			}
		}
		return has
	}
	top := &keyTrie{}
	for _, e := range n.elems {
		walk(e, top)
	}
	return out
}
