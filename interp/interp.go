// Package interp implements the string templates of the Securefile
// language.
//
// Every string of the model that is not a name or a fixed keyword is a
// template. A template is literal text with references:
//
//	${NAME}            the value of NAME ("" when unset)
//	${NAME:-default}   default when NAME is unset or empty
//	${NAME:+alternate} alternate when NAME is set and not empty, else ""
//	$${                a literal "${"
//
// NAME matches [A-Za-z_][A-Za-z0-9_]*. The default and alternate words are
// templates themselves and may hold further references; the first "}" that
// does not close a nested reference ends them (there is no escape for a
// literal "}" inside a word). Any other "$" is literal text: "$HOME", "$$"
// and a lone "}" mean themselves.
//
// Templates are used in two modes:
//
//   - Full mode (Parse, Template.Expand) is for every value that is not a
//     command. A malformed "${" is an error, and an unset name expands to
//     "".
//   - Command mode (ExpandCommand, CommandRefs) is for run, entrypoint, cmd
//     and healthcheck commands, whose "$" mostly belong to the shell. Only a
//     well-formed reference whose name the lookup knows is substituted;
//     everything else, "$HOME", "${PATH}", "${PATH:-/bin}" with PATH
//     unknown, "$$", "$(cmd)", "${A:?x}", an unterminated "${", is kept byte
//     for byte. "$${" still becomes "${". The words of a reference that is
//     kept are processed too: "${CC:-${TOOLCHAIN}gcc}" with only
//     TOOLCHAIN known (as "x86_64-") becomes "${CC:-x86_64-gcc}".
//
// Both modes run in time linear in the length of the string.
package interp

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// PlatformArgs returns the names of the automatic platform args, which
// every build file may reference without declaring them.
func PlatformArgs() []string {
	return []string{
		"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
		"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
	}
}

// IsPlatformArg reports whether name is one of PlatformArgs.
func IsPlatformArg(name string) bool {
	switch name {
	case "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
		"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT":
		return true
	}
	return false
}

// IsName reports whether s is a valid reference name,
// [A-Za-z_][A-Za-z0-9_]*.
func IsName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameChar(c byte) bool { return isNameStart(c) || '0' <= c && c <= '9' }

// scanName returns the end of the name starting at s[i] (i when there is
// none).
func scanName(s string, i int) int {
	if i >= len(s) || !isNameStart(s[i]) {
		return i
	}
	i++
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	return i
}

// Error is a template syntax error. Offset is the byte offset in the
// template source of the character at fault.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Supported describes the reference forms, for messages.
const Supported = "${NAME}, ${NAME:-default} and ${NAME:+alternate}"

// Ref is one reference of a template: the name and the byte offsets of the
// whole "${…}" in the source string (End is exclusive).
type Ref struct {
	Name        string
	Offset, End int
}

// Template is a parsed full-mode template.
type Template struct {
	src   string
	parts []part
}

// part is literal text (already unescaped) or a reference.
type part struct {
	lit string
	ref *ref
}

type ref struct {
	name   string
	op     byte // 0, '-' or '+'
	word   []part
	offset int
	end    int
}

// Parse parses s as a full-mode template. The error, if any, is an *Error.
func Parse(s string) (*Template, error) {
	// An explicit stack instead of recursion keeps deeply nested input
	// linear (a deep Go stack is rescanned by every garbage collection).
	type frame struct {
		r     *ref // nil for the top level
		parts []part
	}
	stack := []frame{{}}
	var lit strings.Builder
	seg := 0
	flush := func(i int) {
		lit.WriteString(s[seg:i])
		if lit.Len() > 0 {
			top := &stack[len(stack)-1]
			top.parts = append(top.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '}' && len(stack) > 1:
			flush(i)
			i++
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			top.r.word, top.r.end = top.parts, i
			parent := &stack[len(stack)-1]
			parent.parts = append(parent.parts, part{ref: top.r})
			seg = i
		case c != '$':
			i++
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString(s[seg:i])
			lit.WriteString("${")
			i += 3
			seg = i
		case strings.HasPrefix(s[i:], "${"):
			flush(i)
			r, next, err := parseHeader(s, i)
			if err != nil {
				return nil, err
			}
			i, seg = next, next
			if r.op == 0 {
				top := &stack[len(stack)-1]
				top.parts = append(top.parts, part{ref: r})
			} else {
				stack = append(stack, frame{r: r})
			}
		default:
			i++
		}
	}
	if len(stack) > 1 {
		return nil, unterminated(stack[len(stack)-1].r.offset)
	}
	flush(len(s))
	return &Template{src: s, parts: stack[0].parts}, nil
}

func unterminated(off int) *Error {
	return &Error{Offset: off, Msg: `unterminated "${" (no closing "}")`}
}

// parseHeader parses the start of a reference at s[off] ("${"): the name
// and "}" (a complete reference, op 0) or the name and ":-" / ":+" (a
// reference whose word starts at next).
func parseHeader(s string, off int) (r *ref, next int, err error) {
	i := off + 2
	if i >= len(s) {
		return nil, 0, unterminated(off)
	}
	if c := s[i]; !isNameStart(c) {
		switch {
		case c == '}' || c == ':':
			return nil, 0, &Error{Offset: off, Msg: `missing name after "${"`}
		case c == '#' || c == '!':
			return nil, 0, badOperator(s, i)
		}
		return nil, 0, &Error{Offset: i, Msg: fmt.Sprintf("name cannot start with %q; names match [A-Za-z_][A-Za-z0-9_]*", runeAt(s, i))}
	}
	end := scanName(s, i)
	r = &ref{name: s[i:end], offset: off}
	i = end
	if i >= len(s) {
		return nil, 0, unterminated(off)
	}
	switch c := s[i]; {
	case c == '}':
		r.end = i + 1
		return r, i + 1, nil
	case c == ':':
		if i+1 >= len(s) {
			return nil, 0, unterminated(off)
		}
		if op := s[i+1]; op == '-' || op == '+' {
			r.op = op
			return r, i + 2, nil
		}
		return nil, 0, badOperator(s, i)
	case strings.IndexByte("-=?+#%/^,@[", c) >= 0:
		return nil, 0, badOperator(s, i)
	default:
		return nil, 0, &Error{Offset: i, Msg: fmt.Sprintf("invalid character %q in name %q; names match [A-Za-z_][A-Za-z0-9_]*", runeAt(s, i), r.name)}
	}
}

func badOperator(s string, i int) *Error {
	op := runeAt(s, i)
	if op == ":" && i+1 < len(s) {
		op += runeAt(s, i+1)
	}
	return &Error{Offset: i, Msg: fmt.Sprintf("unsupported operator %q: only %s are supported", op, Supported)}
}

func runeAt(s string, i int) string {
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n <= 1 {
		return s[i : i+1]
	}
	return s[i : i+n]
}

// Names returns the name of every reference in s, in source order, as
// Parse reads them, whether or not s parses: "${NAME}", "${NAME:-…}" and
// "${NAME:+…}", and also a reference Parse rejects after reading its name,
// one with an operator the language does not support ("${VERSION#v}",
// "${NAME%.*}", "${NAME:?}") or one that is never closed. "$${" is an
// escape, as for Parse. The checker uses it so that an arg used in a
// template it reports as malformed is not also reported as unused.
func Names(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		switch {
		case s[i] != '$':
			i++
		case strings.HasPrefix(s[i:], "$${"):
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := scanName(s, i+2)
			if end > i+2 {
				out = append(out, s[i+2:end])
			}
			i = end
		default:
			i++
		}
	}
	return out
}

// String returns the template source.
func (t *Template) String() string { return t.src }

// IsLiteral reports whether the template has no references, so that
// Expand returns the same text whatever the lookup.
func (t *Template) IsLiteral() bool {
	for _, p := range t.parts {
		if p.ref != nil {
			return false
		}
	}
	return true
}

// Refs returns every reference, nested ones included, in source order.
func (t *Template) Refs() []Ref {
	var out []Ref
	walk(t.parts, func(r *ref) bool {
		out = append(out, Ref{Name: r.name, Offset: r.offset, End: r.end})
		return true
	}, func(lit string) {})
	return out
}

// walk visits parts in order, without recursion: onRef is called for each
// reference and its word is visited next when it returns true.
func walk(parts []part, onRef func(*ref) bool, onLit func(string)) {
	type cursor struct {
		parts []part
		i     int
	}
	stack := []cursor{{parts: parts}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.parts) {
			stack = stack[:len(stack)-1]
			continue
		}
		p := top.parts[top.i]
		top.i++
		if p.ref == nil {
			onLit(p.lit)
		} else if onRef(p.ref) && len(p.ref.word) > 0 {
			stack = append(stack, cursor{parts: p.ref.word})
		}
	}
}

// Expand returns the template with every reference replaced. lookup
// returns a name's value and whether it is set; an unset name expands to
// "" (or to its default). A nil lookup treats every name as unset.
func (t *Template) Expand(lookup func(name string) (string, bool)) string {
	var b strings.Builder
	b.Grow(len(t.src))
	walk(t.parts, func(r *ref) bool {
		var v string
		var ok bool
		if lookup != nil {
			v, ok = lookup(r.name)
		}
		set := ok && v != ""
		switch {
		case r.op == 0 || r.op == '-' && set:
			b.WriteString(v)
			return false
		case r.op == '-':
			return true
		default: // '+'
			return set
		}
	}, func(lit string) { b.WriteString(lit) })
	return b.String()
}
