package dsl

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar knows nothing about stages, secrets or steps: it reads the
// shape every line shares (HCL-like), and the decoder gives it meaning from
// the spec key tables, so it can say precisely what is wrong with a
// statement that is well-formed text.
//
// It reads one line at a time: an attribute (NAME = value) or a statement
// (NAME word...), which may end by opening a block. The driver in items.go
// reads the lines of a block between its braces, so a broken line costs
// only itself, and lines of the same shape are parsed once.
//
// Inside lists and maps the driver removes the newlines that carry no
// meaning before the parser sees them (see lineTokens), which keeps the
// grammar LL(1): with no lookahead participle reports an error at the token
// where it happened instead of where a backtracked alternative started.

type lineAST struct {
	Name  lexer.Token `parser:"@Ident"`
	Attr  *valueAST   `parser:"( '=' @@"`
	Words []*wordAST  `parser:"| (?! '=') @@+"`
	Open  lexer.Token `parser:"  @'{'? | @'{' )?"`
}

// wordAST is one word of a statement. '=' and ',' are words so that
// `env A = "1", B = "2"` needs no grammar of its own.
type wordAST struct {
	Tok  lexer.Token `parser:"  @(String | RawString | MLString | Ident | Number | '=' | ',')"`
	List *listAST    `parser:"| @@"`
}

type valueAST struct {
	Tok  lexer.Token `parser:"  @(String | RawString | MLString | Ident | Number)"`
	List *listAST    `parser:"| @@"`
	Map  *mapAST     `parser:"| @@"`
}

type listAST struct {
	Open  lexer.Token `parser:"@'['"`
	Items []*valueAST `parser:"( @@ ( (?! ',' ']') ',' @@ )* ','? )?"`
	Close lexer.Token `parser:"@']'"`
}

// mapAST entries are separated by commas or newlines.
type mapAST struct {
	Open    lexer.Token `parser:"@'{'"`
	Entries []*entryAST `parser:"( @@ ( (?! ',' '}') ( ',' | Newline ) @@ )* ','? )?"`
	Close   lexer.Token `parser:"@'}'"`
}

type entryAST struct {
	Key   lexer.Token `parser:"@(Ident | String | RawString)"`
	Value *valueAST   `parser:"'=' @@"`
}

var lineParser = participle.MustBuild[lineAST](
	participle.Lexer(scanDef),
	participle.UseLookahead(0),
)
