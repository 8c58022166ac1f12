package dsl

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// The Bad* rules and Invalid exist so that the lexer never fails: a lexical
// mistake becomes a token the parse can step over and a diagnostic with a
// position, instead of hiding the rest of the file. Rules are tried in order,
// so the frequent ones come first.
var lexDef = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "whitespace", Pattern: `[ \t\x{feff}]+`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_.-]*`},
	{Name: "Newline", Pattern: `\r?\n`},
	{Name: "Punct", Pattern: `[\[\]{}=,]`},
	// A quote inside a multi-line string may not start a run of three;
	// up to two more quotes before the closing ones belong to the content.
	{Name: "MLString", Pattern: `"""(?:[^"\\]|\\(?s:.)|"[^"\\]|""[^"\\]|"\\(?s:.)|""\\(?s:.))*"{3,5}`},
	{Name: "BadMLString", Pattern: `"""(?s:.)*`},
	{Name: "String", Pattern: `"(?:[^"\\\n]|\\[^\n])*"`},
	{Name: "BadString", Pattern: `"(?:[^"\\\n]|\\[^\n])*\\?`},
	{Name: "RawString", Pattern: `'[^'\n]*'`},
	{Name: "BadRawString", Pattern: `'[^'\n]*`},
	{Name: "Number", Pattern: `[-+]?[0-9][A-Za-z0-9_.]*`},
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "Invalid", Pattern: `(?s:.)`},
})

var (
	symbols      = lexDef.Symbols()
	tIdent       = symbols["Ident"]
	tNewline     = symbols["Newline"]
	tPunct       = symbols["Punct"]
	tMLString    = symbols["MLString"]
	tBadMLString = symbols["BadMLString"]
	tString      = symbols["String"]
	tBadString   = symbols["BadString"]
	tRawString   = symbols["RawString"]
	tBadRaw      = symbols["BadRawString"]
	tNumber      = symbols["Number"]
	tComment     = symbols["Comment"]
	tInvalid     = symbols["Invalid"]
)

// comment is one '#' comment. eol is set when something else stands before
// it on its line.
type comment struct {
	text string
	pos  lexer.Position
	eol  bool
}

// lexed is a tokenized file. toks holds what the parser sees (no comments,
// no blanks) and ends with an EOF token.
type lexed struct {
	toks     []lexer.Token
	comments []comment
	diags    spec.Diagnostics
}

func lex(filename string, src []byte) *lexed {
	l := &lexed{}
	lx := newScanner(filename, string(src))
	// Source has about one token in six bytes. (Reserving for one in four,
	// to avoid regrowing, raised the peak RSS of a 16 MiB lint: measured.)
	l.toks = make([]lexer.Token, 0, len(src)/6+16)
	lastLine := 0 // the line on which the last parser token ended
	for {
		t, _ := lx.Next() // never fails
		switch t.Type {
		case lexer.EOF:
			l.toks = append(l.toks, t)
			return l
		case tComment:
			l.comments = append(l.comments, comment{
				text: strings.TrimRight(t.Value[1:], "\r"),
				pos:  t.Pos,
				eol:  lastLine == t.Pos.Line,
			})
			continue
		case tNewline:
			lastLine = 0
			l.toks = append(l.toks, t)
			continue
		}
		l.check(&t)
		l.toks = append(l.toks, t)
		lastLine = t.Pos.Line + strings.Count(t.Value, "\n")
	}
}

// check reports lexical problems in t and turns a bad token into the good
// kind it was meant to be, so that parsing goes on.
func (l *lexed) check(t *lexer.Token) {
	switch t.Type {
	case tBadString:
		t.Type = tString
		l.report(syntaxErr(tokenRange(*t), "A string starts here, but the line ends before its closing quote.",
			`close it with " on the same line, or write a multi-line string between """ and """`,
			"unterminated string"))
		return
	case tBadRaw:
		t.Type = tRawString
		l.report(syntaxErr(tokenRange(*t), "A raw string starts here, but the line ends before its closing quote.",
			"close it with ' on the same line", "unterminated raw string"))
		return
	case tBadMLString:
		t.Type = tMLString
		l.report(syntaxErr(textRange(t.Pos, `"""`), `The multi-line string that starts here is never closed.`,
			`close it with """`, "unterminated multi-line string"))
		return
	case tString, tMLString:
		if strings.IndexByte(t.Value, '\\') < 0 {
			return
		}
		body, off := stringBody(*t)
		if _, errs := unescape(body); len(errs) > 0 {
			for _, e := range errs {
				p := t.Pos
				p.Advance(t.Value[:off+e.offset])
				l.report(syntaxErr(textRange(p, e.seq),
					`Strings take the escapes \" \\ \n \t \r \b \f \uXXXX and \UXXXXXXXX.`,
					`to write a backslash, double it (\\), or use a raw string '…'`,
					"invalid escape sequence \"%s\"", e.seq))
			}
		}
	case tNumber:
		if _, err := strconv.Atoi(t.Value); err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				l.report(syntaxErr(tokenRange(*t), "Integers must fit in 64 bits.", "", "number %s is out of range", t.Value))
				return
			}
			l.report(syntaxErr(tokenRange(*t), "A number is written with digits only, like 1000.",
				"to write a string, quote it: "+strconv.Quote(t.Value), "invalid number %q", t.Value))
		}
	}
}

func (l *lexed) report(d *spec.Diagnostic) { l.diags = append(l.diags, d) }

// endOf is the position just after t.
func endOf(t lexer.Token) lexer.Position {
	p := t.Pos
	if strings.IndexByte(t.Value, '\n') >= 0 {
		p.Advance(t.Value)
		return p
	}
	p.Offset += len(t.Value)
	p.Column += utf8.RuneCountInString(t.Value)
	return p
}

func toPos(p lexer.Position) spec.Pos {
	return spec.Pos{Line: int32(p.Line), Column: int32(p.Column), Byte: int32(p.Offset)}
}

func tokenRange(t lexer.Token) spec.Range {
	return spec.Range{Filename: t.Pos.Filename, Start: toPos(t.Pos), End: toPos(endOf(t))}
}

// textRange spans text written at p.
func textRange(p lexer.Position, text string) spec.Range {
	e := p
	e.Advance(text)
	return spec.Range{Filename: p.Filename, Start: toPos(p), End: toPos(e)}
}

func syntaxErr(r spec.Range, detail, hint, summary string, args ...any) *spec.Diagnostic {
	return spec.Errorf(r, "syntax", detail, hint, summary, args...)
}
