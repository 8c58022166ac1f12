// Package tomlfile is the TOML syntax of a build: Securefile.toml.
//
// Parse takes the bytes of a Securefile.toml and gives a *spec.File, the
// same model the DSL parser gives, with the source Range of every node and
// value and the comments attached to the declarations, stages and steps
// they stand above. It checks only what belongs to the syntax: valid TOML,
// known keys, value types and one verb per step; names, references and
// values are the checker's business.
//
// Format takes a *spec.File (from either syntax) and gives its canonical
// Securefile.toml, and Schema gives a JSON Schema of the format for editors
// (Taplo, Even Better TOML), generated from the spec key tables like the
// parser's own validation, so the two cannot disagree.
//
// Values are decoded by github.com/BurntSushi/toml, which does not report
// where keys and values were written; a small position scanner (scan.go)
// reads the same text once more and indexes the ranges by key path. It
// reads it first, in fact, so that a file nested deeper than any Securefile
// needs (which BurntSushi takes quadratic time over) is refused unread.
package tomlfile
