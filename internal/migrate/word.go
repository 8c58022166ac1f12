package migrate

import (
	"fmt"
	"strings"
	"unicode"
)

// A value of a Dockerfile instruction (ENV, LABEL, WORKDIR, USER, COPY and
// ADD paths and options, EXPOSE, VOLUME, STOPSIGNAL, ARG defaults, FROM) is
// a word that BuildKit's shell lexer expands (frontend/dockerfile/shell,
// ProcessWord): it removes quotes, resolves escapes and replaces $NAME and
// every ${NAME…} form. value translates such a word into a Securefile
// template with the same result: literal text escaped so that no "${" in it
// starts a reference, and every reference written ${NAME…} with its
// operator and words as the lexer reads them. The walk mirrors the lexer's
// (processStopOn, processDollar, the quote functions) so that it splits a
// word where BuildKit does; what BuildKit rejects is kept as text with a
// Finding, as that Dockerfile does not build either.

// tok is literal text (unescaped) or a whole reference, already a
// template.
type tok struct {
	text string
	ref  bool
}

// lexError is a word BuildKit's lexer rejects: value reports it and keeps
// the word as text, as that Dockerfile does not build either.
type lexError struct{ msg string }

func (e *lexError) Error() string { return e.msg }

type lexer struct {
	c    *conv
	sc   *scope
	line int
	esc  rune
	rs   []rune
	i    int
	// names are the names the word refers to, in order.
	names []string
	// self is the arg whose default the word is (ARG NAME=word): the
	// Dockerfile evaluates a default only when no --build-arg gives the
	// arg, so a reference to it there is to an unset name; required says
	// the word requires it (${NAME?…}, ${NAME:?…}).
	self     string
	required bool
	// noQuotes reads quotes as literal text, as BuildKit expands the
	// content of a heredoc (SkipProcessQuotes).
	noQuotes bool
}

const eof = rune(-1)

func (l *lexer) peek() rune {
	if l.i >= len(l.rs) {
		return eof
	}
	return l.rs[l.i]
}

func (l *lexer) next() rune {
	r := l.peek()
	if r != eof {
		l.i++
	}
	return r
}

// fail is the error of a word the lexer rejects; its callers return it at
// once, so that nothing after the failure is converted or reported.
func (l *lexer) fail(format string, a ...any) error {
	return &lexError{msg: fmt.Sprintf(format, a...)}
}

// value translates the Dockerfile word s, expanded in scope sc at line,
// into a template. It also returns the names s refers to.
func (c *conv) value(sc *scope, line int, s string) (out string, names []string) {
	out, names, _ = c.argDefault(sc, line, "", s)
	return out, names
}

// argDefault is value for the default s of the arg self ("" for a word
// that is not an arg default); required says s requires the arg to be
// set by a --build-arg (see lexer.self).
func (c *conv) argDefault(sc *scope, line int, self, s string) (out string, names []string, required bool) {
	if !strings.ContainsAny(s, "$\"'"+string(c.esc)) {
		return s, nil, false
	}
	l := &lexer{c: c, sc: sc, line: line, esc: c.esc, rs: []rune(s), self: self}
	toks, err := l.stopOn(eof, false, false)
	if err != nil {
		c.changed(line, "%q: BuildKit cannot expand it (%s), so the Dockerfile does not build; kept as text", s, err)
		return escapeLit(s), nil, false
	}
	return l.render(toks, false, false), l.names, l.required
}

// heredocValue is value for the content of a heredoc that BuildKit
// expands (<<EOF, not <<'EOF'): quotes are text, and the escape character
// is "\\" whatever the Dockerfile's is (dockerfile2llb's ExpandRaw).
func (c *conv) heredocValue(sc *scope, line int, s string) string {
	if !strings.ContainsAny(s, "$\\") {
		return escapeLit(s)
	}
	l := &lexer{c: c, sc: sc, line: line, esc: '\\', rs: []rune(s), noQuotes: true}
	toks, err := l.stopOn(eof, false, false)
	if err != nil {
		c.changed(line, "heredoc: BuildKit cannot expand it (%s), so the Dockerfile does not build; kept as text", err)
		return escapeLit(s)
	}
	return l.render(toks, false, false)
}

// val is value without the names.
func (c *conv) val(sc *scope, line int, s string) string {
	v, _ := c.value(sc, line, s)
	return v
}

// stopOn is processStopOn: the tokens up to stop (consumed), or to the end
// when stop is eof. raw keeps escapes (pattern words), pattern doubles an
// escape inside quotes.
func (l *lexer) stopOn(stop rune, raw, pattern bool) ([]tok, error) {
	var toks []tok
	lit := func(s string) { toks = append(toks, tok{text: s}) }
	for {
		ch := l.peek()
		if ch == eof {
			if stop != eof {
				return nil, l.fail("unexpected end of statement while looking for matching %c", stop)
			}
			return toks, nil
		}
		if stop != eof && ch == stop {
			l.next()
			return toks, nil
		}
		switch {
		case ch == '$':
			ts, err := l.dollar()
			if err != nil {
				return nil, err
			}
			toks = append(toks, ts...)
		case ch == '\'' && !l.noQuotes:
			s, err := l.single(pattern)
			if err != nil {
				return nil, err
			}
			lit(s)
		case ch == '"' && !l.noQuotes:
			ts, err := l.double(raw, pattern)
			if err != nil {
				return nil, err
			}
			toks = append(toks, ts...)
		default:
			l.next()
			if ch == l.esc {
				if raw {
					lit(string(ch))
				}
				ch = l.next()
				if ch == eof {
					return toks, nil
				}
			}
			lit(string(ch))
		}
	}
}

// single is processSingleQuote: everything up to the next quote, as is.
func (l *lexer) single(pattern bool) (string, error) {
	l.next()
	var b strings.Builder
	for {
		ch := l.next()
		switch ch {
		case eof:
			return "", l.fail("unexpected end of statement while looking for matching single-quote")
		case '\'':
			return b.String(), nil
		}
		if pattern && ch == l.esc {
			b.WriteRune(ch)
		}
		b.WriteRune(ch)
	}
}

// double is processDoubleQuote: references are expanded, and the escape
// only escapes '"', '$' and itself.
func (l *lexer) double(raw, pattern bool) ([]tok, error) {
	l.next()
	var toks []tok
	for {
		switch l.peek() {
		case eof:
			return nil, l.fail("unexpected end of statement while looking for matching double-quote")
		case '"':
			l.next()
			return toks, nil
		case '$':
			ts, err := l.dollar()
			if err != nil {
				return nil, err
			}
			toks = append(toks, ts...)
			continue
		}
		ch := l.next()
		if ch == l.esc {
			switch l.peek() {
			case eof:
				continue
			case '"', '$', l.esc:
				if raw {
					toks = append(toks, tok{text: string(ch)})
				}
				ch = l.next()
			default:
				if raw {
					toks = append(toks, tok{text: string(ch)})
				}
			}
		}
		toks = append(toks, tok{text: string(ch)})
	}
}

// name is processName: a run of letters, digits and "_", or one run of
// digits (a positional parameter), or one special parameter.
func (l *lexer) name() string {
	var b strings.Builder
	for {
		ch := l.peek()
		if ch == eof {
			return b.String()
		}
		if b.Len() == 0 && unicode.IsDigit(ch) {
			for unicode.IsDigit(l.peek()) {
				b.WriteRune(l.next())
			}
			return b.String()
		}
		if b.Len() == 0 && strings.ContainsRune("@*#?-$!0", ch) {
			return string(l.next())
		}
		if !unicode.IsLetter(ch) && !unicode.IsDigit(ch) && ch != '_' {
			return b.String()
		}
		b.WriteRune(l.next())
	}
}

// dollar is processDollar: "$" starts a reference or is literal.
func (l *lexer) dollar() ([]tok, error) {
	l.next()
	if l.peek() != '{' {
		name := l.name()
		if name == "" {
			return []tok{{text: "$"}}, nil
		}
		return l.ref(name, "", nil)
	}
	l.next()
	switch l.peek() {
	case eof:
		return nil, l.fail("syntax error: missing '}'")
	case '{', '}', ':':
		return nil, l.fail("syntax error: bad substitution")
	}
	return l.braced()
}

// braced is the rest of processDollar after "${": the name, then "}" or
// an operator and its words.
func (l *lexer) braced() ([]tok, error) {
	name := l.name()
	ch := l.next()
	switch ch {
	case '}':
		return l.ref(name, "", nil)
	case ':':
		op := l.next()
		if op == '#' || op == '%' {
			return nil, l.fail("unsupported modifier (:%c) in substitution", op)
		}
		// The lexer reads the word before it rejects the operator, so an
		// unterminated word is the error it reports.
		word, err := l.stopOn('}', false, false)
		if err != nil {
			return nil, err
		}
		if op != '-' && op != '+' && op != '?' {
			return nil, l.fail("unsupported modifier (:%c) in substitution", op)
		}
		return l.ref(name, ":"+string(op), [][]tok{word})
	case '-', '+', '?':
		word, err := l.stopOn('}', false, false)
		if err != nil {
			return nil, err
		}
		return l.ref(name, string(ch), [][]tok{word})
	case '#', '%':
		word, err := l.stopOn('}', true, true)
		if err != nil {
			return nil, err
		}
		return l.ref(name, string(ch), [][]tok{word})
	case '/':
		op := "/"
		if l.peek() == '/' {
			l.next()
			op = "//"
		}
		pat, err := l.stopOn('/', true, true)
		if err != nil {
			return nil, err
		}
		repl, err := l.stopOn('}', true, false)
		if err != nil {
			return nil, err
		}
		return l.ref(name, op, [][]tok{pat, repl})
	}
	if ch == eof {
		return nil, l.fail("syntax error: missing '}'")
	}
	return nil, l.fail("unsupported modifier (%c) in substitution", ch)
}

// ref is the reference to name with operator op and its words: a pattern
// and a replacement for "/" and "//", else at most one word.
func (l *lexer) ref(name, op string, words [][]tok) ([]tok, error) {
	if name != "" && name == l.self {
		switch op {
		case "?", ":?":
			l.required = true
		case "-", ":-":
			return words[0], nil
		}
		return nil, nil
	}
	if !isName(name) {
		// "$1", "$$", "${é}": nothing sets them, so the lexer expands
		// them as unset; a Securefile name cannot be written for them.
		l.c.note(l.line, "$%s: not a name a Securefile can refer to; a Dockerfile value has it unset, so it is converted to what that gives (\"\", or the default word)", name)
		switch op {
		case "?", ":?":
			return nil, l.fail("%s: is not allowed to be unset", name)
		case "-", ":-":
			return words[0], nil
		}
		return nil, nil
	}
	l.names = append(l.names, name)
	l.c.refName(l.sc, l.line, name)
	var b strings.Builder
	b.WriteString("${" + name + op)
	raw := op != "" && strings.ContainsRune("#%/", rune(op[0]))
	for i, w := range words {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(l.render(w, true, raw))
	}
	b.WriteByte('}')
	return []tok{{text: b.String(), ref: true}}, nil
}

// render joins tokens into a template: literal text escaped, references as
// they are. inWord says the tokens are the word of a reference, where a
// literal "}" would end it early; raw words keep the lexer's escapes, so
// an escaped "}" or "/" stays escaped.
func (l *lexer) render(toks []tok, inWord, raw bool) string {
	var b strings.Builder
	var lit strings.Builder
	flush := func(beforeRef bool) {
		s := lit.String()
		lit.Reset()
		if beforeRef && strings.HasSuffix(s, "$") {
			// "$" then "${…}" would read as the escape "$${".
			l.c.changed(l.line, "a literal \"$\" right before a reference cannot be written in a Securefile; dropped")
			s = strings.TrimRight(s, "$")
		}
		if inWord && !raw && strings.Contains(s, "}") {
			l.c.changed(l.line, "a literal \"}\" inside ${…} cannot be written in a Securefile: the reference ends there")
		}
		b.WriteString(escapeLit(s))
	}
	for _, t := range toks {
		if !t.ref {
			lit.WriteString(t.text)
			continue
		}
		flush(true)
		b.WriteString(t.text)
	}
	flush(false)
	return b.String()
}

// escapeLit writes literal text as a template: in a Securefile "$${" is a
// literal "${", so every run of dollar signs right before "{" gets one
// more. Any other "$" is literal already.
func escapeLit(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			b.WriteByte('$')
		}
	}
	return b.String()
}

// isName reports whether s is a Securefile name, [A-Za-z_][A-Za-z0-9_]*.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
