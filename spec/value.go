package spec

// Value is a scalar written in a build file together with where it was
// written. Set distinguishes "absent" from "present with the zero value",
// which matters for defaults such as Secret.Required (absent means true).
type Value[T comparable] struct {
	V     T
	Set   bool
	Range Range
}

// Of returns a set Value without a position, for models built in code.
func Of[T comparable](v T) Value[T] { return Value[T]{V: v, Set: true} }

// At returns a set Value at r.
func At[T comparable](v T, r Range) Value[T] { return Value[T]{V: v, Set: true, Range: r} }

// Or returns the value if set, otherwise def.
func (v Value[T]) Or(def T) T {
	if v.Set {
		return v.V
	}
	return def
}

// List is an ordered list of values. Its Range covers the whole list as
// written (brackets included); each item keeps its own range.
type List[T comparable] struct {
	Items []Value[T]
	Set   bool
	Range Range
}

// ListOf returns a set List without positions.
func ListOf[T comparable](vs ...T) List[T] {
	l := List[T]{Set: true}
	for _, v := range vs {
		l.Items = append(l.Items, Of(v))
	}
	return l
}

// Values returns the plain values.
func (l List[T]) Values() []T {
	if len(l.Items) == 0 {
		return nil
	}
	out := make([]T, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.V
	}
	return out
}

// Len is the number of items.
func (l List[T]) Len() int { return len(l.Items) }

// KeyValue is one entry of an ordered map (env, labels). Order is kept as
// written so that formatting and conversion are lossless.
type KeyValue struct {
	Node
	Key   Value[string]
	Value Value[string]
}

// Node is embedded in every model node: where it was written and the
// comment lines that stood directly above it (without the leading '#').
// CommentScopes, when the parser knows them, holds for each comment the
// line it speaks of (see CommentScope), for per-line suppressions; it is a
// position, so dumps and comparisons leave it out like every Range.
type Node struct {
	Range         Range
	Comments      []string
	CommentScopes []Range
}

// CommentScopes returns the function parsers use to say which line a '#'
// comment at pos speaks of: its own line when code stands before it (eol),
// otherwise the first line after it that holds code, skipping blank lines
// and other comment lines. Both syntaxes use '#' comments on lines of their
// own, so one rule serves both. Comments come in source order; the last
// answer is reused for a run of comment lines, so a file of n comments
// costs O(n) and not O(n²).
func CommentScopes(filename string, src []byte) func(pos Pos, eol bool) Range {
	var last Range // the code line found last; comments before it share it
	return func(pos Pos, eol bool) Range {
		start := min(max(int(pos.Byte), 0), len(src))
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		if eol {
			p := Pos{Line: pos.Line, Column: 1, Byte: int32(start)}
			return Range{Filename: filename, Start: p, End: p}
		}
		if last.Start.Line > pos.Line {
			return last
		}
		line, i := pos.Line, start
		for {
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i >= len(src) {
				break // no code after the comment: it keeps its own line
			}
			i++ // past the newline
			line, start = line+1, i
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
				j++
			}
			if j < len(src) && src[j] != '\n' && src[j] != '#' {
				break
			}
		}
		p := Pos{Line: line, Column: 1, Byte: int32(start)}
		last = Range{Filename: filename, Start: p, End: p}
		return last
	}
}

// NodeInfo gives access to the embedded Node through interfaces.
func (n *Node) NodeInfo() *Node { return n }
