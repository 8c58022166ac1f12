package interp

import "fmt"

// Expand returns the template with every reference replaced, for callers
// that cannot report an error: it is Eval, with "" when Eval fails. lookup
// returns a name's value and whether it is set; a nil lookup treats every
// name as unset.
func (t *Template) Expand(lookup func(name string) (string, bool)) string {
	s, err := t.Eval(lookup)
	if err != nil {
		return ""
	}
	return s
}

// Eval returns the template with every reference replaced, or an
// *ExpandError (see the package doc for when). lookup returns a name's
// value and whether it is set; a nil lookup treats every name as unset.
// Every reference is looked up, those in words whose result is not used
// included, each after the references of its own words, as BuildKit does.
func (t *Template) Eval(lookup func(name string) (string, bool)) (string, error) {
	get := func(name string) (string, bool) {
		if lookup == nil {
			return "", false
		}
		return lookup(name)
	}
	// Every word is expanded into buf where the reference's result will
	// go; when the reference is complete, its result replaces the word
	// there. Each byte of the template and each value is written once
	// (except by "//"), and an explicit stack keeps deep nesting linear.
	type frame struct {
		parts []part
		r     *ref // whose word (or replacement string) this is; nil at the top
		start int  // len(buf) when the word began
		mid   int  // opReplace: where the pattern ends and the string begins; -1 before
	}
	buf := make([]byte, 0, len(t.src))
	stack := []frame{{parts: t.parts, mid: -1}}
	for {
		top := &stack[len(stack)-1]
		if len(top.parts) > 0 {
			p := top.parts[0]
			top.parts = top.parts[1:]
			switch {
			case p.ref == nil:
				buf = append(buf, p.lit...)
			case p.ref.op == opValue:
				v, _ := get(p.ref.name)
				buf = append(buf, v...)
			default:
				stack = append(stack, frame{parts: p.ref.word, r: p.ref, start: len(buf), mid: -1})
			}
			continue
		}
		if top.r == nil {
			return string(buf), nil
		}
		r := top.r
		if r.op == opReplace && top.mid < 0 {
			top.mid = len(buf)
			top.parts = r.repl
			continue
		}
		start, mid := top.start, top.mid
		stack = stack[:len(stack)-1]
		v, set := get(r.name)
		unset := !set || r.colon && v == ""
		switch r.op {
		case opDefault:
			if !unset {
				buf = append(buf[:start], v...)
			}
		case opAlt:
			if unset {
				buf = buf[:start]
			}
		case opRequire:
			if unset {
				return "", r.fail(required(r, set, string(buf[start:])))
			}
			buf = append(buf[:start], v...)
		case opPrefix, opSuffix:
			pattern := string(buf[start:])
			if len(pattern) > MaxPattern {
				return "", r.fail(fmt.Sprintf("the pattern is %d bytes long, longer than the limit of %d", len(pattern), MaxPattern))
			}
			var out string
			var err error
			if r.op == opPrefix {
				out, err = trim(pattern, v, '#', trimPrefix)
			} else {
				out, err = trim(pattern, v, '%', trimSuffix)
			}
			if err != nil {
				return "", r.fail(fmt.Sprintf("invalid pattern %q: %v", pattern, err))
			}
			buf = append(buf[:start], out...)
		case opReplace:
			pattern, with := string(buf[start:mid]), string(buf[mid:])
			if len(pattern) > MaxPattern {
				return "", r.fail(fmt.Sprintf("the pattern is %d bytes long, longer than the limit of %d", len(pattern), MaxPattern))
			}
			out, err := replace(pattern, with, v, r.all)
			if err != nil {
				return "", r.fail(err.Error())
			}
			buf = append(buf[:start], out...)
		}
	}
}

func (r *ref) fail(msg string) *ExpandError {
	return &ExpandError{Name: r.name, Offset: r.offset, End: r.end, Msg: msg}
}

// required is BuildKit's message for a "?" reference that fails.
func required(r *ref, set bool, message string) string {
	if message == "" {
		message = "is not allowed to be unset"
		if set {
			message = "is not allowed to be empty"
		}
	}
	return r.name + ": " + message
}

// trim applies "#"/"##" or "%"/"%%": a pattern that starts with the
// operator's character, after expansion, is the longest-match form.
func trim(pattern, value string, opChar byte, fn func(pattern, value string, greedy bool) (string, error)) (string, error) {
	greedy := len(pattern) > 0 && pattern[0] == opChar
	if greedy {
		pattern = pattern[1:]
	}
	return fn(pattern, value, greedy)
}

// replace applies "/" (all false) or "//". The string is literal text:
// BuildKit's "//" would read a "$" in it as a regexp template (its
// regexp.ReplaceAllString), which is the one result of BuildKit's that
// this package does not reproduce, because the string holds values.
func replace(pattern, with, value string, all bool) (string, error) {
	re, err := shellPatternRegexp(pattern, true, false)
	if err != nil {
		return "", fmt.Errorf("invalid pattern %q: %w", pattern, err)
	}
	if !all {
		if idx := re.FindStringIndex(value); idx != nil {
			return value[:idx[0]] + with + value[idx[1]:], nil
		}
		return value, nil
	}
	// ReplaceAllStringFunc visits the matches exactly as ReplaceAllString
	// does; once the result would pass the limit, it stops growing it.
	size, over := len(value), false
	out := re.ReplaceAllStringFunc(value, func(m string) string {
		size += len(with) - len(m)
		if over = over || size > MaxExpansion; over {
			return ""
		}
		return with
	})
	if over {
		return "", fmt.Errorf("the result would be longer than the limit of %d bytes", MaxExpansion)
	}
	return out, nil
}
