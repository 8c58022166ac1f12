package dsl

import (
	"sync"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// maxDepth bounds the nesting of lists and maps in one line, and
// maxBlockDepth that of blocks (a run's bind block is the third level).
// Deeper input is reported rather than parsed, so that no input can
// exhaust the stack.
const (
	maxDepth      = 32
	maxBlockDepth = 8
)

// reader splits the token stream into lines and blocks and parses each line
// on its own, so that every broken line is reported and only it is lost.
type reader struct {
	toks  []lexer.Token
	i     int
	diags spec.Diagnostics
	key   []byte // the shape of the current line
	depth int    // blocks open around the current line
	arena arena
}

func newReader(toks []lexer.Token) *reader {
	return &reader{toks: toks}
}

// templates maps the shape of a line (the kinds of its tokens) to its
// parse: the generic grammar does not look at names or values, so lines of
// the same shape parse the same way. A stage of ten thousand steps has a
// handful of shapes, and an editor parsing a file at every keystroke finds
// almost all of its lines here. Templates are never modified, so the
// parses of all files share them.
var templates = struct {
	sync.RWMutex
	m map[string]*tLine
}{m: map[string]*tLine{}}

// maxTemplates bounds the cache; when full it starts over.
const maxTemplates = 4096

func cachedTemplate(key []byte) *tLine {
	templates.RLock()
	defer templates.RUnlock()
	return templates.m[string(key)]
}

func cacheTemplate(key []byte, tl *tLine) {
	templates.Lock()
	defer templates.Unlock()
	if len(templates.m) >= maxTemplates {
		templates.m = map[string]*tLine{}
	}
	templates.m[string(key)] = tl
}

// readItems reads items up to the end of the file or, inside a block
// (open set), up to its closing brace. closed is false when a block ends
// without one.
func (r *reader) readItems(open *lexer.Token) (items []*item, close lexer.Token, closed, broken bool) {
	for {
		t := r.toks[r.i]
		switch {
		case t.Type == tNewline:
			r.i++
			continue
		case t.EOF():
			return items, t, open == nil, broken
		case isPunct(t, "}"):
			r.i++
			if open != nil {
				return items, t, true, broken
			}
			r.diags = append(r.diags, syntaxErr(tokenRange(t), "There is no open block here for it to close.", "", `unexpected "}"`))
			continue
		case open != nil && r.startsTopLevel(r.i):
			// Only a missing "}" puts a stage line inside a block.
			return items, t, false, broken
		}
		if it := r.readItem(); it != nil {
			items = append(items, it)
		} else {
			broken = true
		}
	}
}

// readItem reads one item and its block. It returns nil for a broken item
// after reporting it.
func (r *reader) readItem() *item {
	start := r.i
	end, opens, unclosed, tooDeep := r.lineEnd(start)
	r.i = end
	var it *item
	switch first := r.toks[start]; {
	case first.Type != tIdent:
		r.diags = append(r.diags, badLineStart(first))
	case tooDeep >= 0:
		r.diags = append(r.diags, syntaxErr(tokenRange(r.toks[tooDeep]),
			"Lists and maps may be nested at most 32 deep.", "", "too deeply nested"))
	default:
		it = r.parseLine(start, end, unclosed)
	}
	if !opens {
		return it
	}
	open := r.toks[end-1]
	if r.depth >= maxBlockDepth {
		r.diags = append(r.diags, syntaxErr(tokenRange(open), "Blocks may be nested at most 8 deep.", "", "too deeply nested"))
		r.skipBlock()
		return nil
	}
	r.depth++
	items, close, closed, broken := r.readItems(&open)
	r.depth--
	if !closed {
		r.diags = append(r.diags, unclosedErr(open, close, "block"))
		return nil
	}
	if it != nil {
		it.block = &block{items: items, rng: spec.Cover(tokenRange(open), tokenRange(close)), broken: broken}
		it.rng = spec.Cover(it.rng, it.block.rng)
	}
	if t := r.toks[r.i]; t.Type != tNewline && !t.EOF() && !isPunct(t, "}") {
		r.diags = append(r.diags, syntaxErr(tokenRange(t), `A block ends its statement; what follows "}" must go on a new line.`,
			"start a new line after the block", "unexpected %s after the block", describe(t)))
		var opens bool
		if r.i, opens, _, _ = r.lineEnd(r.i); opens {
			r.skipBlock()
		}
	}
	return it
}

// skipBlock skips to the end of the block just opened.
func (r *reader) skipBlock() {
	for depth := 1; depth > 0 && !r.toks[r.i].EOF(); r.i++ {
		switch t := r.toks[r.i]; {
		case isPunct(t, "{"):
			depth++
		case isPunct(t, "}"):
			depth--
		}
	}
}

// lineEnd finds where the line that starts at start ends: at a newline or
// an unmatched "}" outside brackets, or just after the "{" that opens a
// statement's block. unclosed lists the brackets still open at the end;
// tooDeep is the index of a bracket nested too deep, or -1.
func (r *reader) lineEnd(start int) (end int, opens bool, unclosed []int, tooDeep int) {
	attr := start+1 < len(r.toks) && isPunct(r.toks[start+1], "=")
	var stack []int
	tooDeep = -1
	for i := start; ; i++ {
		t := r.toks[i]
		if t.EOF() {
			return i, false, stack, tooDeep
		}
		if len(stack) == 0 {
			switch {
			case t.Type == tNewline:
				return i, false, nil, tooDeep
			case isPunct(t, "}") && i > start:
				return i, false, nil, tooDeep
			case isPunct(t, "{") && !attr:
				return i + 1, true, nil, tooDeep
			}
		} else if t.Type == tNewline && r.startsTopLevel(i+1) {
			return i, false, stack, tooDeep
		}
		if t.Type == tPunct {
			switch t.Value {
			case "[", "{":
				stack = append(stack, i)
				if len(stack) > maxDepth && tooDeep < 0 {
					tooDeep = i
				}
			case "]", "}":
				if len(stack) == 0 {
					break
				}
				if t.Value == "}" && r.toks[stack[len(stack)-1]].Value == "[" {
					// A list cannot hold a "}": it closes the enclosing
					// block, and the list was left open.
					return i, false, stack, tooDeep
				}
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// startsTopLevel reports whether a stage or image declaration starts at
// token i at the start of a line; inside a block that means a "}" is
// missing above it.
func (r *reader) startsTopLevel(i int) bool {
	if i+1 >= len(r.toks) {
		return false
	}
	t, next := r.toks[i], r.toks[i+1]
	if t.Type != tIdent || t.Pos.Column != 1 || next.Type != tIdent {
		return false
	}
	switch t.Value {
	case "stage", "image":
		return true
	case "default":
		return next.Value == "stage" || next.Value == "image"
	}
	return false
}

// parseLine parses toks[start:end] as one line.
func (r *reader) parseLine(start, end int, unclosed []int) *item {
	lt := r.lineTokens(start, end)
	if tl := cachedTemplate(r.key); tl != nil {
		return tl.instantiate(lt, &r.arena)
	}
	ast, err := lineParser.ParseFromLexer(peekable(lt, r.toks[end]))
	if err != nil {
		stop := r.toks[end]
		if stop.Type == tNewline && len(unclosed) > 0 {
			stop = r.toks[end+1] // the stage line that cut the line short
		}
		r.diags = append(r.diags, r.lineError(err, lt, stop, unclosed))
		return nil
	}
	tl := newTemplate(ast, lt)
	cacheTemplate(r.key, tl)
	return tl.instantiate(lt, &r.arena)
}

// lineTokens returns the tokens of a line without the newlines that carry
// no meaning: all of them inside a list, and inside a map all but one
// between two entries, where a newline separates them like a comma. It
// sets r.key to the line's shape.
func (r *reader) lineTokens(start, end int) []lexer.Token {
	lt := r.toks[start:end]
	r.key = r.key[:0]
	hasNewline := false
	for _, t := range lt {
		r.key = append(r.key, shapeOf(t))
		hasNewline = hasNewline || t.Type == tNewline
	}
	if !hasNewline {
		return lt
	}
	out := make([]lexer.Token, 0, len(lt))
	var stack []byte
	r.key = r.key[:0]
	next := 0 // after a newline at i: the index of the next other token
	for i, t := range lt {
		if t.Type == tNewline {
			if len(stack) == 0 || stack[len(stack)-1] == '[' {
				continue
			}
			if n := len(out); n > 0 && (isPunct(out[n-1], "{") || isPunct(out[n-1], ",") || out[n-1].Type == tNewline) {
				continue
			}
			if next <= i {
				for next = i + 1; next < len(lt) && lt[next].Type == tNewline; next++ {
				}
			}
			if next < len(lt) && (isPunct(lt[next], "}") || isPunct(lt[next], ",")) {
				continue
			}
		}
		if t.Type == tPunct {
			switch t.Value {
			case "[", "{":
				stack = append(stack, t.Value[0])
			case "]", "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
		out = append(out, t)
		r.key = append(r.key, shapeOf(t))
	}
	return out
}

// shapeOf is what the grammar sees of a token.
func shapeOf(t lexer.Token) byte {
	switch t.Type {
	case tIdent:
		return 'i'
	case tString:
		return 's'
	case tRawString:
		return 'r'
	case tMLString:
		return 'm'
	case tNumber:
		return 'n'
	case tNewline:
		return 'N'
	case tPunct:
		return t.Value[0]
	}
	return '?'
}

func isPunct(t lexer.Token, p string) bool { return t.Type == tPunct && t.Value == p }

// peekable feeds one line to the parser, ended by an EOF token where the
// line ends.
func peekable(lt []lexer.Token, term lexer.Token) *lexer.PeekingLexer {
	pl, _ := lexer.Upgrade(&sliceLexer{toks: lt, eof: lexer.EOFToken(term.Pos)}) // sliceLexer never fails
	return pl
}

type sliceLexer struct {
	toks []lexer.Token
	eof  lexer.Token
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if len(s.toks) == 0 {
		return s.eof, nil
	}
	t := s.toks[0]
	s.toks = s.toks[1:]
	return t, nil
}
