package tomlfile

import (
	"fmt"

	"github.com/ourorg/securefile/spec"
)

// unknownKey reports key k, unknown in what (a stage, a step, a
// declaration). "arg" and "args" there are a declaration in the wrong
// place, not a typo of "add" or "run", so their hint says where args go.
func unknownKey(r spec.Range, what, k string, keys []spec.Key) *spec.Diagnostic {
	if k != "arg" && k != "args" {
		return spec.UnknownKey(r, what, k, keys)
	}
	return spec.Errorf(r, "unknown-key",
		fmt.Sprintf("Args are declared at the top level of the file, in the [args] table, and every stage and step can use them as ${NAME}; %s has no args of its own.", what),
		`move them to the [args] table at the top of the file: [args] NAME = "default"`,
		"unknown key %q in %s", k, what)
}
