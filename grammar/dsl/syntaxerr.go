package dsl

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/ourorg/securefile/spec"
)

// participle's messages name grammar nodes ("unexpected token "x"
// (expected ValueAST)"). The messages here are rebuilt from where the
// parse stopped: what was found there, and what the line so far allows.

const valueKinds = "a string, a number, true or false, a list [ … ] or a map { … }"

// lineError turns a parse error of the line lt, ended by term, into a
// diagnostic.
func (r *reader) lineError(err error, lt []lexer.Token, term lexer.Token, unclosed []int) *spec.Diagnostic {
	idx := len(lt)
	var perr participle.Error
	if errors.As(err, &perr) {
		off := perr.Position().Offset
		idx = sort.Search(len(lt), func(i int) bool { return lt[i].Pos.Offset >= off })
	}
	u := lexer.EOFToken(term.Pos)
	if idx < len(lt) {
		u = lt[idx]
	} else if len(unclosed) > 0 {
		o := r.toks[unclosed[len(unclosed)-1]]
		return unclosedErr(o, term, bracketName(o.Value))
	}
	found := describeEnd(u, term)
	d := r.inLine(lt, idx, u, found)
	if len(unclosed) > 0 && d.Hint == "" {
		if o := r.toks[unclosed[0]]; o.Pos.Line < u.Pos.Line {
			d.Hint = fmt.Sprintf("is a %q missing? The %s that starts at line %d is not closed", closer(o.Value), bracketName(o.Value), o.Pos.Line)
		}
	}
	return d
}

// inLine explains the unexpected token u at lt[idx] from what comes
// before it.
func (r *reader) inLine(lt []lexer.Token, idx int, u lexer.Token, found string) *spec.Diagnostic {
	rng := tokenRange(u)
	ended := u.EOF() || u.Type == tNewline
	var stack []int
	for i := 0; i < idx; i++ {
		if lt[i].Type == tPunct {
			switch lt[i].Value {
			case "[", "{":
				stack = append(stack, i)
			case "]", "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	var prev lexer.Token
	if idx > 0 {
		prev = lt[idx-1]
	}
	if isPunct(prev, "=") && (len(stack) > 0 || idx == 2) {
		if ended {
			return syntaxErr(rng, "A value goes after \"=\": "+valueKinds+".", "", `expected a value after "="`)
		}
		return syntaxErr(rng, "Expected a value after \"=\": "+valueKinds+".", quoteHint(u), "unexpected %s", found)
	}
	if len(stack) == 0 {
		switch {
		case idx <= 1:
			return syntaxErr(rng, `After a name comes "=" and a value (a setting), or the words of a statement.`, "", "unexpected %s", found)
		case isPunct(lt[1], "="):
			return syntaxErr(rng, "A setting ends with its value.", "put what follows on a new line", "unexpected %s", found)
		}
		return syntaxErr(rng, `A statement is made of names, strings, numbers, lists, "=" and ",".`, "", "unexpected %s", found)
	}
	open := lt[stack[len(stack)-1]]
	where := fmt.Sprintf("the %s that starts at %d:%d", bracketName(open.Value), open.Pos.Line, open.Pos.Column)
	afterItem := !isPunct(prev, "[") && !isPunct(prev, "{") && !isPunct(prev, ",") && prev.Type != tNewline
	if open.Value == "[" {
		if afterItem {
			hint := "separate the items of a list with commas"
			if ended {
				hint = `close the list with "]"`
			}
			return syntaxErr(rng, fmt.Sprintf(`Expected "," or "]" in %s.`, where), hint, "unexpected %s", found)
		}
		return syntaxErr(rng, fmt.Sprintf(`Expected a value or "]" in %s.`, where), quoteHint(u), "unexpected %s", found)
	}
	if afterItem && idx >= 2 && isKeyStart(lt[idx-2]) && isKeyToken(prev) {
		return syntaxErr(rng, "Each entry of a map is KEY = VALUE.", fmt.Sprintf(`write: %s = "VALUE"`, prev.Value), "expected \"=\" after %s", keyText(prev))
	}
	if afterItem {
		return syntaxErr(rng, fmt.Sprintf(`Expected ",", a new line or "}" after an entry of %s.`, where), "", "unexpected %s", found)
	}
	return syntaxErr(rng, fmt.Sprintf(`Expected a key (a name or a string) or "}" in %s.`, where), "", "unexpected %s", found)
}

// badLineStart reports t, which cannot begin a line.
func badLineStart(t lexer.Token) *spec.Diagnostic {
	hint := ""
	if t.Type == tString || t.Type == tRawString || t.Type == tMLString {
		hint = "names of statements and settings are written without quotes"
	}
	return syntaxErr(tokenRange(t), "A line starts with a name: a setting (NAME = value) or a statement such as run or copy.",
		hint, "unexpected %s", describe(t))
}

// unclosedErr reports the bracket open of a kind ("list", "map",
// "block") that is still open at stop.
func unclosedErr(open, stop lexer.Token, kind string) *spec.Diagnostic {
	before := "the end of the file"
	switch {
	case isPunct(stop, "}"):
		before = fmt.Sprintf(`the "}" at %d:%d`, stop.Pos.Line, stop.Pos.Column)
	case !stop.EOF():
		before = fmt.Sprintf("line %d, where a new stage starts", stop.Pos.Line)
	}
	return syntaxErr(tokenRange(open), fmt.Sprintf("The %s that starts here is not closed before %s.", kind, before),
		fmt.Sprintf("close it with %q", closer(open.Value)), "unclosed %q", open.Value)
}

func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "end of file"
	case tNewline:
		return "end of line"
	case tString, tRawString, tMLString:
		return "string " + shorten(t.Value)
	case tNumber:
		return "number " + shorten(t.Value)
	case tInvalid:
		return fmt.Sprintf("character %q", t.Value)
	}
	return fmt.Sprintf("%q", shorten(t.Value))
}

// describeEnd describes u, or what ended the line when u is its end.
func describeEnd(u, term lexer.Token) string {
	if u.EOF() {
		return describe(term)
	}
	return describe(u)
}

func shorten(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if utf8.RuneCountInString(s) > 24 {
		s = string([]rune(s)[:23]) + "…"
	}
	return s
}

func quoteHint(u lexer.Token) string {
	if u.Type == tInvalid || u.Type == tIdent {
		return "strings are written in quotes"
	}
	return ""
}

func isKeyToken(t lexer.Token) bool {
	return t.Type == tIdent || t.Type == tString || t.Type == tRawString
}

func isKeyStart(t lexer.Token) bool {
	return isPunct(t, "{") || isPunct(t, ",") || t.Type == tNewline
}

func keyText(t lexer.Token) string {
	if t.Type == tIdent {
		return fmt.Sprintf("%q", t.Value)
	}
	return t.Value
}

func bracketName(open string) string {
	if open == "[" {
		return "list"
	}
	return "map"
}

func closer(open string) string {
	if open == "[" {
		return "]"
	}
	return "}"
}
