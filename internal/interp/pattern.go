package interp

// The pattern matching of "#", "##", "%", "%%", "/" and "//", ported from
// BuildKit's Dockerfile shell lexer (github.com/moby/buildkit, v0.34.2,
// frontend/dockerfile/shell/lex.go: convertShellPatternToRegex,
// trimPrefix, trimSuffix, reversePattern, reverseString; Apache License
// 2.0), which exports none of it. The port keeps its algorithm on
// purpose, quirks included, so that a pattern gives the same result as in
// a Dockerfile: a pattern becomes a Go regexp, where "*" is ".*" (or
// ".*?" for the shortest match) and "?" is ".", so neither matches a
// newline; text/scanner reads the pattern, so a leading byte order mark
// is dropped and invalid UTF-8 reads as U+FFFD; and a suffix is trimmed
// by reversing the value and the pattern rune by rune, so invalid UTF-8
// in the value comes back as U+FFFD. The differential tests
// (lexer_test.go) hold the port to the original.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/scanner"
)

// shellPatternRegexp converts a pattern to a regexp: greedy makes "*"
// match the longest string, anchored matches at the start only.
func shellPatternRegexp(pattern string, greedy, anchored bool) (*regexp.Regexp, error) {
	var s scanner.Scanner
	s.Init(strings.NewReader(pattern))
	s.Error = func(*scanner.Scanner, string) {} // the default prints to stderr
	var out strings.Builder
	out.Grow(len(pattern) + 4)
	if anchored {
		out.WriteByte('^')
	}
	star := ".*?"
	if greedy {
		star = ".*"
	}
	for tok := s.Next(); tok != scanner.EOF; tok = s.Next() {
		switch tok {
		case '*':
			out.WriteString(star)
			continue
		case '?':
			out.WriteByte('.')
			continue
		case '\\':
			// "\}" and "\/" are escaped for the reference's syntax; the
			// character itself is the pattern.
			if s.Peek() == '}' || s.Peek() == '/' {
				continue
			}
			out.WriteRune('\\')
			tok = s.Next()
			if tok != '*' && tok != '?' && tok != '\\' {
				if tok == scanner.EOF {
					return nil, fmt.Errorf(`"\" at the end`)
				}
				return nil, fmt.Errorf(`invalid escape "\%c"`, tok)
			}
		case '[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$':
			out.WriteByte('\\')
		}
		out.WriteRune(tok)
	}
	return regexp.Compile(out.String())
}

// trimPrefix removes the shortest (greedy: longest) prefix of value that
// matches pattern.
func trimPrefix(pattern, value string, greedy bool) (string, error) {
	re, err := shellPatternRegexp(pattern, greedy, true)
	if err != nil {
		return "", err
	}
	if idx := re.FindStringIndex(value); idx != nil {
		value = value[idx[1]:]
	}
	return value, nil
}

// trimSuffix removes the shortest (greedy: longest) suffix of value that
// matches pattern. A regexp cannot find the shortest rightmost match, so
// it reverses both to search leftmost.
func trimSuffix(pattern, value string, greedy bool) (string, error) {
	str, err := trimPrefix(reversePattern(pattern), reverseString(value), greedy)
	if err != nil {
		// The reversed pattern fails where the pattern does (it has the
		// same escapes), but the pattern's own error is the one to show.
		if _, orig := shellPatternRegexp(pattern, greedy, true); orig != nil {
			err = orig
		}
		return "", err
	}
	return reverseString(str), nil
}

// reversePattern reverses pattern rune by rune, keeping each escape in
// front of the character it escapes ("a\*c" gives "c\*a").
func reversePattern(pattern string) string {
	in := []rune(pattern)
	out := make([]rune, len(in))
	last := len(in) - 1
	for i := 0; i <= last; {
		tok := in[i]
		o := last - i
		if tok == '\\' && i != last {
			out[o-1] = tok
			out[o] = in[i+1]
			i += 2
		} else {
			out[o] = tok
			i++
		}
	}
	return string(out)
}

func reverseString(s string) string {
	out := []rune(s)
	slices.Reverse(out)
	return string(out)
}
