package dsl

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// stringBody returns the text between the quotes of a string token and the
// byte offset of that text in the token. It copes with the unterminated
// forms, whose closing quotes are missing.
func stringBody(t lexer.Token) (string, int) {
	v := t.Value
	switch {
	case strings.HasPrefix(v, `"""`):
		body, off := v[3:], 3
		// The newline right after the opening quotes is not content.
		if strings.HasPrefix(body, "\r\n") {
			body, off = body[2:], off+2
		} else if strings.HasPrefix(body, "\n") {
			body, off = body[1:], off+1
		}
		if closedBy(body, `"""`) {
			body = body[:len(body)-3]
		}
		return body, off
	case strings.HasPrefix(v, `"`), strings.HasPrefix(v, `'`):
		body := v[1:]
		if closedBy(body, v[:1]) {
			body = body[:len(body)-1]
		}
		return body, 1
	}
	return v, 0
}

// closedBy reports whether s ends with the closing quote q rather than with
// an escaped quote.
func closedBy(s, q string) bool {
	if !strings.HasSuffix(s, q) {
		return false
	}
	if q == "'" {
		return true
	}
	n := 0
	for i := len(s) - len(q) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

// stringValue is the value a string token stands for.
func stringValue(t lexer.Token) string {
	body, _ := stringBody(t)
	if t.Type == tRawString {
		return body
	}
	if strings.HasPrefix(t.Value, `"""`) {
		body = dedent(body, startsLine(t.Value[3:]))
	}
	s, _ := unescape(body)
	return s
}

// startsLine reports whether the text after the opening quotes of a
// multi-line string starts with a newline, so that its first line starts
// at the beginning of a source line.
func startsLine(afterQuotes string) bool {
	return strings.HasPrefix(afterQuotes, "\n") || strings.HasPrefix(afterQuotes, "\r\n")
}

// dedent removes the indentation of a multi-line string's body, the source
// text between the quotes (without the newline after the opening ones),
// before escapes are decoded:
//
//   - The last line, when it holds only spaces and tabs (the closing quotes
//     stand on a line of their own), is removed; the newline before it
//     stays.
//   - The indentation is the longest run of spaces and tabs that begins
//     every line holding anything else. It is removed from those lines,
//     and a line of only spaces and tabs loses as much of it as it has.
//   - The first line takes part only when it starts a source line
//     (first): text on the line of the opening quotes is not indented.
//
// Escapes are not indentation ("\t", "\u0020") and an escaped newline
// does not start a line, so an escape at the start of a line keeps every
// line as it is written. The formatter relies on that to write any value.
func dedent(body string, first bool) string {
	lines := strings.Split(body, "\n")
	if n := len(lines); (n > 1 || first) && isBlank(lines[n-1]) {
		lines[n-1] = ""
	}
	from := 0
	if !first {
		from = 1
	}
	indent, found := "", false
	for _, l := range lines[from:] {
		if isBlank(l) {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if !found {
			indent, found = lead, true
			continue
		}
		indent = commonPrefix(indent, lead)
	}
	if indent == "" {
		return strings.Join(lines, "\n")
	}
	for i := from; i < len(lines); i++ {
		l := lines[i]
		if isBlank(l) {
			lines[i] = l[len(commonPrefix(l, indent)):]
			continue
		}
		lines[i] = l[len(indent):]
	}
	return strings.Join(lines, "\n")
}

// isBlank reports whether a line holds only spaces and tabs (a CR before
// its newline included).
func isBlank(l string) bool {
	return strings.TrimRight(l, " \t\r") == ""
}

func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return a[:i]
}

type escapeError struct {
	offset int // byte offset of the backslash in the body
	seq    string
}

// unescape decodes the escapes of a basic string (the TOML set).
func unescape(s string) (string, []escapeError) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	var errs []escapeError
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			errs = append(errs, escapeError{i, `\`})
			break
		}
		switch e := s[i+1]; e {
		case '"', '\\':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u', 'U':
			n := 4
			if e == 'U' {
				n = 8
			}
			hex := s[i+2 : min(i+2+n, len(s))]
			r, err := strconv.ParseUint(hex, 16, 32)
			if len(hex) != n || err != nil || !validScalar(rune(r)) {
				errs = append(errs, escapeError{i, s[i:min(i+2+n, len(s))]})
				i += 2
				continue
			}
			b.WriteRune(rune(r))
			i += 2 + n
			continue
		default:
			seq := s[i : i+2]
			if e >= 0x80 { // keep the whole character in the message
				seq = `\` + string([]rune(s[i+1:])[0])
			}
			errs = append(errs, escapeError{i, seq})
		}
		i += 2
	}
	return b.String(), errs
}

func validScalar(r rune) bool {
	return r >= 0 && r <= 0x10FFFF && (r < 0xD800 || r > 0xDFFF)
}
