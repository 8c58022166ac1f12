package spec

import "fmt"

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts characters (runes), not bytes, so that it matches what an editor
// shows. Byte is the 0-based byte offset.
type Pos struct {
	Line   int32
	Column int32
	Byte   int32
}

// Range is a half-open span [Start, End) in one file.
type Range struct {
	Filename string
	Start    Pos
	End      Pos
}

// IsZero reports whether the range was never set (a node built in code
// rather than parsed from a file).
func (r Range) IsZero() bool { return r.Start.Line == 0 }

// String renders the start of the range as file:line:col, the form every
// diagnostic uses.
func (r Range) String() string {
	name := r.Filename
	if name == "" {
		name = "<input>"
	}
	if r.IsZero() {
		return name
	}
	return fmt.Sprintf("%s:%d:%d", name, r.Start.Line, r.Start.Column)
}

// Cover returns the smallest range containing both a and b.
func Cover(a, b Range) Range {
	if a.IsZero() {
		return b
	}
	if b.IsZero() {
		return a
	}
	out := a
	if b.Start.Byte < out.Start.Byte {
		out.Start = b.Start
	}
	if b.End.Byte > out.End.Byte {
		out.End = b.End
	}
	return out
}
