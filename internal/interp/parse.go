package interp

import (
	"fmt"
	"strings"
)

// wordKind is what the text being read belongs to, which decides where it
// ends and whether "\" escapes.
type wordKind uint8

const (
	kindTop     wordKind = iota // the template itself: never ends early
	kindWord                    // word or message of "-", "+", "?": ends at "}"
	kindPattern                 // pattern of "#", "%": ends at "}"; "\" escapes
	kindFind                    // pattern of "/", "//": ends at "/"; "\" escapes
	kindRepl                    // string of "/", "//": ends at "}"
)

func (k wordKind) escapes() bool { return k == kindPattern || k == kindFind }

// ends reports whether c ends a word of kind k.
func (k wordKind) ends(c byte) bool {
	switch k {
	case kindTop:
		return false
	case kindFind:
		return c == '/'
	}
	return c == '}'
}

// Parse parses s as a full-mode template. The error, if any, is an *Error.
func Parse(s string) (*Template, error) {
	t, _, err := parse(s, false)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Names returns the name of every reference in s, in source order, as
// Parse reads them, whether or not s parses: also the name of a reference
// Parse rejects after reading its name, one with an operator the language
// does not support ("${NAME:=x}", "${NAME:0:2}", "${NAME^^}") or one that
// is never closed. "$${" is an escape, and so is "\$" in a pattern, as for
// Parse. The checker uses it so that an arg used in a template it reports
// as malformed is not also reported as unused.
func Names(s string) []string {
	_, names, _ := parse(s, true)
	return names
}

// parse reads s. tolerant is for Names: it does not stop at an error,
// reads on after the name of a malformed reference as if the reference
// were literal text, and builds no template.
func parse(s string, tolerant bool) (*Template, []string, *Error) {
	// An explicit stack instead of recursion keeps deeply nested input
	// linear (a deep Go stack is rescanned by every garbage collection).
	type frame struct {
		r      *ref // nil for the top level
		kind   wordKind
		parts  []part
		sawRef bool // a reference has been read in this word
	}
	stack := []frame{{}}
	var names []string
	var lit strings.Builder
	seg := 0
	flush := func(i int) {
		if tolerant {
			return
		}
		lit.WriteString(s[seg:i])
		if lit.Len() > 0 {
			top := &stack[len(stack)-1]
			top.parts = append(top.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		top := &stack[len(stack)-1]
		switch {
		case c == '\\' && top.kind.escapes():
			if i+1 == len(s) {
				i++ // escapes the end: the word is never closed
				continue
			}
			// An escape in the text before the first reference of a
			// pattern is checked here, where it has a position; after a
			// reference it is checked when the pattern is expanded,
			// because a value that ends in "\" takes it over.
			if !top.sawRef && !tolerant {
				if err := checkEscape(s, i); err != nil {
					return nil, nil, err
				}
			}
			i += 1 + len(runeAt(s, i+1))
		case top.kind.ends(c):
			flush(i)
			i++
			seg = i
			f := *top
			if f.kind == kindFind {
				f.r.word = f.parts
				*top = frame{r: f.r, kind: kindRepl}
				continue
			}
			if f.kind == kindRepl {
				f.r.repl = f.parts
			} else {
				f.r.word = f.parts
			}
			f.r.end = i
			stack = stack[:len(stack)-1]
			parent := &stack[len(stack)-1]
			parent.parts = append(parent.parts, part{ref: f.r})
		case c != '$':
			i++
		case strings.HasPrefix(s[i:], "$${"):
			if !tolerant {
				lit.WriteString(s[seg:i])
				lit.WriteString("${")
			}
			i += 3
			seg = i
		case strings.HasPrefix(s[i:], "${"):
			flush(i)
			r, kind, next, err := parseHeader(s, i)
			if r != nil {
				names = append(names, r.name)
			}
			if err != nil {
				if !tolerant {
					return nil, nil, err
				}
				i, seg = next, next
				continue
			}
			top.sawRef = true
			i, seg = next, next
			if r.op == opValue {
				top.parts = append(top.parts, part{ref: r})
			} else {
				stack = append(stack, frame{r: r, kind: kind})
			}
		default:
			i++
		}
	}
	if len(stack) > 1 {
		if tolerant {
			return nil, names, nil
		}
		f := stack[len(stack)-1]
		if f.kind == kindFind {
			return nil, nil, &Error{Offset: f.r.offset,
				Msg:  fmt.Sprintf(`unterminated "${%s/" (no "/" after the pattern; a "}" before it is part of the pattern)`, f.r.name),
				Hint: fmt.Sprintf(`write ${%s/pattern/string}; to delete the match, ${%s/pattern/}`, f.r.name, f.r.name),
			}
		}
		return nil, nil, unterminated(f.r.offset)
	}
	if tolerant {
		return nil, names, nil
	}
	flush(len(s))
	return &Template{src: s, parts: stack[0].parts}, names, nil
}

func unterminated(off int) *Error {
	return &Error{Offset: off, Msg: `unterminated "${" (no closing "}")`}
}

// checkEscape checks the escape at s[i] ("\") in a pattern.
func checkEscape(s string, i int) *Error {
	switch s[i+1] {
	case '*', '?', '\\', '}', '/':
		return nil
	}
	return &Error{Offset: i,
		Msg:  fmt.Sprintf(`invalid escape "\%s" in a pattern`, runeAt(s, i+1)),
		Hint: `in a pattern "\" escapes only "*", "?", "\", "}" and "/"; every other character matches itself without it`,
	}
}

// parseHeader parses the start of a reference at s[off] ("${"): the name
// and "}" (a complete reference, op opValue) or the name and the operator
// (a reference whose word, of the kind returned, starts at next). When it
// fails after reading the name it returns the reference too, and next is
// the end of the name.
func parseHeader(s string, off int) (r *ref, kind wordKind, next int, err *Error) {
	i := off + 2
	if i >= len(s) {
		return nil, 0, i, unterminated(off)
	}
	if c := s[i]; !isNameStart(c) {
		switch c {
		case '}', ':':
			return nil, 0, i, &Error{Offset: off, Msg: `missing name after "${"`}
		case '#':
			return nil, 0, i, &Error{Offset: i, Msg: `unsupported operator "#"`,
				Hint: "the length of a value, ${#NAME}, is not supported (nor in a Dockerfile); compute it in a run step"}
		case '!':
			return nil, 0, i, &Error{Offset: i, Msg: `unsupported operator "!"`,
				Hint: "indirection, ${!NAME}, is not supported (nor in a Dockerfile); refer to the arg by its name"}
		}
		return nil, 0, i, &Error{Offset: i, Msg: fmt.Sprintf("name cannot start with %q; names match [A-Za-z_][A-Za-z0-9_]*", runeAt(s, i))}
	}
	end := scanName(s, i)
	r = &ref{name: s[i:end], offset: off}
	if end >= len(s) {
		return r, 0, end, unterminated(off)
	}
	switch c := s[end]; c {
	case '}':
		r.end = end + 1
		return r, 0, end + 1, nil
	case ':':
		if end+1 >= len(s) {
			return r, 0, end, unterminated(off)
		}
		r.colon = true
		switch s[end+1] {
		case '-':
			r.op = opDefault
		case '+':
			r.op = opAlt
		case '?':
			r.op = opRequire
		default:
			return r, 0, end, unsupported(s, end, r.name)
		}
		return r, kindWord, end + 2, nil
	case '-':
		r.op = opDefault
		return r, kindWord, end + 1, nil
	case '+':
		r.op = opAlt
		return r, kindWord, end + 1, nil
	case '?':
		r.op = opRequire
		return r, kindWord, end + 1, nil
	case '#':
		r.op = opPrefix
		return r, kindPattern, end + 1, nil
	case '%':
		r.op = opSuffix
		return r, kindPattern, end + 1, nil
	case '/':
		r.op = opReplace
		if end+1 < len(s) && s[end+1] == '/' {
			r.all = true
			return r, kindFind, end + 2, nil
		}
		return r, kindFind, end + 1, nil
	case '=', '^', ',', '@', '[':
		return r, 0, end, unsupported(s, end, r.name)
	}
	return r, 0, end, &Error{Offset: end, Msg: fmt.Sprintf("invalid character %q in name %q; names match [A-Za-z_][A-Za-z0-9_]*", runeAt(s, end), r.name)}
}

// unsupported is the error for the operator at s[i] of a reference to
// name, with a hint for the forms other shells have.
func unsupported(s string, i int, name string) *Error {
	op := runeAt(s, i)
	if op == ":" {
		op += runeAt(s, i+1)
	}
	e := &Error{Offset: i, Msg: fmt.Sprintf("unsupported operator %q", op)}
	switch c := op[len(op)-1]; {
	case op == ":}":
		e.Msg = `missing operator after ":"`
		e.Hint = fmt.Sprintf("write ${%s}, or ${%s:-default}, ${%s:+alternate} or ${%s:?message}", name, name, name, name)
	case c == '=':
		e.Hint = fmt.Sprintf("assignment is not supported (nor in a Dockerfile); write ${%s:-default}, or give the arg a default", name)
	case op == ":#" || op == ":%":
		e.Hint = fmt.Sprintf("write ${%s%s…} without the colon", name, op[1:])
	case op[0] == ':' && (c == ' ' || '0' <= c && c <= '9'):
		e.Hint = fmt.Sprintf("substrings, ${%s:offset:length}, are not supported (nor in a Dockerfile); cut the value with ${%s#pattern} or ${%s%%pattern}", name, name, name)
	case c == '^' || c == ',':
		e.Hint = "case conversion is not supported (nor in a Dockerfile); pass the value in the case you need"
	case c == '@':
		e.Hint = fmt.Sprintf("${%s@operator} is not supported (nor in a Dockerfile)", name)
	case c == '[':
		e.Hint = "there are no arrays: a name has no index"
	}
	return e
}
