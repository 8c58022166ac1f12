package tomlfile

import (
	"cmp"
	"slices"
	"sort"

	"github.com/ourorg/securefile/spec"
)

// Comments are kept in the model, not in the text, so that fmt and
// conversion to the DSL carry them. Only nodes that both syntaxes print
// with comments above them take comments: the platforms key (for the
// file), each arg, each declaration, each stage and each step.

// candidate is a node comments may attach to; region is where its own
// text is (a table's header and keys, without its child candidates).
// lead, for a table with a [header], is its first key: a comment above
// the header speaks of the header line and of that key's line, because
// that is where fmt puts the comments of a step, a stage or a
// declaration, and the DSL's comment above "run …" speaks of the line of
// the command. Without it, a suppression above [[….steps]] would miss a
// finding on the run key below.
type candidate struct {
	node   *spec.Node
	region spec.Range
	lead   spec.Range
}

// attachComments distributes the scanned comments: the leading block is
// the header; a comment at the end of a line goes to the node on that
// line; one inside a node's region (between its keys) to that node; any
// other to the next node; what follows every node is trailing.
func attachComments(f *spec.File, filename string, cs []comment, cands []candidate, src []byte, bom int) {
	f.Header, cs = splitHeader(cs, src, bom)
	if len(cs) == 0 {
		return
	}
	scope := spec.CommentScopes(filename, src)
	// Mostly in order already (a stage's steps are), and stably sorted an
	// ordered list is unchanged.
	byStart := func(a, b candidate) int { return cmp.Compare(a.region.Start.Byte, b.region.Start.Byte) }
	if !slices.IsSortedFunc(cands, byStart) {
		slices.SortStableFunc(cands, byStart)
	}
	// Running maxima let the backward searches stop as soon as no earlier
	// region can reach the comment, which keeps this linear in practice.
	maxEnd := make([]int32, len(cands))
	maxEndLine := make([]int32, len(cands))
	for i, c := range cands {
		maxEnd[i], maxEndLine[i] = c.region.End.Byte, c.region.End.Line
		if i > 0 {
			maxEnd[i] = max(maxEnd[i], maxEnd[i-1])
			maxEndLine[i] = max(maxEndLine[i], maxEndLine[i-1])
		}
	}
	for _, c := range cs {
		at := c.sp.start.spec()
		next := sort.Search(len(cands), func(i int) bool { return cands[i].region.Start.Byte > at.Byte })
		target := -1
		if c.eol {
			for j := next - 1; j >= 0 && maxEndLine[j] >= at.Line; j-- {
				if cands[j].region.End.Line >= at.Line {
					target = j
					break
				}
			}
		}
		if target < 0 {
			inner := -1
			for j := next - 1; j >= 0 && maxEnd[j] > at.Byte; j-- {
				if cands[j].region.End.Byte > at.Byte {
					inner = j
					break
				}
			}
			switch {
			case inner >= 0 && (next == len(cands) || cands[next].region.Start.Byte >= cands[inner].region.End.Byte):
				target = inner
			case next < len(cands):
				target = next
			}
		}
		if target < 0 {
			f.Trailing = append(f.Trailing, c.text)
			continue
		}
		n := cands[target].node
		sc := scope(at, c.eol)
		if lead := cands[target].lead; !c.eol && !lead.IsZero() && sc.Start.Line == cands[target].region.Start.Line && lead.Start.Line > sc.End.Line {
			sc.End = spec.Pos{Line: lead.Start.Line, Column: 1, Byte: lead.Start.Byte - lead.Start.Column + 1}
		}
		n.Comments = append(n.Comments, c.text)
		n.CommentScopes = append(n.CommentScopes, sc)
	}
}

// splitHeader takes the header off cs: the comment lines the file starts
// with, when a blank line follows them.
func splitHeader(cs []comment, src []byte, bom int) ([]string, []comment) {
	if len(cs) == 0 || cs[0].eol || !blank(src[bom:cs[0].sp.start.off]) {
		return nil, cs
	}
	n := 1
	for n < len(cs) && !cs[n].eol && cs[n].sp.start.line == cs[n-1].sp.start.line+1 {
		n++
	}
	if !blankLineAfter(src, int(cs[n-1].sp.end.off)) {
		return nil, cs
	}
	h := make([]string, n)
	for i := range h {
		h[i] = cs[i].text
	}
	return h, cs[n:]
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// blankLineAfter reports whether the line after the one ending at off is
// blank (and ended by a newline, so a file of comments alone is trailing,
// not a header).
func blankLineAfter(src []byte, off int) bool {
	if off < len(src) && src[off] == '\r' {
		off++
	}
	if off >= len(src) || src[off] != '\n' {
		return false
	}
	for off++; off < len(src); off++ {
		switch src[off] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		default:
			return false
		}
	}
	return false
}
