package tomlfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ourorg/securefile/spec"
)

// syntaxError turns BurntSushi's error into a diagnostic at the place it
// names. A key written twice is the one TOML error that is about keys, so
// it reads like the duplicate keys of the DSL, with both places.
func syntaxError(s *scanner, src []byte, err error) *spec.Diagnostic {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return spec.Errorf(s.root.spanRange(), "syntax", "The file is not valid TOML: "+sentence(err.Error()), "", "invalid TOML")
	}
	// Offsets are into the text after the byte order mark.
	off := pe.Position.Start + s.bom
	r := spec.Range{
		Filename: s.filename,
		Start:    posAt(src, off, s.bom),
		End:      posAt(src, off+max(pe.Position.Len, 1), s.bom),
	}
	if s.dup != nil && isDuplicate(pe.Message) && s.dup.r.Start.Line == r.Start.Line {
		// BurntSushi refused the whole file, so there is no model: TOML
		// calls a key or table defined twice invalid TOML, and the syntax
		// code keeps grammar.Load from checking the empty model, which
		// would add "no stages" to the one real mistake.
		d := s.dup.diagnostic()
		d.Code = "syntax"
		return d
	}
	if d, ok := invalidUTF8(s, src, off, pe.Message); ok {
		return d
	}
	summary, hint := explain(pe.Message)
	if o := s.openString; o != nil && strings.HasPrefix(summary, "unterminated") && int(o.Byte) <= off {
		r.Start = *o
	}
	return spec.Errorf(r, "syntax", "The file is not valid TOML: "+sentence(pe.Message), hint, "%s", summary)
}

func (d *dupKey) diagnostic() *spec.Diagnostic {
	what, rel := construct(d.parent)
	return spec.DuplicateKey(d.r, d.first, what, strings.Join(append(rel, d.key), "."))
}

func isDuplicate(msg string) bool {
	return strings.Contains(msg, "has already been defined") || strings.Contains(msg, "was already created")
}

// explain rewrites BurntSushi's messages, which are written for TOML in
// general, as terse summaries; the original stays in the detail.
func explain(msg string) (summary, hint string) {
	after := func(prefix string) (string, bool) {
		if !strings.HasPrefix(msg, prefix) {
			return "", false
		}
		return strings.TrimSuffix(strings.TrimPrefix(msg, prefix), " instead"), true
	}
	const multiline = `write text over several lines as """…"""`
	if got, ok := after("expected a top-level item to end with a newline, comment, or EOF, but got "); ok {
		return "expected the end of the line, found " + got, "write one key = value per line"
	}
	if got, ok := after("expected value but found "); ok {
		return "expected a value, found " + got, `quote strings: key = "text"`
	}
	if got, ok := after("expected '.' or '=', but got "); ok {
		return `expected "=" after the key, found ` + got, ""
	}
	if got, ok := after("expected a comma (',') or array terminator (']'), but got "); ok {
		return `expected "," or "]" in the list, found ` + got, ""
	}
	if got, ok := after("expected a comma or an inline table terminator '}', but got "); ok {
		return `expected "," or "}" in the inline table, found ` + got, ""
	}
	if got, ok := after("expected '.' or ']' to end table name, but got "); ok {
		return `expected "]" to end the table header, found ` + got, ""
	}
	if got, ok := after("expected end of table array name delimiter ']', but got "); ok {
		return `expected "]]" to end the table header, found ` + got, ""
	}
	if got, ok := after("invalid escape in string "); ok {
		return "invalid escape " + got + " in a string", `write a backslash as \\, or use a 'literal string'`
	}
	switch msg {
	case "unexpected EOF; expected value":
		return "unexpected end of file, expected a value", ""
	case `unexpected EOF; expected '"'`, `unexpected EOF; expected "'"`:
		return "unterminated string", ""
	case "strings cannot contain newlines":
		return "unterminated string", multiline
	case `unexpected EOF; expected '"""'`, `unexpected EOF; expected "'''"`:
		return "unterminated multi-line string", ""
	case "unexpected end of table name (table names cannot be empty)", "unexpected table separator (table names cannot be empty)":
		return "empty table name", ""
	case "unexpected '=': key name appears blank":
		return `missing key before "="`, ""
	}
	if isDuplicate(msg) {
		return "key defined twice: " + lowerFirst(strings.TrimSuffix(msg, ".")), "remove one of them"
	}
	return lowerFirst(strings.TrimSuffix(msg, ".")), ""
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "TOML") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// construct names the construct a key path is in, for messages, and the
// path of the key inside it.
func construct(n *pnode) (what string, rel []string) {
	var chain []*pnode
	for m := n; m != nil && m.parent != nil; m = m.parent {
		chain = append(chain, m)
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	what, skip := "the file", 0
	if len(chain) > 0 {
		switch top := chain[0].name; top {
		case "args":
			what, skip = "[args]", 1
		case "secret", "ssh", "cache":
			if len(chain) > 1 {
				what, skip = fmt.Sprintf("%s %q", top, chain[1].name), 2
			}
		case "stage", "image":
			if len(chain) > 1 {
				what, skip = fmt.Sprintf("%s %q", top, chain[1].name), 2
			}
			if len(chain) > 3 && chain[2].name == "steps" && chain[3].index >= 0 {
				what, skip = fmt.Sprintf("step %d of %s %q", chain[3].index+1, top, chain[1].name), 4
			}
		}
	}
	for _, m := range chain[skip:] {
		if m.index >= 0 {
			if len(rel) > 0 {
				rel[len(rel)-1] += fmt.Sprintf("[%d]", m.index)
			}
			continue
		}
		rel = append(rel, m.name)
	}
	return what, rel
}
