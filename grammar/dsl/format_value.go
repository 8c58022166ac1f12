package dsl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

const maxWidth = 80

// quote writes s as a basic string, or as a multi-line string when it
// holds a newline.
func quote(s string) string {
	if strings.Contains(s, "\n") {
		return quoteMultiline(s)
	}
	return quoteBasic(s)
}

// quoteBasic writes s between double quotes, newlines escaped.
func quoteBasic(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(s[i])
		default:
			writeChar(&b, s[i:i+n], r)
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

// quoteMultiline writes s between """ and """. The newline after the
// opening quotes is dropped when read, so s keeps its own first line. No
// two unescaped quotes may meet and the content may not end in one, so the
// closing quotes are never mistaken. The lines are written where they
// start, at column 1, and keepIndent makes sure that reading them back
// removes no indentation.
func quoteMultiline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"' && (i+1 == len(s) || s[i+1] == '"'):
			b.WriteString(`\"`)
		case r == '\n' || r == '"':
			b.WriteByte(s[i])
		default:
			writeChar(&b, s[i:i+n], r)
		}
		i += n
	}
	return "\"\"\"\n" + keepIndent(b.String()) + `"""`
}

// keepIndent returns the body of a multi-line string, as written, such
// that dedent leaves it alone: when every line that holds text starts
// with a space (tabs are written as escapes), the first such space is
// written as an escape, which is not indentation; so is the first space
// of a last line of only spaces, which would be taken for the line of the
// closing quotes.
func keepIndent(body string) string {
	if dedent(body, true) == body {
		return body
	}
	lines := strings.Split(body, "\n")
	last := len(lines) - 1
	if l := lines[last]; l != "" && l[0] == ' ' && isBlank(l) {
		lines[last] = `\u0020` + l[1:]
	}
	if dedent(strings.Join(lines, "\n"), true) != strings.Join(lines, "\n") {
		for i, l := range lines {
			if !isBlank(l) && l[0] == ' ' {
				lines[i] = `\u0020` + l[1:]
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

// writeChar writes one character of a string: control characters as
// escapes, everything else as it is. Invalid UTF-8, which no escape can
// write, is written as it is too, and Parse refuses it at that byte.
func writeChar(b *strings.Builder, raw string, r rune) {
	switch {
	case r == '\t':
		b.WriteString(`\t`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\b':
		b.WriteString(`\b`)
	case r == '\f':
		b.WriteString(`\f`)
	case r == '\n':
		b.WriteString(`\n`)
	case r < 0x20 || r == 0x7f:
		fmt.Fprintf(b, `\u%04X`, r)
	default:
		b.WriteString(raw)
	}
}

// isIdent reports whether s can be written as a bare name.
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

// key writes a map key or variable name, bare only when it is a plain
// identifier: a dotted label key such as org.opencontainers.image.title
// written bare would read as nesting.
func key(s string) string {
	if isIdent(s) && !strings.ContainsAny(s, ".-") {
		return s
	}
	return quoteBasic(s) // a key is never a multi-line string
}

// An inline value: the parts between brackets, and its one-line form.

type composite struct {
	open, close string
	parts       []string // each written inline; may hold newlines (multi-line strings)
	sep         string   // after each part when one per line: "," for lists, "" for maps
}

func (c composite) inline() string {
	if len(c.parts) == 0 {
		return c.open + c.close
	}
	if c.open == "{" {
		return "{ " + strings.Join(c.parts, ", ") + " }"
	}
	return c.open + strings.Join(c.parts, ", ") + c.close
}

// write writes c after a prefix already written at column col (0-based)
// and indent levels: on one line when it fits, else one part per line.
func (c composite) write(b *strings.Builder, col int, indent string) {
	in := c.inline()
	if !strings.Contains(in, "\n") && col+utf8.RuneCountInString(in) <= maxWidth {
		b.WriteString(in)
		return
	}
	b.WriteString(c.open)
	b.WriteByte('\n')
	for _, p := range c.parts {
		b.WriteString(indent + "  ")
		b.WriteString(p)
		b.WriteString(c.sep)
		b.WriteByte('\n')
	}
	b.WriteString(indent)
	b.WriteString(c.close)
}

func listOf(l spec.List[string]) composite {
	c := composite{open: "[", close: "]", sep: ","}
	for _, it := range l.Items {
		c.parts = append(c.parts, quote(it.V))
	}
	return c
}

func mapOf(kvs []*spec.KeyValue) composite {
	c := composite{open: "{", close: "}"}
	for _, kv := range kvs {
		c.parts = append(c.parts, key(kv.Key.V)+" = "+quote(kv.Value.V))
	}
	return c
}

// commandOf writes a command's shell form as a string, its exec form as a
// list.
func commandOf(c spec.Command) (string, *composite) {
	if c.Shell.Set {
		return quote(c.Shell.V), nil
	}
	l := listOf(c.Exec)
	return "", &l
}

// source writes a source after "from"; the main context is written as
// nothing at all, so callers leave out "from" for it.
func source(s spec.Source) string {
	switch s.Kind {
	case spec.SourceStage:
		return s.Name.V
	case spec.SourceNamedContext:
		return "context " + quote(s.Name.V)
	case spec.SourceScratch:
		return "scratch"
	case spec.SourceImage:
		return quote(s.Name.V)
	}
	return ""
}

// hasFrom reports whether a copy or bind source must be written.
func hasFrom(s spec.Source) bool { return s.Set && s.Kind != spec.SourceContext }

func itoa(n int) string { return strconv.Itoa(n) }

func boolStr(b bool) string { return strconv.FormatBool(b) }
