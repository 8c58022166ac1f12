// Package interp implements the string templates of the Securefile
// language.
//
// Every string of the model that is not a name or a fixed keyword is a
// template: literal text with references. The references are the
// parameter expansions of BuildKit's Dockerfile shell lexer
// (github.com/moby/buildkit/frontend/dockerfile/shell, whose ProcessWord
// expands the values of a Dockerfile), with its results and its failures:
//
//	${NAME}                  the value of NAME ("" when unset)
//	${NAME-word}             word when NAME is unset, else the value
//	${NAME:-word}            word when NAME is unset or empty, else the value
//	${NAME+word}             word when NAME is set, even to "", else ""
//	${NAME:+word}            word when NAME is set and not empty, else ""
//	${NAME?message}          the value; fails with message when NAME is unset
//	${NAME:?message}         the value; fails when NAME is unset or empty
//	${NAME#pattern}          the value without its shortest prefix matching pattern
//	${NAME##pattern}         the same, longest prefix
//	${NAME%pattern}          the value without its shortest suffix matching pattern
//	${NAME%%pattern}         the same, longest suffix
//	${NAME/pattern/string}   the first match of pattern replaced by string
//	${NAME//pattern/string}  every match replaced
//	$${                      a literal "${"
//
// NAME matches [A-Za-z_][A-Za-z0-9_]*. Words, messages, patterns and
// replacement strings are templates themselves and may hold further
// references. The first "}" that does not close a nested reference ends
// them (there is no escape for a literal "}" in a word), except in two
// places, both as in BuildKit: the pattern of "/" and "//" ends at the
// first "/" that does not belong to a nested reference, so a "}" before
// it is pattern text ("${V/a}" is unterminated: write "${V/a/}" to delete
// a match); and in a pattern "\" escapes the next character.
//
// Patterns are BuildKit's, not quite the shell's: "*" matches any string
// (as short as possible for "#" and "%", as long as possible for "##",
// "%%" and the leftmost match of "/" and "//") and "?" one character,
// neither of them a newline; "\*", "\?", "\\", "\}" and "\/" match the
// character itself, and any other "\" is an error; "[" and "]" are
// ordinary characters (there are no bracket expressions); everything else
// matches itself. A reference in a pattern contributes its value as
// pattern text, so a "*" in the value is a wildcard, and a pattern of "#"
// or "%" that starts with "#" (or "%") after expansion is the
// longest-match form. These rules come from porting BuildKit's code
// (pattern.go), which is what the differential tests check.
//
// Any other "$" is literal text: "$HOME", "$$" and a lone "}" mean
// themselves. That is where the language differs from a Dockerfile on
// purpose, with the absence of quotes and of "\" escapes outside patterns
// (a Securefile string is already a quoted string of the file's own
// syntax), names that are not the language's ("${1}", "${@}", "${é}") and
// the replacement string of "//", whose expansion BuildKit reads as a
// regexp template ("$0" or "${x}" from a value is the match or nothing
// there): here it is always literal text.
//
// Templates are used in two modes:
//
//   - Full mode (Parse, Template.Eval) is for every value that is not a
//     command. A malformed "${" is a Parse error, and an unset name
//     expands to "". Eval fails, as BuildKit does, for a "?" reference
//     whose name is unset (or empty), and for a pattern that the values
//     of its references make invalid ("\" at its end, say). It expands
//     every word, even one whose result is not used, so that
//     "${A:-${B:?}}" fails when B is unset whether or not A is set: that
//     is what BuildKit does too.
//   - Command mode (ExpandCommand, CommandRefs) is for run, entrypoint, cmd
//     and healthcheck commands, whose "$" mostly belong to the shell. Only a
//     well-formed ${NAME}, ${NAME:-word} or ${NAME:+word} whose name the
//     lookup knows is substituted; everything else, "$HOME", "${PATH}",
//     "${PATH:-/bin}" with PATH unknown, "$$", "$(cmd)", "${A:?x}",
//     "${A#v}", an unterminated "${", is kept byte for byte. "$${" still
//     becomes "${". The words of a reference that is kept are processed
//     too: "${CC:-${TOOLCHAIN}gcc}" with only TOOLCHAIN known (as
//     "x86_64-") becomes "${CC:-x86_64-gcc}".
//
// Parse, Names, the command mode and Eval run in time linear in the
// length of the template and of the values they write, with two
// exceptions, both bounded. Matching a pattern p against a value v costs
// O(len(p)·len(v)) (it is a Go regexp, as in BuildKit; patterns longer
// than MaxPattern bytes fail). The result of "//" can be longer than its
// inputs, len(v)·len(string) for a pattern matching every character, and
// nested "//" multiply: a result longer than MaxExpansion bytes fails.
package interp

import (
	"fmt"
	"unicode/utf8"
)

// MaxPattern is the length limit, in bytes, of an expanded pattern: the
// regexp it becomes costs memory in proportion.
const MaxPattern = 64 << 10

// MaxExpansion is the length limit, in bytes, of the result of a "//"
// reference, which is the only one that can be longer than the template
// and the values it reads together.
const MaxExpansion = 16 << 20

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

func runeAt(s string, i int) string {
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n <= 1 {
		return s[i : i+1]
	}
	return s[i : i+n]
}

// Error is a template syntax error. Offset is the byte offset in the
// template source of the character at fault. Hint, when set, says how to
// write what the template seems to want.
type Error struct {
	Offset int
	Msg    string
	Hint   string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// ExpandError is a failure of Template.Eval: a "?" reference whose name
// is unset (or empty, for ":?"), or a pattern the values of its
// references make invalid or too long, or a "//" result longer than
// MaxExpansion. Offset and End are the byte offsets of the reference in
// the template source (End is exclusive).
type ExpandError struct {
	Name        string
	Offset, End int
	Msg         string // for "?": "NAME: message", as BuildKit says it
}

func (e *ExpandError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Supported lists the reference forms, for messages.
const Supported = "${NAME}, ${NAME-word}, ${NAME:-word}, ${NAME+word}, ${NAME:+word}, ${NAME?message}, ${NAME:?message}, " +
	"${NAME#pattern}, ${NAME##pattern}, ${NAME%pattern}, ${NAME%%pattern}, ${NAME/pattern/string} and ${NAME//pattern/string}"

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

// part is literal text or a reference. Literal text is unescaped ("$${"
// is "${") but keeps the "\" of a pattern, which the pattern reads.
type part struct {
	lit string
	ref *ref
}

// op is the operator of a reference.
type op uint8

const (
	opValue   op = iota // ${NAME}
	opDefault           // ${NAME-word}, ${NAME:-word}
	opAlt               // ${NAME+word}, ${NAME:+word}
	opRequire           // ${NAME?message}, ${NAME:?message}
	opPrefix            // ${NAME#pattern}, ${NAME##pattern}
	opSuffix            // ${NAME%pattern}, ${NAME%%pattern}
	opReplace           // ${NAME/pattern/string}, ${NAME//pattern/string}
)

type ref struct {
	name   string
	op     op
	colon  bool   // ":-", ":+", ":?": an empty value counts as unset
	all    bool   // "//"
	word   []part // the word, message or pattern ("#" of "##" included)
	repl   []part // the replacement string of opReplace
	offset int
	end    int
}

// String returns the template source.
func (t *Template) String() string { return t.src }

// IsLiteral reports whether the template has no references, so that
// Eval returns the same text whatever the lookup.
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
	walkRefs(t.parts, func(r *ref) {
		out = append(out, Ref{Name: r.name, Offset: r.offset, End: r.end})
	})
	return out
}

// walkRefs calls fn for every reference of parts in source order, without
// recursion (deeply nested input stays linear).
func walkRefs(parts []part, fn func(*ref)) {
	stack := [][]part{parts}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(*top) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		p := (*top)[0]
		*top = (*top)[1:]
		if p.ref == nil {
			continue
		}
		fn(p.ref)
		// The replacement follows the pattern in the source: push it first.
		if len(p.ref.repl) > 0 {
			stack = append(stack, p.ref.repl)
		}
		if len(p.ref.word) > 0 {
			stack = append(stack, p.ref.word)
		}
	}
}
