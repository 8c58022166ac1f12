// Package grammar turns a build file, in either syntax, into the checked
// spec model: it picks the syntax, runs that syntax's parser, then the
// checker, and returns one sorted list of diagnostics. It is the only place
// that knows both syntaxes exist; callers get a *spec.File.
package grammar

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/grammar/dsl"
	"github.com/ourorg/securefile/grammar/tomlfile"
	"github.com/ourorg/securefile/spec"
)

// Syntax is one of the two concrete syntaxes.
type Syntax int

const (
	// DSL is the Securefile language.
	DSL Syntax = iota
	// TOML is Securefile.toml.
	TOML
)

func (s Syntax) String() string {
	if s == TOML {
		return "toml"
	}
	return "dsl"
}

// ParseSyntax reads a syntax name as given on a command line or as a
// frontend option.
func ParseSyntax(name string) (Syntax, error) {
	switch strings.ToLower(name) {
	case "dsl", "securefile":
		return DSL, nil
	case "toml":
		return TOML, nil
	}
	return DSL, fmt.Errorf("unknown syntax %q: use dsl or toml", name)
}

// Detect picks the syntax from a file name: .toml files are TOML, anything
// else is the DSL.
func Detect(filename string) Syntax {
	if strings.EqualFold(filepath.Ext(filename), ".toml") {
		return TOML
	}
	return DSL
}

// Parse parses src in the given syntax without checking it.
func Parse(filename string, src []byte, syntax Syntax) (*spec.File, spec.Diagnostics) {
	if syntax == TOML {
		return tomlfile.Parse(filename, src)
	}
	return dsl.Parse(filename, src)
}

// Load parses and checks src. The checker still runs when the parser only
// found key or type mistakes, so one pass reports every problem; it is
// skipped after syntax errors, whose missing pieces would only cause
// misleading follow-on reports.
func Load(filename string, src []byte, syntax Syntax) (*spec.File, spec.Diagnostics) {
	f, diags := Parse(filename, src, syntax)
	if !hasSyntaxErrors(diags) {
		diags = append(diags, withoutRepeats(check.Check(f), diags)...)
	}
	diags.Sort()
	return f, diags
}

// withoutRepeats drops the checker's missing-key findings that the parser
// already reported: the checker reports a stage without a base for models
// built in code, and a parsed file must not get it twice.
func withoutRepeats(checked, parsed spec.Diagnostics) spec.Diagnostics {
	seen := map[string]bool{}
	for _, d := range parsed {
		if d.Code == "missing-key" {
			seen[d.Summary] = true
		}
	}
	if len(seen) == 0 {
		return checked
	}
	out := checked[:0:0]
	for _, d := range checked {
		if d.Code == "missing-key" && seen[d.Summary] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Format prints f in the given syntax's canonical form.
func Format(f *spec.File, syntax Syntax) []byte {
	if syntax == TOML {
		return tomlfile.Format(f)
	}
	return dsl.Format(f)
}

func hasSyntaxErrors(diags spec.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == spec.Error && d.Code == "syntax" {
			return true
		}
	}
	return false
}
