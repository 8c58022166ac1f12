package spec

import (
	"fmt"
	"strings"
)

// Diagnostics shared by both parsers, so the same mistake reads the same in
// either syntax. what names the construct, e.g. `secret "netrc"`.

// UnknownKey reports a key the construct does not take.
func UnknownKey(r Range, what, key string, keys []Key) *Diagnostic {
	return Errorf(r, "unknown-key",
		fmt.Sprintf("%s takes the keys %s.", capitalize(what), joinNames(Names(keys))),
		DidYouMean(key, Names(keys)),
		"unknown key %q in %s", key, what)
}

// WrongType reports a value of the wrong type; got describes what was
// written ("a string", "an integer", …).
func WrongType(r Range, key string, want KeyType, got string) *Diagnostic {
	hint := ""
	if key == "mode" || key == "chmod" {
		hint = `write the mode as a quoted octal string, for example "0400"`
	}
	return Errorf(r, "wrong-type",
		fmt.Sprintf("%q takes %s, but %s was written.", key, want, got),
		hint,
		"%q must be %s", key, want)
}

// MissingKey reports a required key that was not written.
func MissingKey(r Range, what, key string) *Diagnostic {
	return Errorf(r, "missing-key",
		fmt.Sprintf("%s must set %q.", capitalize(what), key),
		"",
		"%s is missing %q", what, key)
}

// DuplicateKey reports a key written twice in one construct.
func DuplicateKey(r, first Range, what, key string) *Diagnostic {
	return Errorf(r, "duplicate-key",
		fmt.Sprintf("%q was already set in %s at %s; a key may be set once.", key, what, first),
		"remove one of them",
		"duplicate key %q in %s", key, what)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "no keys"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
