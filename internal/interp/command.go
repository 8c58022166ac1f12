package interp

import "strings"

// cref is a reference found by the command-mode scan.
type cref struct {
	start, end int // end is 0 while the reference is open
	nameEnd    int
	wordStart  int // for op != 0: the first byte of the word
	op         byte
}

// scanCommand finds the well-formed references of s in command mode: every
// "${NAME}" and every "${NAME:-…}" / "${NAME:+…}" whose closing "}" exists.
// It returns them in source order. A reference that is never closed is not
// returned: its text is literal, and what follows its header is scanned as
// if it were not there (which finds the same references, because a "}"
// only ever closes the innermost open reference).
func scanCommand(s string) []cref {
	var refs []cref
	var stack []int // indexes into refs of open references
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '}' && len(stack) > 0:
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			refs[k].end = i + 1
			i++
		case c != '$':
			i++
		case strings.HasPrefix(s[i:], "$${"):
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			nameEnd := scanName(s, i+2)
			switch {
			case nameEnd == i+2 || nameEnd >= len(s):
				i++
			case s[nameEnd] == '}':
				refs = append(refs, cref{start: i, nameEnd: nameEnd, end: nameEnd + 1})
				i = nameEnd + 1
			case s[nameEnd] == ':' && nameEnd+1 < len(s) && (s[nameEnd+1] == '-' || s[nameEnd+1] == '+'):
				refs = append(refs, cref{start: i, nameEnd: nameEnd, wordStart: nameEnd + 2, op: s[nameEnd+1]})
				stack = append(stack, len(refs)-1)
				i = nameEnd + 2
			default:
				i++
			}
		default:
			i++
		}
	}
	if len(stack) == 0 {
		return refs
	}
	closed := refs[:0]
	for _, r := range refs {
		if r.end != 0 {
			closed = append(closed, r)
		}
	}
	return closed
}

// CommandRefs returns the well-formed references of a command-mode string
// in source order, nested ones included: the references ExpandCommand
// substitutes when the lookup knows their names. Malformed "${" text is
// not a reference in command mode, so it is not returned.
func CommandRefs(s string) []Ref {
	refs := scanCommand(s)
	if len(refs) == 0 {
		return nil
	}
	out := make([]Ref, len(refs))
	for i, r := range refs {
		out[i] = Ref{Name: s[r.start+2 : r.nameEnd], Offset: r.start, End: r.end}
	}
	return out
}

// ExpandCommand expands s in command mode (see the package doc): a
// well-formed reference is substituted only when lookup knows its name;
// all other text, "$" expressions of the shell included, is kept byte for
// byte, except that "$${" becomes "${". A nil lookup knows no name.
func ExpandCommand(s string, lookup func(name string) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	e := &cmdExpander{s: s, refs: scanCommand(s), lookup: lookup}
	e.b.Grow(len(s))
	e.emit(0, len(s))
	return e.b.String()
}

type cmdExpander struct {
	s      string
	refs   []cref
	lookup func(string) (string, bool)
	b      strings.Builder
}

// emit writes the expansion of s[from:to]. It keeps its own stack of the
// words being expanded instead of recursing, so that deeply nested input
// stays linear.
func (e *cmdExpander) emit(from, to int) {
	type frame struct {
		to, resume int  // the word ends at to; go on at resume after it
		brace      bool // write the closing "}" of a kept reference
	}
	s := e.s
	stack := []frame{{to: to, resume: to}}
	next := 0 // first reference not yet passed
	i, seg := from, from
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		if i >= top.to {
			e.b.WriteString(s[seg:top.to])
			if top.brace {
				e.b.WriteByte('}')
			}
			stack = stack[:len(stack)-1]
			i, seg = top.resume, top.resume
			continue
		}
		for next < len(e.refs) && e.refs[next].start < i {
			next++
		}
		if next < len(e.refs) && e.refs[next].start == i {
			e.b.WriteString(s[seg:i])
			r := e.refs[next]
			next++
			var v string
			var ok bool
			if e.lookup != nil {
				v, ok = e.lookup(s[r.start+2 : r.nameEnd])
			}
			i = r.end
			switch {
			case r.op == 0 && ok, r.op == '-' && ok && v != "":
				e.b.WriteString(v)
			case r.op == 0:
				e.b.WriteString(s[r.start:r.end])
			case !ok:
				e.b.WriteString(s[r.start:r.wordStart])
				stack = append(stack, frame{to: r.end - 1, resume: r.end, brace: true})
				i = r.wordStart
			case r.op == '-', v != "": // '-' with an empty value, '+' with a value
				stack = append(stack, frame{to: r.end - 1, resume: r.end})
				i = r.wordStart
			}
			seg = i
			continue
		}
		if s[i] == '$' && i+3 <= top.to && s[i+1] == '$' && s[i+2] == '{' {
			e.b.WriteString(s[seg:i])
			e.b.WriteString("${")
			i += 3
			seg = i
			continue
		}
		i++
	}
}
