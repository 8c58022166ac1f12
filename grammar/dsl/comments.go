package dsl

import (
	"sort"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// attachComments gives every comment to the node it documents, so that
// comments survive formatting and conversion to TOML:
//   - the run of full-line comments opening the file, when a blank line
//     follows it, is the file's header;
//   - a comment at the end of a line belongs to the innermost anchor whose
//     lines include it;
//   - any other comment belongs to the next anchor at the same level, or,
//     when none follows inside the block it stands in, to the block's
//     owner;
//   - what is left after the last node is trailing.
func attachComments(f *spec.File, lx *lexed, anchors []*anchor, filename string, src []byte) {
	scope := spec.CommentScopes(filename, src)
	give := func(n *spec.Node, c comment) {
		n.Comments = append(n.Comments, c.text)
		n.CommentScopes = append(n.CommentScopes, scope(toPos(c.pos), c.eol))
	}
	cs := lx.comments
	n := headerLen(lx)
	for _, c := range cs[:n] {
		f.Header = append(f.Header, c.text)
	}
	for _, c := range cs[n:] {
		if c.eol {
			if a := onLine(anchors, int32(c.pos.Line)); a != nil {
				give(a.node, c)
				continue
			}
		}
		if a := next(anchors, int32(c.pos.Offset)); a != nil {
			give(a.node, c)
			continue
		}
		f.Trailing = append(f.Trailing, c.text)
	}
}

// headerLen is the number of comments that form the header.
func headerLen(lx *lexed) int {
	cs, toks := lx.comments, lx.toks
	if len(cs) == 0 {
		return 0
	}
	first := firstNonNewline(toks, 0)
	if first < len(toks) && !toks[first].EOF() && toks[first].Pos.Offset < cs[0].pos.Offset {
		return 0 // something comes before the first comment
	}
	n := 1
	for n < len(cs) && !cs[n].eol && cs[n].pos.Line == cs[n-1].pos.Line+1 {
		n++
	}
	// The line after the run must be blank: the newline that ends the last
	// comment's line is followed by another newline.
	last := cs[n-1]
	i := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset > last.pos.Offset })
	if i+1 < len(toks) && toks[i].Type == tNewline && toks[i+1].Type == tNewline && toks[i+1].Pos.Line == last.pos.Line+1 {
		return n
	}
	return 0
}

func firstNonNewline(toks []lexer.Token, i int) int {
	for i < len(toks) && toks[i].Type == tNewline {
		i++
	}
	return i
}

// onLine finds the innermost anchor whose lines include line.
func onLine(as []*anchor, line int32) *anchor {
	i := sort.Search(len(as), func(i int) bool { return as[i].rng.Start.Line > line })
	if i == 0 {
		return nil
	}
	a := as[i-1]
	if a.rng.End.Line < line {
		return nil
	}
	if inner := onLine(a.children, line); inner != nil {
		return inner
	}
	return a
}

// next finds the anchor a full-line comment at off documents.
func next(as []*anchor, off int32) *anchor {
	i := sort.Search(len(as), func(i int) bool { return as[i].rng.Start.Byte > off })
	if i > 0 && as[i-1].rng.End.Byte > off {
		// Inside as[i-1]: the next anchor in it, or itself.
		if inner := next(as[i-1].children, off); inner != nil {
			return inner
		}
		return as[i-1]
	}
	if i < len(as) {
		return as[i]
	}
	return nil
}
