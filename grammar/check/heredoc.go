package check

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// A shell ends a here-document only at a line that is exactly its
// delimiter ("<<-" lets tabs, not spaces, come first). An end line
// indented with the script, as in
//
//	run """
//	  cat <<EOF > /x
//	    text
//	  EOF
//	"""
//
// where "EOF" is deeper than the lines around it, or any indented end line
// in TOML, whose strings keep their indentation, is read as text: the
// here-document swallows the rest of the script and the build fails or,
// worse, writes the wrong file. The DSL removes the indentation all lines
// share, so this is left for an end line that the shell still cannot see.

// heredoc is one "<<WORD" of a script.
type heredoc struct {
	op    string // as written, "<<EOF", "<<-'EOF'"
	delim string // the delimiter, quotes removed
	dash  bool   // "<<-": leading tabs are removed from body lines
	line  int    // the line of the operator, 0-based
	near  int    // the first line that is the delimiter but for blanks, or -1
}

// heredocs warns about the here-documents of shell script v whose end line
// is never matched while a line that is the delimiter but for its
// indentation (or trailing blanks) exists.
func (c *checker) heredocs(v spec.Value[string], fb spec.Range) {
	for _, h := range unendedHeredocs(v.V) {
		lines := strings.Split(v.V, "\n")
		got := strings.TrimSuffix(lines[h.near], "\r")
		detail := fmt.Sprintf("The here-document %s (line %d of the command) ends only at a line that is exactly %q; line %d is %q, which the shell reads as part of the document, so it runs on to the end of the script.",
			h.op, h.line+1, h.delim, h.near+1, got)
		if h.dash {
			detail = fmt.Sprintf("The here-document %s (line %d of the command) ends only at a line that is exactly %q after leading tabs; line %d is %q, which the shell reads as part of the document, so it runs on to the end of the script.",
				h.op, h.line+1, h.delim, h.near+1, got)
		}
		hint := fmt.Sprintf("remove what follows %s on its end line", h.delim)
		if strings.TrimLeft(got, " \t") != got {
			hint = fmt.Sprintf("unindent the end line: in the command the shell runs it must be exactly %s at the start of the line (<<- also allows leading tabs, never spaces)", h.delim)
		}
		c.warnf(or(v.Range, fb), "indented-heredoc-end", detail, hint,
			"here-document %q never ends: its end line is %q", h.delim, got)
	}
}

// unendedHeredocs finds the here-documents of script s that no line ends
// but one line would end if it were not indented (or had no trailing
// blanks). The scan follows the shell where it matters: quotes, backslash
// escapes, comments, here-strings ("<<<"), arithmetic ("$((1<<2))"), line
// continuations, several here-documents on one line (their bodies follow
// in order), and bodies, which are not shell text.
func unendedHeredocs(s string) []heredoc {
	lines := strings.Split(s, "\n")
	var pending, unended []heredoc
	inSingle, inDouble, continued := false, false, false
	for li, raw := range lines {
		line := strings.TrimSuffix(raw, "\r")
		// Bodies start on the line after the command that holds their
		// operators, which ends at a newline outside quotes and not
		// escaped.
		if len(pending) > 0 && !inSingle && !inDouble && !continued {
			h := &pending[0]
			body := line
			if h.dash {
				body = strings.TrimLeft(body, "\t")
			}
			switch {
			case body == h.delim:
				pending = pending[1:]
			case h.near < 0 && strings.TrimSpace(body) == h.delim:
				h.near = li
			}
			continue
		}
		arith, cont := 0, false
	scan:
		for i := 0; i < len(line); i++ {
			ch := line[i]
			switch {
			case inSingle:
				inSingle = ch != '\''
			case ch == '\\':
				if i+1 == len(line) {
					cont = true
				}
				i++
			case inDouble:
				inDouble = ch != '"'
			case ch == '\'':
				inSingle = true
			case ch == '"':
				inDouble = true
			case ch == '#' && (i == 0 || strings.IndexByte(" \t;&|(", line[i-1]) >= 0):
				break scan
			case strings.HasPrefix(line[i:], "(("):
				arith++
				i++
			case strings.HasPrefix(line[i:], "))") && arith > 0:
				arith--
				i++
			case strings.HasPrefix(line[i:], "<<<"):
				i += 2
			case strings.HasPrefix(line[i:], "<<") && arith == 0:
				h, end := heredocOp(line, i, li)
				if h.delim != "" {
					pending = append(pending, h)
				}
				i = end - 1
			}
		}
		continued = cont
	}
	for _, h := range pending {
		if h.near >= 0 {
			unended = append(unended, h)
		}
	}
	return unended
}

// heredocOp reads the operator at line[i:] ("<<" or "<<-", blanks, then
// the delimiter word, whose quotes are removed) and returns it with the
// index after it. The delimiter is empty when no word follows.
func heredocOp(line string, i, li int) (heredoc, int) {
	j := i + 2
	h := heredoc{line: li, near: -1}
	if j < len(line) && line[j] == '-' {
		h.dash = true
		j++
	}
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	var delim strings.Builder
	var quote byte
	for ; j < len(line); j++ {
		ch := line[j]
		if quote != 0 {
			if ch == quote {
				quote = 0
			} else {
				delim.WriteByte(ch)
			}
			continue
		}
		if ch == '\'' || ch == '"' {
			quote = ch
			continue
		}
		if ch == '\\' && j+1 < len(line) {
			j++
			delim.WriteByte(line[j])
			continue
		}
		if strings.IndexByte(" \t;&|<>()", ch) >= 0 {
			break
		}
		delim.WriteByte(ch)
	}
	h.delim = delim.String()
	h.op = strings.TrimRight(line[i:j], " \t")
	return h, j
}
