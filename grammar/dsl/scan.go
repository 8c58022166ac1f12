package dsl

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// scanDef is the lexer Parse runs. lexDef's regular expressions are the
// readable definition of the tokens, but matching them rule by rule takes
// most of the time budget of a large file (60ms for 10,000 steps); scanner
// is a hand-written equivalent, five times faster, that produces exactly
// the same tokens (TestScannerMatchesRules and FuzzParse compare the two).
var scanDef lexer.Definition = scanDefinition{}

type scanDefinition struct{}

func (scanDefinition) Symbols() map[string]lexer.TokenType { return lexDef.Symbols() }

func (scanDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return newScanner(filename, string(b)), nil
}

func (scanDefinition) LexString(filename string, s string) (lexer.Lexer, error) {
	return newScanner(filename, s), nil
}

type scanner struct {
	src string
	off int
	pos lexer.Position
}

func newScanner(filename, src string) *scanner {
	return &scanner{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}
}

const bom = "\uFEFF"

// Next never fails: text no rule accepts becomes an Invalid token.
func (s *scanner) Next() (lexer.Token, error) {
	for s.off < len(s.src) {
		rest := s.src[s.off:]
		c := rest[0]
		var typ lexer.TokenType
		n := 0
		switch {
		case c == ' ' || c == '\t' || strings.HasPrefix(rest, bom):
			s.advance(rest[:whitespaceLen(rest)])
			continue
		case isIdentStart(c):
			typ, n = tIdent, 1+spanOf(rest[1:], isIdentChar)
		case c == '\n':
			typ, n = tNewline, 1
		case c == '\r' && len(rest) > 1 && rest[1] == '\n':
			typ, n = tNewline, 2
		case strings.IndexByte("[]{}=,", c) >= 0:
			typ, n = tPunct, 1
		case strings.HasPrefix(rest, `"""`):
			typ, n = scanMultiline(rest)
		case c == '"':
			typ, n = scanString(rest)
		case c == '\'':
			n = 1 + lineSpan(rest[1:], '\'')
			if n < len(rest) && rest[n] == '\'' {
				typ, n = tRawString, n+1
			} else {
				typ = tBadRaw
			}
		case isDigit(c):
			typ, n = tNumber, 1+spanOf(rest[1:], isNumberChar)
		case (c == '-' || c == '+') && len(rest) > 1 && isDigit(rest[1]):
			typ, n = tNumber, 2+spanOf(rest[2:], isNumberChar)
		case c == '#':
			typ, n = tComment, lineSpan(rest, 0)
		default:
			_, n = utf8.DecodeRuneInString(rest)
			typ = tInvalid
		}
		t := lexer.Token{Type: typ, Value: rest[:n], Pos: s.pos}
		s.advance(t.Value)
		return t, nil
	}
	return lexer.EOFToken(s.pos), nil
}

func (s *scanner) advance(text string) {
	s.off += len(text)
	if strings.IndexByte(text, '\n') >= 0 {
		s.pos.Advance(text)
		return
	}
	s.pos.Offset += len(text)
	s.pos.Column += utf8.RuneCountInString(text)
}

func whitespaceLen(s string) int {
	n := 0
	for n < len(s) {
		switch {
		case s[n] == ' ' || s[n] == '\t':
			n++
		case strings.HasPrefix(s[n:], bom):
			n += len(bom)
		default:
			return n
		}
	}
	return n
}

// scanMultiline mirrors the MLString and BadMLString rules: a quote in the
// content may not begin a run of three, and the closing run takes up to
// five quotes (the first two then belong to the content).
func scanMultiline(s string) (lexer.TokenType, int) {
	i := 3
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], `"""`):
			q := 3
			for q < 5 && i+q < len(s) && s[i+q] == '"' {
				q++
			}
			return tMLString, i + q
		case s[i] == '\\':
			i += 2
		case s[i] == '"' && i+1 < len(s) && s[i+1] == '"':
			i += 2 // the third character is neither a quote nor missing
			if i < len(s) && s[i] == '\\' {
				i++
			}
			i++
		case s[i] == '"':
			i++
			if i < len(s) && s[i] == '\\' {
				i++
			}
			i++
		default:
			i++
		}
	}
	// An escape or quote run that needed a character past the end also
	// lands here, as in the regular expression.
	return tBadMLString, len(s)
}

// scanString mirrors the String and BadString rules.
func scanString(s string) (lexer.TokenType, int) {
	i := 1
	for i < len(s) {
		switch s[i] {
		case '"':
			return tString, i + 1
		case '\n':
			return tBadString, i
		case '\\':
			if i+1 >= len(s) || s[i+1] == '\n' {
				return tBadString, i + 1
			}
			i += 2
		default:
			i++
		}
	}
	return tBadString, len(s)
}

// lineSpan is the length of s up to the first newline or stop byte (0 for
// none).
func lineSpan(s string, stop byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || stop != 0 && s[i] == stop {
			return i
		}
	}
	return len(s)
}

func spanOf(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }

func isIdentStart(c byte) bool { return isLetter(c) }

func isIdentChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '.' || c == '-' }

func isNumberChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '.' }
